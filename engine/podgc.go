package engine

import "fmt"

// podGC plays the pod garbage collector: pods bound to a node that no
// longer exists are marked Failed and deleted at once.
type podGC struct {
	c  *Cluster
	id int
}

func newPodGC(c *Cluster) *podGC {
	g := &podGC{c: c}
	g.id = c.register("pod-gc", g, KindNode, KindPod)
	return g
}

var _ controller = (*podGC)(nil)

func (g *podGC) observe(ev WatchEvent, _ Object) {
	switch obj := ev.Object.(type) {
	case *Node:
		if ev.Type == Deleted {
			for _, key := range g.c.store.podsOn(obj.Name) {
				g.c.enqueue(g.id, key)
			}
		}
	case *Pod:
		if ev.Type == Added && obj.Spec.NodeName != "" {
			g.c.enqueue(g.id, ev.key)
		}
	}
}

func (g *podGC) reconcile(key string) {
	p := g.c.pod(key)
	if p == nil || p.Spec.NodeName == "" || g.c.node(p.Spec.NodeName) != nil {
		return
	}
	np := p.withStatus()
	if !np.IsTerminal() {
		np.Status.Phase = PodFailed
	}
	setPodCondition(&np.Status, PodCondition{Type: PodDisruptionTarget, Status: ConditionTrue, LastTransitionTime: g.c.clock.now,
		Reason: "DeletionByPodGC", Message: "PodGC: node no longer exists"})
	sortPodConditions(np.Status.Conditions)
	if err := g.c.updateObject(np); err != nil {
		panic(fmt.Sprintf("engine: pod gc updating pod %s: %v", key, err))
	}
	g.c.event(np, EventTypeWarning, "NodeLost", sourcePodGC, "Node %s which was running pod %s is gone", p.Spec.NodeName, p.Name)
	g.c.removeObject(KindPod, key)
}
