package engine

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// replicaSetController keeps each ReplicaSet's replicas running: it adopts
// matching orphans, releases pods that no longer match, creates pods from
// the template when there are too few and deletes the least valuable when
// there are too many, and reports what it sees in the status.
type replicaSetController struct {
	c  *Cluster
	id int
	// owned indexes pods by the uid of their controller: each pod's key
	// and its stored version, kept current as the pod changes.
	owned map[string]map[string]*Pod
	// orphans holds, per namespace, the live pods with no controller.
	orphans map[string]map[string]struct{}
	// selectors caches each ReplicaSet's parsed selector, by uid and
	// generation.
	selectors map[string]cachedSelector
	// keys holds each ReplicaSet's key by uid, so that a pod's change
	// enqueues its owner without building the key.
	keys map[string]string
}

type cachedSelector struct {
	generation int64
	sel        labels.Selector
}

func newReplicaSetController(c *Cluster) *replicaSetController {
	r := &replicaSetController{c: c, owned: map[string]map[string]*Pod{}, orphans: map[string]map[string]struct{}{},
		selectors: map[string]cachedSelector{}, keys: map[string]string{}}
	r.id = c.register("replicaset-controller", r, KindReplicaSet, KindPod)
	return r
}

var _ controller = (*replicaSetController)(nil)

var sourceReplicaSetController = EventSource{Component: "replicaset-controller"}

func (r *replicaSetController) observe(ev WatchEvent, old Object) {
	switch o := ev.Object.(type) {
	case *ReplicaSet:
		if ev.Type == Deleted {
			delete(r.selectors, o.UID)
			delete(r.keys, o.UID)
			delete(r.c.prototypes, o.UID)
			return
		}
		r.keys[o.UID] = ev.key
		r.c.enqueue(r.id, ev.key)
	case *Pod:
		var was *Pod
		if old != nil {
			was = old.(*Pod)
		}
		ref := o.ControllerRef()
		if was == nil || ev.Type == Deleted || ref == nil || was.ControllerRef() == nil || was.ControllerRef().UID != ref.UID {
			r.index(ev.key, was, o, ev.Type == Deleted)
		} else if m := r.owned[ref.UID]; m != nil {
			m[ev.key] = o // still under the same controller, in a new version
		}
		if ref != nil {
			if ref.Kind == KindReplicaSet {
				key, ok := r.keys[ref.UID]
				if !ok {
					key = objectKey(o.Namespace, ref.Name)
				}
				r.c.enqueue(r.id, key)
			}
		} else if ev.Type != Deleted && o.DeletionTimestamp == nil {
			// An orphan may be adopted by any ReplicaSet whose selector
			// matches it.
			for _, obj := range r.c.store.list(KindReplicaSet, o.Namespace, nil) {
				rs := obj.(*ReplicaSet)
				if sel := r.selector(rs); sel.Matches(labels.Set(o.Labels)) {
					r.c.enqueue(r.id, rs.Key())
				}
			}
		}
		if was != nil {
			if ref := was.ControllerRef(); ref != nil && ref.Kind == KindReplicaSet && (o.ControllerRef() == nil || o.ControllerRef().UID != ref.UID) {
				r.c.enqueue(r.id, objectKey(was.Namespace, ref.Name))
			}
		}
	}
}

// index keeps owned and orphans in step with the store.
func (r *replicaSetController) index(key string, old, cur *Pod, deleted bool) {
	if old != nil {
		if ref := old.ControllerRef(); ref != nil {
			if m := r.owned[ref.UID]; m != nil {
				delete(m, key)
				if len(m) == 0 {
					delete(r.owned, ref.UID)
				}
			}
		} else {
			delete(r.orphans[old.Namespace], key)
		}
	}
	if deleted {
		return
	}
	if ref := cur.ControllerRef(); ref != nil {
		m := r.owned[ref.UID]
		if m == nil {
			m = map[string]*Pod{}
			r.owned[ref.UID] = m
		}
		m[key] = cur
	} else if cur.DeletionTimestamp == nil && !cur.IsTerminal() {
		m := r.orphans[cur.Namespace]
		if m == nil {
			m = map[string]struct{}{}
			r.orphans[cur.Namespace] = m
		}
		m[key] = struct{}{}
	}
}

func (r *replicaSetController) selector(rs *ReplicaSet) labels.Selector {
	if cs, ok := r.selectors[rs.UID]; ok && cs.generation == rs.Generation {
		return cs.sel
	}
	sel, err := rs.Spec.Selector.AsSelector()
	if err != nil {
		sel = labels.Nothing()
	}
	r.selectors[rs.UID] = cachedSelector{generation: rs.Generation, sel: sel}
	return sel
}

func (r *replicaSetController) reconcile(key string) {
	rs, _ := r.c.store.get(KindReplicaSet, key).(*ReplicaSet)
	if rs == nil || rs.DeletionTimestamp != nil {
		return
	}
	sel := r.selector(rs)
	// Adopt matching orphans; release owned pods that no longer match.
	for _, pk := range sortedMapKeys(r.orphans[rs.Namespace]) {
		if p := r.c.pod(pk); p != nil && p.DeletionTimestamp == nil && sel.Matches(labels.Set(p.Labels)) {
			np := p.shallowCopy()
			np.OwnerReferences = append(slices.Clip(np.OwnerReferences), ownerRefTo(rs))
			r.c.mustUpdate(np)
		}
	}
	// The owned pods are visited in map order: what is done with active
	// does not depend on its order (deletion sorts it completely), and the
	// pods to release are sorted before they are written.
	var active []*Pod
	var release []*Pod
	matches := matchCache{sel: sel}
	for _, p := range r.owned[rs.UID] {
		if !matches.labels(p.Labels) {
			release = append(release, p)
			continue
		}
		if p.DeletionTimestamp == nil && !p.IsTerminal() {
			active = append(active, p)
		}
	}
	slices.SortFunc(release, func(a, b *Pod) int { return compareStrings(a.Name, b.Name) })
	for _, p := range release {
		np := p.shallowCopy()
		np.OwnerReferences = slices.DeleteFunc(slices.Clone(np.OwnerReferences), func(o OwnerReference) bool { return o.UID == rs.UID })
		r.c.mustUpdate(np)
	}
	want := int(rs.DesiredReplicas())
	var failure error
	switch diff := len(active) - want; {
	case diff < 0:
		for range -diff {
			p, err := r.c.createPodFromTemplate(rs, &rs.Spec.Template, rs.Name+"-")
			if err != nil {
				failure = err
				r.c.event(rs, EventTypeWarning, "FailedCreate", sourceReplicaSetController, "Error creating: %v", err)
				break
			}
			active = append(active, p)
			if !r.c.events.dropping() {
				r.c.eventMsg(rs, "", EventTypeNormal, "SuccessfulCreate", sourceReplicaSetController, "Created pod: "+p.Name)
			}
		}
	case diff > 0:
		victims := slices.Clone(active)
		r.sortForDeletion(victims)
		for _, p := range victims[:diff] {
			r.c.deletePod(p, nil)
			r.c.eventMsg(rs, "", EventTypeNormal, "SuccessfulDelete", sourceReplicaSetController, "Deleted pod: "+p.Name)
		}
		active = victims[diff:]
	}
	r.writeStatus(rs, active, failure)
}

// matchCache remembers whether its selector matched the last label map it
// was asked about. Pods made from one template share their labels map
// (stored objects are never modified), so a controller walking a
// workload's pods asks about the same map again and again.
type matchCache struct {
	sel     labels.Selector
	last    uintptr // the map's identity; 0 for none
	matched bool
}

func (mc *matchCache) labels(l map[string]string) bool {
	id := reflect.ValueOf(l).Pointer()
	if id == 0 || id != mc.last {
		mc.last, mc.matched = id, mc.sel.Matches(labels.Set(l))
	}
	return mc.matched
}

// sortForDeletion orders pods as the ReplicaSet controller prefers to
// delete them: unscheduled before scheduled, pending before running, not
// ready before ready, lower controller.kubernetes.io/pod-deletion-cost
// first, doubled up on a node before alone, ready for less time before
// more, more restarts before fewer, newer before older.
func (r *replicaSetController) sortForDeletion(pods []*Pod) {
	perNode := map[string]int{}
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			perNode[p.Spec.NodeName]++
		}
	}
	// Each pod's ranks are worked out once, not at every comparison.
	type ranked struct {
		p                       *Pod
		scheduled, phase, ready int
		cost                    int64
		doubled                 int
		readySince              time.Time
		restarts                int32
	}
	keys := make([]ranked, len(pods))
	for i, p := range pods {
		k := ranked{p: p, scheduled: 1, phase: 2, doubled: perNode[p.Spec.NodeName], restarts: restarts(p)}
		if p.Spec.NodeName == "" {
			k.scheduled = 0
		}
		switch p.Status.Phase {
		case PodPending:
			k.phase = 0
		case PodUnknown:
			k.phase = 1
		}
		if p.IsReady() {
			k.ready = 1
			k.readySince = readySince(p)
		}
		if c, ok := p.Annotations["controller.kubernetes.io/pod-deletion-cost"]; ok {
			k.cost, _ = strconv.ParseInt(c, 10, 32)
		}
		keys[i] = k
	}
	slices.SortStableFunc(keys, func(a, b ranked) int {
		if a.scheduled != b.scheduled {
			return a.scheduled - b.scheduled
		}
		if a.phase != b.phase {
			return a.phase - b.phase
		}
		if a.ready != b.ready {
			return a.ready - b.ready
		}
		if a.cost != b.cost {
			return cmp.Compare(a.cost, b.cost)
		}
		if a.doubled != b.doubled {
			return b.doubled - a.doubled // more doubled up first
		}
		if a.ready == 1 {
			// Ready for less time first.
			if c := b.readySince.Compare(a.readySince); c != 0 {
				return c
			}
		}
		if a.restarts != b.restarts {
			return int(b.restarts - a.restarts)
		}
		if c := b.p.CreationTimestamp.Compare(a.p.CreationTimestamp); c != 0 {
			return c
		}
		return compareStrings(a.p.Name, b.p.Name)
	})
	for i, k := range keys {
		pods[i] = k.p
	}
}

func readySince(p *Pod) time.Time {
	if c := p.Condition(PodReady); c != nil && c.Status == ConditionTrue {
		return c.LastTransitionTime
	}
	return time.Time{}
}

func restarts(p *Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n += s.RestartCount
	}
	return n
}

// available reports whether a pod has been ready for minReady, and if not
// yet, when it will be.
func available(p *Pod, minReady time.Duration, now time.Time) (bool, time.Time) {
	since := readySince(p)
	if since.IsZero() {
		return false, time.Time{}
	}
	at := since.Add(minReady)
	return !now.Before(at), at
}

func (r *replicaSetController) writeStatus(rs *ReplicaSet, active []*Pod, failure error) {
	now := r.c.clock.now
	minReady := secondsToDuration(int64(rs.Spec.MinReadySeconds))
	tmpl := matchCache{sel: labels.SelectorFromSet(rs.Spec.Template.Labels)}
	st := ReplicaSetStatus{Replicas: int32(len(active)), ObservedGeneration: rs.Generation}
	var wake time.Time
	for _, p := range active {
		if tmpl.labels(p.Labels) {
			st.FullyLabeledReplicas++
		}
		if p.IsReady() {
			st.ReadyReplicas++
			ok, at := available(p, minReady, now)
			if ok {
				st.AvailableReplicas++
			} else if wake.IsZero() || at.Before(wake) {
				wake = at
			}
		}
	}
	if !wake.IsZero() {
		r.c.at(wake, r.id, rs.Key())
	}
	st.Conditions = cloneSlice(rs.Status.Conditions)
	if failure != nil {
		setWorkloadCondition(&st.Conditions, WorkloadCondition{Type: "ReplicaFailure", Status: ConditionTrue,
			Reason: "FailedCreate", Message: failure.Error()}, now)
	} else {
		st.Conditions = slices.DeleteFunc(st.Conditions, func(c WorkloadCondition) bool { return c.Type == "ReplicaFailure" })
	}
	if len(st.Conditions) == 0 {
		st.Conditions = nil
	}
	if rsStatusEqual(&rs.Status, &st) {
		return
	}
	nrs := *rs
	nrs.Status = st
	if err := r.c.updateObject(&nrs); err != nil {
		panic(fmt.Sprintf("engine: replicaset controller updating %s: %v", rs.Key(), err))
	}
}

func rsStatusEqual(a, b *ReplicaSetStatus) bool {
	return a.Replicas == b.Replicas && a.FullyLabeledReplicas == b.FullyLabeledReplicas && a.ReadyReplicas == b.ReadyReplicas &&
		a.AvailableReplicas == b.AvailableReplicas && a.ObservedGeneration == b.ObservedGeneration && slices.Equal(a.Conditions, b.Conditions)
}

// setWorkloadCondition sets a condition, keeping its transition time when
// the status does not change.
func setWorkloadCondition(cs *[]WorkloadCondition, c WorkloadCondition, now time.Time) {
	c.LastUpdateTime, c.LastTransitionTime = now, now
	for i := range *cs {
		old := &(*cs)[i]
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
			if old.Reason == c.Reason && old.Message == c.Message {
				c.LastUpdateTime = old.LastUpdateTime
			}
		}
		*old = c
		return
	}
	*cs = append(*cs, c)
}

// ownerRefTo is the controller reference a workload puts on what it owns.
func ownerRefTo(owner Object) OwnerReference {
	m := owner.GetObjectMeta()
	return OwnerReference{APIVersion: owner.GetKind().APIVersion(), Kind: owner.GetKind(), Name: m.Name, UID: m.UID,
		Controller: Ptr(true), BlockOwnerDeletion: Ptr(true)}
}

// createPodFromTemplate creates a pod owned by owner, as a controller does
// through the API: the learner's limits and the pod admission apply.
func (c *Cluster) createPodFromTemplate(owner Object, t *PodTemplateSpec, generateName string) (*Pod, error) {
	if err := c.checkLimits(KindPod, generateName); err != nil {
		return nil, err
	}
	proto, err := c.podPrototype(owner, t, generateName)
	if err != nil {
		return nil, err
	}
	p := new(Pod)
	*p = *proto // its maps and slices are shared, immutable as stored objects are
	if err := c.createObject(p); err != nil {
		return nil, err
	}
	return p, nil
}

// podPrototype is a workload's template admitted once per generation: a
// pod without a name that every pod made from the template copies. Pods
// made from one template differ only in name, so admitting each of them
// (defaults, validation, interning) would give the same pod every time;
// the same error too, which is kept with it.
type podPrototype struct {
	generation   int64
	generateName string
	pod          *Pod
	err          error
}

func (c *Cluster) podPrototype(owner Object, t *PodTemplateSpec, generateName string) (*Pod, error) {
	om := owner.GetObjectMeta()
	if pp, ok := c.prototypes[om.UID]; ok && pp.generation == om.Generation && pp.generateName == generateName {
		return pp.pod, pp.err
	}
	p := &Pod{ObjectMeta: ObjectMeta{
		GenerateName:    generateName,
		Namespace:       om.Namespace,
		Labels:          cloneStringMap(t.Labels),
		Annotations:     cloneStringMap(t.Annotations),
		OwnerReferences: []OwnerReference{ownerRefTo(owner)},
	}}
	p.Spec = t.Spec.DeepCopy()
	err := c.admitPod(p)
	c.prototypes[om.UID] = podPrototype{generation: om.Generation, generateName: generateName, pod: p, err: err}
	return p, err
}

// mustUpdate writes an object a controller owns the change of.
func (c *Cluster) mustUpdate(obj Object) {
	if err := c.updateObject(obj); err != nil {
		panic(fmt.Sprintf("engine: updating %s %s: %v", obj.GetKind(), obj.GetObjectMeta().Key(), err))
	}
}
