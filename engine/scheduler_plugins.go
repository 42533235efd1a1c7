package engine

import "fmt"

// The scheduler's filter plugins, after kube-scheduler's framework: a
// filter plugin rules a node out with reasons worded as kubectl shows them;
// a pre-filter checks what is about the pod alone. Scoring is
// scheduler.best.

type filterPlugin interface {
	// skip reports, once per scheduling cycle, that the plugin has nothing
	// to check for this pod (kube-scheduler's PreFilter "Skip" status).
	skip(s *scheduler, st *cycleState) bool
	filter(st *cycleState, ni *nodeInfo) []string
}

type preFilterPlugin interface {
	// preFilter returns a reason when the pod cannot be placed on any node.
	preFilter(st *cycleState) string
}

var (
	_ filterPlugin    = nodeUnschedulable{}
	_ filterPlugin    = taintToleration{}
	_ filterPlugin    = nodeAffinity{}
	_ filterPlugin    = nodeResourcesFit{}
	_ filterPlugin    = (*volumeBinding)(nil)
	_ preFilterPlugin = (*volumeBinding)(nil)
)

// cycleState is what one scheduling attempt knows about its pod.
type cycleState struct {
	pod                            *Pod
	milliCPU, memory               int64
	nonZeroMilliCPU, nonZeroMemory int64
	owner                          *ownerInfo
	toleratesUnschedulable         bool
	// slot is the node chosen, while the pod is bound.
	slot int32
}

// newCycleState starts a scheduling cycle for p in the scheduler's scratch
// cycle state.
func (s *scheduler) newCycleState(p *Pod) *cycleState {
	req := computePodRequests(&p.Spec)
	st := &s.cycle
	*st = cycleState{pod: p, milliCPU: req.milliCPU, memory: req.memory}
	st.nonZeroMilliCPU, st.nonZeroMemory = nonZero(req)
	if ref := p.ControllerRef(); ref != nil {
		st.owner = s.owners[ref.UID]
	}
	unsched := Taint{Key: TaintNodeUnschedulable, Effect: TaintEffectNoSchedule}
	for i := range p.Spec.Tolerations {
		if p.Spec.Tolerations[i].ToleratesTaint(&unsched) {
			st.toleratesUnschedulable = true
		}
	}
	return st
}

// ownerOf returns the cycle's owner counts if p is the cycle's pod.
func (st *cycleState) ownerOf(p *Pod) *ownerInfo {
	if st != nil && st.pod.UID == p.UID {
		return st.owner
	}
	return nil
}

// Reasons, worded as kube-scheduler's plugins word them.
var (
	reasonUnschedulable = []string{"node(s) were unschedulable"}
	reasonSelector      = []string{"node(s) didn't match Pod's node affinity/selector"}
	reasonTooManyPods   = "Too many pods"
	reasonCPU           = "Insufficient cpu"
	reasonMemory        = "Insufficient memory"
)

// nodeUnschedulable rules out cordoned nodes.
type nodeUnschedulable struct{}

func (nodeUnschedulable) skip(s *scheduler, st *cycleState) bool {
	return s.cordoned == 0 || st.toleratesUnschedulable
}

func (nodeUnschedulable) filter(st *cycleState, ni *nodeInfo) []string {
	if ni.unschedulable {
		return reasonUnschedulable
	}
	return nil
}

// taintToleration rules out nodes with a NoSchedule or NoExecute taint the
// pod does not tolerate — which is how NotReady and unreachable nodes are
// kept free of new pods.
type taintToleration struct{}

func (taintToleration) skip(s *scheduler, _ *cycleState) bool { return s.tainted == 0 }

func (taintToleration) filter(st *cycleState, ni *nodeInfo) []string {
	for i := range ni.taints {
		t := &ni.taints[i]
		tolerated := false
		for j := range st.pod.Spec.Tolerations {
			if st.pod.Spec.Tolerations[j].ToleratesTaint(t) {
				tolerated = true
				break
			}
		}
		if !tolerated {
			return ni.taintReasons[i]
		}
	}
	return nil
}

// nodeAffinity rules out nodes whose labels do not match the nodeSelector.
type nodeAffinity struct{}

func (nodeAffinity) skip(_ *scheduler, st *cycleState) bool {
	return len(st.pod.Spec.NodeSelector) == 0
}

func (nodeAffinity) filter(st *cycleState, ni *nodeInfo) []string {
	for k, v := range st.pod.Spec.NodeSelector {
		if w, ok := ni.node.Labels[k]; !ok || w != v {
			return reasonSelector
		}
	}
	return nil
}

// nodeResourcesFit rules out nodes without room for the pod's requests.
// The scheduler memoises its check per node (memoized) and asks it for reasons
// only when a node does not fit.
type nodeResourcesFit struct{}

func (nodeResourcesFit) skip(*scheduler, *cycleState) bool { return false }

func (nodeResourcesFit) filter(st *cycleState, ni *nodeInfo) []string {
	tooMany := ni.pods+1 > ni.allocPods
	cpu := st.milliCPU > 0 && ni.reqMilliCPU+st.milliCPU > ni.allocMilliCPU
	mem := st.memory > 0 && ni.reqMemory+st.memory > ni.allocMemory
	if !tooMany && !cpu && !mem {
		return nil
	}
	var reasons []string
	if tooMany {
		reasons = append(reasons, reasonTooManyPods)
	}
	if cpu {
		reasons = append(reasons, reasonCPU)
	}
	if mem {
		reasons = append(reasons, reasonMemory)
	}
	return reasons
}

// VolumeScheduler is the hook through which the volume binder takes part in
// scheduling: PreFilter for the pod's claims as a whole (for example
// `pod has unbound immediate PersistentVolumeClaims`), Filter for what a
// volume's node affinity allows.
type VolumeScheduler interface {
	PreFilter(p *Pod) string
	Filter(p *Pod, n *Node) []string
}

// volumeBinding asks the volume binder, when one is installed, whether the
// pod's claims allow it to run on a node.
type volumeBinding struct{ c *Cluster }

func (v *volumeBinding) preFilter(st *cycleState) string {
	if v.c.volumeScheduler != nil {
		return v.c.volumeScheduler.PreFilter(st.pod)
	}
	for _, vol := range st.pod.Spec.Volumes {
		if vol.PersistentVolumeClaim != nil {
			return fmt.Sprintf("persistentvolumeclaim %q not found", vol.PersistentVolumeClaim.ClaimName)
		}
	}
	return ""
}

func (v *volumeBinding) skip(_ *scheduler, st *cycleState) bool {
	return v.c.volumeScheduler == nil || len(st.pod.Spec.Volumes) == 0
}

func (v *volumeBinding) filter(st *cycleState, ni *nodeInfo) []string {
	return v.c.volumeScheduler.Filter(st.pod, ni.node)
}

// roomScore is 0–100: the share of a node's capacity left once the pod is
// placed, given room = capacity - requested and scale = (100<<32)/capacity.
func roomScore(room, scale int64) int64 {
	if room <= 0 {
		return 0
	}
	return room * scale >> 32
}
