package engine

import (
	"fmt"
	"slices"
	"time"
)

// nodeLifecycle plays the node lifecycle controller: a node whose kubelet
// has not been heard from for the grace period is marked Unknown
// (NotReady), and its pods are marked not ready; and every node carries the
// taints its conditions call for (TaintNodesByCondition):
// not-ready / unreachable with NoSchedule and NoExecute, and unschedulable
// when cordoned.
type nodeLifecycle struct {
	c  *Cluster
	id int
}

func newNodeLifecycle(c *Cluster) *nodeLifecycle {
	n := &nodeLifecycle{c: c}
	n.id = c.register("node-lifecycle", n, KindNode)
	return n
}

var _ controller = (*nodeLifecycle)(nil)

func (n *nodeLifecycle) observe(ev WatchEvent, _ Object) {
	if ev.Type != Deleted {
		n.c.enqueue(n.id, ev.Object.GetObjectMeta().Name)
	}
}

func (n *nodeLifecycle) reconcile(name string) {
	node := n.c.node(name)
	if node == nil {
		return
	}
	now := n.c.clock.now
	// Most passes change nothing: work on a shallow copy (stored objects
	// are never modified), copying only what changes.
	nn := *node
	changed := false
	if a := n.c.kubelet.agents[name]; a != nil && !a.running {
		deadline := a.stoppedAt.Add(n.c.cfg.NodeMonitorGracePeriod)
		if now.Before(deadline) {
			n.c.at(deadline, n.id, name)
		} else if c := nn.Condition(NodeReady); c == nil || c.Status != ConditionUnknown {
			nn.Status.Conditions = slices.Clone(nn.Status.Conditions)
			for i := range nn.Status.Conditions {
				c := &nn.Status.Conditions[i]
				c.Status, c.Reason, c.Message, c.LastTransitionTime = ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status.", now
			}
			changed = true
			n.c.event(node, EventTypeNormal, "NodeNotReady", sourceNodeController, "Node %s status is now: NodeNotReady", name)
			n.markPodsNotReady(name)
		}
	}
	want := wantedTaints(&nn, now)
	if !taintsEqual(nn.Spec.Taints, want) {
		nn.Spec.Taints = want
		changed = true
	}
	if changed {
		np := new(Node)
		*np = nn
		if err := n.c.updateObject(np); err != nil {
			panic(fmt.Sprintf("engine: node lifecycle updating node %s: %v", name, err))
		}
	}
}

// markPodsNotReady sets Ready=False on the pods of a node that stopped
// reporting, as the node controller's MarkPodsNotReady does.
func (n *nodeLifecycle) markPodsNotReady(node string) {
	now := n.c.clock.now
	for _, key := range n.c.store.podsOn(node) {
		p := n.c.pod(key)
		if p == nil || p.IsTerminal() {
			continue
		}
		np := p.withStatus()
		changed := setPodCondition(&np.Status, PodCondition{Type: PodReady, Status: ConditionFalse, LastTransitionTime: now})
		changed = setPodCondition(&np.Status, PodCondition{Type: PodContainersReady, Status: ConditionFalse, LastTransitionTime: now}) || changed
		for i := range np.Status.ContainerStatuses {
			np.Status.ContainerStatuses[i].Ready = false
		}
		if changed {
			if err := n.c.updateObject(np); err != nil {
				panic(fmt.Sprintf("engine: node lifecycle updating pod %s: %v", key, err))
			}
			n.c.event(np, EventTypeWarning, "NodeNotReady", sourceNodeController, "Node is not ready")
		}
	}
}

// conditionTaintKeys are the taints this controller owns.
var conditionTaintKeys = []string{TaintNodeNotReady, TaintNodeUnreachable, TaintNodeUnschedulable}

// wantedTaints returns the node's taints with the condition taints set as
// its Ready condition and cordon call for. Existing taints keep their
// timeAdded.
func wantedTaints(n *Node, now time.Time) []Taint {
	var out []Taint
	for _, t := range n.Spec.Taints {
		if !slices.Contains(conditionTaintKeys, t.Key) {
			out = append(out, t)
		}
	}
	add := func(key string, effect TaintEffect) {
		for _, t := range n.Spec.Taints {
			if t.Key == key && t.Effect == effect {
				out = append(out, t)
				return
			}
		}
		t := Taint{Key: key, Effect: effect}
		if effect == TaintEffectNoExecute {
			t.TimeAdded = Ptr(now)
		}
		out = append(out, t)
	}
	if c := n.Condition(NodeReady); c != nil {
		switch c.Status {
		case ConditionFalse:
			add(TaintNodeNotReady, TaintEffectNoSchedule)
			add(TaintNodeNotReady, TaintEffectNoExecute)
		case ConditionUnknown:
			add(TaintNodeUnreachable, TaintEffectNoSchedule)
			add(TaintNodeUnreachable, TaintEffectNoExecute)
		}
	} else {
		add(TaintNodeNotReady, TaintEffectNoSchedule)
	}
	if n.Spec.Unschedulable {
		add(TaintNodeUnschedulable, TaintEffectNoSchedule)
	}
	return out
}

func taintsEqual(a, b []Taint) bool {
	return slices.EqualFunc(a, b, func(x, y Taint) bool {
		return x.Key == y.Key && x.Value == y.Value && x.Effect == y.Effect && timePtrEqual(x.TimeAdded, y.TimeAdded)
	})
}
