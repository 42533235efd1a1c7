package engine

import (
	"fmt"
	"slices"
	"strings"
)

// scheduler places pending pods on nodes, as kube-scheduler does: filter
// plugins rule nodes out (each with a reason in kubectl's words), scores
// rank the rest (picker), and the pod is bound to the best node. A pod that
// fits nowhere gets a FailedScheduling event and waits until the cluster
// changes in a way that could help (a node added or changed, a pod gone).
//
// It keeps its own books of what each node runs (nodeInfo), kept in step
// with the store by observe under one invariant (chargedSlot), and samples
// nodes as kube-scheduler's percentageOfNodesToScore does, so that a
// cycle's cost stays flat as the cluster grows.
type scheduler struct {
	c  *Cluster
	id int

	// slots holds the scheduler's view of each node, at a stable index;
	// the entry of a deleted node is unused (name "") until reused.
	slots []nodeInfo
	// fit holds, at the same index, the numbers the resources check and
	// the least-allocated score read, packed together.
	fit []nodeFit
	// memo holds, at the same index, what the scan found on the node for
	// the pod shape it last scanned with (shape): the shape's epoch in the
	// high 32 bits, and the least-allocated score plus one in the low (0:
	// the pod does not fit). refit clears it. Pods of one workload share a
	// shape and a binding changes one node, so the scan mostly reads these
	// words, eight nodes to a cache line.
	memo  []uint64
	nodes map[string]int32
	// order holds the slots of the nodes sorted by name: the order the
	// scheduler walks them, starting from nextStart.
	order     []int32
	nextStart int
	freeSlots []int32
	// cordoned and tainted count the nodes that are unschedulable or carry
	// NoSchedule/NoExecute taints, so plugins can skip when there are none.
	cordoned, tainted int

	// owners holds, by controller uid, how many of its pods each node
	// runs, for spreading.
	owners map[string]*ownerInfo
	// unschedulable holds pods that fit nowhere at their last attempt.
	unschedulable map[string]struct{}

	filters []filterPlugin
	// binding is the cycle whose pod is being bound, so that charging the
	// pod reuses the requests the cycle computed.
	binding *cycleState
	// shape is the pod shape the scan's memos are for, and shapeEpoch its
	// number (memo).
	shape      podFit
	shapeEpoch uint32
	// scheduled is the PodScheduled condition list of the pods bound at
	// the current instant (statuses are immutable, so they share it; its
	// capacity is its length, so an append copies).
	scheduled []PodCondition
	// cycle, active and picks are scratch space reused by every cycle.
	cycle  cycleState
	active []filterPlugin
	picks  picker
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

// nodeFit is what is left on a node, kept in step with its nodeInfo by
// refit: room for requests (allocatable minus requested) and for the
// least-allocated score (allocatable minus the non-zero requests).
type nodeFit struct {
	freeMilliCPU, freeMemory     int64
	nzFreeMilliCPU, nzFreeMemory int64
	cpuScale, memScale           int64
	freePods                     int64
}

// ownerInfo counts one controller's pods per node slot, for spreading.
type ownerInfo struct {
	uid string
	// perSlot holds the count per node slot in a byte, as a workload
	// rarely runs more than a few pods on one node and thousands of
	// workloads times thousands of nodes add up; a count of manyOwned or
	// more reads manyOwned there and is kept in many.
	perSlot []uint8
	many    map[int32]int32
	total   int
}

const manyOwned = 255

// picker finds the best feasible node while the filters run, without
// keeping a list of the feasible ones. A node's score is the sum of
// kube-scheduler's two default scores that matter here:
//   - NodeResourcesFit's LeastAllocated (weight 1): 0–100 for the share of
//     cpu and memory left free, equally weighted;
//   - spreading (weight 2, as PodTopologySpread's default): 0–100 for how
//     few of the pod's siblings the node runs compared with the feasible
//     node that runs most.
//
// The spreading score depends on the whole sample, but for nodes running
// the same number of siblings it is the same, so the best of those is the
// one with the most room. The picker keeps that node for each sibling
// count seen (ties to the node first in name order) and compares just
// those at the end: the same node a list of every candidate would give.
type picker struct {
	// best[o] is the best node running o siblings; free < 0 when none.
	best  []pick
	most  int32 // the most siblings on a feasible node
	found int   // feasible nodes seen
}

type pick struct {
	free      int64
	pos, slot int32
}

// reset readies the picker for a new cycle.
func (pk *picker) reset() {
	for i := range pk.best[:min(int(pk.most)+1, len(pk.best))] {
		pk.best[i].free = -1
	}
	if len(pk.best) == 0 {
		pk.best = append(pk.best, pick{free: -1})
	}
	pk.most, pk.found = 0, 0
}

// add offers a feasible node at position pos in name order, with free
// its least-allocated score and owned the pod's siblings on it.
func (pk *picker) add(slot, pos int32, free int64, owned int32) {
	if int(owned) >= len(pk.best) {
		pk.grow(owned)
	}
	b := &pk.best[owned]
	if free > b.free || free == b.free && pos < b.pos {
		*b = pick{free: free, pos: pos, slot: slot}
	}
	pk.most = max(pk.most, owned)
	pk.found++
}

func (pk *picker) grow(owned int32) {
	for int(owned) >= len(pk.best) {
		pk.best = append(pk.best, pick{free: -1})
	}
}

// slot returns the best node's slot; spread says whether the spreading
// score applies (the pod has a controller with pods placed).
func (pk *picker) slot(spread bool) int32 {
	most := pk.most
	if !spread {
		most = 0
	}
	var best pick
	bestScore := int64(-1)
	for o := range pk.most + 1 {
		b := pk.best[o]
		if b.free < 0 {
			continue
		}
		score := b.free
		if most > 0 {
			score += 2 * 100 * int64(most-o) / int64(most)
		}
		if score > bestScore || score == bestScore && b.pos < best.pos {
			best, bestScore = b, score
		}
	}
	return best.slot
}

func newScheduler(c *Cluster) *scheduler {
	s := &scheduler{
		c:             c,
		nodes:         map[string]int32{},
		owners:        map[string]*ownerInfo{},
		unschedulable: map[string]struct{}{},
	}
	s.filters = []filterPlugin{nodeUnschedulable{}, taintToleration{}, nodeAffinity{}, nodeResourcesFit{}, &volumeBinding{c: c}}
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
		op, _ := old.(*Pod)
		s.observePod(ev.Type, obj, op, ev.key)
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
		// Pods still bound to the node are no longer charged anywhere
		// (the pod garbage collector deletes them); if a node of the same
		// name comes back, they are charged to it then.
		for _, key := range s.c.store.podsOn(n.Name) {
			if p := s.c.pod(key); p != nil && !p.IsTerminal() {
				s.uncharge(p, slot)
			}
		}
		s.count(&s.slots[slot], -1)
		delete(s.nodes, n.Name)
		s.order = slices.Delete(s.order, s.orderIndex(n.Name), s.orderIndex(n.Name)+1)
		s.slots[slot] = nodeInfo{slot: slot}
		s.fit[slot] = nodeFit{}
		s.memo[slot] = 0
		s.freeSlots = append(s.freeSlots, slot)
		return
	}
	if !known {
		slot = s.newSlot()
		s.nodes[n.Name] = slot
		s.slots[slot] = nodeInfo{slot: slot, name: n.Name}
		i := s.orderIndex(n.Name)
		s.order = slices.Insert(s.order, i, slot)
		defer s.chargeExisting(n.Name, slot)
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
	s.refit(ni)
	// Only a change that could let a waiting pod fit wakes the waiting pods.
	if oldNode, _ := old.(*Node); oldNode == nil || schedulingChanged(oldNode, n) {
		s.retryUnschedulable()
	}
}

// chargeExisting charges a node added back under an old name with the
// pods still bound to that name.
func (s *scheduler) chargeExisting(name string, slot int32) {
	for _, key := range s.c.store.podsOn(name) {
		if p := s.c.pod(key); p != nil && !p.IsTerminal() {
			s.charge(p, slot)
		}
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
	s.fit = append(s.fit, nodeFit{})
	s.memo = append(s.memo, 0)
	return int32(len(s.slots) - 1)
}

// refit brings the node's entry in fit in step with its nodeInfo.
func (s *scheduler) refit(ni *nodeInfo) {
	s.fit[ni.slot] = nodeFit{
		freeMilliCPU: ni.allocMilliCPU - ni.reqMilliCPU, freeMemory: ni.allocMemory - ni.reqMemory,
		nzFreeMilliCPU: ni.allocMilliCPU - ni.nonZeroMilliCPU, nzFreeMemory: ni.allocMemory - ni.nonZeroMemory,
		cpuScale: ni.cpuScale, memScale: ni.memScale,
		freePods: ni.allocPods - ni.pods,
	}
	s.memo[ni.slot] = 0
}

// chargedSlot reports the node slot a version of a pod is charged to. The
// scheduler keeps this invariant: a pod is charged to its node exactly
// while it is bound to a node the scheduler knows and has not finished,
// for the requests of its spec (which cannot change) and to its
// controller's count.
func (s *scheduler) chargedSlot(p *Pod) (int32, bool) {
	if p == nil || p.Spec.NodeName == "" || p.IsTerminal() {
		return 0, false
	}
	if st := s.binding; st != nil && st.pod.UID == p.UID {
		return st.slot, true // the node the cycle chose
	}
	slot, ok := s.nodes[p.Spec.NodeName]
	return slot, ok
}

func (s *scheduler) observePod(t EventType, p, old *Pod, key string) {
	if t == Deleted {
		delete(s.unschedulable, key)
		if slot, ok := s.chargedSlot(p); ok {
			s.uncharge(p, slot)
			s.retryUnschedulable()
		}
		return
	}
	oldSlot, was := s.chargedSlot(old)
	slot, is := s.chargedSlot(p)
	if was && is && oldSlot == slot && controllerUID(old) == controllerUID(p) {
		return // a status write to a running pod: most writes
	}
	if was {
		s.uncharge(old, oldSlot)
	}
	if is {
		s.charge(p, slot)
	}
	if p.Spec.NodeName != "" {
		delete(s.unschedulable, key)
		if was && !is {
			s.retryUnschedulable()
		}
		return
	}
	if p.DeletionTimestamp == nil && p.Spec.SchedulerName == "default-scheduler" {
		if _, waiting := s.unschedulable[key]; !waiting {
			s.c.enqueue(s.id, key)
		}
	}
}

func controllerUID(p *Pod) string {
	if ref := p.ControllerRef(); ref != nil {
		return ref.UID
	}
	return ""
}

// charge adds p's requests, and one to its controller's count, to slot.
func (s *scheduler) charge(p *Pod, slot int32) {
	ni := &s.slots[slot]
	var req podRequests
	st := s.binding
	if st != nil && st.pod.UID == p.UID {
		req = podRequests{st.milliCPU, st.memory}
	} else {
		req = computePodRequests(&p.Spec)
	}
	if ref := p.ControllerRef(); ref != nil {
		o := st.ownerOf(p)
		if o == nil {
			o = s.owner(ref.UID)
		}
		o.add(slot, 1)
	}
	s.account(ni, req, 1)
}

// uncharge takes what charge added for p off slot.
func (s *scheduler) uncharge(p *Pod, slot int32) {
	ni := &s.slots[slot]
	if ref := p.ControllerRef(); ref != nil {
		if o := s.owners[ref.UID]; o != nil {
			o.add(slot, -1)
			if o.total == 0 {
				// Its last pod is gone (an old ReplicaSet scaled down): a
				// count per node is too much to keep for nothing.
				delete(s.owners, o.uid)
			}
		}
	}
	s.account(ni, computePodRequests(&p.Spec), -1)
}

// charged returns the number of pods charged to nodes.
func (s *scheduler) charged() int {
	n := 0
	for _, slot := range s.order {
		n += int(s.slots[slot].pods)
	}
	return n
}

// account adds d pods of requests req to the node.
func (s *scheduler) account(ni *nodeInfo, req podRequests, d int64) {
	nzCPU, nzMem := nonZero(req)
	ni.reqMilliCPU += d * req.milliCPU
	ni.reqMemory += d * req.memory
	ni.nonZeroMilliCPU += d * nzCPU
	ni.nonZeroMemory += d * nzMem
	ni.pods += d
	s.refit(ni)
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
		o = &ownerInfo{uid: uid}
		s.owners[uid] = o
	}
	return o
}

func (o *ownerInfo) add(slot int32, n int32) {
	if int(slot) >= len(o.perSlot) {
		o.perSlot = append(o.perSlot, make([]uint8, int(slot)+1-len(o.perSlot))...)
	}
	c := o.count(slot) + n
	switch {
	case c >= manyOwned:
		if o.many == nil {
			o.many = map[int32]int32{}
		}
		o.many[slot] = c
		o.perSlot[slot] = manyOwned
	default:
		if o.perSlot[slot] == manyOwned {
			delete(o.many, slot)
		}
		o.perSlot[slot] = uint8(c)
	}
	o.total += int(n)
}

func (o *ownerInfo) count(slot int32) int32 {
	if o == nil || int(slot) >= len(o.perSlot) {
		return 0
	}
	if c := o.perSlot[slot]; c < manyOwned {
		return int32(c)
	}
	return o.many[slot]
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
	st := s.newCycleState(p)
	if reason := s.preFilter(st); reason != "" {
		s.fail(p, fmt.Sprintf("0/%d nodes are available: %s.", len(s.order), reason))
		return
	}
	best, msg := s.schedule(st)
	if best == nil {
		s.fail(p, msg)
		return
	}
	st.slot = best.slot
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
	pk := &s.picks
	pk.reset()
	var failures map[string]int
	fail := func(reasons []string) {
		if failures == nil {
			failures = map[string]int{}
		}
		for _, r := range reasons {
			failures[r]++
		}
	}
	var owned []uint8
	if st.owner != nil {
		owned = st.owner.perSlot
	}
	// Both loops below read the resources check and the least-allocated
	// score from the memos, which are for this pod's shape from here on.
	r := podFit{st.milliCPU, st.memory, st.nonZeroMilliCPU, st.nonZeroMemory}
	if r != s.shape || s.shapeEpoch == 0 {
		s.shape = r
		if s.shapeEpoch++; s.shapeEpoch == 0 { // wrapped: no memo may match
			clear(s.memo)
			s.shapeEpoch = 1
		}
	}
	pos, processed := s.nextStart, 0
	if len(before) == 0 && len(after) == 0 {
		// The common case — only the resources check applies — in a tight
		// loop; it finds the same nodes as the general loop below.
		for processed < n && pk.found < want {
			var visited int
			var miss int32
			pos, visited, miss = scanFit(pk, s.order, s.memo, s.fit, st.owner, owned, r, s.shapeEpoch, pos, n-processed, want)
			processed += visited
			if miss >= 0 {
				fail(nodeResourcesFit{}.filter(st, &s.slots[miss]))
			}
		}
	}
nodes:
	for processed < n && pk.found < want {
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
		free := memoized(s.memo, s.fit, slot, r, s.shapeEpoch)
		if free < 0 {
			fail(nodeResourcesFit{}.filter(st, ni))
			continue
		}
		for _, f := range after {
			if reasons := f.filter(st, ni); len(reasons) > 0 {
				fail(reasons)
				continue nodes
			}
		}
		pk.add(slot, at, free, st.owner.count(slot))
	}
	s.nextStart = pos
	if pk.found == 0 {
		return nil, fitErrorMessage(n, failures)
	}
	return &s.slots[pk.slot(st.owner != nil && st.owner.total > 0)], ""
}

// podFit is what a pod asks of a node, for scanFit.
type podFit struct{ milliCPU, memory, nonZeroMilliCPU, nonZeroMemory int64 }

// scanFit visits up to left nodes in name order from pos, offering those
// with room for the pod to the picker until it has found want. It stops
// early at a node without room and returns its slot as miss (-1 if none),
// so that the caller records why. It returns the next position and the
// number of nodes visited.
//
// It is the scheduler's innermost loop, kept apart from schedule so that
// its few variables stay in registers.
func scanFit(pk *picker, order []int32, memo []uint64, fit []nodeFit, owner *ownerInfo, owned []uint8, r podFit, epoch uint32, pos, left, want int) (next, visited int, miss int32) {
	n := len(order)
	for visited < left && pk.found < want {
		slot := order[pos]
		at := int32(pos)
		visited++
		if pos++; pos == n {
			pos = 0
		}
		// memoized, by hand: the compiler will not inline it.
		m := memo[slot]
		free := int64(uint32(m)) - 1
		if uint32(m>>32) != epoch {
			free = memoize(memo, fit, slot, r, epoch)
		}
		if free < 0 {
			return pos, visited, slot
		}
		var o int32
		if int(slot) < len(owned) {
			if o = int32(owned[slot]); o == manyOwned {
				o = owner.many[slot]
			}
		}
		pk.add(slot, at, free, o)
	}
	return pos, visited, -1
}

// memoized returns the node's least-allocated score for pod shape r, or -1
// if the pod does not fit there, from the node's memo when it is for epoch.
func memoized(memo []uint64, fit []nodeFit, slot int32, r podFit, epoch uint32) int64 {
	if m := memo[slot]; uint32(m>>32) == epoch {
		return int64(uint32(m)) - 1
	}
	return memoize(memo, fit, slot, r, epoch)
}

// memoize works out and stores the node's memo for pod shape r: whether
// the pod fits (the resources check) and, if so, its least-allocated
// score. It returns the score, or -1.
func memoize(memo []uint64, fit []nodeFit, slot int32, r podFit, epoch uint32) int64 {
	f := &fit[slot]
	score := int64(-1)
	if !(f.freePods <= 0 || r.milliCPU != 0 && r.milliCPU > f.freeMilliCPU || r.memory != 0 && r.memory > f.freeMemory) {
		score = (roomScore(f.nzFreeMilliCPU-r.nonZeroMilliCPU, f.cpuScale) + roomScore(f.nzFreeMemory-r.nonZeroMemory, f.memScale)) / 2
	}
	memo[slot] = uint64(epoch)<<32 | uint64(score+1)
	return score
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
	var np *Pod
	now := s.c.clock.now
	if len(p.Status.Conditions) == 0 && len(p.Status.ContainerStatuses) == 0 && len(p.Status.InitContainerStatuses) == 0 {
		// The common case, a pod scheduled at its first attempt: its only
		// condition says so, and pods bound at one instant share it.
		np = p.shallowCopy()
		if c := s.scheduled; len(c) == 0 || !c[0].LastTransitionTime.Equal(now) {
			s.scheduled = []PodCondition{{Type: PodScheduled, Status: ConditionTrue, LastTransitionTime: now}}
		}
		np.Status.Conditions = s.scheduled
	} else {
		np = p.withStatus()
		setPodCondition(&np.Status, PodCondition{Type: PodScheduled, Status: ConditionTrue, LastTransitionTime: now})
	}
	np.Spec.NodeName = ni.name
	s.c.replaceObject(p, np)
	if !s.c.events.dropping() {
		s.c.eventMsg(np, "", EventTypeNormal, "Scheduled", sourceScheduler, "Successfully assigned "+np.Namespace+"/"+np.Name+" to "+ni.name)
	}
}

func (s *scheduler) mustUpdate(p *Pod) {
	if err := s.c.updateObject(p); err != nil {
		panic(fmt.Sprintf("engine: scheduler updating pod %s: %v", p.Key(), err))
	}
}
