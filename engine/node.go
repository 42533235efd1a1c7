package engine

import "time"

// Node is one machine of the cluster, reduced — as the article puts it — to
// its CPU and memory.
type Node struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       NodeSpec   `json:"spec"`
	Status     NodeStatus `json:"status"`
}

// NodeSpec is what the cluster's operators set on a node.
type NodeSpec struct {
	PodCIDR string `json:"podCIDR,omitempty"`
	// Unschedulable is set by kubectl cordon: no new pods are placed here.
	Unschedulable bool    `json:"unschedulable,omitempty"`
	Taints        []Taint `json:"taints,omitempty"`
}

// TaintEffect says what a taint does to pods that do not tolerate it.
type TaintEffect string

// The taint effects.
const (
	TaintEffectNoSchedule       TaintEffect = "NoSchedule"
	TaintEffectPreferNoSchedule TaintEffect = "PreferNoSchedule"
	TaintEffectNoExecute        TaintEffect = "NoExecute"
)

// Well-known taints the control plane sets.
const (
	TaintNodeNotReady      = "node.kubernetes.io/not-ready"
	TaintNodeUnreachable   = "node.kubernetes.io/unreachable"
	TaintNodeUnschedulable = "node.kubernetes.io/unschedulable"
)

// Taint repels pods that do not tolerate it.
type Taint struct {
	Key    string      `json:"key"`
	Value  string      `json:"value,omitempty"`
	Effect TaintEffect `json:"effect"`
	// TimeAdded is set for NoExecute taints; evictions count from it.
	TimeAdded *time.Time `json:"timeAdded,omitempty"`
}

// ToString renders the taint as kubectl does: key=value:Effect.
func (t Taint) ToString() string {
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

// NodeStatus is what the node's kubelet and the node controller report.
type NodeStatus struct {
	Capacity    ResourceList    `json:"capacity,omitempty"`
	Allocatable ResourceList    `json:"allocatable,omitempty"`
	Conditions  []NodeCondition `json:"conditions,omitempty"`
	Addresses   []NodeAddress   `json:"addresses,omitempty"`
	NodeInfo    NodeSystemInfo  `json:"nodeInfo"`
	// Images lists the images present on the node, newest pull last.
	Images []ContainerImage `json:"images,omitempty"`
}

// ConditionStatus is "True", "False" or "Unknown".
type ConditionStatus string

// The condition statuses.
const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// NodeConditionType names a node condition.
type NodeConditionType string

// The node conditions the kubelet reports.
const (
	NodeReady              NodeConditionType = "Ready"
	NodeMemoryPressure     NodeConditionType = "MemoryPressure"
	NodeDiskPressure       NodeConditionType = "DiskPressure"
	NodePIDPressure        NodeConditionType = "PIDPressure"
	NodeNetworkUnavailable NodeConditionType = "NetworkUnavailable"
)

// NodeCondition is one observation about a node.
type NodeCondition struct {
	Type               NodeConditionType `json:"type"`
	Status             ConditionStatus   `json:"status"`
	LastHeartbeatTime  time.Time         `json:"lastHeartbeatTime"`
	LastTransitionTime time.Time         `json:"lastTransitionTime"`
	Reason             string            `json:"reason,omitempty"`
	Message            string            `json:"message,omitempty"`
}

// NodeAddress is one of a node's addresses.
type NodeAddress struct {
	// Type is "InternalIP" or "Hostname".
	Type    string `json:"type"`
	Address string `json:"address"`
}

// NodeSystemInfo describes the node's software.
type NodeSystemInfo struct {
	KubeletVersion          string `json:"kubeletVersion"`
	KubeProxyVersion        string `json:"kubeProxyVersion,omitempty"`
	ContainerRuntimeVersion string `json:"containerRuntimeVersion"`
	OSImage                 string `json:"osImage"`
	KernelVersion           string `json:"kernelVersion"`
	OperatingSystem         string `json:"operatingSystem"`
	Architecture            string `json:"architecture"`
}

// ContainerImage is an image present on a node.
type ContainerImage struct {
	Names     []string `json:"names"`
	SizeBytes int64    `json:"sizeBytes,omitempty"`
}

// GetKind implements Object.
func (n *Node) GetKind() Kind { return KindNode }

// DeepCopyObject implements Object.
func (n *Node) DeepCopyObject() Object { return n.DeepCopy() }

// DeepCopy returns a copy of n that shares no memory with it.
func (n *Node) DeepCopy() *Node {
	out := *n
	out.ObjectMeta = n.ObjectMeta.DeepCopy()
	if n.Spec.Taints != nil {
		out.Spec.Taints = make([]Taint, len(n.Spec.Taints))
		for i, t := range n.Spec.Taints {
			t.TimeAdded = clonePtr(t.TimeAdded)
			out.Spec.Taints[i] = t
		}
	}
	out.Status.Capacity = n.Status.Capacity.DeepCopy()
	out.Status.Allocatable = n.Status.Allocatable.DeepCopy()
	out.Status.Conditions = cloneSlice(n.Status.Conditions)
	out.Status.Addresses = cloneSlice(n.Status.Addresses)
	if n.Status.Images != nil {
		out.Status.Images = make([]ContainerImage, len(n.Status.Images))
		for i, im := range n.Status.Images {
			out.Status.Images[i] = ContainerImage{Names: cloneSlice(im.Names), SizeBytes: im.SizeBytes}
		}
	}
	return &out
}

// Condition returns the node condition of type t, or nil.
func (n *Node) Condition(t NodeConditionType) *NodeCondition {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == t {
			return &n.Status.Conditions[i]
		}
	}
	return nil
}

// IsReady reports whether the node's Ready condition is True.
func (n *Node) IsReady() bool {
	c := n.Condition(NodeReady)
	return c != nil && c.Status == ConditionTrue
}

// InternalIP returns the node's InternalIP address, or "".
func (n *Node) InternalIP() string {
	for _, a := range n.Status.Addresses {
		if a.Type == "InternalIP" {
			return a.Address
		}
	}
	return ""
}

// HasTaint reports whether the node carries a taint with key and effect.
func (n *Node) HasTaint(key string, effect TaintEffect) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key && t.Effect == effect {
			return true
		}
	}
	return false
}
