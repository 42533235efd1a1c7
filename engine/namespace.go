package engine

// Namespace groups namespaced objects. The namespace "default" always
// exists, as do "kube-system" and "kube-public".
type Namespace struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Status     NamespaceStatus `json:"status"`
}

// NamespaceStatus holds the namespace phase.
type NamespaceStatus struct {
	// Phase is "Active" or "Terminating".
	Phase string `json:"phase,omitempty"`
}

// GetKind implements Object.
func (n *Namespace) GetKind() Kind { return KindNamespace }

// DeepCopyObject implements Object.
func (n *Namespace) DeepCopyObject() Object { return n.DeepCopy() }

// DeepCopy returns a copy of n that shares no memory with it.
func (n *Namespace) DeepCopy() *Namespace {
	out := *n
	out.ObjectMeta = n.ObjectMeta.DeepCopy()
	return &out
}
