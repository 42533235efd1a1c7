package engine

import (
	"fmt"
	"math/rand/v2"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// Config sets up a Cluster. The zero value is valid: seed 0, the default
// start time, no learner limits.
type Config struct {
	// Seed drives every random choice (uids, name suffixes, container
	// ids). The same seed and inputs give the same event log.
	Seed uint64
	// Start is the virtual time the cluster starts at (DefaultStart if
	// zero).
	Start time.Time
	// Limits caps what a learner can create; zero fields mean no cap.
	Limits Limits
	// WatchLogLimit bounds the watch log; older changes are compacted away
	// and a reader behind them must resync (default 10,000).
	WatchLogLimit int
	// EventLimit bounds the number of Event objects kept; the oldest are
	// deleted first (default 1,000).
	EventLimit int
	// EventTTL is how long an Event is kept after it last happened
	// (default one hour, as the API server's --event-ttl).
	EventTTL time.Duration
	// ReconcileLimit is the livelock guard: how many reconciles one instant
	// may take, on top of 20 per stored object (default 100,000).
	ReconcileLimit int
	// NodeMonitorGracePeriod is how long a node may miss heartbeats before
	// it is marked NotReady (default 40s).
	NodeMonitorGracePeriod time.Duration
	// NodeStartupDelay is how long a new or restored node's kubelet takes
	// to report Ready (default 2s; negative means at once).
	NodeStartupDelay time.Duration
}

// Limits are a learner cluster's caps. Zero means no cap.
type Limits struct {
	MaxNodes   int
	MaxPods    int
	MaxObjects int
}

// LearnerLimits are the caps of a learner's playground cluster: enough for
// every lesson, small enough to draw.
func LearnerLimits() Limits { return Limits{MaxNodes: 20, MaxPods: 200, MaxObjects: 1000} }

// DefaultConfig is the configuration of a learner's cluster.
func DefaultConfig() Config { return Config{Limits: LearnerLimits()} }

func (c *Config) setDefaults() {
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC()
	if c.WatchLogLimit <= 0 {
		c.WatchLogLimit = 10000
	}
	if c.EventLimit <= 0 {
		c.EventLimit = 1000
	}
	if c.EventTTL <= 0 {
		c.EventTTL = time.Hour
	}
	if c.ReconcileLimit <= 0 {
		c.ReconcileLimit = 100000
	}
	if c.NodeMonitorGracePeriod <= 0 {
		c.NodeMonitorGracePeriod = 40 * time.Second
	}
	switch {
	case c.NodeStartupDelay < 0:
		c.NodeStartupDelay = 0
	case c.NodeStartupDelay == 0:
		c.NodeStartupDelay = 2 * time.Second
	}
}

// controller is a level-based reconciler. observe is told of every change
// to the kinds it registered for; it may update the controller's caches and
// enqueue keys, but must not write to the store. reconcile reads the current
// state for one key and writes the difference.
type controller interface {
	observe(ev WatchEvent, old Object)
	reconcile(key string)
}

type registration struct {
	name  string
	ctl   controller
	queue *workQueue
}

// Cluster is one simulated Kubernetes cluster. It is not safe for
// concurrent use.
type Cluster struct {
	cfg   Config
	rand  *rand.Rand
	clock clock
	store store

	ctls []registration
	// watchers lists, per kind id, the indexes into ctls of the
	// controllers that observe it, in registration order.
	watchers [numKinds][]int

	events      recorder
	scheduler   *scheduler
	kubelet     *kubelet
	nodes       *nodeLifecycle
	eviction    *taintEviction
	podGC       *podGC
	ns          *namespaceController
	garbage     *garbageCollector
	deployments *deploymentController
	replicaSets *replicaSetController
	volumes     *volumeBinder
	endpoints   *endpointsController
	// traffic counts requests per Service, for round robin.
	traffic map[string]int
	images  *ImageCatalog
	// volumeScheduler, when set, takes part in scheduling pods with
	// PersistentVolumeClaims.
	volumeScheduler VolumeScheduler

	// reconciles counts reconciles at the current instant, for the
	// livelock guard.
	reconciles int
	// settling is true while controllers run; events they record are
	// queued until they settle.
	settling bool

	// nodeIndex maps each node to the index that fixes its addresses;
	// nodeIndexUsed[i] is true exactly when some node has index i.
	nodeIndex     map[string]int
	nodeIndexUsed []bool

	intern interner
	// prototypes holds, by owner uid, the admitted pod each workload's
	// template makes (createPodFromTemplate).
	prototypes map[string]podPrototype
}

// New returns a cluster with the default namespaces and no nodes.
func New(cfg Config) *Cluster {
	cfg.setDefaults()
	c := &Cluster{
		cfg:        cfg,
		rand:       newRand(cfg.Seed),
		clock:      newClock(cfg.Start),
		store:      newStore(cfg.WatchLogLimit),
		images:     DefaultImages(),
		nodeIndex:  map[string]int{},
		traffic:    map[string]int{},
		intern:     newInterner(),
		prototypes: map[string]podPrototype{},
	}
	c.events = newRecorder(c)
	// Registration order is the order controllers run in at each instant:
	// workloads first, so that the pods they create are scheduled and
	// started in the same pass.
	c.garbage = newGarbageCollector(c)
	c.deployments = newDeploymentController(c)
	c.replicaSets = newReplicaSetController(c)
	c.volumes = newVolumeBinder(c)
	c.endpoints = newEndpointsController(c)
	c.nodes = newNodeLifecycle(c)
	c.eviction = newTaintEviction(c)
	c.scheduler = newScheduler(c)
	c.kubelet = newKubelet(c)
	c.podGC = newPodGC(c)
	c.ns = newNamespaceController(c)
	standard := &StorageClass{
		ObjectMeta:  ObjectMeta{Name: "standard", Annotations: map[string]string{AnnotationDefaultStorageClass: "true"}},
		Provisioner: SimulatedProvisioner,
	}
	if err := c.admitStorageClass(standard); err != nil {
		panic(fmt.Sprintf("engine: the default storage class: %v", err))
	}
	if err := c.createObject(standard); err != nil {
		panic(fmt.Sprintf("engine: the default storage class: %v", err))
	}
	for _, name := range []string{"default", "kube-node-lease", "kube-public", "kube-system"} {
		ns := &Namespace{ObjectMeta: ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/metadata.name": name}}}
		ns.Status.Phase = "Active"
		if err := c.createObject(ns); err != nil {
			panic(fmt.Sprintf("engine: creating namespace %s: %v", name, err))
		}
	}
	nginx := &IngressClass{ObjectMeta: ObjectMeta{Name: "nginx", Annotations: map[string]string{AnnotationDefaultIngressClass: "true"}}}
	nginx.Spec.Controller = SimulatedIngressController
	kubernetes := &Service{ObjectMeta: ObjectMeta{Name: "kubernetes", Namespace: "default",
		Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}}}
	kubernetes.Spec.ClusterIP = "10.96.0.1"
	kubernetes.Spec.Ports = []ServicePort{{Name: "https", Port: 443, TargetPort: intstr.FromInt32(6443)}}
	for _, obj := range []Object{nginx, kubernetes} {
		if _, err := c.Create(obj); err != nil {
			panic(fmt.Sprintf("engine: creating %s: %v", obj.GetObjectMeta().Name, err))
		}
	}
	return c
}

// register adds a controller that observes kinds and returns its index,
// which names it in timers and enqueues.
func (c *Cluster) register(name string, ctl controller, watched ...Kind) int {
	id := len(c.ctls)
	c.ctls = append(c.ctls, registration{name: name, ctl: ctl, queue: newWorkQueue()})
	for _, k := range watched {
		c.watchers[k.id()] = append(c.watchers[k.id()], id)
	}
	return id
}

func (c *Cluster) enqueue(id int, key string) { c.ctls[id].queue.add(key) }

// after wakes controller id for key once d of virtual time has passed.
func (c *Cluster) after(d time.Duration, id int, key string) {
	c.clock.set(c.clock.now.Add(d), id, key)
}

// at wakes controller id for key at time t.
func (c *Cluster) at(t time.Time, id int, key string) { c.clock.set(t, id, key) }

// Now returns the cluster's virtual time.
func (c *Cluster) Now() time.Time { return c.clock.now }

// Config returns the configuration the cluster was made with, defaults
// filled in.
func (c *Cluster) Config() Config { return c.cfg }

// Images returns the cluster's image catalogue.
func (c *Cluster) Images() *ImageCatalog { return c.images }

// ResourceVersion returns the version of the latest change.
func (c *Cluster) ResourceVersion() uint64 {
	c.events.flush()
	return c.store.rv
}

// NextTimer returns when the next timer is due, if any is set.
func (c *Cluster) NextTimer() (time.Time, bool) { return c.clock.next() }

// Settle runs the controllers until none has work left at the current
// instant. It returns ErrLivelock if they do not settle within the
// reconcile limit; the cluster stays usable.
func (c *Cluster) Settle() error {
	c.reconciles = 0
	return c.settle()
}

// settle is Settle without resetting the livelock guard's count, which
// covers one call of Settle, Advance or Step at one instant.
func (c *Cluster) settle() error {
	c.settling = true
	defer func() { c.settling = false }()
	limit := c.cfg.ReconcileLimit + 20*c.objectCount()
	for {
		progressed := false
		for i := range c.ctls {
			r := &c.ctls[i]
			for {
				key, ok := r.queue.pop()
				if !ok {
					break
				}
				c.reconciles++
				if c.reconciles > limit {
					// The allowance grows with the objects made at this
					// instant: 150,000 pods applied at once are work, not a
					// livelock.
					limit = c.cfg.ReconcileLimit + 20*c.objectCount()
				}
				if c.reconciles > limit {
					c.dropQueues()
					return fmt.Errorf("%w: %d reconciles at %s, last by %s for %q",
						ErrLivelock, c.reconciles, c.clock.now.Format(time.RFC3339), r.name, key)
				}
				r.ctl.reconcile(key)
				progressed = true
			}
		}
		if !progressed {
			if len(c.events.pending) == 0 {
				return nil
			}
			c.events.flush()
		}
	}
}

func (c *Cluster) dropQueues() {
	for i := range c.ctls {
		c.ctls[i].queue = newWorkQueue()
	}
}

// fireDue wakes the controllers whose timers are due now and settles,
// until no timer is due at this instant (reconciles may set timers for the
// same instant).
func (c *Cluster) fireDue() error {
	for {
		fired := false
		for {
			id, ok := c.clock.popDue()
			if !ok {
				break
			}
			fired = true
			c.enqueue(id.ctl, id.key)
		}
		if err := c.settle(); err != nil {
			return err
		}
		if !fired {
			return nil
		}
	}
}

func (c *Cluster) moveTo(t time.Time) {
	if t.After(c.clock.now) {
		c.clock.now = t
		c.reconciles = 0
	}
}

// Advance moves virtual time forward by d, firing every timer that falls
// due on the way, in order, and settling the controllers at each instant.
func (c *Cluster) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("engine: cannot move time backwards (%s)", d)
	}
	c.reconciles = 0
	if err := c.fireDue(); err != nil {
		return err
	}
	target := c.clock.now.Add(d)
	for {
		t, ok := c.clock.next()
		if !ok || t.After(target) {
			break
		}
		c.moveTo(t)
		if err := c.fireDue(); err != nil {
			return err
		}
	}
	c.moveTo(target)
	return nil
}

// Step jumps to the next instant at which a timer is due and runs it,
// skipping the empty time in between. It reports false if no timer is set.
func (c *Cluster) Step() (bool, error) {
	c.reconciles = 0
	if err := c.fireDue(); err != nil {
		return false, err
	}
	t, ok := c.clock.next()
	if !ok {
		return false, nil
	}
	c.moveTo(t)
	return true, c.fireDue()
}

// objectCount is the number of stored objects that count against the
// learner's object limit (everything but Events).
func (c *Cluster) objectCount() int {
	n := 0
	for i, v := range c.store.counts {
		if kindTable[i].kind != KindEvent {
			n += v
		}
	}
	return n
}
