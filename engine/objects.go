package engine

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// This file is the store's write path inside the engine: it fills in the
// metadata the API server owns and tells the controllers. Controllers call
// these with objects they own (fresh copies); nothing here copies again.

// createObject stores obj as a new object, filling in namespace, name (from
// generateName), uid, creationTimestamp and resourceVersion.
func (c *Cluster) createObject(obj Object) error {
	kind := obj.GetKind()
	m := obj.GetObjectMeta()
	if kind.Namespaced() {
		if m.Namespace == "" {
			m.Namespace = "default"
		}
		ns, _ := c.store.get(KindNamespace, m.Namespace).(*Namespace)
		if ns == nil {
			return errNotFound(KindNamespace, m.Namespace)
		}
		if ns.DeletionTimestamp != nil && kind != KindEvent {
			return errForbidden(kind, m.Name, fmt.Sprintf(
				"unable to create new content in namespace %s because it is being terminated", m.Namespace))
		}
	} else {
		m.Namespace = ""
	}
	if m.Name == "" && m.GenerateName != "" {
		for {
			name := m.GenerateName + randomSuffix(c.rand, 5)
			if c.store.get(kind, objectKey(m.Namespace, name)) == nil {
				m.Name = name
				break
			}
		}
	}
	if m.Name == "" {
		return errInvalid(kind, "", field.ErrorList{field.Required(field.NewPath("metadata", "name"), "name or generateName is required")})
	}
	m.key = objectKey(m.Namespace, m.Name)
	if c.store.get(kind, m.key) != nil {
		m.key = ""
		return errAlreadyExists(kind, m.Name)
	}
	m.ResourceVersion = ""
	m.UID = randomUID(c.rand)
	m.CreationTimestamp = c.clock.now
	m.Generation = 1
	m.DeletionTimestamp = nil
	m.DeletionGracePeriodSeconds = nil
	setTypeMeta(obj)
	ev := c.store.write(Added, obj)
	c.dispatch(ev, nil)
	return nil
}

// updateObject replaces the stored object with obj, keeping the fields the
// API server owns.
func (c *Cluster) updateObject(obj Object) error {
	kind := obj.GetKind()
	m := obj.GetObjectMeta()
	old := c.store.get(kind, m.Key())
	if old == nil {
		return errNotFound(kind, m.Name)
	}
	c.replaceObject(old, obj)
	return nil
}

// checkReplace makes replaceObject verify its caller's promise; the
// package's tests turn it on.
var checkReplace = false

// replaceObject is updateObject for a caller that holds the stored version
// old of obj — read in the same reconcile, with no write to it since — and
// so saves looking it up: the kubelet's and the scheduler's writes, one
// for every pod at every step.
func (c *Cluster) replaceObject(old, obj Object) {
	m := obj.GetObjectMeta()
	if checkReplace && c.store.get(obj.GetKind(), m.Key()) != old {
		panic(fmt.Sprintf("engine: replacing %s %s: not the stored version", obj.GetKind(), m.Key()))
	}
	om := old.GetObjectMeta()
	m.UID = om.UID
	m.key = om.key
	m.CreationTimestamp = om.CreationTimestamp
	if m.Generation == 0 {
		m.Generation = om.Generation
	}
	setTypeMeta(obj)
	c.dispatch(c.store.replace(obj, old), old)
}

// removeObject deletes the stored object at once.
func (c *Cluster) removeObject(kind Kind, key string) {
	old := c.store.get(kind, key)
	if old == nil {
		return
	}
	ev := c.store.write(Deleted, old)
	c.dispatch(ev, old)
}

func (c *Cluster) dispatch(ev WatchEvent, old Object) {
	for _, id := range c.watchers[ev.Object.GetKind().id()] {
		c.ctls[id].ctl.observe(ev, old)
	}
}

func setTypeMeta(obj Object) {
	k := obj.GetKind()
	tm := TypeMeta{APIVersion: k.APIVersion(), Kind: k}
	switch o := obj.(type) {
	case *Pod:
		o.TypeMeta = tm
	case *Node:
		o.TypeMeta = tm
	case *Namespace:
		o.TypeMeta = tm
	case *Event:
		o.TypeMeta = tm
	case *ReplicaSet:
		o.TypeMeta = tm
	case *Deployment:
		o.TypeMeta = tm
	case *StorageClass:
		o.TypeMeta = tm
	case *PersistentVolume:
		o.TypeMeta = tm
	case *PersistentVolumeClaim:
		o.TypeMeta = tm
	case *Service:
		o.TypeMeta = tm
	case *Endpoints:
		o.TypeMeta = tm
	case *IngressClass:
		o.TypeMeta = tm
	case *Ingress:
		o.TypeMeta = tm
	}
}

// Typed read helpers for controllers: they return the store's own objects,
// which must not be modified.

func (c *Cluster) pod(key string) *Pod {
	p, _ := c.store.get(KindPod, key).(*Pod)
	return p
}

func (c *Cluster) node(name string) *Node {
	n, _ := c.store.get(KindNode, name).(*Node)
	return n
}
