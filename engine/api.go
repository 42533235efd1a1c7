package engine

import (
	"fmt"
	"reflect"
	"strconv"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// This file is the cluster's API: what kubectl, lessons and tests call.
// Every object passed in is copied; every object returned is a copy.
// Writes do not run the controllers: call Settle (or Advance, or Step) to
// let the cluster react, as a real control plane would a moment later.

// Create stores a new object after the API server's defaulting and
// validation, and returns it as stored.
func (c *Cluster) Create(obj Object) (Object, error) {
	if obj == nil {
		return nil, &APIError{Reason: ReasonBadRequest, Message: "no object given"}
	}
	obj = obj.DeepCopyObject()
	m := obj.GetObjectMeta()
	kind := obj.GetKind()
	if !kind.Known() {
		return nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("unknown kind %q", kind)}
	}
	if err := c.checkLimits(kind, m.Name); err != nil {
		return nil, err
	}
	switch o := obj.(type) {
	case *Pod:
		if err := c.admitPod(o); err != nil {
			return nil, err
		}
	case *Node:
		if err := c.admitNode(o); err != nil {
			return nil, err
		}
	case *Namespace:
		if errs := validateMeta(m, kind); len(errs) > 0 {
			return nil, errInvalid(kind, m.Name, errs)
		}
		o.Status.Phase = "Active"
		if o.Labels == nil {
			o.Labels = map[string]string{}
		}
		o.Labels["kubernetes.io/metadata.name"] = o.Name
	case *Event:
		if errs := validateMeta(m, kind); len(errs) > 0 {
			return nil, errInvalid(kind, m.Name, errs)
		}
	case *ReplicaSet:
		if err := c.admitReplicaSet(o); err != nil {
			return nil, err
		}
	case *Deployment:
		if err := c.admitDeployment(o); err != nil {
			return nil, err
		}
	case *StorageClass:
		if err := c.admitStorageClass(o); err != nil {
			return nil, err
		}
	case *PersistentVolume:
		if err := c.admitPersistentVolume(o); err != nil {
			return nil, err
		}
	case *PersistentVolumeClaim:
		if err := c.admitPersistentVolumeClaim(o); err != nil {
			return nil, err
		}
	case *Service:
		if err := c.admitService(o); err != nil {
			return nil, err
		}
	case *Ingress:
		if err := c.admitIngress(o); err != nil {
			return nil, err
		}
	case *IngressClass:
		if err := c.admitIngressClass(o); err != nil {
			return nil, err
		}
	case *Endpoints:
		if errs := validateMeta(m, kind); len(errs) > 0 {
			return nil, errInvalid(kind, m.Name, errs)
		}
	}
	if err := c.createObject(obj); err != nil {
		if kind == KindNode && c.store.get(KindNode, m.Name) == nil {
			c.releaseNodeIndex(m.Name)
		}
		return nil, err
	}
	return obj.DeepCopyObject(), nil
}

func (c *Cluster) checkLimits(kind Kind, name string) error {
	l := c.cfg.Limits
	var limit, have int
	what := kind.Resource()
	switch {
	case kind == KindEvent:
		return nil
	case kind == KindNode && l.MaxNodes > 0:
		limit, have = l.MaxNodes, c.store.count(KindNode)
	case kind == KindPod && l.MaxPods > 0:
		limit, have = l.MaxPods, c.store.count(KindPod)
	}
	if limit > 0 && have >= limit {
		return errForbidden(kind, name, fmt.Sprintf("this playground allows at most %d %s", limit, what))
	}
	if l.MaxObjects > 0 && c.objectCount() >= l.MaxObjects {
		return errForbidden(kind, name, fmt.Sprintf("this playground allows at most %d objects", l.MaxObjects))
	}
	return nil
}

// Update replaces an object's mutable fields. Status is owned by the
// controllers and kept as it is. If obj carries a resourceVersion, it must
// be the current one (optimistic concurrency, as in Kubernetes).
func (c *Cluster) Update(obj Object) (Object, error) {
	if obj == nil {
		return nil, &APIError{Reason: ReasonBadRequest, Message: "no object given"}
	}
	kind := obj.GetKind()
	m := obj.GetObjectMeta()
	if kind.Namespaced() && m.Namespace == "" {
		m = &ObjectMeta{Name: m.Name, Namespace: "default"}
	}
	key := objectKey(m.Namespace, m.Name)
	if !kind.Namespaced() {
		key = m.Name
	}
	old := c.store.get(kind, key)
	if old == nil {
		return nil, errNotFound(kind, m.Name)
	}
	if rv := obj.GetObjectMeta().ResourceVersion; rv != "" && rv != strconv.FormatUint(old.GetObjectMeta().rv, 10) {
		return nil, errConflict(kind, m.Name)
	}
	in := obj.GetObjectMeta()
	errs := validateLabels(in.Labels, func() *field.Path { return field.NewPath("metadata", "labels") })
	errs = append(errs, validateAnnotations(in.Annotations, field.NewPath("metadata", "annotations"))...)
	if len(errs) > 0 {
		return nil, errInvalid(kind, m.Name, errs)
	}
	next := old.DeepCopyObject()
	nm := next.GetObjectMeta()
	nm.Labels = cloneStringMap(in.Labels)
	nm.Annotations = cloneStringMap(in.Annotations)
	nm.OwnerReferences = in.DeepCopy().OwnerReferences
	switch n := next.(type) {
	case *Pod:
		before := n.Spec.DeepCopy()
		if err := updatePodSpec(n, obj.(*Pod)); err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(before, n.Spec) {
			n.Generation++
		}
	case *Node:
		want := obj.(*Node)
		if n.Spec.PodCIDR != "" && want.Spec.PodCIDR != "" && want.Spec.PodCIDR != n.Spec.PodCIDR {
			return nil, errInvalid(KindNode, n.Name, field.ErrorList{field.Forbidden(field.NewPath("spec", "podCIDR"),
				"node updates may not change podCIDR except from \"\" to valid")})
		}
		if n.Spec.Unschedulable != want.Spec.Unschedulable || !reflect.DeepEqual(n.Spec.Taints, want.Spec.Taints) {
			n.Generation++
		}
		n.Spec.Unschedulable = want.Spec.Unschedulable
		n.Spec.Taints = want.DeepCopy().Spec.Taints
		for i := range n.Spec.Taints {
			if n.Spec.Taints[i].Effect == TaintEffectNoExecute && n.Spec.Taints[i].TimeAdded == nil {
				n.Spec.Taints[i].TimeAdded = Ptr(c.clock.now)
			}
		}
		if errs := validateTaints(n.Spec.Taints, field.NewPath("spec", "taints")); len(errs) > 0 {
			return nil, errInvalid(KindNode, n.Name, errs)
		}
	case *Event:
		e := obj.(*Event)
		n.Count, n.LastTimestamp, n.Message = e.Count, e.LastTimestamp, e.Message
	case *ReplicaSet, *Deployment:
		if err := updateWorkloadSpec(next, obj); err != nil {
			return nil, err
		}
	case *PersistentVolumeClaim, *PersistentVolume, *StorageClass:
		if err := updateStorageSpec(next, obj); err != nil {
			return nil, err
		}
	case *Service:
		w := obj.(*Service).DeepCopy()
		if w.Spec.ClusterIP == "" {
			w.Spec.ClusterIP = n.Spec.ClusterIP
		}
		if w.Spec.ClusterIP != n.Spec.ClusterIP {
			return nil, errInvalid(KindService, n.Name, field.ErrorList{field.Invalid(field.NewPath("spec", "clusterIPs").Index(0), w.Spec.ClusterIP, "may not change once set")})
		}
		before := n.DeepCopy().Spec
		n.Spec.Selector = w.Spec.Selector
		n.Spec.Ports = w.Spec.Ports
		if w.Spec.Type != "" {
			n.Spec.Type = w.Spec.Type
		}
		if !reflect.DeepEqual(before, n.Spec) {
			n.Generation++
		}
	case *Ingress:
		w := obj.(*Ingress).DeepCopy()
		w.Status = n.Status
		if err := c.admitIngress(w); err != nil {
			return nil, err
		}
		w.Status = n.Status
		if !reflect.DeepEqual(n.Spec, w.Spec) {
			n.Generation++
		}
		n.Spec = w.Spec
	case *Endpoints:
		n.Subsets = obj.(*Endpoints).DeepCopy().Subsets
	}
	// As the API server does, an update that changes nothing writes nothing:
	// the resource version stays and no watcher hears of it.
	// (old's copy is compared, not old: a copy carries the formatted
	// resource version that next carries.)
	if reflect.DeepEqual(old.DeepCopyObject(), next) {
		return next, nil
	}
	if err := c.updateObject(next); err != nil {
		return nil, err
	}
	return next.DeepCopyObject(), nil
}

// updatePodSpec applies the spec changes Kubernetes allows on a running pod
// (container images, added tolerations) and refuses the rest with the API
// server's message.
func updatePodSpec(cur, want *Pod) error {
	a, b := cur.Spec.DeepCopy(), want.Spec.DeepCopy()
	// The update is defaulted as a create would be before it is compared.
	defaultPodSpec(&b)
	if len(a.Containers) == len(b.Containers) && len(a.InitContainers) == len(b.InitContainers) {
		for i := range a.Containers {
			a.Containers[i].Image = b.Containers[i].Image
		}
		for i := range a.InitContainers {
			a.InitContainers[i].Image = b.InitContainers[i].Image
		}
	}
	if len(b.Tolerations) >= len(a.Tolerations) && reflect.DeepEqual(a.Tolerations, b.Tolerations[:len(a.Tolerations)]) {
		a.Tolerations = b.Tolerations
	}
	// Fields the API server defaults may be left out of an update.
	if b.NodeName == "" {
		b.NodeName = a.NodeName
	}
	if b.SchedulerName == "" {
		b.SchedulerName = a.SchedulerName
	}
	if b.RestartPolicy == "" {
		b.RestartPolicy = a.RestartPolicy
	}
	if b.TerminationGracePeriodSeconds == nil {
		b.TerminationGracePeriodSeconds = a.TerminationGracePeriodSeconds
	}
	if len(b.Tolerations) == 0 {
		b.Tolerations = a.Tolerations
	}
	if !reflect.DeepEqual(a, b) {
		return errInvalid(KindPod, cur.Name, field.ErrorList{field.Forbidden(field.NewPath("spec"),
			"pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")})
	}
	for i, ctr := range a.Containers {
		if ctr.Image == "" {
			return errInvalid(KindPod, cur.Name, field.ErrorList{field.Required(field.NewPath("spec", "containers").Index(i).Child("image"), "")})
		}
	}
	cur.Spec = a
	return nil
}

func validateTaints(ts []Taint, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, t := range ts {
		tp := p.Index(i)
		errs = append(errs, validateLabels(map[string]string{t.Key: t.Value}, func() *field.Path { return tp })...)
		switch t.Effect {
		case TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute:
		default:
			errs = append(errs, field.NotSupported(tp.Child("effect"), t.Effect,
				[]TaintEffect{TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute}))
		}
		id := t.Key + ":" + string(t.Effect)
		if seen[id] {
			errs = append(errs, field.Duplicate(tp, id))
		}
		seen[id] = true
	}
	return errs
}

// DeleteOptions tune a deletion.
type DeleteOptions struct {
	// GracePeriodSeconds overrides the pod's terminationGracePeriodSeconds;
	// 0 deletes at once (kubectl delete --grace-period=0 --force).
	GracePeriodSeconds *int64
}

// Delete deletes an object. A pod running on a node goes Terminating for its
// grace period; a namespace goes Terminating until its contents are gone.
func (c *Cluster) Delete(kind Kind, namespace, name string, opts DeleteOptions) error {
	if kind.Namespaced() && namespace == "" {
		namespace = "default"
	}
	if !kind.Namespaced() {
		namespace = ""
	}
	key := objectKey(namespace, name)
	obj := c.store.get(kind, key)
	if obj == nil {
		return errNotFound(kind, name)
	}
	switch o := obj.(type) {
	case *Pod:
		c.deletePod(o, opts.GracePeriodSeconds)
	case *Node:
		c.releaseNodeIndex(name)
		c.removeObject(kind, key)
	case *PersistentVolumeClaim, *PersistentVolume:
		// The pvc- and pv-protection finalizers: the binder removes the
		// object once nothing uses it.
		if obj.GetObjectMeta().DeletionTimestamp == nil {
			next := obj.DeepCopyObject()
			next.GetObjectMeta().DeletionTimestamp = Ptr(c.clock.now)
			if err := c.updateObject(next); err != nil {
				return err
			}
		}
	case *Namespace:
		switch name {
		case "default", "kube-system", "kube-public", "kube-node-lease":
			return errForbidden(kind, name, "this namespace may not be deleted")
		}
		if o.DeletionTimestamp == nil {
			ns := o.DeepCopy()
			ns.DeletionTimestamp = Ptr(c.clock.now)
			ns.Status.Phase = "Terminating"
			if err := c.updateObject(ns); err != nil {
				return err
			}
		}
	default:
		c.removeObject(kind, key)
	}
	return nil
}

// deletePod starts a pod's graceful deletion, or removes it at once when no
// kubelet runs it or grace is zero.
func (c *Cluster) deletePod(p *Pod, grace *int64) {
	g := p.GracePeriodSeconds()
	if grace != nil {
		g = max(*grace, 0)
	}
	if p.Spec.NodeName == "" || g == 0 || p.IsTerminal() {
		c.removeObject(KindPod, p.Key())
		return
	}
	deadline := c.clock.now.Add(secondsToDuration(g))
	if p.DeletionTimestamp != nil && !deadline.Before(*p.DeletionTimestamp) {
		return // already terminating, at least as soon
	}
	np := p.shallowCopy()
	np.DeletionTimestamp = Ptr(deadline)
	np.DeletionGracePeriodSeconds = Ptr(g)
	if err := c.updateObject(np); err != nil {
		panic(fmt.Sprintf("engine: deleting pod %s: %v", p.Key(), err))
	}
}

// Get returns a copy of one object.
func (c *Cluster) Get(kind Kind, namespace, name string) (Object, error) {
	c.events.flush()
	if !kind.Known() {
		return nil, &APIError{Reason: ReasonBadRequest, Message: fmt.Sprintf("unknown kind %q", kind)}
	}
	if kind.Namespaced() && namespace == "" {
		namespace = "default"
	}
	if !kind.Namespaced() {
		namespace = ""
	}
	obj := c.store.get(kind, objectKey(namespace, name))
	if obj == nil {
		return nil, errNotFound(kind, name)
	}
	return obj.DeepCopyObject(), nil
}

// List returns copies of the objects of kind in namespace ("" for every
// namespace) whose labels match sel (nil for all), sorted by namespace and
// name.
func (c *Cluster) List(kind Kind, namespace string, sel labels.Selector) []Object {
	c.events.flush()
	objs := c.store.list(kind, namespace, sel)
	for i, o := range objs {
		objs[i] = o.DeepCopyObject()
	}
	return objs
}

// GetPod returns a copy of a pod.
func (c *Cluster) GetPod(namespace, name string) (*Pod, error) {
	o, err := c.Get(KindPod, namespace, name)
	if err != nil {
		return nil, err
	}
	return o.(*Pod), nil
}

// GetNode returns a copy of a node.
func (c *Cluster) GetNode(name string) (*Node, error) {
	o, err := c.Get(KindNode, "", name)
	if err != nil {
		return nil, err
	}
	return o.(*Node), nil
}

// Pods returns copies of the pods in namespace ("" for all) matching sel.
func (c *Cluster) Pods(namespace string, sel labels.Selector) []*Pod {
	return typed[*Pod](c.List(KindPod, namespace, sel))
}

// Nodes returns copies of every node, sorted by name.
func (c *Cluster) Nodes() []*Node { return typed[*Node](c.List(KindNode, "", nil)) }

// Events returns copies of the Events in namespace ("" for all), oldest
// first, as kubectl get events sorts them by last timestamp.
func (c *Cluster) Events(namespace string) []*Event {
	evs := typed[*Event](c.List(KindEvent, namespace, nil))
	sortEvents(evs)
	return evs
}

func typed[T Object](objs []Object) []T {
	out := make([]T, len(objs))
	for i, o := range objs {
		out[i] = o.(T)
	}
	return out
}

// Snapshot is the whole cluster at one resourceVersion.
type Snapshot struct {
	ResourceVersion uint64   `json:"resourceVersion"`
	Time            string   `json:"time"`
	Objects         []Object `json:"objects"`
}

// Snapshot returns copies of every object, kind by kind.
func (c *Cluster) Snapshot() Snapshot {
	c.events.flush()
	s := Snapshot{ResourceVersion: c.store.rv, Time: c.clock.now.Format("2006-01-02T15:04:05.000Z07:00")}
	for _, ki := range kindTable {
		k := ki.kind
		s.Objects = append(s.Objects, c.List(k, "", nil)...)
	}
	return s
}

// Since returns copies of the changes made after resourceVersion rv, oldest
// first. If rv is older than the watch log keeps, it returns a
// *TooOldError: the reader must take a new Snapshot and watch from there.
func (c *Cluster) Since(rv uint64) ([]WatchEvent, error) {
	c.events.flush()
	evs, err := c.store.log.since(rv)
	if err != nil {
		return nil, err
	}
	out := make([]WatchEvent, len(evs))
	for i, ev := range evs {
		obj := ev.Object.DeepCopyObject()
		if ev.Type == Deleted {
			obj.GetObjectMeta().ResourceVersion = strconv.FormatUint(ev.ResourceVersion, 10)
		}
		out[i] = WatchEvent{Type: ev.Type, ResourceVersion: ev.ResourceVersion, Object: obj}
	}
	return out, nil
}

// Compact forgets the watch history up to and including resourceVersion
// rv, and the memory it holds: a caller that has passed every change up
// to rv on (a server, to its viewers) needs it no more. A later Since
// for an older version gets a TooOldError, as after the log's own
// bounded compaction. The cluster's state and behaviour do not change.
func (c *Cluster) Compact(rv uint64) {
	c.events.flush()
	c.store.log.compact(rv)
}

// ParseResourceVersion parses a metadata.resourceVersion string.
func ParseResourceVersion(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }
