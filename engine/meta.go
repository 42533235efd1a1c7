package engine

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind names a type of object, as in a manifest's "kind" field.
type Kind string

// The kinds this package simulates.
const (
	KindNamespace             Kind = "Namespace"
	KindNode                  Kind = "Node"
	KindPod                   Kind = "Pod"
	KindReplicaSet            Kind = "ReplicaSet"
	KindDeployment            Kind = "Deployment"
	KindStorageClass          Kind = "StorageClass"
	KindPersistentVolume      Kind = "PersistentVolume"
	KindPersistentVolumeClaim Kind = "PersistentVolumeClaim"
	KindService               Kind = "Service"
	KindEndpoints             Kind = "Endpoints"
	KindIngressClass          Kind = "IngressClass"
	KindIngress               Kind = "Ingress"
	KindEvent                 Kind = "Event"
)

// kindInfo is what the store needs to know about a kind.
type kindInfo struct {
	kind       Kind
	apiVersion string
	namespaced bool
	// resource is the lower-case plural used in API paths and error messages.
	resource string
}

// kindTable lists every kind the store accepts, in the order snapshots
// list them: the order a reader meets them in the article (hardware first,
// then software). A kind's index here is its id; the table is read-only.
var kindTable = [...]kindInfo{
	{kind: KindNamespace, apiVersion: "v1", namespaced: false, resource: "namespaces"},
	{kind: KindNode, apiVersion: "v1", namespaced: false, resource: "nodes"},
	{kind: KindPod, apiVersion: "v1", namespaced: true, resource: "pods"},
	{kind: KindReplicaSet, apiVersion: "apps/v1", namespaced: true, resource: "replicasets"},
	{kind: KindDeployment, apiVersion: "apps/v1", namespaced: true, resource: "deployments"},
	{kind: KindStorageClass, apiVersion: "storage.k8s.io/v1", namespaced: false, resource: "storageclasses"},
	{kind: KindPersistentVolume, apiVersion: "v1", namespaced: false, resource: "persistentvolumes"},
	{kind: KindPersistentVolumeClaim, apiVersion: "v1", namespaced: true, resource: "persistentvolumeclaims"},
	{kind: KindService, apiVersion: "v1", namespaced: true, resource: "services"},
	{kind: KindEndpoints, apiVersion: "v1", namespaced: true, resource: "endpoints"},
	{kind: KindIngressClass, apiVersion: "networking.k8s.io/v1", namespaced: false, resource: "ingressclasses"},
	{kind: KindIngress, apiVersion: "networking.k8s.io/v1", namespaced: true, resource: "ingresses"},
	{kind: KindEvent, apiVersion: "v1", namespaced: true, resource: "events"},
}

const numKinds = len(kindTable)

// id returns k's index in kindTable, or -1 for a kind the engine does not
// simulate. A switch, not a map: the store asks on every read and write.
func (k Kind) id() int {
	switch k {
	case KindNamespace:
		return 0
	case KindNode:
		return 1
	case KindPod:
		return 2
	case KindReplicaSet:
		return 3
	case KindDeployment:
		return 4
	case KindStorageClass:
		return 5
	case KindPersistentVolume:
		return 6
	case KindPersistentVolumeClaim:
		return 7
	case KindService:
		return 8
	case KindEndpoints:
		return 9
	case KindIngressClass:
		return 10
	case KindIngress:
		return 11
	case KindEvent:
		return 12
	}
	return -1
}

// Known reports whether the engine simulates kind k.
func (k Kind) Known() bool { return k.id() >= 0 }

func (k Kind) info() kindInfo {
	if i := k.id(); i >= 0 {
		return kindTable[i]
	}
	return kindInfo{kind: k}
}

// Namespaced reports whether objects of kind k live in a namespace.
func (k Kind) Namespaced() bool { return k.info().namespaced }

// Resource returns the plural resource name of k, such as "pods".
func (k Kind) Resource() string { return k.info().resource }

// groupResource is the resource qualified by its API group, as the API
// server names it in errors: "deployments.apps", "pods".
func (k Kind) groupResource() string {
	if group, _, ok := strings.Cut(k.APIVersion(), "/"); ok {
		return k.Resource() + "." + group
	}
	return k.Resource()
}

// APIVersion returns the apiVersion objects of kind k are served as.
func (k Kind) APIVersion() string { return k.info().apiVersion }

// TypeMeta carries an object's apiVersion and kind, as every Kubernetes
// object does on the wire.
type TypeMeta struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       Kind   `json:"kind,omitempty"`
}

// ObjectMeta is the metadata every object carries, with Kubernetes' field
// names.
type ObjectMeta struct {
	Name string `json:"name,omitempty"`
	// GenerateName, when Name is empty, asks the store to make a unique name
	// by appending five random characters, as the API server does.
	GenerateName string            `json:"generateName,omitempty"`
	Namespace    string            `json:"namespace,omitempty"`
	UID          string            `json:"uid,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	// OwnerReferences lists the objects this one belongs to; at most one has
	// Controller set.
	OwnerReferences []OwnerReference `json:"ownerReferences,omitempty"`
	// ResourceVersion is the cluster-wide version at which this object was
	// last written. It is set by the store; callers only pass it back.
	ResourceVersion string `json:"resourceVersion,omitempty"`
	// Generation counts changes to the desired state (spec); status
	// writes leave it alone.
	Generation        int64      `json:"generation,omitempty"`
	CreationTimestamp time.Time  `json:"creationTimestamp,omitzero"`
	DeletionTimestamp *time.Time `json:"deletionTimestamp,omitempty"`
	// DeletionGracePeriodSeconds is set together with DeletionTimestamp.
	DeletionGracePeriodSeconds *int64 `json:"deletionGracePeriodSeconds,omitempty"`

	// key caches Key() for stored objects; the store sets it when the
	// object is created (names never change afterwards).
	key string
	// rv is the resourceVersion of a stored object as a number. The store
	// sets only this; copies handed out carry it as ResourceVersion, which
	// saves formatting a string on every write.
	rv uint64
}

// OwnerReference points from an object to the object that owns it.
type OwnerReference struct {
	APIVersion         string `json:"apiVersion"`
	Kind               Kind   `json:"kind"`
	Name               string `json:"name"`
	UID                string `json:"uid"`
	Controller         *bool  `json:"controller,omitempty"`
	BlockOwnerDeletion *bool  `json:"blockOwnerDeletion,omitempty"`
}

// Object is implemented by every kind in the store.
type Object interface {
	// GetObjectMeta returns the object's metadata. The store's own objects
	// are immutable: callers never write through this pointer to an object
	// they did not copy.
	GetObjectMeta() *ObjectMeta
	// GetKind returns the object's kind.
	GetKind() Kind
	// DeepCopyObject returns a copy that shares no memory with the receiver.
	DeepCopyObject() Object
}

// GetObjectMeta implements Object.
func (m *ObjectMeta) GetObjectMeta() *ObjectMeta { return m }

// Key returns the store key of the object: "namespace/name", or "name" for
// cluster-scoped objects.
func (m *ObjectMeta) Key() string {
	if m.key != "" {
		return m.key
	}
	return objectKey(m.Namespace, m.Name)
}

// ControllerRef returns the owner reference with Controller set, or nil.
func (m *ObjectMeta) ControllerRef() *OwnerReference {
	for i := range m.OwnerReferences {
		if r := &m.OwnerReferences[i]; r.Controller != nil && *r.Controller {
			return r
		}
	}
	return nil
}

// DeepCopy returns a copy of m that shares no memory with it.
func (m ObjectMeta) DeepCopy() ObjectMeta {
	out := m
	if m.rv != 0 {
		out.ResourceVersion = strconv.FormatUint(m.rv, 10)
	}
	out.Labels = maps.Clone(m.Labels)
	out.Annotations = maps.Clone(m.Annotations)
	if m.OwnerReferences != nil {
		out.OwnerReferences = make([]OwnerReference, len(m.OwnerReferences))
		for i, r := range m.OwnerReferences {
			out.OwnerReferences[i] = r
			out.OwnerReferences[i].Controller = clonePtr(r.Controller)
			out.OwnerReferences[i].BlockOwnerDeletion = clonePtr(r.BlockOwnerDeletion)
		}
	}
	out.DeletionTimestamp = clonePtr(m.DeletionTimestamp)
	out.DeletionGracePeriodSeconds = clonePtr(m.DeletionGracePeriodSeconds)
	return out
}

func objectKey(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return slices.Clone(s)
}

// Ptr returns a pointer to v; handy for optional fields.
func Ptr[T any](v T) *T { return &v }
