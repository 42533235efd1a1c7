package engine

import "time"

// StorageClass describes a kind of storage and how to provision it.
type StorageClass struct {
	TypeMeta
	ObjectMeta  `json:"metadata"`
	Provisioner string `json:"provisioner"`
	// ReclaimPolicy is "Delete" (the default) or "Retain".
	ReclaimPolicy *string `json:"reclaimPolicy,omitempty"`
	// VolumeBindingMode is "Immediate" (the default) or
	// "WaitForFirstConsumer".
	VolumeBindingMode    *string           `json:"volumeBindingMode,omitempty"`
	AllowVolumeExpansion *bool             `json:"allowVolumeExpansion,omitempty"`
	Parameters           map[string]string `json:"parameters,omitempty"`
}

// AnnotationDefaultStorageClass marks the class claims get when they name
// none.
const AnnotationDefaultStorageClass = "storageclass.kubernetes.io/is-default-class"

// SimulatedProvisioner is the provisioner of podplay's built-in class.
const SimulatedProvisioner = "podplay.dev/simulated-disk"

// GetKind implements Object.
func (s *StorageClass) GetKind() Kind { return KindStorageClass }

// DeepCopyObject implements Object.
func (s *StorageClass) DeepCopyObject() Object { return s.DeepCopy() }

// DeepCopy returns a copy of s that shares no memory with it.
func (s *StorageClass) DeepCopy() *StorageClass {
	out := *s
	out.ObjectMeta = s.ObjectMeta.DeepCopy()
	out.ReclaimPolicy = clonePtr(s.ReclaimPolicy)
	out.VolumeBindingMode = clonePtr(s.VolumeBindingMode)
	out.AllowVolumeExpansion = clonePtr(s.AllowVolumeExpansion)
	out.Parameters = cloneStringMap(s.Parameters)
	return &out
}

func (s *StorageClass) bindingMode() string {
	if s.VolumeBindingMode == nil {
		return "Immediate"
	}
	return *s.VolumeBindingMode
}

// PersistentVolume is a piece of storage in the cluster — the article's
// external drive plugged into the cluster, not into any one node.
type PersistentVolume struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       PersistentVolumeSpec   `json:"spec"`
	Status     PersistentVolumeStatus `json:"status"`
}

// PersistentVolumeSpec describes a volume.
type PersistentVolumeSpec struct {
	Capacity    ResourceList `json:"capacity"`
	AccessModes []string     `json:"accessModes"`
	// PersistentVolumeReclaimPolicy is "Retain" or "Delete".
	PersistentVolumeReclaimPolicy string `json:"persistentVolumeReclaimPolicy,omitempty"`
	StorageClassName              string `json:"storageClassName,omitempty"`
	// ClaimRef is the claim this volume is bound (or reserved) to.
	ClaimRef     *ObjectReference      `json:"claimRef,omitempty"`
	NodeAffinity *VolumeNodeAffinity   `json:"nodeAffinity,omitempty"`
	HostPath     *HostPathVolumeSource `json:"hostPath,omitempty"`
	Local        *LocalVolumeSource    `json:"local,omitempty"`
	VolumeMode   string                `json:"volumeMode,omitempty"`
}

// LocalVolumeSource is a disk of one node.
type LocalVolumeSource struct {
	Path string `json:"path"`
}

// VolumeNodeAffinity limits the nodes a volume can be used from.
type VolumeNodeAffinity struct {
	Required *NodeSelector `json:"required,omitempty"`
}

// NodeSelector is an OR of terms, each an AND of requirements on node
// labels.
type NodeSelector struct {
	NodeSelectorTerms []NodeSelectorTerm `json:"nodeSelectorTerms"`
}

// NodeSelectorTerm is an AND of requirements.
type NodeSelectorTerm struct {
	MatchExpressions []NodeSelectorRequirement `json:"matchExpressions,omitempty"`
}

// NodeSelectorRequirement is one requirement on a node label.
type NodeSelectorRequirement struct {
	Key string `json:"key"`
	// Operator is In, NotIn, Exists, DoesNotExist, Gt or Lt.
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// PersistentVolumeStatus reports a volume's phase: Available, Bound,
// Released or Failed.
type PersistentVolumeStatus struct {
	Phase   string `json:"phase,omitempty"`
	Message string `json:"message,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// GetKind implements Object.
func (v *PersistentVolume) GetKind() Kind { return KindPersistentVolume }

// DeepCopyObject implements Object.
func (v *PersistentVolume) DeepCopyObject() Object { return v.DeepCopy() }

// DeepCopy returns a copy of v that shares no memory with it.
func (v *PersistentVolume) DeepCopy() *PersistentVolume {
	out := *v
	out.ObjectMeta = v.ObjectMeta.DeepCopy()
	out.Spec.Capacity = v.Spec.Capacity.DeepCopy()
	out.Spec.AccessModes = cloneSlice(v.Spec.AccessModes)
	out.Spec.ClaimRef = clonePtr(v.Spec.ClaimRef)
	if na := v.Spec.NodeAffinity; na != nil {
		out.Spec.NodeAffinity = &VolumeNodeAffinity{}
		if na.Required != nil {
			ns := &NodeSelector{}
			for _, term := range na.Required.NodeSelectorTerms {
				t := NodeSelectorTerm{}
				for _, r := range term.MatchExpressions {
					r.Values = cloneSlice(r.Values)
					t.MatchExpressions = append(t.MatchExpressions, r)
				}
				ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, t)
			}
			out.Spec.NodeAffinity.Required = ns
		}
	}
	out.Spec.HostPath = clonePtr(v.Spec.HostPath)
	out.Spec.Local = clonePtr(v.Spec.Local)
	return &out
}

// PersistentVolumeClaim is a request for storage by a user.
type PersistentVolumeClaim struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       PersistentVolumeClaimSpec   `json:"spec"`
	Status     PersistentVolumeClaimStatus `json:"status"`
}

// PersistentVolumeClaimSpec is what a claim asks for.
type PersistentVolumeClaimSpec struct {
	AccessModes      []string                   `json:"accessModes"`
	Resources        VolumeResourceRequirements `json:"resources"`
	StorageClassName *string                    `json:"storageClassName,omitempty"`
	// VolumeName is the volume the claim is bound to (or asks for).
	VolumeName string         `json:"volumeName,omitempty"`
	Selector   *LabelSelector `json:"selector,omitempty"`
	VolumeMode string         `json:"volumeMode,omitempty"`
}

// VolumeResourceRequirements is the storage a claim requests.
type VolumeResourceRequirements struct {
	Requests ResourceList `json:"requests,omitempty"`
	Limits   ResourceList `json:"limits,omitempty"`
}

// PersistentVolumeClaimStatus reports a claim's phase (Pending, Bound,
// Lost) and, once bound, what it got.
type PersistentVolumeClaimStatus struct {
	Phase       string       `json:"phase,omitempty"`
	AccessModes []string     `json:"accessModes,omitempty"`
	Capacity    ResourceList `json:"capacity,omitempty"`
}

// GetKind implements Object.
func (c *PersistentVolumeClaim) GetKind() Kind { return KindPersistentVolumeClaim }

// DeepCopyObject implements Object.
func (c *PersistentVolumeClaim) DeepCopyObject() Object { return c.DeepCopy() }

// DeepCopy returns a copy of c that shares no memory with it.
func (c *PersistentVolumeClaim) DeepCopy() *PersistentVolumeClaim {
	out := *c
	out.ObjectMeta = c.ObjectMeta.DeepCopy()
	out.Spec.AccessModes = cloneSlice(c.Spec.AccessModes)
	out.Spec.Resources = VolumeResourceRequirements{Requests: c.Spec.Resources.Requests.DeepCopy(), Limits: c.Spec.Resources.Limits.DeepCopy()}
	out.Spec.StorageClassName = clonePtr(c.Spec.StorageClassName)
	out.Spec.Selector = c.Spec.Selector.DeepCopy()
	out.Status.AccessModes = cloneSlice(c.Status.AccessModes)
	out.Status.Capacity = c.Status.Capacity.DeepCopy()
	return &out
}

// Annotations of the volume binder.
const (
	AnnotationSelectedNode    = "volume.kubernetes.io/selected-node"
	AnnotationProvisionedBy   = "pv.kubernetes.io/provisioned-by"
	AnnotationBoundByBinder   = "pv.kubernetes.io/bound-by-controller"
	AnnotationStorageProvider = "volume.kubernetes.io/storage-provisioner"
	FinalizerPVCProtection    = "kubernetes.io/pvc-protection"
	provisionDelay            = time.Second
)
