package engine

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
)

// deploymentController rolls Deployments out as Kubernetes' deployment
// controller does: one ReplicaSet per pod template (named by the template's
// hash), a rolling update bounded by maxSurge and maxUnavailable or a
// Recreate, revision numbers and history, and a status with the
// Progressing and Available conditions and their reasons.
type deploymentController struct {
	c         *Cluster
	id        int
	selectors map[string]cachedSelector
	// owned indexes ReplicaSets by the uid of their controlling
	// Deployment; orphans holds, per namespace, those with no controller.
	owned   map[string]map[string]struct{}
	orphans map[string]map[string]struct{}
	// hashes caches each Deployment's template hash, by uid and
	// generation.
	hashes map[string]cachedHash
	// sameTemplate caches, by ReplicaSet uid, whether its template was
	// found equal to a Deployment's, for the generations compared (a
	// template changes only with its object's generation).
	sameTemplate map[string]templateMatch
}

type templateMatch struct {
	rsGeneration, dGeneration int64
	dUID                      string
	equal                     bool
}

type cachedHash struct {
	generation int64
	hash       string
}

var sourceDeploymentController = EventSource{Component: "deployment-controller"}

func newDeploymentController(c *Cluster) *deploymentController {
	d := &deploymentController{c: c, selectors: map[string]cachedSelector{}, owned: map[string]map[string]struct{}{},
		orphans: map[string]map[string]struct{}{}, hashes: map[string]cachedHash{}, sameTemplate: map[string]templateMatch{}}
	d.id = c.register("deployment-controller", d, KindDeployment, KindReplicaSet, KindPod)
	return d
}

var _ controller = (*deploymentController)(nil)

func (dc *deploymentController) observe(ev WatchEvent, old Object) {
	switch o := ev.Object.(type) {
	case *Deployment:
		if ev.Type == Deleted {
			delete(dc.selectors, o.UID)
			delete(dc.hashes, o.UID)
			return
		}
		dc.c.enqueue(dc.id, ev.key)
	case *ReplicaSet:
		was, _ := old.(*ReplicaSet)
		dc.index(ev.key, was, o, ev.Type == Deleted)
		if ev.Type == Deleted {
			delete(dc.sameTemplate, o.UID)
		}
		if ref := o.ControllerRef(); ref != nil {
			if ref.Kind == KindDeployment {
				dc.c.enqueue(dc.id, objectKey(o.Namespace, ref.Name))
			}
			return
		}
		if ev.Type != Deleted {
			for _, obj := range dc.c.store.list(KindDeployment, o.Namespace, nil) {
				if d := obj.(*Deployment); dc.selector(d).Matches(labels.Set(o.Labels)) {
					dc.c.enqueue(dc.id, d.Key())
				}
			}
		}
	case *Pod:
		// Recreate waits for the old pods to be gone.
		if ev.Type != Deleted {
			return
		}
		if ref := o.ControllerRef(); ref != nil && ref.Kind == KindReplicaSet {
			if rs, _ := dc.c.store.get(KindReplicaSet, objectKey(o.Namespace, ref.Name)).(*ReplicaSet); rs != nil {
				if dref := rs.ControllerRef(); dref != nil && dref.Kind == KindDeployment {
					dc.c.enqueue(dc.id, objectKey(o.Namespace, dref.Name))
				}
			}
		}
	}
}

// index keeps owned and orphans in step with the store.
func (dc *deploymentController) index(key string, old, cur *ReplicaSet, deleted bool) {
	if old != nil {
		if ref := old.ControllerRef(); ref != nil {
			delete(dc.owned[ref.UID], key)
			if len(dc.owned[ref.UID]) == 0 {
				delete(dc.owned, ref.UID)
			}
		} else {
			delete(dc.orphans[old.Namespace], key)
		}
	}
	if deleted {
		return
	}
	if ref := cur.ControllerRef(); ref != nil {
		if dc.owned[ref.UID] == nil {
			dc.owned[ref.UID] = map[string]struct{}{}
		}
		dc.owned[ref.UID][key] = struct{}{}
	} else {
		if dc.orphans[cur.Namespace] == nil {
			dc.orphans[cur.Namespace] = map[string]struct{}{}
		}
		dc.orphans[cur.Namespace][key] = struct{}{}
	}
}

// hash returns d's template hash, cached per generation.
func (dc *deploymentController) hash(d *Deployment) string {
	if h, ok := dc.hashes[d.UID]; ok && h.generation == d.Generation {
		return h.hash
	}
	h := templateHash(&d.Spec.Template, 0)
	dc.hashes[d.UID] = cachedHash{generation: d.Generation, hash: h}
	return h
}

func (dc *deploymentController) selector(d *Deployment) labels.Selector {
	if cs, ok := dc.selectors[d.UID]; ok && cs.generation == d.Generation {
		return cs.sel
	}
	sel, err := d.Spec.Selector.AsSelector()
	if err != nil {
		sel = labels.Nothing()
	}
	dc.selectors[d.UID] = cachedSelector{generation: d.Generation, sel: sel}
	return sel
}

func (dc *deploymentController) reconcile(key string) {
	d, _ := dc.c.store.get(KindDeployment, key).(*Deployment)
	if d == nil || d.DeletionTimestamp != nil {
		return
	}
	all := dc.replicaSets(d)
	newRS, old := dc.findNewReplicaSet(d, all)
	switch {
	case d.Spec.Paused:
		if newRS != nil {
			dc.scaleIfNeeded(d, newRS, old)
		}
	case d.Spec.Strategy.Type == "Recreate":
		newRS = dc.recreate(d, newRS, old)
	default:
		newRS = dc.rollingUpdate(d, newRS, old)
	}
	all = dc.replicaSets(d)
	newRS, old = dc.findNewReplicaSet(d, all)
	if newRS != nil && dc.complete(d, newRS, old) {
		dc.cleanup(d, old)
	}
	dc.writeStatus(d, newRS, old)
}

// replicaSets returns the ReplicaSets d controls, adopting matching orphans
// and releasing those that no longer match.
func (dc *deploymentController) replicaSets(d *Deployment) []*ReplicaSet {
	sel := dc.selector(d)
	var out []*ReplicaSet
	keys := append(sortedMapKeys(dc.owned[d.UID]), sortedMapKeys(dc.orphans[d.Namespace])...)
	for _, key := range keys {
		rs, _ := dc.c.store.get(KindReplicaSet, key).(*ReplicaSet)
		if rs == nil {
			continue
		}
		ref := rs.ControllerRef()
		matches := sel.Matches(labels.Set(rs.Labels))
		switch {
		case ref == nil && matches && rs.DeletionTimestamp == nil:
			nrs := rs.DeepCopy()
			nrs.OwnerReferences = append(nrs.OwnerReferences, ownerRefTo(d))
			dc.c.mustUpdate(nrs)
			out = append(out, nrs)
		case ref != nil && ref.UID == d.UID && !matches:
			nrs := rs.DeepCopy()
			nrs.OwnerReferences = slices.DeleteFunc(nrs.OwnerReferences, func(o OwnerReference) bool { return o.UID == d.UID })
			dc.c.mustUpdate(nrs)
		case ref != nil && ref.UID == d.UID:
			out = append(out, rs)
		}
	}
	return out
}

// templateHash is the pod-template-hash of a template: FNV-32a over its
// JSON encoding and the collision count, in the API's safe alphabet.
func templateHash(t *PodTemplateSpec, collisions int32) string {
	h := fnv.New32a()
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("engine: encoding a pod template: %v", err))
	}
	h.Write(b)
	if collisions > 0 {
		h.Write([]byte(strconv.Itoa(int(collisions))))
	}
	return utilrand.SafeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// templatesEqual compares a ReplicaSet's template with a Deployment's,
// ignoring the pod-template-hash label the ReplicaSet carries.
// templatesEqual is templatesEqual for rs and d, remembered for their
// generations.
func (dc *deploymentController) templatesEqual(rs *ReplicaSet, d *Deployment) bool {
	m, ok := dc.sameTemplate[rs.UID]
	if !ok || m.rsGeneration != rs.Generation || m.dUID != d.UID || m.dGeneration != d.Generation {
		m = templateMatch{rsGeneration: rs.Generation, dGeneration: d.Generation, dUID: d.UID,
			equal: templatesEqual(&rs.Spec.Template, &d.Spec.Template)}
		dc.sameTemplate[rs.UID] = m
	}
	return m.equal
}

func templatesEqual(rsTemplate, dTemplate *PodTemplateSpec) bool {
	// Compared in place, without copies: this runs for every ReplicaSet
	// of every Deployment on every sync.
	if !labelsEqualExceptHash(rsTemplate.Labels, dTemplate.Labels) {
		return false
	}
	a, b := rsTemplate.ObjectMeta, dTemplate.ObjectMeta // shallow: only fields are reset
	a.Labels, b.Labels = nil, nil
	a.key, b.key = "", ""
	return reflect.DeepEqual(a, b) && reflect.DeepEqual(&rsTemplate.Spec, &dTemplate.Spec)
}

// labelsEqualExceptHash compares a ReplicaSet template's labels with a
// Deployment template's, leaving out the pod-template-hash the former has.
func labelsEqualExceptHash(rs, d map[string]string) bool {
	n := len(rs)
	if _, ok := rs[LabelPodTemplateHash]; ok {
		n--
	}
	if n != len(d) {
		return false
	}
	for k, v := range d {
		if k == LabelPodTemplateHash {
			return false
		}
		if w, ok := rs[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// findNewReplicaSet splits the ReplicaSets into the one running d's
// current template (the oldest, if several do) and the others, oldest
// first.
func (dc *deploymentController) findNewReplicaSet(d *Deployment, all []*ReplicaSet) (*ReplicaSet, []*ReplicaSet) {
	slices.SortFunc(all, func(a, b *ReplicaSet) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp); c != 0 {
			return c
		}
		return compareStrings(a.Name, b.Name)
	})
	var newRS *ReplicaSet
	var old []*ReplicaSet
	hash := dc.hash(d)
	for _, rs := range all {
		// The pod-template-hash label is a fast, exact-enough first test;
		// the full comparison settles it (and finds rolled-back templates,
		// whose hash differs only by collisions).
		if newRS == nil && (rs.Labels[LabelPodTemplateHash] == hash || len(all) < 50) && dc.templatesEqual(rs, d) {
			newRS = rs
			continue
		}
		old = append(old, rs)
	}
	return newRS, old
}

func revisionOf(obj Object) int64 {
	n, _ := strconv.ParseInt(obj.GetObjectMeta().Annotations[AnnotationRevision], 10, 64)
	return n
}

func maxRevision(rss []*ReplicaSet) int64 {
	var m int64
	for _, rs := range rss {
		m = max(m, revisionOf(rs))
	}
	return m
}

// ensureNewReplicaSet returns the ReplicaSet for d's template, creating it
// (or promoting an old one, on rollback) and giving it the next revision.
func (dc *deploymentController) ensureNewReplicaSet(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet, replicas int32) *ReplicaSet {
	next := maxRevision(old) + 1
	if newRS != nil {
		// As the Deployment controller does on every sync, the current
		// ReplicaSet follows the Deployment's change-cause (so that
		// kubectl annotate … kubernetes.io/change-cause shows in rollout
		// history) and takes the next revision when it is promoted back.
		cause, hasCause := d.Annotations[AnnotationChangeCause]
		staleCause := hasCause && newRS.Annotations[AnnotationChangeCause] != cause
		if revisionOf(newRS) < next || staleCause {
			nrs := newRS.DeepCopy()
			if nrs.Annotations == nil {
				nrs.Annotations = map[string]string{}
			}
			if revisionOf(newRS) < next {
				nrs.Annotations[AnnotationRevision] = strconv.FormatInt(next, 10)
			}
			if hasCause {
				nrs.Annotations[AnnotationChangeCause] = cause
			}
			dc.c.mustUpdate(nrs)
			dc.setDeploymentRevision(d, revisionOf(nrs))
			return nrs
		}
		dc.setDeploymentRevision(d, revisionOf(newRS))
		return newRS
	}
	collisions := int32(0)
	if d.Status.CollisionCount != nil {
		collisions = *d.Status.CollisionCount
	}
	for {
		hash := templateHash(&d.Spec.Template, collisions)
		name := d.Name + "-" + hash
		if existing, _ := dc.c.store.get(KindReplicaSet, objectKey(d.Namespace, name)).(*ReplicaSet); existing != nil {
			collisions++ // a ReplicaSet of another template has the name
			continue
		}
		rs := &ReplicaSet{ObjectMeta: ObjectMeta{
			Name:            name,
			Namespace:       d.Namespace,
			Labels:          withLabel(d.Spec.Template.Labels, LabelPodTemplateHash, hash),
			OwnerReferences: []OwnerReference{ownerRefTo(d)},
			Annotations: map[string]string{
				AnnotationRevision:        strconv.FormatInt(next, 10),
				AnnotationDesiredReplicas: strconv.Itoa(int(d.DesiredReplicas())),
				AnnotationMaxReplicas:     strconv.Itoa(int(d.DesiredReplicas() + maxSurge(d))),
			},
		}}
		if cause, ok := d.Annotations[AnnotationChangeCause]; ok {
			rs.Annotations[AnnotationChangeCause] = cause
		}
		rs.Spec.Replicas = Ptr(replicas)
		rs.Spec.MinReadySeconds = d.Spec.MinReadySeconds
		rs.Spec.Selector = d.Spec.Selector.DeepCopy()
		if rs.Spec.Selector.MatchLabels == nil {
			rs.Spec.Selector.MatchLabels = map[string]string{}
		}
		rs.Spec.Selector.MatchLabels[LabelPodTemplateHash] = hash
		rs.Spec.Template = d.Spec.Template.DeepCopy()
		rs.Spec.Template.Labels = withLabel(d.Spec.Template.Labels, LabelPodTemplateHash, hash)
		if err := dc.c.admitReplicaSet(rs); err != nil {
			dc.c.event(d, EventTypeWarning, "FailedCreate", sourceDeploymentController, "Failed to create new replica set %q: %v", name, err)
			return nil
		}
		if err := dc.c.checkLimits(KindReplicaSet, name); err != nil {
			dc.c.event(d, EventTypeWarning, "FailedCreate", sourceDeploymentController, "Failed to create new replica set %q: %v", name, err)
			return nil
		}
		if err := dc.c.createObject(rs); err != nil {
			dc.c.event(d, EventTypeWarning, "FailedCreate", sourceDeploymentController, "Failed to create new replica set %q: %v", name, err)
			return nil
		}
		if replicas > 0 {
			dc.c.eventMsg(d, "", EventTypeNormal, "ScalingReplicaSet", sourceDeploymentController,
				fmt.Sprintf("Scaled up replica set %s from 0 to %d", name, replicas))
		}
		if collisions > 0 {
			nd := d.DeepCopy()
			nd.Status.CollisionCount = Ptr(collisions)
			dc.c.mustUpdate(nd)
		}
		dc.setDeploymentRevision(d, next)
		dc.progress(d, "NewReplicaSetCreated", fmt.Sprintf("Created new replica set %q", name))
		return rs
	}
}

func withLabel(m map[string]string, k, v string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	out[k] = v
	return out
}

// setDeploymentRevision records the current revision on the Deployment.
func (dc *deploymentController) setDeploymentRevision(d *Deployment, rev int64) {
	cur, _ := dc.c.store.get(KindDeployment, d.Key()).(*Deployment)
	if cur == nil || cur.Annotations[AnnotationRevision] == strconv.FormatInt(rev, 10) {
		return
	}
	nd := cur.DeepCopy()
	if nd.Annotations == nil {
		nd.Annotations = map[string]string{}
	}
	nd.Annotations[AnnotationRevision] = strconv.FormatInt(rev, 10)
	dc.c.mustUpdate(nd)
}

// pendingProgress remembers a Progressing reason to write with the status.
func (dc *deploymentController) progress(d *Deployment, reason, msg string) {
	cur, _ := dc.c.store.get(KindDeployment, d.Key()).(*Deployment)
	if cur == nil {
		return
	}
	nd := cur.DeepCopy()
	setWorkloadCondition(&nd.Status.Conditions, WorkloadCondition{Type: "Progressing", Status: ConditionTrue, Reason: reason, Message: msg}, dc.c.clock.now)
	dc.c.mustUpdate(nd)
}

func resolve(v *intstr.IntOrString, total int32, roundUp bool) int32 {
	if v == nil {
		return 0
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(v, int(total), roundUp)
	if err != nil {
		return 0
	}
	return int32(n)
}

func maxSurge(d *Deployment) int32 {
	if d.Spec.Strategy.Type != "RollingUpdate" || d.Spec.Strategy.RollingUpdate == nil {
		return 0
	}
	return resolve(d.Spec.Strategy.RollingUpdate.MaxSurge, d.DesiredReplicas(), true)
}

// maxUnavailable resolves maxUnavailable as Kubernetes does: rounded down,
// at most the replica count, and 1 when both bounds would be zero.
func maxUnavailable(d *Deployment) int32 {
	if d.Spec.Strategy.Type != "RollingUpdate" || d.Spec.Strategy.RollingUpdate == nil || d.DesiredReplicas() == 0 {
		return 0
	}
	ru := d.Spec.Strategy.RollingUpdate
	u := resolve(ru.MaxUnavailable, d.DesiredReplicas(), false)
	if u == 0 && resolve(ru.MaxSurge, d.DesiredReplicas(), true) == 0 {
		u = 1
	}
	return min(u, d.DesiredReplicas())
}

// scale sets a ReplicaSet's replicas and says so in an event.
func (dc *deploymentController) scale(d *Deployment, rs *ReplicaSet, n int32) *ReplicaSet {
	from := rs.DesiredReplicas()
	if from == n {
		return rs
	}
	nrs := rs.DeepCopy()
	nrs.Spec.Replicas = Ptr(n)
	if nrs.Annotations == nil {
		nrs.Annotations = map[string]string{}
	}
	nrs.Annotations[AnnotationDesiredReplicas] = strconv.Itoa(int(d.DesiredReplicas()))
	nrs.Annotations[AnnotationMaxReplicas] = strconv.Itoa(int(d.DesiredReplicas() + maxSurge(d)))
	nrs.Generation++
	dc.c.mustUpdate(nrs)
	dir := "up"
	if n < from {
		dir = "down"
	}
	dc.c.eventMsg(d, "", EventTypeNormal, "ScalingReplicaSet", sourceDeploymentController,
		fmt.Sprintf("Scaled %s replica set %s from %d to %d", dir, rs.Name, from, n))
	return nrs
}

// scaleIfNeeded, for a paused Deployment, keeps the replica count: the new
// ReplicaSet takes whatever the old ones do not hold.
func (dc *deploymentController) scaleIfNeeded(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) {
	var others int32
	for _, rs := range old {
		others += rs.DesiredReplicas()
	}
	dc.scale(d, newRS, max(d.DesiredReplicas()-others, 0))
}

func (dc *deploymentController) recreate(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) *ReplicaSet {
	for _, rs := range old {
		dc.scale(d, rs, 0)
	}
	for _, rs := range old {
		if len(dc.c.replicaSets.owned[rs.UID]) > 0 {
			return newRS // wait until the old pods are gone
		}
	}
	if newRS == nil {
		return dc.ensureNewReplicaSet(d, nil, old, d.DesiredReplicas())
	}
	newRS = dc.ensureNewReplicaSet(d, newRS, old, 0)
	return dc.scale(d, newRS, d.DesiredReplicas())
}

func (dc *deploymentController) rollingUpdate(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) *ReplicaSet {
	desired := d.DesiredReplicas()
	var current int32
	for _, rs := range old {
		current += rs.DesiredReplicas()
	}
	if newRS == nil {
		// Start the new ReplicaSet at what the surge allows (all of it
		// for a first rollout).
		start := min(max(desired+maxSurge(d)-current, 0), desired)
		return dc.ensureNewReplicaSet(d, nil, old, start)
	}
	newRS = dc.ensureNewReplicaSet(d, newRS, old, 0)
	current += newRS.DesiredReplicas()
	// Scale the new ReplicaSet up, within maxSurge.
	switch n := newRS.DesiredReplicas(); {
	case n > desired:
		return dc.scale(d, newRS, desired)
	case n < desired:
		if room := desired + maxSurge(d) - current; room > 0 {
			return dc.scale(d, newRS, n+min(room, desired-n))
		}
	}
	// Scale old ReplicaSets down, keeping desired-maxUnavailable available.
	var oldCount int32
	for _, rs := range old {
		oldCount += rs.DesiredReplicas()
	}
	if oldCount == 0 {
		return newRS
	}
	minAvailable := desired - maxUnavailable(d)
	newUnavailable := newRS.DesiredReplicas() - newRS.Status.AvailableReplicas
	budget := current - minAvailable - newUnavailable
	if budget <= 0 {
		return newRS
	}
	// First the old pods that are not available anyway.
	for i, rs := range old {
		if budget <= 0 {
			break
		}
		unhealthy := rs.DesiredReplicas() - rs.Status.AvailableReplicas
		if rs.DesiredReplicas() == 0 || unhealthy <= 0 {
			continue
		}
		cut := min(budget, unhealthy)
		old[i] = dc.scale(d, rs, rs.DesiredReplicas()-cut)
		budget -= cut
	}
	// Then available ones, oldest ReplicaSet first, while enough remain.
	var availableNow int32 = newRS.Status.AvailableReplicas
	for _, rs := range old {
		availableNow += min(rs.Status.AvailableReplicas, rs.DesiredReplicas())
	}
	if availableNow <= minAvailable {
		return newRS
	}
	down := availableNow - minAvailable
	for _, rs := range old {
		if down <= 0 {
			break
		}
		if rs.DesiredReplicas() == 0 {
			continue
		}
		cut := min(rs.DesiredReplicas(), down)
		dc.scale(d, rs, rs.DesiredReplicas()-cut)
		down -= cut
	}
	return newRS
}

// complete reports whether the rollout is done: all replicas updated and
// available, and no old pods left.
func (dc *deploymentController) complete(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) bool {
	desired := d.DesiredReplicas()
	if newRS.DesiredReplicas() != desired || newRS.Status.Replicas != desired || newRS.Status.AvailableReplicas != desired {
		return false
	}
	for _, rs := range old {
		if rs.Status.Replicas > 0 || rs.DesiredReplicas() > 0 {
			return false
		}
	}
	return true
}

// cleanup deletes the oldest scaled-down ReplicaSets beyond
// revisionHistoryLimit.
func (dc *deploymentController) cleanup(d *Deployment, old []*ReplicaSet) {
	limit := int(*d.Spec.RevisionHistoryLimit)
	var idle []*ReplicaSet
	for _, rs := range old {
		if rs.DesiredReplicas() == 0 && rs.Status.Replicas == 0 && rs.DeletionTimestamp == nil {
			idle = append(idle, rs)
		}
	}
	if len(idle) <= limit {
		return
	}
	slices.SortFunc(idle, func(a, b *ReplicaSet) int {
		if ra, rb := revisionOf(a), revisionOf(b); ra != rb {
			return int(ra - rb)
		}
		return a.CreationTimestamp.Compare(b.CreationTimestamp)
	})
	for _, rs := range idle[:len(idle)-limit] {
		dc.c.removeObject(KindReplicaSet, rs.Key())
	}
}

// writeStatus computes the Deployment's status and conditions.
func (dc *deploymentController) writeStatus(d *Deployment, newRS *ReplicaSet, old []*ReplicaSet) {
	cur, _ := dc.c.store.get(KindDeployment, d.Key()).(*Deployment)
	if cur == nil {
		return
	}
	now := dc.c.clock.now
	// The status is computed on a copy of the status alone; the
	// Deployment is copied only when it changed (most syncs change
	// nothing).
	next := cur.Status
	next.Conditions = slices.Clone(cur.Status.Conditions)
	st := &next
	prev := cur.Status
	st.ObservedGeneration = cur.Generation
	st.Replicas, st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas = 0, 0, 0, 0
	var specTotal int32
	all := old
	if newRS != nil {
		all = append(slices.Clip(old), newRS)
		st.UpdatedReplicas = newRS.Status.Replicas
	}
	for _, rs := range all {
		st.Replicas += rs.Status.Replicas
		st.ReadyReplicas += rs.Status.ReadyReplicas
		st.AvailableReplicas += rs.Status.AvailableReplicas
		specTotal += rs.DesiredReplicas()
	}
	st.UnavailableReplicas = max(specTotal-st.AvailableReplicas, 0)
	desired := cur.DesiredReplicas()

	if st.AvailableReplicas >= desired-maxUnavailable(cur) {
		setWorkloadCondition(&st.Conditions, WorkloadCondition{Type: "Available", Status: ConditionTrue,
			Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."}, now)
	} else {
		setWorkloadCondition(&st.Conditions, WorkloadCondition{Type: "Available", Status: ConditionFalse,
			Reason: "MinimumReplicasUnavailable", Message: "Deployment does not have minimum availability."}, now)
	}
	prog := cur.Condition("Progressing")
	switch {
	case cur.Spec.Paused:
		if prog == nil || prog.Reason != "DeploymentPaused" {
			setWorkloadCondition(&st.Conditions, WorkloadCondition{Type: "Progressing", Status: ConditionUnknown,
				Reason: "DeploymentPaused", Message: "Deployment is paused"}, now)
		}
	case prog != nil && prog.Reason == "DeploymentPaused":
		setWorkloadCondition(&st.Conditions, WorkloadCondition{Type: "Progressing", Status: ConditionUnknown,
			Reason: "DeploymentResumed", Message: "Deployment is resumed"}, now)
	case newRS != nil && dc.complete(cur, newRS, old):
		setWorkloadCondition(&st.Conditions, WorkloadCondition{Type: "Progressing", Status: ConditionTrue,
			Reason: "NewReplicaSetAvailable", Message: fmt.Sprintf("ReplicaSet %q has successfully progressed.", newRS.Name)}, now)
	case newRS != nil:
		moved := prev.UpdatedReplicas != st.UpdatedReplicas || prev.AvailableReplicas != st.AvailableReplicas ||
			prev.ReadyReplicas != st.ReadyReplicas || prev.Replicas != st.Replicas || prog == nil
		deadline := time.Duration(*cur.Spec.ProgressDeadlineSeconds) * time.Second
		switch {
		case moved:
			reason, msg := "ReplicaSetUpdated", fmt.Sprintf("ReplicaSet %q is progressing.", newRS.Name)
			if prog != nil && (prog.Reason == "NewReplicaSetCreated" || prog.Reason == "FoundNewReplicaSet") && prog.LastUpdateTime.Equal(now) {
				reason, msg = prog.Reason, prog.Message
			}
			// Progress restarts the deadline: lastUpdateTime moves.
			c := WorkloadCondition{Type: "Progressing", Status: ConditionTrue, Reason: reason, Message: msg}
			setWorkloadCondition(&st.Conditions, c, now)
			if p := workloadCondition(st.Conditions, "Progressing"); p != nil {
				p.LastUpdateTime = now
			}
			dc.c.at(now.Add(deadline), dc.id, cur.Key())
		case prog.Reason != "ProgressDeadlineExceeded" && !now.Before(prog.LastUpdateTime.Add(deadline)):
			setWorkloadCondition(&st.Conditions, WorkloadCondition{Type: "Progressing", Status: ConditionFalse,
				Reason: "ProgressDeadlineExceeded", Message: fmt.Sprintf("ReplicaSet %q has timed out progressing.", newRS.Name)}, now)
			dc.c.event(cur, EventTypeWarning, "ProgressDeadlineExceeded", sourceDeploymentController,
				"Deployment %q has timed out progressing.", cur.Name)
		case prog.Reason != "ProgressDeadlineExceeded":
			dc.c.at(prog.LastUpdateTime.Add(deadline), dc.id, cur.Key())
		}
	}
	slices.SortStableFunc(st.Conditions, func(a, b WorkloadCondition) int {
		return compareStrings(a.Type, b.Type) // Available before Progressing, as kubectl shows them
	})
	if reflect.DeepEqual(cur.Status, next) {
		return
	}
	nd := cur.DeepCopy()
	cc := nd.Status.CollisionCount // the copy's own, not shared with cur
	nd.Status = next
	nd.Status.CollisionCount = cc
	dc.c.mustUpdate(nd)
}
