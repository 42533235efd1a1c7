package engine

import (
	"fmt"
	"slices"
	"strings"
)

// scheduler places pending pods on nodes, as kube-scheduler does: filter
// plugins rule nodes out (each with a reason in kubectl's words), score
// plugins rank the rest, and the pod is bound to the best node. A pod that
// fits nowhere gets a FailedScheduling event and waits until the cluster
// changes in a way that could help (a node added or changed, a pod gone).
type scheduler struct {
	c  *Cluster
	id int

	// slots holds the scheduler's view of each node, at a stable index;
	// the entry of a deleted node is unused (name "") until reused.
	slots []nodeInfo
	nodes map[string]int32
	// order holds the slots of the nodes sorted by name: the order the
	// scheduler walks them, starting from nextStart.
	order     []int32
	nextStart int
	freeSlots []int32
	// cordoned and tainted count the nodes that are unschedulable or carry
	// NoSchedule/NoExecute taints, so plugins can skip when there are none.
	cordoned, tainted int

	// bound holds the accounting of every pod charged to a node.
	bound  map[string]boundPod
	owners map[string]*ownerInfo
	// unschedulable holds pods that fit nowhere at their last attempt.
	unschedulable map[string]struct{}

	filters []filterPlugin
	scores  []scorePlugin
	// binding is the cycle whose pod is being bound, so that charging the
	// pod reuses the requests the cycle computed.
	binding *cycleState
	// active and candidates are scratch space reused by every cycle.
	active     []filterPlugin
	candidates []candidate
}

// nodeInfo is the scheduler's view of one node, kept in step with the
// store through observe. The fields read on every scheduling cycle come
// first.
type nodeInfo struct {
	allocMilliCPU, allocMemory, allocPods int64
	reqMilliCPU, reqMemory, pods          int64
	// nonZero* count pods that request nothing as 100m / 200Mi, for scoring.
	nonZeroMilliCPU, nonZeroMemory int64
	// cpuScale and memScale are (100<<32)/allocatable, so scoring needs a
	// multiply and a shift instead of a division.
	cpuScale, memScale int64
	unschedulable      bool
	slot               int32

	name string
	node *Node
	// taints holds the node's NoSchedule and NoExecute taints, and
	// taintReasons the scheduler's reason for each, worded once.
	taints       []Taint
	taintReasons [][]string
}

// boundPod is what one pod is charged on its node.
type boundPod struct {
	slot                           int32
	milliCPU, memory               int64
	nonZeroMilliCPU, nonZeroMemory int64
	owner                          *ownerInfo
}

// ownerInfo counts one controller's pods per node slot, for spreading.
type ownerInfo struct {
	perSlot []int32
	total   int
}

// candidate is a feasible node; pos is its place in name order, which
// breaks ties between equal scores. free and owned are read from the node
// while it is in cache, for the score plugins: free is the least-allocated
// score, owned the number of the pod's siblings already there.
type candidate struct {
	slot  int32
	pos   int32
	owned int32
	free  int64
	score int64
}

func newScheduler(c *Cluster) *scheduler {
	s := &scheduler{
		c:             c,
		nodes:         map[string]int32{},
		bound:         map[string]boundPod{},
		owners:        map[string]*ownerInfo{},
		unschedulable: map[string]struct{}{},
	}
	s.filters = []filterPlugin{nodeUnschedulable{}, taintToleration{}, nodeAffinity{}, nodeResourcesFit{}, &volumeBinding{c: c}}
	s.scores = []scorePlugin{leastAllocated{}, selectorSpread{}}
	s.id = c.register("scheduler", s, KindNode, KindPod, KindPersistentVolumeClaim, KindPersistentVolume)
	return s
}

var _ controller = (*scheduler)(nil)

// info returns the scheduler's view of the named node, or nil.
func (s *scheduler) info(name string) *nodeInfo {
	slot, ok := s.nodes[name]
	if !ok {
		return nil
	}
	return &s.slots[slot]
}

func (s *scheduler) observe(ev WatchEvent, old Object) {
	switch obj := ev.Object.(type) {
	case *Node:
		s.observeNode(ev.Type, obj, old)
	case *Pod:
		s.observePod(ev.Type, obj, ev.key)
	case *PersistentVolumeClaim, *PersistentVolume:
		// A claim bound or a volume added may let a waiting pod fit.
		s.retryUnschedulable()
	}
}

func (s *scheduler) orderIndex(name string) int {
	i, _ := slices.BinarySearchFunc(s.order, name, func(slot int32, name string) int {
		return strings.Compare(s.slots[slot].name, name)
	})
	return i
}

func (s *scheduler) observeNode(t EventType, n *Node, old Object) {
	slot, known := s.nodes[n.Name]
	if t == Deleted {
		if !known {
			return
		}
		s.count(&s.slots[slot], -1)
		delete(s.nodes, n.Name)
		s.order = slices.Delete(s.order, s.orderIndex(n.Name), s.orderIndex(n.Name)+1)
		s.slots[slot] = nodeInfo{slot: slot}
		s.freeSlots = append(s.freeSlots, slot)
		for _, o := range s.owners {
			if int(slot) < len(o.perSlot) {
				o.perSlot[slot] = 0
			}
		}
		return
	}
	if !known {
		slot = s.newSlot()
		s.nodes[n.Name] = slot
		s.slots[slot] = nodeInfo{slot: slot, name: n.Name}
		i := s.orderIndex(n.Name)
		s.order = slices.Insert(s.order, i, slot)
	} else {
		s.count(&s.slots[slot], -1)
	}
	ni := &s.slots[slot]
	ni.node = n
	ni.unschedulable = n.Spec.Unschedulable
	ni.allocMilliCPU = n.Status.Allocatable.MilliCPU()
	ni.allocMemory = n.Status.Allocatable.MemoryBytes()
	ni.allocPods = n.Status.Allocatable.Count(ResourcePods)
	ni.cpuScale, ni.memScale = scale(ni.allocMilliCPU), scale(ni.allocMemory)
	ni.taints, ni.taintReasons = nil, nil
	for _, t := range n.Spec.Taints {
		if t.Effect == TaintEffectNoSchedule || t.Effect == TaintEffectNoExecute {
			ni.taints = append(ni.taints, t)
			ni.taintReasons = append(ni.taintReasons, []string{fmt.Sprintf("node(s) had untolerated taint {%s: %s}", t.Key, t.Value)})
		}
	}
	s.count(ni, 1)
	// Only a change that could let a waiting pod fit wakes the waiting pods.
	if oldNode, _ := old.(*Node); oldNode == nil || schedulingChanged(oldNode, n) {
		s.retryUnschedulable()
	}
}

func scale(alloc int64) int64 {
	if alloc <= 0 {
		return 0
	}
	return (100 << 32) / alloc
}

// count adds d to the cordoned and tainted tallies for ni.
func (s *scheduler) count(ni *nodeInfo, d int) {
	if ni.unschedulable {
		s.cordoned += d
	}
	if len(ni.taints) > 0 {
		s.tainted += d
	}
}

func schedulingChanged(a, b *Node) bool {
	return a.Spec.Unschedulable != b.Spec.Unschedulable ||
		!slices.EqualFunc(a.Spec.Taints, b.Spec.Taints, func(x, y Taint) bool {
			return x.Key == y.Key && x.Value == y.Value && x.Effect == y.Effect
		}) ||
		!mapsEqual(a.Labels, b.Labels) ||
		a.Status.Allocatable.MilliCPU() != b.Status.Allocatable.MilliCPU() ||
		a.Status.Allocatable.MemoryBytes() != b.Status.Allocatable.MemoryBytes() ||
		a.Status.Allocatable.Count(ResourcePods) != b.Status.Allocatable.Count(ResourcePods)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func (s *scheduler) newSlot() int32 {
	if n := len(s.freeSlots); n > 0 {
		slot := s.freeSlots[n-1]
		s.freeSlots = s.freeSlots[:n-1]
		return slot
	}
	s.slots = append(s.slots, nodeInfo{})
	return int32(len(s.slots) - 1)
}

func (s *scheduler) observePod(t EventType, p *Pod, key string) {
	// A status write to a bound, running pod changes nothing here.
	if b, ok := s.bound[key]; ok && t == Modified && !p.IsTerminal() && s.slots[b.slot].name == p.Spec.NodeName {
		return
	}
	// Release whatever the pod was charged before this change.
	released := false
	if b, ok := s.bound[key]; ok {
		s.uncharge(b)
		delete(s.bound, key)
		released = true
	}
	if t == Deleted {
		delete(s.unschedulable, key)
		if released {
			s.retryUnschedulable()
		}
		return
	}
	if p.Spec.NodeName != "" {
		delete(s.unschedulable, key)
		if p.IsTerminal() {
			if released {
				s.retryUnschedulable()
			}
			return
		}
		if slot, ok := s.nodes[p.Spec.NodeName]; ok {
			s.charge(key, p, slot)
		}
		return
	}
	if p.DeletionTimestamp == nil && p.Spec.SchedulerName == "default-scheduler" {
		if _, waiting := s.unschedulable[key]; !waiting {
			s.c.enqueue(s.id, key)
		}
	}
}

func (s *scheduler) charge(key string, p *Pod, slot int32) {
	ni := &s.slots[slot]
	var b boundPod
	if st := s.binding; st != nil && st.pod.UID == p.UID {
		b = boundPod{slot: slot, milliCPU: st.milliCPU, memory: st.memory, nonZeroMilliCPU: st.nonZeroMilliCPU, nonZeroMemory: st.nonZeroMemory}
	} else {
		req := computePodRequests(&p.Spec)
		b = boundPod{slot: slot, milliCPU: req.milliCPU, memory: req.memory}
		b.nonZeroMilliCPU, b.nonZeroMemory = nonZero(req)
	}
	b.slot = slot
	if ref := p.ControllerRef(); ref != nil {
		b.owner = s.owner(ref.UID)
		b.owner.add(slot, 1)
	}
	ni.reqMilliCPU += b.milliCPU
	ni.reqMemory += b.memory
	ni.nonZeroMilliCPU += b.nonZeroMilliCPU
	ni.nonZeroMemory += b.nonZeroMemory
	ni.pods++
	s.bound[key] = b
}

func (s *scheduler) uncharge(b boundPod) {
	ni := &s.slots[b.slot]
	ni.reqMilliCPU -= b.milliCPU
	ni.reqMemory -= b.memory
	ni.nonZeroMilliCPU -= b.nonZeroMilliCPU
	ni.nonZeroMemory -= b.nonZeroMemory
	ni.pods--
	if b.owner != nil {
		b.owner.add(ni.slot, -1)
	}
}

func nonZero(r podRequests) (milliCPU, memory int64) {
	milliCPU, memory = r.milliCPU, r.memory
	if milliCPU == 0 {
		milliCPU = defaultScoringMilliCPU
	}
	if memory == 0 {
		memory = defaultScoringMemory
	}
	return milliCPU, memory
}

func (s *scheduler) owner(uid string) *ownerInfo {
	o := s.owners[uid]
	if o == nil {
		o = &ownerInfo{}
		s.owners[uid] = o
	}
	return o
}

func (o *ownerInfo) add(slot int32, n int32) {
	if int(slot) >= len(o.perSlot) {
		o.perSlot = append(o.perSlot, make([]int32, int(slot)+1-len(o.perSlot))...)
	}
	o.perSlot[slot] += n
	o.total += int(n)
}

func (o *ownerInfo) count(slot int32) int32 {
	if o == nil || int(slot) >= len(o.perSlot) {
		return 0
	}
	return o.perSlot[slot]
}

// retryUnschedulable moves every waiting pod back to the active queue, in
// a stable order, as kube-scheduler's MoveAllToActiveOrBackoffQueue does.
func (s *scheduler) retryUnschedulable() {
	if len(s.unschedulable) == 0 {
		return
	}
	for _, key := range sortedMapKeys(s.unschedulable) {
		s.c.enqueue(s.id, key)
	}
	clear(s.unschedulable)
}

// numFeasibleNodesToFind is kube-scheduler's adaptive
// percentageOfNodesToScore: every node below 100; above, 50% minus 1% per
// 125 nodes, at least 5%, and never fewer than 100 nodes.
func numFeasibleNodesToFind(numNodes int) int {
	const minFeasible, minPercentage = 100, 5
	if numNodes < minFeasible {
		return numNodes
	}
	pct := 50 - numNodes/125
	if pct < minPercentage {
		pct = minPercentage
	}
	n := numNodes * pct / 100
	if n < minFeasible {
		return minFeasible
	}
	return n
}

func (s *scheduler) reconcile(key string) {
	p := s.c.pod(key)
	if p == nil || p.Spec.NodeName != "" || p.DeletionTimestamp != nil {
		return
	}
	st := newCycleState(s, p)
	if reason := s.preFilter(st); reason != "" {
		s.fail(p, fmt.Sprintf("0/%d nodes are available: %s.", len(s.order), reason))
		return
	}
	best, msg := s.schedule(st)
	if best == nil {
		s.fail(p, msg)
		return
	}
	s.binding = st
	s.bind(p, best)
	s.binding = nil
}

func (s *scheduler) preFilter(st *cycleState) string {
	for _, f := range s.filters {
		if pf, ok := f.(preFilterPlugin); ok {
			if reason := pf.preFilter(st); reason != "" {
				return reason
			}
		}
	}
	return ""
}

// schedule runs the filters over a rotating sample of nodes and scores the
// feasible ones. It returns the best node, or nil and the FailedScheduling
// message.
func (s *scheduler) schedule(st *cycleState) (*nodeInfo, string) {
	n := len(s.order)
	if n == 0 {
		return nil, "no nodes available to schedule pods"
	}
	// The resources check runs on every node, so it is inlined; the other
	// plugins run only when they have something to check, in their order
	// (the first that fails gives the node's reason).
	before, after := s.active[:0], []filterPlugin(nil)
	seenFit := false
	for _, f := range s.filters {
		if _, ok := f.(nodeResourcesFit); ok {
			seenFit = true
			continue
		}
		if f.skip(s, st) {
			continue
		}
		if seenFit {
			after = append(after, f)
		} else {
			before = append(before, f)
		}
	}
	s.active = before
	want := numFeasibleNodesToFind(n)
	cands := s.candidates[:0]
	var failures map[string]int
	fail := func(reasons []string) {
		if failures == nil {
			failures = map[string]int{}
		}
		for _, r := range reasons {
			failures[r]++
		}
	}
	pos, processed := s.nextStart, 0
	if len(before) == 0 && len(after) == 0 {
		// The common case — only the resources check applies — in a tight
		// loop with the pod's numbers in registers; it finds the same nodes
		// as the general loop below.
		cpu, mem, nzCPU, nzMem := st.milliCPU, st.memory, st.nonZeroMilliCPU, st.nonZeroMemory
		var owned []int32
		if st.owner != nil {
			owned = st.owner.perSlot
		}
		order, slots := s.order, s.slots
		for processed < n && len(cands) < want {
			slot := order[pos]
			ni := &slots[slot]
			at := int32(pos)
			processed++
			if pos++; pos == n {
				pos = 0
			}
			if ni.pods >= ni.allocPods || cpu != 0 && ni.reqMilliCPU+cpu > ni.allocMilliCPU || mem != 0 && ni.reqMemory+mem > ni.allocMemory {
				fail(nodeResourcesFit{}.filter(st, ni))
				continue
			}
			c := candidate{slot: slot, pos: at,
				free: (freeScore(ni.allocMilliCPU, ni.nonZeroMilliCPU+nzCPU, ni.cpuScale) + freeScore(ni.allocMemory, ni.nonZeroMemory+nzMem, ni.memScale)) / 2}
			if int(slot) < len(owned) {
				c.owned = owned[slot]
			}
			cands = append(cands, c)
		}
	}
nodes:
	for processed < n && len(cands) < want {
		slot := s.order[pos]
		ni := &s.slots[slot]
		at := int32(pos)
		processed++
		if pos++; pos == n {
			pos = 0
		}
		for _, f := range before {
			if reasons := f.filter(st, ni); len(reasons) > 0 {
				fail(reasons)
				continue nodes
			}
		}
		if !ni.fits(st) {
			fail(nodeResourcesFit{}.filter(st, ni))
			continue
		}
		for _, f := range after {
			if reasons := f.filter(st, ni); len(reasons) > 0 {
				fail(reasons)
				continue nodes
			}
		}
		cands = append(cands, st.candidate(ni, slot, at))
	}
	s.nextStart = pos
	s.candidates = cands
	if len(cands) == 0 {
		return nil, fitErrorMessage(n, failures)
	}
	for _, sp := range s.scores {
		sp.score(s, st, cands)
	}
	best := 0
	for i := 1; i < len(cands); i++ {
		if cands[i].score > cands[best].score || cands[i].score == cands[best].score && cands[i].pos < cands[best].pos {
			best = i
		}
	}
	return &s.slots[cands[best].slot], ""
}

// candidate reads what the score plugins need from a feasible node while
// it is in cache.
func (st *cycleState) candidate(ni *nodeInfo, slot, pos int32) candidate {
	return candidate{slot: slot, pos: pos, owned: st.owner.count(slot),
		free: (freeScore(ni.allocMilliCPU, ni.nonZeroMilliCPU+st.nonZeroMilliCPU, ni.cpuScale) +
			freeScore(ni.allocMemory, ni.nonZeroMemory+st.nonZeroMemory, ni.memScale)) / 2}
}

// fitErrorMessage words a scheduling failure as kube-scheduler's FitError:
// reasons counted, sorted, and joined.
func fitErrorMessage(numNodes int, failures map[string]int) string {
	parts := make([]string, 0, len(failures))
	for reason, count := range failures {
		parts = append(parts, fmt.Sprintf("%d %s", count, reason))
	}
	slices.Sort(parts)
	return fmt.Sprintf("0/%d nodes are available: %s.", numNodes, strings.Join(parts, ", "))
}

func (s *scheduler) fail(p *Pod, msg string) {
	s.unschedulable[p.Key()] = struct{}{}
	s.c.event(p, EventTypeWarning, "FailedScheduling", sourceScheduler, "%s", msg)
	np := p.withStatus()
	if setPodCondition(&np.Status, PodCondition{
		Type: PodScheduled, Status: ConditionFalse, LastTransitionTime: s.c.clock.now,
		Reason: podConditionReasonUnsched, Message: msg,
	}) {
		s.mustUpdate(np)
	}
}

func (s *scheduler) bind(p *Pod, ni *nodeInfo) {
	np := p.withStatus()
	np.Spec.NodeName = ni.name
	setPodCondition(&np.Status, PodCondition{Type: PodScheduled, Status: ConditionTrue, LastTransitionTime: s.c.clock.now})
	s.mustUpdate(np)
	s.c.eventMsg(np, "", EventTypeNormal, "Scheduled", sourceScheduler, "Successfully assigned "+np.Namespace+"/"+np.Name+" to "+ni.name)
}

func (s *scheduler) mustUpdate(p *Pod) {
	if err := s.c.updateObject(p); err != nil {
		panic(fmt.Sprintf("engine: scheduler updating pod %s: %v", p.Key(), err))
	}
}
