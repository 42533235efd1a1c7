package engine

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// store holds the cluster's objects. Stored objects are immutable: a write
// replaces the pointer with a new object, so the watch log can keep the old
// versions without copying them.
type store struct {
	rv uint64
	// objects holds, per kind id, the objects by key.
	objects [numKinds]map[string]Object
	log     watchLog
	// podsByNode indexes bound pods by node name; it always matches the
	// pods in objects.
	podsByNode map[string]map[string]struct{}
	// counts holds the number of objects per kind id.
	counts [numKinds]int
}

func newStore(watchLimit int) store {
	s := store{
		podsByNode: map[string]map[string]struct{}{},
		log:        watchLog{limit: watchLimit},
	}
	for i := range s.objects {
		s.objects[i] = map[string]Object{}
	}
	return s
}

func (s *store) get(kind Kind, key string) Object {
	i := kind.id()
	if i < 0 {
		return nil
	}
	return s.objects[i][key]
}

// count returns the number of stored objects of kind.
func (s *store) count(kind Kind) int {
	if i := kind.id(); i >= 0 {
		return s.counts[i]
	}
	return 0
}

// all returns the map of stored objects of kind, which callers must not
// modify.
func (s *store) all(kind Kind) map[string]Object { return s.objects[kind.id()] }

// sortedKeys returns the keys of kind in sorted order.
func (s *store) sortedKeys(kind Kind) []string {
	m := s.all(kind)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// list returns the stored objects of kind in namespace ns ("" for all)
// matching sel (nil for all), sorted by key. The objects are the store's
// own: callers must not modify them.
func (s *store) list(kind Kind, ns string, sel labels.Selector) []Object {
	var out []Object
	for _, k := range s.sortedKeys(kind) {
		o := s.all(kind)[k]
		m := o.GetObjectMeta()
		if ns != "" && m.Namespace != ns {
			continue
		}
		if sel != nil && !sel.Matches(labels.Set(m.Labels)) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// podsOn returns the keys of the pods bound to node, sorted.
func (s *store) podsOn(node string) []string {
	m := s.podsByNode[node]
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// write records obj (already carrying its metadata) under a new
// resourceVersion and appends the change to the watch log.
func (s *store) write(t EventType, obj Object) WatchEvent {
	m := obj.GetObjectMeta()
	return s.put(t, obj, s.objects[obj.GetKind().id()][m.Key()])
}

// replace is write(Modified, obj) for a caller that holds the stored
// version old.
func (s *store) replace(obj, old Object) WatchEvent { return s.put(Modified, obj, old) }

func (s *store) put(t EventType, obj, old Object) WatchEvent {
	s.rv++
	m := obj.GetObjectMeta()
	if t != Deleted {
		// A deleted object is logged as it was stored, not copied: Since
		// stamps the deletion's version on the copy it hands out.
		m.rv = s.rv
	}
	kind := obj.GetKind()
	id := kind.id()
	key := m.Key()
	objs := s.objects[id]
	switch t {
	case Added:
		s.counts[id]++
		objs[key] = obj
	case Modified:
		objs[key] = obj
	case Deleted:
		s.counts[id]--
		delete(objs, key)
	}
	if kind == KindPod {
		s.indexPod(key, old, obj, t == Deleted)
	}
	ev := WatchEvent{Type: t, ResourceVersion: s.rv, Object: obj, key: key}
	s.log.append(ev)
	return ev
}

func (s *store) indexPod(key string, old, cur Object, deleted bool) {
	if old != nil && !deleted && old.(*Pod).Spec.NodeName == cur.(*Pod).Spec.NodeName {
		return // still on the same node (or none)
	}
	if old != nil {
		if n := old.(*Pod).Spec.NodeName; n != "" {
			m := s.podsByNode[n]
			delete(m, key)
			if len(m) == 0 {
				delete(s.podsByNode, n)
			}
		}
	}
	if deleted {
		return
	}
	if n := cur.(*Pod).Spec.NodeName; n != "" {
		m := s.podsByNode[n]
		if m == nil {
			// Room for a typical node's pods from the start: growing
			// each node's map step by step was most of a binding's cost.
			m = make(map[string]struct{}, 32)
			s.podsByNode[n] = m
		}
		m[key] = struct{}{}
	}
}

// splitKey splits "namespace/name" (or "name") into its parts.
func splitKey(key string) (namespace, name string) {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i], key[i+1:]
	}
	return "", key
}
