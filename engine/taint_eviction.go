package engine

import (
	"fmt"
	"time"
)

// taintEviction plays the taint eviction controller: a pod on a node with a
// NoExecute taint it does not tolerate is evicted at once; one that
// tolerates it for tolerationSeconds (every pod tolerates not-ready and
// unreachable for 300 s by default) is evicted when that time has passed
// since the taint was added.
type taintEviction struct {
	c  *Cluster
	id int
	// noExecute holds the nodes that have NoExecute taints.
	noExecute map[string]struct{}
}

func newTaintEviction(c *Cluster) *taintEviction {
	t := &taintEviction{c: c, noExecute: map[string]struct{}{}}
	t.id = c.register("taint-eviction", t, KindNode, KindPod)
	return t
}

var _ controller = (*taintEviction)(nil)

func (t *taintEviction) observe(ev WatchEvent, old Object) {
	switch obj := ev.Object.(type) {
	case *Node:
		if ev.Type == Deleted || !hasNoExecute(obj.Spec.Taints) {
			delete(t.noExecute, obj.Name)
		} else {
			t.noExecute[obj.Name] = struct{}{}
		}
		if ev.Type == Deleted {
			return
		}
		if o, _ := old.(*Node); o != nil && taintsEqual(noExecute(o.Spec.Taints), noExecute(obj.Spec.Taints)) {
			return
		}
		if len(noExecute(obj.Spec.Taints)) == 0 {
			return
		}
		for _, key := range t.c.store.podsOn(obj.Name) {
			t.c.enqueue(t.id, key)
		}
	case *Pod:
		if ev.Type != Deleted && obj.Spec.NodeName != "" && obj.DeletionTimestamp == nil {
			// A newly bound pod matters only on a node with NoExecute
			// taints; a taint added later enqueues the node's pods.
			if o, _ := old.(*Pod); o == nil || o.Spec.NodeName == "" {
				if _, tainted := t.noExecute[obj.Spec.NodeName]; tainted {
					t.c.enqueue(t.id, ev.key)
				}
			}
		}
	}
}

func hasNoExecute(ts []Taint) bool {
	for _, t := range ts {
		if t.Effect == TaintEffectNoExecute {
			return true
		}
	}
	return false
}

func noExecute(ts []Taint) []Taint {
	var out []Taint
	for _, t := range ts {
		if t.Effect == TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}

func (t *taintEviction) reconcile(key string) {
	p := t.c.pod(key)
	if p == nil || p.Spec.NodeName == "" || p.DeletionTimestamp != nil || p.IsTerminal() {
		return
	}
	n := t.c.node(p.Spec.NodeName)
	if n == nil {
		return
	}
	now := t.c.clock.now
	var evictAt *time.Time
	for i := range n.Spec.Taints {
		taint := &n.Spec.Taints[i]
		if taint.Effect != TaintEffectNoExecute {
			continue
		}
		tolerated := false
		var until *time.Time
		for j := range p.Spec.Tolerations {
			tol := &p.Spec.Tolerations[j]
			if !tol.ToleratesTaint(taint) {
				continue
			}
			tolerated = true
			if tol.TolerationSeconds == nil {
				until = nil
				break
			}
			added := now
			if taint.TimeAdded != nil {
				added = *taint.TimeAdded
			}
			at := added.Add(secondsToDuration(max(*tol.TolerationSeconds, 0)))
			if until == nil || at.Before(*until) {
				until = &at
			}
		}
		if !tolerated {
			until = &now
		}
		if until != nil && (evictAt == nil || until.Before(*evictAt)) {
			evictAt = until
		}
	}
	if evictAt == nil {
		return
	}
	if now.Before(*evictAt) {
		t.c.at(*evictAt, t.id, key)
		return
	}
	t.c.event(p, EventTypeNormal, "TaintManagerEviction", sourceTaintEviction, "Marking for deletion Pod %s/%s", p.Namespace, p.Name)
	np := p.withStatus()
	setPodCondition(&np.Status, PodCondition{Type: PodDisruptionTarget, Status: ConditionTrue, LastTransitionTime: now,
		Reason: "DeletionByTaintManager", Message: "Taint manager: deleting due to NoExecute taint"})
	sortPodConditions(np.Status.Conditions)
	if err := t.c.updateObject(np); err != nil {
		panic(fmt.Sprintf("engine: taint eviction updating pod %s: %v", key, err))
	}
	t.c.deletePod(np, nil)
}
