package engine

import (
	"slices"
	"strings"
)

// garbageCollector plays Kubernetes' garbage collector: an object whose
// owners are all gone is deleted (background propagation), so deleting a
// Deployment deletes its ReplicaSets, and those their pods.
type garbageCollector struct {
	c  *Cluster
	id int
	// uids maps the uid of every object that can own others to its kind
	// and key.
	uids map[string]string
	// dependents maps an owner uid to its dependents.
	dependents map[string]map[gcRef]struct{}
}

// gcRef is a dependent: its kind and store key (both shared with the
// object, so indexing a pod allocates no key for it).
type gcRef struct {
	kind Kind
	key  string
}

func newGarbageCollector(c *Cluster) *garbageCollector {
	g := &garbageCollector{c: c, uids: map[string]string{}, dependents: map[string]map[gcRef]struct{}{}}
	g.id = c.register("garbage-collector", g, KindReplicaSet, KindDeployment, KindPod)
	return g
}

var _ controller = (*garbageCollector)(nil)

// gcKey names an object in the collector's queue: "Kind|namespace/name".
func gcKey(kind Kind, key string) string { return string(kind) + "|" + key }

func (g *garbageCollector) observe(ev WatchEvent, old Object) {
	obj := ev.Object
	m := obj.GetObjectMeta()
	if ev.Type != Deleted && obj.GetKind() == KindPod && old != nil &&
		sameOwners(old.GetObjectMeta().OwnerReferences, m.OwnerReferences) {
		return // the common case, a pod's status written: nothing to index
	}
	k := gcRef{obj.GetKind(), ev.key}
	if ev.Type == Deleted {
		delete(g.uids, m.UID)
		var deps []string
		for dep := range g.dependents[m.UID] {
			deps = append(deps, gcKey(dep.kind, dep.key))
		}
		slices.Sort(deps)
		for _, dep := range deps {
			g.c.enqueue(g.id, dep)
		}
		delete(g.dependents, m.UID)
		for _, ref := range m.OwnerReferences {
			if deps := g.dependents[ref.UID]; deps != nil {
				delete(deps, k)
			}
		}
		return
	}
	if obj.GetKind() != KindPod {
		g.uids[m.UID] = gcKey(k.kind, k.key)
	}
	if old != nil && sameOwners(old.GetObjectMeta().OwnerReferences, m.OwnerReferences) {
		return
	}
	if old != nil {
		for _, ref := range old.GetObjectMeta().OwnerReferences {
			if deps := g.dependents[ref.UID]; deps != nil {
				delete(deps, k)
			}
		}
	}
	for _, ref := range m.OwnerReferences {
		deps := g.dependents[ref.UID]
		if deps == nil {
			deps = map[gcRef]struct{}{}
			g.dependents[ref.UID] = deps
		}
		deps[k] = struct{}{}
	}
	if len(m.OwnerReferences) > 0 && !g.anyOwnerExists(m.OwnerReferences) {
		// An owner may already be gone, or never have existed. (If one
		// exists now, its deletion will enqueue this dependent.)
		g.c.enqueue(g.id, gcKey(k.kind, k.key))
	}
}

func (g *garbageCollector) anyOwnerExists(refs []OwnerReference) bool {
	for _, ref := range refs {
		if _, ok := g.uids[ref.UID]; ok {
			return true
		}
	}
	return false
}

func sameOwners(a, b []OwnerReference) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].UID != b[i].UID {
			return false
		}
	}
	return true
}

func (g *garbageCollector) reconcile(qk string) {
	kindName, key, _ := strings.Cut(qk, "|")
	kind := Kind(kindName)
	obj := g.c.store.get(kind, key)
	if obj == nil {
		return
	}
	m := obj.GetObjectMeta()
	if len(m.OwnerReferences) == 0 || m.DeletionTimestamp != nil {
		return
	}
	if g.anyOwnerExists(m.OwnerReferences) {
		return
	}
	if p, ok := obj.(*Pod); ok {
		g.c.deletePod(p, nil)
		return
	}
	g.c.removeObject(kind, key)
}
