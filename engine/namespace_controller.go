package engine

// namespaceController finishes deleting namespaces: it deletes what is
// inside a Terminating namespace and removes the namespace once it is
// empty.
type namespaceController struct {
	c  *Cluster
	id int
}

func newNamespaceController(c *Cluster) *namespaceController {
	n := &namespaceController{c: c}
	n.id = c.register("namespace", n, KindNamespace, KindPod)
	return n
}

var _ controller = (*namespaceController)(nil)

func (n *namespaceController) observe(ev WatchEvent, _ Object) {
	switch obj := ev.Object.(type) {
	case *Namespace:
		if ev.Type != Deleted && obj.DeletionTimestamp != nil {
			n.c.enqueue(n.id, obj.Name)
		}
	case *Pod:
		if ev.Type == Deleted {
			if ns, _ := n.c.store.get(KindNamespace, obj.Namespace).(*Namespace); ns != nil && ns.DeletionTimestamp != nil {
				n.c.enqueue(n.id, ns.Name)
			}
		}
	}
}

func (n *namespaceController) reconcile(name string) {
	ns, _ := n.c.store.get(KindNamespace, name).(*Namespace)
	if ns == nil || ns.DeletionTimestamp == nil {
		return
	}
	remaining := 0
	for _, ki := range kindTable {
		kind := ki.kind
		if !kind.Namespaced() || kind == KindEvent {
			continue
		}
		for _, obj := range n.c.store.list(kind, name, nil) {
			remaining++
			if p, ok := obj.(*Pod); ok {
				n.c.deletePod(p, nil)
				continue
			}
			n.c.removeObject(kind, obj.GetObjectMeta().Key())
		}
	}
	if remaining > 0 {
		return // pods still terminating; their deletion wakes us again
	}
	for _, obj := range n.c.store.list(KindEvent, name, nil) {
		n.c.removeObject(KindEvent, obj.GetObjectMeta().Key())
	}
	n.c.removeObject(KindNamespace, name)
}
