package engine

import (
	"maps"
	"time"
)

// Pod is the smallest thing the cluster runs: one or more containers that
// share a network identity and volumes, placed together on one node.
type Pod struct {
	TypeMeta
	ObjectMeta `json:"metadata"`
	Spec       PodSpec   `json:"spec"`
	Status     PodStatus `json:"status"`
}

// RestartPolicy says when the kubelet restarts a pod's exited containers.
type RestartPolicy string

// The restart policies.
const (
	RestartPolicyAlways    RestartPolicy = "Always"
	RestartPolicyOnFailure RestartPolicy = "OnFailure"
	RestartPolicyNever     RestartPolicy = "Never"
)

// PodSpec is the desired state of a pod.
type PodSpec struct {
	Volumes        []Volume      `json:"volumes,omitempty"`
	InitContainers []Container   `json:"initContainers,omitempty"`
	Containers     []Container   `json:"containers"`
	RestartPolicy  RestartPolicy `json:"restartPolicy,omitempty"`
	// TerminationGracePeriodSeconds is how long a deleted pod's containers
	// get between SIGTERM and SIGKILL; nil means 30.
	TerminationGracePeriodSeconds *int64            `json:"terminationGracePeriodSeconds,omitempty"`
	NodeSelector                  map[string]string `json:"nodeSelector,omitempty"`
	// NodeName is set by the scheduler when it binds the pod; a pod created
	// with NodeName set skips the scheduler.
	NodeName      string       `json:"nodeName,omitempty"`
	Tolerations   []Toleration `json:"tolerations,omitempty"`
	SchedulerName string       `json:"schedulerName,omitempty"`
	Hostname      string       `json:"hostname,omitempty"`
}

// Container is one program in a pod.
type Container struct {
	Name            string               `json:"name"`
	Image           string               `json:"image"`
	Command         []string             `json:"command,omitempty"`
	Args            []string             `json:"args,omitempty"`
	WorkingDir      string               `json:"workingDir,omitempty"`
	Ports           []ContainerPort      `json:"ports,omitempty"`
	Env             []EnvVar             `json:"env,omitempty"`
	Resources       ResourceRequirements `json:"resources"`
	VolumeMounts    []VolumeMount        `json:"volumeMounts,omitempty"`
	ImagePullPolicy string               `json:"imagePullPolicy,omitempty"`
	// RestartPolicy, on an init container, may be "Always": that makes it a
	// native sidecar, started before the app containers and kept running
	// beside them.
	RestartPolicy *string `json:"restartPolicy,omitempty"`
}

// IsSidecar reports whether an init container is a native sidecar.
func (c *Container) IsSidecar() bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == string(RestartPolicyAlways)
}

// ContainerPort is a port a container listens on.
type ContainerPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty"`
}

// EnvVar is an environment variable set in a container.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// VolumeMount mounts a pod volume into a container.
type VolumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
	SubPath   string `json:"subPath,omitempty"`
}

// Volume is storage a pod's containers can mount.
type Volume struct {
	Name         string `json:"name"`
	VolumeSource `json:",inline"`
}

// VolumeSource says where a volume's data lives. Exactly one field is set.
type VolumeSource struct {
	EmptyDir              *EmptyDirVolumeSource              `json:"emptyDir,omitempty"`
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
	HostPath              *HostPathVolumeSource              `json:"hostPath,omitempty"`
}

// EmptyDirVolumeSource is scratch space that lives as long as the pod.
type EmptyDirVolumeSource struct {
	Medium    string `json:"medium,omitempty"`
	SizeLimit string `json:"sizeLimit,omitempty"`
}

// PersistentVolumeClaimVolumeSource mounts the volume bound to a claim.
type PersistentVolumeClaimVolumeSource struct {
	ClaimName string `json:"claimName"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}

// HostPathVolumeSource mounts a directory of the node itself.
type HostPathVolumeSource struct {
	Path string `json:"path"`
	Type string `json:"type,omitempty"`
}

// Toleration lets a pod be placed on, or stay on, a node with a matching
// taint.
type Toleration struct {
	Key string `json:"key,omitempty"`
	// Operator is "Equal" (the default) or "Exists".
	Operator string      `json:"operator,omitempty"`
	Value    string      `json:"value,omitempty"`
	Effect   TaintEffect `json:"effect,omitempty"`
	// TolerationSeconds, for NoExecute, bounds how long the pod stays after
	// the taint appears; nil means forever.
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}

// ToleratesTaint reports whether the toleration matches taint t.
func (tol *Toleration) ToleratesTaint(t *Taint) bool {
	if tol.Effect != "" && tol.Effect != t.Effect {
		return false
	}
	if tol.Key != "" && tol.Key != t.Key {
		return false
	}
	switch tol.Operator {
	case "Exists":
		return true
	case "", "Equal":
		return tol.Key != "" && tol.Value == t.Value
	}
	return false
}

// PodPhase is the coarse lifecycle stage of a pod.
type PodPhase string

// The pod phases.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
	PodUnknown   PodPhase = "Unknown"
)

// PodConditionType names a pod condition.
type PodConditionType string

// The pod conditions.
const (
	PodScheduled               PodConditionType = "PodScheduled"
	PodReadyToStartContainers  PodConditionType = "PodReadyToStartContainers"
	PodInitialized             PodConditionType = "Initialized"
	PodContainersReady         PodConditionType = "ContainersReady"
	PodReady                   PodConditionType = "Ready"
	PodDisruptionTarget        PodConditionType = "DisruptionTarget"
	podConditionReasonUnsched  string           = "Unschedulable"
	podReasonContainersNotRdy  string           = "ContainersNotReady"
	podReasonContainersNotInit string           = "ContainersNotInitialized"
)

// PodStatus is what the scheduler and the kubelet report about a pod.
type PodStatus struct {
	Phase                 PodPhase          `json:"phase,omitempty"`
	Conditions            []PodCondition    `json:"conditions,omitempty"`
	Message               string            `json:"message,omitempty"`
	Reason                string            `json:"reason,omitempty"`
	HostIP                string            `json:"hostIP,omitempty"`
	PodIP                 string            `json:"podIP,omitempty"`
	StartTime             *time.Time        `json:"startTime,omitempty"`
	InitContainerStatuses []ContainerStatus `json:"initContainerStatuses,omitempty"`
	ContainerStatuses     []ContainerStatus `json:"containerStatuses,omitempty"`
	QOSClass              string            `json:"qosClass,omitempty"`
}

// PodCondition is one observation about a pod.
type PodCondition struct {
	Type               PodConditionType `json:"type"`
	Status             ConditionStatus  `json:"status"`
	LastTransitionTime time.Time        `json:"lastTransitionTime"`
	Reason             string           `json:"reason,omitempty"`
	Message            string           `json:"message,omitempty"`
}

// ContainerStatus is the kubelet's report on one container.
type ContainerStatus struct {
	Name                 string         `json:"name"`
	State                ContainerState `json:"state"`
	LastTerminationState ContainerState `json:"lastState"`
	Ready                bool           `json:"ready"`
	RestartCount         int32          `json:"restartCount"`
	Image                string         `json:"image"`
	ImageID              string         `json:"imageID"`
	ContainerID          string         `json:"containerID,omitempty"`
	Started              *bool          `json:"started,omitempty"`
}

// ContainerState holds exactly one of its fields, or none.
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `json:"waiting,omitempty"`
	Running    *ContainerStateRunning    `json:"running,omitempty"`
	Terminated *ContainerStateTerminated `json:"terminated,omitempty"`
}

// ContainerStateWaiting is a container not yet (or not again) running.
type ContainerStateWaiting struct {
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// ContainerStateRunning is a running container.
type ContainerStateRunning struct {
	StartedAt time.Time `json:"startedAt"`
}

// ContainerStateTerminated is a container that has exited.
type ContainerStateTerminated struct {
	ExitCode    int32     `json:"exitCode"`
	Reason      string    `json:"reason,omitempty"`
	Message     string    `json:"message,omitempty"`
	StartedAt   time.Time `json:"startedAt"`
	FinishedAt  time.Time `json:"finishedAt"`
	ContainerID string    `json:"containerID,omitempty"`
}

// GetKind implements Object.
func (p *Pod) GetKind() Kind { return KindPod }

// DeepCopyObject implements Object.
func (p *Pod) DeepCopyObject() Object { return p.DeepCopy() }

// DeepCopy returns a copy of p that shares no memory with it.
func (p *Pod) DeepCopy() *Pod {
	out := *p
	out.ObjectMeta = p.ObjectMeta.DeepCopy()
	out.Spec = p.Spec.DeepCopy()
	out.Status = p.Status.DeepCopy()
	return &out
}

// DeepCopy returns a copy of s that shares no memory with it.
func (s PodSpec) DeepCopy() PodSpec {
	out := s
	if s.Volumes != nil {
		out.Volumes = make([]Volume, len(s.Volumes))
		for i, v := range s.Volumes {
			v.EmptyDir = clonePtr(v.EmptyDir)
			v.PersistentVolumeClaim = clonePtr(v.PersistentVolumeClaim)
			v.HostPath = clonePtr(v.HostPath)
			out.Volumes[i] = v
		}
	}
	out.InitContainers = copyContainers(s.InitContainers)
	out.Containers = copyContainers(s.Containers)
	out.TerminationGracePeriodSeconds = clonePtr(s.TerminationGracePeriodSeconds)
	out.NodeSelector = maps.Clone(s.NodeSelector)
	if s.Tolerations != nil {
		out.Tolerations = make([]Toleration, len(s.Tolerations))
		for i, t := range s.Tolerations {
			t.TolerationSeconds = clonePtr(t.TolerationSeconds)
			out.Tolerations[i] = t
		}
	}
	return out
}

func copyContainers(cs []Container) []Container {
	if cs == nil {
		return nil
	}
	out := make([]Container, len(cs))
	for i := range cs {
		out[i] = cs[i].DeepCopy()
	}
	return out
}

// DeepCopy returns a copy of c that shares no memory with it.
func (c Container) DeepCopy() Container {
	out := c
	out.Command = cloneSlice(c.Command)
	out.Args = cloneSlice(c.Args)
	out.Ports = cloneSlice(c.Ports)
	out.Env = cloneSlice(c.Env)
	out.Resources = c.Resources.DeepCopy()
	out.VolumeMounts = cloneSlice(c.VolumeMounts)
	out.RestartPolicy = clonePtr(c.RestartPolicy)
	return out
}

// DeepCopy returns a copy of s that shares no memory with it.
func (s PodStatus) DeepCopy() PodStatus {
	out := s
	out.Conditions = cloneSlice(s.Conditions)
	out.StartTime = clonePtr(s.StartTime)
	out.InitContainerStatuses = copyContainerStatuses(s.InitContainerStatuses)
	out.ContainerStatuses = copyContainerStatuses(s.ContainerStatuses)
	return out
}

func copyContainerStatuses(ss []ContainerStatus) []ContainerStatus {
	if ss == nil {
		return nil
	}
	out := make([]ContainerStatus, len(ss))
	for i, s := range ss {
		s.State = s.State.DeepCopy()
		s.LastTerminationState = s.LastTerminationState.DeepCopy()
		s.Started = clonePtr(s.Started)
		out[i] = s
	}
	return out
}

// DeepCopy returns a copy of s that shares no memory with it.
func (s ContainerState) DeepCopy() ContainerState {
	return ContainerState{
		Waiting:    clonePtr(s.Waiting),
		Running:    clonePtr(s.Running),
		Terminated: clonePtr(s.Terminated),
	}
}

// shallowCopy returns a copy of the pod that shares everything with it,
// for a writer that replaces fields (never writes into shared maps or
// slices). Stored pods are immutable, so this is all a metadata change
// needs.
func (p *Pod) shallowCopy() *Pod {
	np := *p
	return &np
}

// withStatus returns a new version of p for a controller to change: it
// shares p's metadata maps and spec, which the caller may replace but must
// not modify in place, and carries its own copy of the conditions and
// container statuses. Stored objects are immutable, so sharing is safe and
// saves copying the spec on every status write.
func (p *Pod) withStatus() *Pod {
	np := *p
	np.Status.Conditions = cloneSlice(p.Status.Conditions)
	np.Status.InitContainerStatuses = cloneSlice(p.Status.InitContainerStatuses)
	np.Status.ContainerStatuses = cloneSlice(p.Status.ContainerStatuses)
	return &np
}

// Condition returns the pod condition of type t, or nil.
func (p *Pod) Condition(t PodConditionType) *PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// IsReady reports whether the pod's Ready condition is True.
func (p *Pod) IsReady() bool {
	c := p.Condition(PodReady)
	return c != nil && c.Status == ConditionTrue
}

// IsTerminal reports whether the pod has finished for good.
func (p *Pod) IsTerminal() bool {
	return p.Status.Phase == PodSucceeded || p.Status.Phase == PodFailed
}

// GracePeriodSeconds returns the pod's termination grace period.
func (p *Pod) GracePeriodSeconds() int64 {
	if p.Spec.TerminationGracePeriodSeconds != nil {
		return *p.Spec.TerminationGracePeriodSeconds
	}
	return 30
}

// setPodCondition sets or replaces a condition on status, keeping its
// transition time when the status does not change. It reports whether
// anything changed.
func setPodCondition(s *PodStatus, c PodCondition) bool {
	for i := range s.Conditions {
		old := &s.Conditions[i]
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message {
			return false
		}
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
		*old = c
		return true
	}
	s.Conditions = append(s.Conditions, c)
	return true
}
