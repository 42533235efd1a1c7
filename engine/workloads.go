package engine

import (
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// PodTemplateSpec is the pod a workload makes copies of.
type PodTemplateSpec struct {
	ObjectMeta `json:"metadata"`
	Spec       PodSpec `json:"spec"`
}

// DeepCopy returns a copy of t that shares no memory with it.
func (t PodTemplateSpec) DeepCopy() PodTemplateSpec {
	return PodTemplateSpec{ObjectMeta: t.ObjectMeta.DeepCopy(), Spec: t.Spec.DeepCopy()}
}

// ReplicaSet keeps a number of identical pods running.
type ReplicaSet struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       ReplicaSetSpec   `json:"spec"`
	Status     ReplicaSetStatus `json:"status"`
}

// ReplicaSetSpec is the desired state of a ReplicaSet.
type ReplicaSetSpec struct {
	// Replicas is the desired number of pods (1 if nil).
	Replicas *int32 `json:"replicas,omitempty"`
	// MinReadySeconds is how long a pod must be ready to count as available.
	MinReadySeconds int32           `json:"minReadySeconds,omitempty"`
	Selector        *LabelSelector  `json:"selector"`
	Template        PodTemplateSpec `json:"template"`
}

// ReplicaSetStatus is what the ReplicaSet controller last observed.
type ReplicaSetStatus struct {
	Replicas             int32 `json:"replicas"`
	FullyLabeledReplicas int32 `json:"fullyLabeledReplicas,omitempty"`
	ReadyReplicas        int32 `json:"readyReplicas,omitempty"`
	AvailableReplicas    int32 `json:"availableReplicas,omitempty"`
	ObservedGeneration   int64 `json:"observedGeneration,omitempty"`
	// Conditions holds ReplicaFailure when pods cannot be created.
	Conditions []WorkloadCondition `json:"conditions,omitempty"`
}

// WorkloadCondition is a condition of a ReplicaSet or Deployment.
type WorkloadCondition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	LastUpdateTime     time.Time       `json:"lastUpdateTime,omitzero"`
	LastTransitionTime time.Time       `json:"lastTransitionTime"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
}

// GetKind implements Object.
func (r *ReplicaSet) GetKind() Kind { return KindReplicaSet }

// DeepCopyObject implements Object.
func (r *ReplicaSet) DeepCopyObject() Object { return r.DeepCopy() }

// DeepCopy returns a copy of r that shares no memory with it.
func (r *ReplicaSet) DeepCopy() *ReplicaSet {
	out := *r
	out.ObjectMeta = r.ObjectMeta.DeepCopy()
	out.Spec.Replicas = clonePtr(r.Spec.Replicas)
	out.Spec.Selector = r.Spec.Selector.DeepCopy()
	out.Spec.Template = r.Spec.Template.DeepCopy()
	out.Status.Conditions = cloneSlice(r.Status.Conditions)
	return &out
}

// DesiredReplicas returns spec.replicas, defaulting to 1.
func (r *ReplicaSet) DesiredReplicas() int32 { return replicasOr1(r.Spec.Replicas) }

func replicasOr1(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// Deployment declares a desired state for pods and ReplicaSets, and rolls
// out changes to it.
type Deployment struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       DeploymentSpec   `json:"spec"`
	Status     DeploymentStatus `json:"status"`
}

// DeploymentSpec is the desired state of a Deployment.
type DeploymentSpec struct {
	// Replicas is the desired number of pods (1 if nil).
	Replicas        *int32             `json:"replicas,omitempty"`
	Selector        *LabelSelector     `json:"selector"`
	Template        PodTemplateSpec    `json:"template"`
	Strategy        DeploymentStrategy `json:"strategy"`
	MinReadySeconds int32              `json:"minReadySeconds,omitempty"`
	// RevisionHistoryLimit is how many old ReplicaSets to keep (10 if nil).
	RevisionHistoryLimit *int32 `json:"revisionHistoryLimit,omitempty"`
	Paused               bool   `json:"paused,omitempty"`
	// ProgressDeadlineSeconds is how long a rollout may make no progress
	// before it is reported as failed (600 if nil).
	ProgressDeadlineSeconds *int32 `json:"progressDeadlineSeconds,omitempty"`
}

// DeploymentStrategy is how a Deployment replaces old pods with new ones.
type DeploymentStrategy struct {
	// Type is "RollingUpdate" (the default) or "Recreate".
	Type          string                   `json:"type,omitempty"`
	RollingUpdate *RollingUpdateDeployment `json:"rollingUpdate,omitempty"`
}

// RollingUpdateDeployment bounds a rolling update: how many pods may be
// unavailable, and how many extra may exist, during it (25% each if nil).
type RollingUpdateDeployment struct {
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
	MaxSurge       *intstr.IntOrString `json:"maxSurge,omitempty"`
}

// DeploymentStatus is what the Deployment controller last observed.
type DeploymentStatus struct {
	ObservedGeneration  int64               `json:"observedGeneration,omitempty"`
	Replicas            int32               `json:"replicas,omitempty"`
	UpdatedReplicas     int32               `json:"updatedReplicas,omitempty"`
	ReadyReplicas       int32               `json:"readyReplicas,omitempty"`
	AvailableReplicas   int32               `json:"availableReplicas,omitempty"`
	UnavailableReplicas int32               `json:"unavailableReplicas,omitempty"`
	Conditions          []WorkloadCondition `json:"conditions,omitempty"`
	CollisionCount      *int32              `json:"collisionCount,omitempty"`
}

// GetKind implements Object.
func (d *Deployment) GetKind() Kind { return KindDeployment }

// DeepCopyObject implements Object.
func (d *Deployment) DeepCopyObject() Object { return d.DeepCopy() }

// DeepCopy returns a copy of d that shares no memory with it.
func (d *Deployment) DeepCopy() *Deployment {
	out := *d
	out.ObjectMeta = d.ObjectMeta.DeepCopy()
	out.Spec.Replicas = clonePtr(d.Spec.Replicas)
	out.Spec.Selector = d.Spec.Selector.DeepCopy()
	out.Spec.Template = d.Spec.Template.DeepCopy()
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		out.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxUnavailable: clonePtr(ru.MaxUnavailable), MaxSurge: clonePtr(ru.MaxSurge)}
	}
	out.Spec.RevisionHistoryLimit = clonePtr(d.Spec.RevisionHistoryLimit)
	out.Spec.ProgressDeadlineSeconds = clonePtr(d.Spec.ProgressDeadlineSeconds)
	out.Status.Conditions = cloneSlice(d.Status.Conditions)
	out.Status.CollisionCount = clonePtr(d.Status.CollisionCount)
	return &out
}

// DesiredReplicas returns spec.replicas, defaulting to 1.
func (d *Deployment) DesiredReplicas() int32 { return replicasOr1(d.Spec.Replicas) }

// Condition returns the condition of type t, or nil.
func (d *Deployment) Condition(t string) *WorkloadCondition {
	return workloadCondition(d.Status.Conditions, t)
}

func workloadCondition(cs []WorkloadCondition, t string) *WorkloadCondition {
	for i := range cs {
		if cs[i].Type == t {
			return &cs[i]
		}
	}
	return nil
}

// Annotations the Deployment controller keeps on its ReplicaSets.
const (
	AnnotationRevision         = "deployment.kubernetes.io/revision"
	AnnotationDesiredReplicas  = "deployment.kubernetes.io/desired-replicas"
	AnnotationMaxReplicas      = "deployment.kubernetes.io/max-replicas"
	AnnotationChangeCause      = "kubernetes.io/change-cause"
	LabelPodTemplateHash       = "pod-template-hash"
	defaultRevisionHistory     = 10
	defaultProgressDeadlineSec = 600
)
