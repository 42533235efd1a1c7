package engine

import (
	"maps"

	"k8s.io/apimachinery/pkg/api/resource"
)

// ResourceName names a compute resource, such as "cpu" or "memory".
type ResourceName string

// The resources the scheduler and kubelet account for.
const (
	ResourceCPU              ResourceName = "cpu"
	ResourceMemory           ResourceName = "memory"
	ResourcePods             ResourceName = "pods"
	ResourceEphemeralStorage ResourceName = "ephemeral-storage"
)

// ResourceList maps resource names to quantities such as "500m" or "128Mi".
type ResourceList map[ResourceName]resource.Quantity

// DeepCopy returns a copy of l.
func (l ResourceList) DeepCopy() ResourceList {
	if l == nil {
		return nil
	}
	out := make(ResourceList, len(l))
	for k, v := range l {
		out[k] = v.DeepCopy()
	}
	return out
}

// MilliCPU returns the cpu quantity in millicores (0 when absent).
func (l ResourceList) MilliCPU() int64 {
	q, ok := l[ResourceCPU]
	if !ok {
		return 0
	}
	return q.MilliValue()
}

// MemoryBytes returns the memory quantity in bytes (0 when absent).
func (l ResourceList) MemoryBytes() int64 {
	q, ok := l[ResourceMemory]
	if !ok {
		return 0
	}
	return q.Value()
}

// Count returns the quantity of name as a whole number (0 when absent).
func (l ResourceList) Count(name ResourceName) int64 {
	q, ok := l[name]
	if !ok {
		return 0
	}
	return q.Value()
}

// ResourceRequirements are a container's requests and limits.
type ResourceRequirements struct {
	Limits   ResourceList `json:"limits,omitempty"`
	Requests ResourceList `json:"requests,omitempty"`
}

// DeepCopy returns a copy of r.
func (r ResourceRequirements) DeepCopy() ResourceRequirements {
	return ResourceRequirements{Limits: r.Limits.DeepCopy(), Requests: r.Requests.DeepCopy()}
}

// effectiveRequests returns a container's requests as the API server
// defaults them: a resource with a limit but no request requests its limit.
func (r ResourceRequirements) effectiveRequests() (milliCPU, memory int64) {
	milliCPU, memory = r.Requests.MilliCPU(), r.Requests.MemoryBytes()
	if _, ok := r.Requests[ResourceCPU]; !ok {
		milliCPU = r.Limits.MilliCPU()
	}
	if _, ok := r.Requests[ResourceMemory]; !ok {
		memory = r.Limits.MemoryBytes()
	}
	return milliCPU, memory
}

// podRequests is what a pod asks of its node, computed as the scheduler does.
type podRequests struct {
	milliCPU int64
	memory   int64
}

// PodRequests returns the cpu (millicores) and memory (bytes) that the
// scheduler reserves for p. It follows Kubernetes' rule for init and sidecar
// containers: the larger of (a) the sum of the app containers and all
// sidecars, and (b) for each ordinary init container, its own request plus
// the sidecars started before it.
func PodRequests(p *Pod) (milliCPU, memory int64) {
	r := computePodRequests(&p.Spec)
	return r.milliCPU, r.memory
}

func computePodRequests(spec *PodSpec) podRequests {
	var sum podRequests
	for i := range spec.Containers {
		c, m := spec.Containers[i].Resources.effectiveRequests()
		sum.milliCPU += c
		sum.memory += m
	}
	var sidecars, initMax podRequests
	for i := range spec.InitContainers {
		ic := &spec.InitContainers[i]
		c, m := ic.Resources.effectiveRequests()
		if ic.IsSidecar() {
			sidecars.milliCPU += c
			sidecars.memory += m
			// A sidecar runs alongside every later init container.
			initMax.milliCPU = max(initMax.milliCPU, sidecars.milliCPU)
			initMax.memory = max(initMax.memory, sidecars.memory)
			continue
		}
		initMax.milliCPU = max(initMax.milliCPU, sidecars.milliCPU+c)
		initMax.memory = max(initMax.memory, sidecars.memory+m)
	}
	sum.milliCPU += sidecars.milliCPU
	sum.memory += sidecars.memory
	return podRequests{
		milliCPU: max(sum.milliCPU, initMax.milliCPU),
		memory:   max(sum.memory, initMax.memory),
	}
}

// Default requests the scheduler assumes when scoring a pod that requests
// nothing, so that such pods still spread (kube-scheduler's
// DefaultMilliCPURequest and DefaultMemoryRequest).
const (
	defaultScoringMilliCPU = 100
	defaultScoringMemory   = 200 * 1024 * 1024
)

func cloneStringMap(m map[string]string) map[string]string { return maps.Clone(m) }
