package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// kubelet plays the kubelet of every node: it reports its node Ready, and
// runs the pods bound to it — sandbox and IP, image pulls, init containers
// and sidecars in order, app containers, restarts with back-off — writing
// what it sees to each pod's status. A node that is powered off has no
// kubelet: its pods freeze as they were.
type kubelet struct {
	c      *Cluster
	id     int
	agents map[string]*nodeAgent
	pods   map[string]*podRuntime
	// scratch space for building pod statuses
	scratchConds             []PodCondition
	scratchInit, scratchMain []ContainerStatus
	// lastStart is the start time the kubelet gave a pod last; pods first
	// seen at the same instant share it (statuses are immutable).
	lastStart *time.Time
	// states shares container states between statuses.
	states stateCache
	// bootLogs is the log of the container started last, shared with
	// the containers that start at the same instant logging the same.
	bootLogs []logLine
	// scratchNames and the last unready message, for building statuses.
	scratchNames       []string
	unreadyNames       []string
	lastUnreadyMessage string
}

// shareBootLogs lets containers that logged the same lines when they
// started — replicas of one image starting at one instant — share one copy
// of them. The copy's capacity is its length, so a container that logs
// more appends to an array of its own.
func (k *kubelet) shareBootLogs(cr *containerRuntime) {
	if len(cr.logs) == 0 {
		return
	}
	if !slices.Equal(cr.logs, k.bootLogs) {
		k.bootLogs = slices.Clip(cr.logs)
	}
	cr.logs = k.bootLogs
}

// unreadyMessage words the Ready condition's message for the unready
// containers names; pods of one template share it.
func (k *kubelet) unreadyMessage(names []string) string {
	k.scratchNames = names
	if k.lastUnreadyMessage == "" || !slices.Equal(names, k.unreadyNames) {
		k.unreadyNames = slices.Clone(names)
		k.lastUnreadyMessage = "containers with unready status: [" + strings.Join(names, " ") + "]"
	}
	return k.lastUnreadyMessage
}

// nodeAgent is one node's machine and kubelet.
type nodeAgent struct {
	name string
	// running is false while the node is powered off.
	running bool
	// readyAt is when a (re)started kubelet reports Ready.
	readyAt time.Time
	// stoppedAt is when the node was powered off: its last heartbeat.
	stoppedAt time.Time
	// images holds the normalised references of the images on the node.
	images     map[string]int64
	imageOrder []string
	// hostFiles holds the files under the node's own paths (hostPath
	// volumes): they stay on the node.
	hostFiles map[string]string
	// pulling maps an image being pulled to when that pull completes.
	pulling    map[string]time.Time
	cidrBase   uint32
	nextHost   int
	usedHosts  map[int]bool
	internalIP string
}

// podRuntime is the kubelet's record of one pod on its node.
type podRuntime struct {
	uid  string
	node string
	// startTime is when the kubelet first saw the pod (its status's
	// startTime, shared with it).
	startTime *time.Time
	// sandboxAt is when the pod sandbox (network namespace, IP) is ready.
	sandboxAt nanos
	ipHost    int
	ip        string
	init      []*containerRuntime
	main      []*containerRuntime
	// terminating is set once the kubelet has begun stopping the pod;
	// killAt is when its last container is gone.
	terminating bool
	killAt      nanos
	// rejected holds the admission failure reason (OutOfcpu, …).
	rejected string
	// emptyDirs holds the files of the pod's emptyDir volumes: they
	// survive container restarts and go with the pod.
	emptyDirs map[string]map[string]string
	// volumesSince is when the kubelet began waiting for the pod's claims
	// to be bound (zero once they are).
	volumesSince nanos
}

// Kubelet timings on the virtual clock.
const (
	sandboxDelay = 500 * time.Millisecond
	sigtermDelay = 500 * time.Millisecond
	pullFailTime = 800 * time.Millisecond
	// errImagePullShown is how long ErrImagePull shows before the back-off
	// (the kubelet's next pod sync).
	errImagePullShown = 2 * time.Second
	// sharedPullTime is what a pull takes once the same image's pull it
	// waited for has finished.
	sharedPullTime = 100 * time.Millisecond
	// mountTimeout is how long the kubelet waits for volumes before it
	// reports FailedMount; volumeRetry how often it looks again.
	mountTimeout = 2 * time.Minute
	volumeRetry  = 2 * time.Second
)

func newKubelet(c *Cluster) *kubelet {
	k := &kubelet{c: c, agents: map[string]*nodeAgent{}, pods: map[string]*podRuntime{}}
	k.id = c.register("kubelet", k, KindNode, KindPod)
	return k
}

var _ controller = (*kubelet)(nil)

// The kubelet's queue holds node names and pod keys; only pod keys
// ("namespace/name") contain a slash.
func nodeQueueKey(name string) string { return name }
func podQueueKey(key string) string   { return key }

func (k *kubelet) observe(ev WatchEvent, old Object) {
	switch obj := ev.Object.(type) {
	case *Node:
		switch ev.Type {
		case Added:
			k.agents[obj.Name] = k.newAgent(obj)
			k.c.enqueue(k.id, nodeQueueKey(obj.Name))
		case Deleted:
			delete(k.agents, obj.Name)
			for key, rt := range k.pods {
				if rt.node == obj.Name {
					delete(k.pods, key)
				}
			}
		}
	case *Pod:
		if obj.Spec.NodeName == "" && ev.Type != Deleted {
			return
		}
		// The kubelet acts on what others change — a binding, a new spec,
		// a deletion — not on the status it wrote itself.
		if o, _ := old.(*Pod); o != nil && ev.Type == Modified && o.Spec.NodeName == obj.Spec.NodeName &&
			o.Generation == obj.Generation && timePtrEqual(o.DeletionTimestamp, obj.DeletionTimestamp) {
			return
		}
		k.c.enqueue(k.id, podQueueKey(ev.key))
	}
}

func (k *kubelet) newAgent(n *Node) *nodeAgent {
	a := &nodeAgent{
		name: n.Name, running: true, readyAt: k.c.clock.now.Add(k.c.cfg.NodeStartupDelay),
		images: map[string]int64{}, pulling: map[string]time.Time{}, usedHosts: map[int]bool{}, nextHost: 2, internalIP: n.InternalIP(),
	}
	if base, ok := parseCIDRBase(n.Spec.PodCIDR); ok {
		a.cidrBase = base
	}
	return a
}

func (k *kubelet) reconcile(key string) {
	if !strings.Contains(key, "/") {
		k.syncNode(key)
		return
	}
	k.syncPodKey(key)
}

// syncNode posts the node's conditions and images, as the kubelet's node
// status loop does.
func (k *kubelet) syncNode(name string) {
	a := k.agents[name]
	n := k.c.node(name)
	if a == nil || n == nil || !a.running {
		return
	}
	now := k.c.clock.now
	ready := !now.Before(a.readyAt)
	if !ready {
		k.c.at(a.readyAt, k.id, nodeQueueKey(name))
	}
	// Work on a shallow copy (stored objects are never modified); the
	// conditions are copied before the first change.
	nn := new(Node)
	*nn = *n
	changed := false
	set := func(t NodeConditionType, st ConditionStatus, reason, msg string) {
		for i := range nn.Status.Conditions {
			c := &nn.Status.Conditions[i]
			if c.Type != t {
				continue
			}
			if c.Status != st || c.Reason != reason || c.Message != msg {
				if !changed {
					nn.Status.Conditions = slices.Clone(nn.Status.Conditions)
					c = &nn.Status.Conditions[i]
				}
				if c.Status != st {
					c.LastTransitionTime = now
				}
				c.Status, c.Reason, c.Message, c.LastHeartbeatTime = st, reason, msg, now
				changed = true
			}
			return
		}
		nn.Status.Conditions = append(slices.Clip(nn.Status.Conditions), NodeCondition{
			Type: t, Status: st, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now})
		changed = true
	}
	set(NodeMemoryPressure, ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
	set(NodeDiskPressure, ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure")
	set(NodePIDPressure, ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available")
	wasReady := n.IsReady()
	if ready {
		set(NodeReady, ConditionTrue, "KubeletReady", "kubelet is posting ready status")
	} else {
		set(NodeReady, ConditionFalse, "KubeletNotReady",
			"container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized")
	}
	if imgs := a.imageList(); !imagesEqual(imgs, nn.Status.Images) {
		nn.Status.Images = imgs
		changed = true
	}
	if !changed {
		return
	}
	if err := k.c.updateObject(nn); err != nil {
		panic(fmt.Sprintf("engine: kubelet updating node %s: %v", name, err))
	}
	if ready && !wasReady {
		k.c.event(nn, EventTypeNormal, "NodeReady", sourceKubelet(name), "Node %s status is now: NodeReady", name)
	}
}

func (a *nodeAgent) imageList() []ContainerImage {
	if len(a.imageOrder) == 0 {
		return nil
	}
	out := make([]ContainerImage, len(a.imageOrder))
	for i, ref := range a.imageOrder {
		out[i] = ContainerImage{Names: []string{ref}, SizeBytes: a.images[ref]}
	}
	return out
}

func imagesEqual(a, b []ContainerImage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].SizeBytes != b[i].SizeBytes || len(a[i].Names) != len(b[i].Names) || a[i].Names[0] != b[i].Names[0] {
			return false
		}
	}
	return true
}

func (k *kubelet) syncPodKey(key string) {
	p := k.c.pod(key)
	rt := k.pods[key]
	if rt != nil && (p == nil || p.UID != rt.uid || p.Spec.NodeName != rt.node) {
		k.release(rt)
		delete(k.pods, key)
		rt = nil
	}
	if p == nil || p.Spec.NodeName == "" {
		return
	}
	a := k.agents[p.Spec.NodeName]
	if a == nil || !a.running {
		return // no kubelet is there to act
	}
	if rt == nil {
		if p.IsTerminal() {
			if p.DeletionTimestamp != nil {
				k.c.removeObject(KindPod, key)
			}
			return
		}
		rt = k.newPodRuntime(p)
		k.pods[key] = rt
		k.admit(p, rt)
	}
	if p.DeletionTimestamp != nil {
		k.terminate(p, rt)
		return
	}
	if rt.rejected == "" && !p.IsTerminal() {
		k.syncPod(p, rt, a)
	}
	k.writeStatus(p, rt, a)
}

func (k *kubelet) newPodRuntime(p *Pod) *podRuntime {
	rt := &podRuntime{uid: p.UID, node: p.Spec.NodeName}
	mk := func(c *Container, init bool) *containerRuntime {
		cr := &containerRuntime{spec: c, init: init, sidecar: init && c.IsSidecar(), waitReason: "ContainerCreating"}
		if init && !cr.sidecar {
			cr.waitReason = "PodInitializing"
		}
		return cr
	}
	for i := range p.Spec.InitContainers {
		rt.init = append(rt.init, mk(&p.Spec.InitContainers[i], true))
	}
	for i := range p.Spec.Containers {
		cr := mk(&p.Spec.Containers[i], false)
		if len(p.Spec.InitContainers) > 0 {
			cr.waitReason = "PodInitializing"
		}
		rt.main = append(rt.main, cr)
	}
	// A pod seen again (after its node restarted) keeps its restart counts
	// and records that its containers died with the machine.
	carry := func(crs []*containerRuntime, sts []ContainerStatus) {
		for _, cr := range crs {
			for _, st := range sts {
				if st.Name != cr.spec.Name || st.ContainerID == "" {
					continue
				}
				cr.restarts = st.RestartCount + 1
				cr.last = &ContainerStateTerminated{ExitCode: 255, Reason: "Unknown", FinishedAt: k.c.clock.now, ContainerID: st.ContainerID}
				if st.State.Running != nil {
					cr.last.StartedAt = st.State.Running.StartedAt
				}
				if cr.init && !cr.sidecar && st.State.Terminated != nil && st.State.Terminated.ExitCode == 0 {
					cr.restarts, cr.last = st.RestartCount, nil
					cr.succeeded, cr.everStarted, cr.state = true, true, phaseTerminated
					t := *st.State.Terminated
					cr.terminated = &t
				}
			}
		}
	}
	carry(rt.init, p.Status.InitContainerStatuses)
	carry(rt.main, p.Status.ContainerStatuses)
	switch now := k.c.clock.now; {
	case p.Status.StartTime != nil:
		rt.startTime = p.Status.StartTime
	case k.lastStart != nil && k.lastStart.Equal(now):
		rt.startTime = k.lastStart
	default:
		rt.startTime = Ptr(now)
		k.lastStart = rt.startTime
	}
	return rt
}

// admit rejects a pod that does not fit its node, as the kubelet's
// admission does for pods that bypassed the scheduler.
func (k *kubelet) admit(p *Pod, rt *podRuntime) {
	ni := k.c.scheduler.info(p.Spec.NodeName)
	if ni == nil {
		return
	}
	req := computePodRequests(&p.Spec)
	var res string
	var requested, used, capacity int64
	switch {
	case ni.pods > ni.allocPods:
		res, requested, used, capacity = "pods", 1, ni.pods-1, ni.allocPods
	case req.milliCPU > 0 && ni.reqMilliCPU > ni.allocMilliCPU:
		res, requested, used, capacity = "cpu", req.milliCPU, ni.reqMilliCPU-req.milliCPU, ni.allocMilliCPU
	case req.memory > 0 && ni.reqMemory > ni.allocMemory:
		res, requested, used, capacity = "memory", req.memory, ni.reqMemory-req.memory, ni.allocMemory
	default:
		return
	}
	rt.rejected = "Out" + res
	msg := fmt.Sprintf("Pod was rejected: Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d", res, requested, used, capacity)
	k.c.event(p, EventTypeWarning, rt.rejected, sourceKubelet(rt.node), "Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d", res, requested, used, capacity)
	np := p.withStatus()
	np.Status.Phase = PodFailed
	np.Status.Reason = rt.rejected
	np.Status.Message = msg
	k.mustUpdate(np)
}

func (k *kubelet) mustUpdate(p *Pod) {
	if err := k.c.updateObject(p); err != nil {
		panic(fmt.Sprintf("engine: kubelet updating pod %s: %v", p.Key(), err))
	}
}

// release gives back what a pod held on its node.
func (k *kubelet) release(rt *podRuntime) {
	if a := k.agents[rt.node]; a != nil && rt.ipHost != 0 {
		delete(a.usedHosts, rt.ipHost)
	}
	rt.ipHost, rt.ip = 0, ""
}

func (k *kubelet) wake(p *Pod, at time.Time) { k.c.at(at, k.id, podQueueKey(p.Key())) }

// syncPod moves the pod's containers along as far as they go at this
// instant.
func (k *kubelet) syncPod(p *Pod, rt *podRuntime, a *nodeAgent) {
	now := k.c.clock.now
	if !k.volumesReady(p, rt) {
		return
	}
	if rt.sandboxAt.IsZero() {
		rt.sandboxAt = toNanos(now.Add(sandboxDelay))
		k.wake(p, rt.sandboxAt.Time())
		return
	}
	if now.Before(rt.sandboxAt.Time()) {
		return
	}
	if rt.ip == "" && !k.allocateIP(p, rt, a) {
		return
	}
	k.applySpecChanges(p, rt)
	for _, cr := range rt.init {
		if cr.sidecar {
			k.syncContainer(p, rt, cr, a, RestartPolicyAlways)
			if !cr.everStarted {
				return
			}
			continue
		}
		if cr.succeeded {
			continue
		}
		policy := RestartPolicyOnFailure
		if p.Spec.RestartPolicy == RestartPolicyNever {
			policy = RestartPolicyNever
		}
		k.syncContainer(p, rt, cr, a, policy)
		if !cr.succeeded {
			return
		}
	}
	for _, cr := range rt.main {
		k.syncContainer(p, rt, cr, a, p.Spec.RestartPolicy)
	}
}

// volumesReady reports whether every claim the pod mounts is bound; until
// then the pod waits in ContainerCreating, and after two minutes the
// kubelet says why, as it does for real.
func (k *kubelet) volumesReady(p *Pod, rt *podRuntime) bool {
	var missing []string
	for _, vol := range p.Spec.Volumes {
		if vol.PersistentVolumeClaim != nil && k.c.volumes.files(p.Namespace, vol.PersistentVolumeClaim.ClaimName) == nil {
			missing = append(missing, vol.Name)
		}
	}
	if len(missing) == 0 {
		rt.volumesSince = 0
		return true
	}
	now := k.c.clock.now
	if rt.volumesSince.IsZero() {
		rt.volumesSince = toNanos(now)
	}
	if waited := now.Sub(rt.volumesSince.Time()); waited >= mountTimeout && waited < mountTimeout+volumeRetry {
		k.c.event(p, EventTypeWarning, "FailedMount", sourceKubelet(rt.node),
			"Unable to attach or mount volumes: unmounted volumes=[%s], unattached volumes=[%s]: timed out waiting for the condition",
			strings.Join(missing, " "), strings.Join(missing, " "))
	}
	k.wake(p, now.Add(volumeRetry))
	return false
}

// applySpecChanges restarts containers whose image was changed by an
// update of the pod, as the kubelet does when a container's definition
// changes.
func (k *kubelet) applySpecChanges(p *Pod, rt *podRuntime) {
	apply := func(crs []*containerRuntime, specs []Container) {
		for i, cr := range crs {
			if i >= len(specs) || specs[i].Image == cr.spec.Image {
				continue
			}
			if cr.state == phaseRunning {
				k.c.eventFor(p, containerFieldPath(p, cr), EventTypeNormal, "Killing", sourceKubelet(rt.node),
					"Container %s definition changed, will be restarted", cr.spec.Name)
				k.exited(p, cr, 0, "Completed", "")
			}
			cr.spec = &specs[i]
			cr.image, cr.imageRef, cr.pull = nil, nil, nil
			cr.restartAt, cr.backingOff = 0, false
			if cr.state == phaseTerminated && !cr.succeeded {
				cr.state = phaseWaiting
				cr.waitReason, cr.waitMsg = "ContainerCreating", ""
			}
		}
	}
	apply(rt.init, p.Spec.InitContainers)
	apply(rt.main, p.Spec.Containers)
}

func (k *kubelet) allocateIP(p *Pod, rt *podRuntime, a *nodeAgent) bool {
	for i := 0; i < 253; i++ {
		h := a.nextHost
		a.nextHost++
		if a.nextHost > 254 {
			a.nextHost = 2
		}
		if !a.usedHosts[h] {
			a.usedHosts[h] = true
			rt.ipHost, rt.ip = h, formatIPv4(a.cidrBase+uint32(h))
			return true
		}
	}
	k.c.event(p, EventTypeWarning, "FailedCreatePodSandBox", sourceKubelet(rt.node),
		"Failed to create pod sandbox: plugin type=\"bridge\" failed (add): failed to allocate for range 0: no IP addresses available in range set")
	k.wake(p, k.c.clock.now.Add(10*time.Second))
	return false
}

// syncContainer advances one container's state machine.
func (k *kubelet) syncContainer(p *Pod, rt *podRuntime, cr *containerRuntime, a *nodeAgent, policy RestartPolicy) {
	now := k.c.clock.now
	for range 8 { // each pass makes one transition; a few happen in one instant at most
		switch cr.state {
		case phaseWaiting:
			if now.Before(cr.restartAt.Time()) {
				k.wake(p, cr.restartAt.Time())
				return
			}
			if !k.ensureImage(p, rt, cr, a) {
				return
			}
			k.start(p, rt, cr)
		case phaseRunning:
			if cr.proc == nil {
				return
			}
			if !cr.proc.wakeAt.IsZero() {
				if now.Before(cr.proc.wakeAt) {
					k.wake(p, cr.proc.wakeAt)
					return
				}
				cr.proc.run(containerHost{k: k, pod: p, rt: rt, ctr: cr})
			}
			if !cr.proc.done {
				if !cr.proc.wakeAt.IsZero() {
					k.wake(p, cr.proc.wakeAt)
				}
				return
			}
			reason := "Completed"
			if cr.proc.exit != 0 {
				reason = "Error"
			}
			k.exited(p, cr, int32(cr.proc.exit), reason, "")
		case phaseTerminated:
			if !k.shouldRestart(cr, policy) {
				return
			}
			if now.Before(cr.restartAt.Time()) {
				k.wake(p, cr.restartAt.Time())
				return
			}
			cr.state = phaseWaiting
			cr.waitReason, cr.waitMsg = "", ""
		}
	}
}

func (k *kubelet) shouldRestart(cr *containerRuntime, policy RestartPolicy) bool {
	if cr.terminated == nil {
		return false
	}
	switch policy {
	case RestartPolicyAlways:
		return true
	case RestartPolicyOnFailure:
		return cr.terminated.ExitCode != 0
	}
	return false
}

// exited records a container's exit and arranges its restart.
func (k *kubelet) exited(p *Pod, cr *containerRuntime, code int32, reason, msg string) {
	now := k.c.clock.now
	cr.state = phaseTerminated
	cr.terminated = &ContainerStateTerminated{
		ExitCode: code, Reason: reason, Message: msg, StartedAt: cr.startedAt.Time(), FinishedAt: now, ContainerID: cr.containerID,
	}
	if cr.init && !cr.sidecar && code == 0 {
		cr.succeeded = true
		return
	}
	if now.Sub(cr.startedAt.Time()) >= backoffReset {
		cr.backoff = 0
	}
	delay := cr.backoff
	cr.backoff = nextBackoff(cr.backoff)
	cr.restartAt = toNanos(now.Add(delay))
	policy := p.Spec.RestartPolicy
	if cr.sidecar {
		policy = RestartPolicyAlways
	} else if cr.init && policy == RestartPolicyAlways {
		policy = RestartPolicyOnFailure
	}
	if delay > 0 && k.shouldRestart(cr, policy) {
		cr.backingOff = true
		cr.waitReason = "CrashLoopBackOff"
		cr.waitMsg = fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", delay, cr.spec.Name, p.Name, p.Namespace, p.UID)
		k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "BackOff", sourceKubelet(p.Spec.NodeName),
			"Back-off restarting failed container %s in pod %s_%s(%s)", cr.spec.Name, p.Name, p.Namespace, p.UID)
	}
}

// start creates and starts a container whose image is present.
func (k *kubelet) start(p *Pod, rt *podRuntime, cr *containerRuntime) {
	now := k.c.clock.now
	src := sourceKubelet(rt.node)
	cr.backingOff = false
	if cr.containerID != "" {
		cr.restarts++
		if cr.terminated != nil {
			t := *cr.terminated
			cr.last = &t
		}
	}
	if cr.terminated != nil && cr.everStarted {
		cr.prevLogs = cr.logs
	}
	cr.logs = nil
	cr.files = nil
	cr.terminated = nil
	cr.containerID = randomContainerID(k.c.rand)
	proc, err := newProcess(cr.image, cr.spec, func() map[string]string { return containerEnv(p, cr.spec) })
	if err != nil {
		k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "Failed", src, "Error: %s", err.Error())
		cr.startedAt = toNanos(now)
		k.exited(p, cr, 128, "StartError", err.Error())
		cr.terminated.StartedAt = time.Unix(0, 0).UTC()
		return
	}
	if !k.c.events.dropping() {
		k.c.eventMsg(p, containerFieldPath(p, cr), EventTypeNormal, "Created", src, "Created container: "+cr.spec.Name)
	}
	if !k.c.events.dropping() {
		k.c.eventMsg(p, containerFieldPath(p, cr), EventTypeNormal, "Started", src, "Started container "+cr.spec.Name)
	}
	cr.state = phaseRunning
	cr.startedAt = toNanos(now)
	cr.everStarted = true
	cr.waitReason, cr.waitMsg = "", ""
	cr.proc = proc
	proc.run(containerHost{k: k, pod: p, rt: rt, ctr: cr})
	if proc.serving && !proc.done && proc.wakeAt.IsZero() {
		// A server in its main loop never runs again (run is called only
		// for a process that sleeps): all that matters of it now is
		// whether it stops promptly on SIGTERM, so it need not be kept.
		cr.proc = servingProcess(proc.handlesSIGTERM)
	}
	k.shareBootLogs(cr)
}

// containerEnv is the environment a container's process sees.
func containerEnv(p *Pod, c *Container) map[string]string {
	env := map[string]string{
		"PATH":                    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOSTNAME":                p.Name,
		"HOME":                    "/root",
		"KUBERNETES_SERVICE_HOST": "10.96.0.1",
		"KUBERNETES_SERVICE_PORT": "443",
	}
	for _, e := range c.Env {
		env[e.Name] = expandKubeVars(e.Value, env)
	}
	return env
}

// containerFieldPath names a container in an event's involvedObject.
func containerFieldPath(_ *Pod, cr *containerRuntime) string {
	if cr.init {
		return "spec.initContainers{" + cr.spec.Name + "}"
	}
	return "spec.containers{" + cr.spec.Name + "}"
}

// ensureImage makes sure the container's image is on the node, pulling it
// (with back-off on failure) as the pull policy says. It reports whether
// the container can be created now.
func (k *kubelet) ensureImage(p *Pod, rt *podRuntime, cr *containerRuntime, a *nodeAgent) bool {
	now := k.c.clock.now
	src := sourceKubelet(rt.node)
	image := cr.spec.Image
	if cr.image == nil && !cr.pulling() {
		im, ref, err := k.c.images.resolve(image)
		cr.imageRef = ref
		if err != nil {
			if _, isPull := err.(*PullError); !isPull {
				if cr.waitReason != "InvalidImageName" {
					msg := fmt.Sprintf("Failed to apply default image tag %q: %s", image, err.Error())
					k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "InspectFailed", src, "%s", msg)
					k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "Failed", src, "Error: InvalidImageName")
					cr.waitReason, cr.waitMsg = "InvalidImageName", msg
				}
				return false
			}
		} else {
			cr.image = im
		}
	}
	ref := cr.imageRef.String()
	_, present := a.images[ref]
	policy := cr.spec.ImagePullPolicy
	if present && (policy == "IfNotPresent" || policy == "Never") && !cr.pulling() {
		if !k.c.events.dropping() {
			k.c.eventMsg(p, containerFieldPath(p, cr), EventTypeNormal, "Pulled", src, "Container image "+strconv.Quote(image)+" already present on machine")
		}
		return true
	}
	if policy == "Never" {
		if cr.waitReason != "ErrImageNeverPull" {
			msg := fmt.Sprintf("Container image %q is not present with pull policy of Never", image)
			k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "ErrImageNeverPull", src, "%s", msg)
			cr.waitReason, cr.waitMsg = "ErrImageNeverPull", msg
		}
		return false
	}
	if pl := cr.pull; cr.pulling() {
		if now.Before(pl.doneAt) {
			k.wake(p, pl.doneAt)
			return false
		}
		pl.pulling = false
		if pl.err != nil {
			msg := pl.err.Error()
			k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "Failed", src, "Failed to pull image %q: %s", image, msg)
			k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "Failed", src, "Error: ErrImagePull")
			cr.waitReason, cr.waitMsg = "ErrImagePull", msg
			pl.backoff = nextBackoff(pl.backoff)
			pl.retryAt = now.Add(pl.backoff)
			pl.failedAt = now
			k.wake(p, now.Add(errImagePullShown))
			cr.image = nil
			return false
		}
		took, waited := now.Sub(pl.started), now.Sub(pl.started)
		if pl.shared {
			took = sharedPullTime
		}
		if !a.pulling[ref].After(now) {
			delete(a.pulling, ref)
		}
		if _, ok := a.images[ref]; !ok {
			a.images[ref] = cr.image.SizeBytes
			a.imageOrder = append(a.imageOrder, ref)
			k.c.enqueue(k.id, nodeQueueKey(a.name))
		}
		if !k.c.events.dropping() {
			k.c.eventMsg(p, containerFieldPath(p, cr), EventTypeNormal, "Pulled", src, "Successfully pulled image "+strconv.Quote(image)+" in "+took.String()+
				" ("+waited.String()+" including waiting). Image size: "+strconv.FormatInt(cr.image.SizeBytes, 10)+" bytes.")
		}
		cr.pull = nil // pulled: no back-off left to remember
		return true
	}
	if pl := cr.pull; pl != nil && now.Before(pl.retryAt) {
		if shown := pl.failedAt.Add(errImagePullShown); now.Before(shown) {
			k.wake(p, shown)
			return false
		}
		if cr.waitReason != "ImagePullBackOff" {
			k.c.eventFor(p, containerFieldPath(p, cr), EventTypeNormal, "BackOff", src, "Back-off pulling image %q", image)
			k.c.eventFor(p, containerFieldPath(p, cr), EventTypeWarning, "Failed", src, "Error: ImagePullBackOff")
			cr.waitReason, cr.waitMsg = "ImagePullBackOff", fmt.Sprintf("Back-off pulling image %q: %s", image, cr.waitMsg)
		}
		k.wake(p, pl.retryAt)
		return false
	}
	// Start a pull.
	if !k.c.events.dropping() {
		k.c.eventMsg(p, containerFieldPath(p, cr), EventTypeNormal, "Pulling", src, "Pulling image "+strconv.Quote(image))
	}
	if cr.pull == nil {
		cr.pull = &imagePull{}
	}
	pl := cr.pull
	pl.pulling = true
	pl.started = now
	im, _, err := k.c.images.Lookup(image)
	switch {
	case err != nil:
		pl.err = err
		pl.doneAt = now.Add(pullFailTime)
	default:
		pl.err = nil
		cr.image = im
		// The kubelet pulls one image at a time: a pull of an image that
		// is already being pulled waits for that one, then takes a moment.
		pl.shared = false
		if busy, ok := a.pulling[ref]; ok && busy.After(now) {
			pl.doneAt = busy.Add(sharedPullTime)
			pl.shared = true
		} else {
			pl.doneAt = now.Add(im.PullTime())
			a.pulling[ref] = pl.doneAt
		}
	}
	if cr.waitReason == "" || cr.waitReason == "PodInitializing" {
		cr.waitReason = "ContainerCreating"
	}
	k.wake(p, pl.doneAt)
	return false
}

// terminate stops a deleted pod's containers — at once for those that
// handle SIGTERM, at the end of the grace period for the rest — and then
// removes the pod.
func (k *kubelet) terminate(p *Pod, rt *podRuntime) {
	now := k.c.clock.now
	if !rt.terminating {
		rt.terminating = true
		deadline := now
		if p.DeletionTimestamp != nil && p.DeletionTimestamp.After(now) {
			deadline = *p.DeletionTimestamp
		}
		rt.killAt = toNanos(now)
		for _, cr := range append(append([]*containerRuntime{}, rt.main...), rt.init...) {
			if cr.state != phaseRunning {
				continue
			}
			k.c.eventFor(p, containerFieldPath(p, cr), EventTypeNormal, "Killing", sourceKubelet(rt.node), "Stopping container %s", cr.spec.Name)
			cr.stopAt = toNanos(deadline)
			if cr.proc != nil && cr.proc.handlesSIGTERM {
				cr.stopAt = toNanos(minTime(now.Add(sigtermDelay), deadline))
			}
			rt.killAt = max(rt.killAt, cr.stopAt)
		}
	}
	if now.Before(rt.killAt.Time()) {
		k.wake(p, rt.killAt.Time())
		return
	}
	k.release(rt)
	delete(k.pods, p.Key())
	k.c.removeObject(KindPod, p.Key())
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// writeStatus computes the pod's status from the runtime and writes it if
// it changed.
func (k *kubelet) writeStatus(p *Pod, rt *podRuntime, a *nodeAgent) {
	if rt.rejected != "" {
		return
	}
	now := k.c.clock.now
	// Build the status in scratch space; allocate only if it changed.
	st := p.Status
	st.Conditions = append(k.scratchConds[:0], p.Status.Conditions...)
	st.HostIP = a.internalIP
	st.PodIP = rt.ip
	if st.StartTime == nil || !st.StartTime.Equal(*rt.startTime) {
		st.StartTime = rt.startTime
	}
	st.InitContainerStatuses = k.scratchInit[:0]
	for _, cr := range rt.init {
		st.InitContainerStatuses = append(st.InitContainerStatuses, cr.status(&k.states))
	}
	st.ContainerStatuses = k.scratchMain[:0]
	for _, cr := range rt.main {
		st.ContainerStatuses = append(st.ContainerStatuses, cr.status(&k.states))
	}
	if len(rt.init) == 0 {
		st.InitContainerStatuses = nil
	}
	st.Phase = podPhase(p, rt)

	sandbox := ConditionFalse
	if rt.ip != "" {
		sandbox = ConditionTrue
	}
	setPodCondition(&st, PodCondition{Type: PodReadyToStartContainers, Status: sandbox, LastTransitionTime: now})
	initDone := true
	var pendingInit []string
	for _, cr := range rt.init {
		if (cr.sidecar && !cr.everStarted) || (!cr.sidecar && !cr.succeeded) {
			initDone = false
			pendingInit = append(pendingInit, cr.spec.Name)
		}
	}
	if initDone {
		setPodCondition(&st, PodCondition{Type: PodInitialized, Status: ConditionTrue, LastTransitionTime: now})
	} else {
		setPodCondition(&st, PodCondition{Type: PodInitialized, Status: ConditionFalse, LastTransitionTime: now,
			Reason: podReasonContainersNotInit, Message: "containers with incomplete status: [" + strings.Join(pendingInit, " ") + "]"})
	}
	unready := k.scratchNames[:0]
	for _, cr := range rt.main {
		if cr.state != phaseRunning {
			unready = append(unready, cr.spec.Name)
		}
	}
	for _, cr := range rt.init {
		if cr.sidecar && cr.state != phaseRunning {
			unready = append(unready, cr.spec.Name)
		}
	}
	if st.Phase == PodSucceeded || st.Phase == PodFailed {
		for _, t := range []PodConditionType{PodContainersReady, PodReady} {
			setPodCondition(&st, PodCondition{Type: t, Status: ConditionFalse, LastTransitionTime: now, Reason: "PodCompleted"})
		}
	} else if len(unready) == 0 {
		setPodCondition(&st, PodCondition{Type: PodContainersReady, Status: ConditionTrue, LastTransitionTime: now})
		setPodCondition(&st, PodCondition{Type: PodReady, Status: ConditionTrue, LastTransitionTime: now})
	} else {
		msg := k.unreadyMessage(unready)
		setPodCondition(&st, PodCondition{Type: PodContainersReady, Status: ConditionFalse, LastTransitionTime: now,
			Reason: podReasonContainersNotRdy, Message: msg})
		setPodCondition(&st, PodCondition{Type: PodReady, Status: ConditionFalse, LastTransitionTime: now,
			Reason: podReasonContainersNotRdy, Message: msg})
	}
	sortPodConditions(st.Conditions)
	k.scratchConds, k.scratchInit, k.scratchMain = st.Conditions, st.InitContainerStatuses, st.ContainerStatuses
	if podStatusEqual(&p.Status, &st) {
		return
	}
	st.Conditions = k.c.intern.conditions(st.Conditions)
	st.InitContainerStatuses = slices.Clone(st.InitContainerStatuses)
	st.ContainerStatuses = slices.Clone(st.ContainerStatuses)
	np := *p // metadata and spec are shared with the old version, unchanged
	np.Status = st
	k.c.replaceObject(p, &np)
}

// podConditionOrder is the order the kubelet lists pod conditions in.
func podConditionOrder(t PodConditionType) int {
	switch t {
	case PodReadyToStartContainers:
		return 0
	case PodInitialized:
		return 1
	case PodReady:
		return 2
	case PodContainersReady:
		return 3
	case PodScheduled:
		return 4
	}
	return 5
}

func sortPodConditions(cs []PodCondition) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && podConditionOrder(cs[j].Type) < podConditionOrder(cs[j-1].Type); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// podPhase follows the kubelet's getPhase.
func podPhase(p *Pod, rt *podRuntime) PodPhase {
	if rt.ip == "" {
		return PodPending
	}
	for _, cr := range rt.init {
		if cr.sidecar {
			continue
		}
		if !cr.succeeded {
			if cr.state == phaseTerminated && p.Spec.RestartPolicy == RestartPolicyNever {
				return PodFailed
			}
			return PodPending
		}
	}
	var waiting, running, succeeded, failed, stopped int
	for _, cr := range rt.main {
		switch cr.state {
		case phaseRunning:
			running++
		case phaseTerminated:
			stopped++
			if cr.terminated.ExitCode == 0 {
				succeeded++
			} else {
				failed++
			}
		case phaseWaiting:
			if cr.last != nil {
				stopped++ // restarting
			} else {
				waiting++
			}
		}
	}
	switch {
	case waiting > 0:
		return PodPending
	case running > 0:
		return PodRunning
	case stopped == len(rt.main):
		switch p.Spec.RestartPolicy {
		case RestartPolicyAlways:
			return PodRunning
		case RestartPolicyOnFailure:
			if failed > 0 || succeeded < len(rt.main) {
				return PodRunning
			}
			return PodSucceeded
		}
		if failed > 0 {
			return PodFailed
		}
		return PodSucceeded
	}
	return PodPending
}

func podStatusEqual(a, b *PodStatus) bool {
	if a.Phase != b.Phase || a.Message != b.Message || a.Reason != b.Reason || a.HostIP != b.HostIP ||
		a.PodIP != b.PodIP || a.QOSClass != b.QOSClass || !timePtrEqual(a.StartTime, b.StartTime) ||
		len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		if a.Conditions[i] != b.Conditions[i] {
			return false
		}
	}
	return containerStatusesEqual(a.InitContainerStatuses, b.InitContainerStatuses) &&
		containerStatusesEqual(a.ContainerStatuses, b.ContainerStatuses)
}

func containerStatusesEqual(a, b []ContainerStatus) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Name != y.Name || x.Ready != y.Ready || x.RestartCount != y.RestartCount || x.Image != y.Image ||
			x.ImageID != y.ImageID || x.ContainerID != y.ContainerID || !boolPtrEqual(x.Started, y.Started) ||
			!containerStateEqual(x.State, y.State) || !containerStateEqual(x.LastTerminationState, y.LastTerminationState) {
			return false
		}
	}
	return true
}

func containerStateEqual(a, b ContainerState) bool {
	return ptrEqual(a.Waiting, b.Waiting) && ptrEqual(a.Running, b.Running) && ptrEqual(a.Terminated, b.Terminated)
}

func ptrEqual[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func timePtrEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func boolPtrEqual(a, b *bool) bool { return ptrEqual(a, b) }

// parseCIDRBase returns the network address of an IPv4 CIDR as a number.
func parseCIDRBase(cidr string) (uint32, bool) {
	addr, _, ok := strings.Cut(cidr, "/")
	if !ok {
		return 0, false
	}
	parts := strings.Split(addr, ".")
	if len(parts) != 4 {
		return 0, false
	}
	var v uint32
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return 0, false
		}
		v = v<<8 | uint32(n)
	}
	return v, true
}

func formatIPv4(v uint32) string {
	return strconv.Itoa(int(v>>24)) + "." + strconv.Itoa(int(v>>16&0xff)) + "." + strconv.Itoa(int(v>>8&0xff)) + "." + strconv.Itoa(int(v&0xff))
}
