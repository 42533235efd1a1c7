package engine

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// newBenchReplicaSet returns a ReplicaSet of replicas nginx pods that
// request 100m and 128Mi each.
func newBenchReplicaSet(name string, replicas int32) *ReplicaSet {
	rs := &ReplicaSet{ObjectMeta: ObjectMeta{Name: name}}
	rs.Spec.Replicas = Ptr(replicas)
	rs.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"app": name}}
	rs.Spec.Template.Labels = map[string]string{"app": name}
	rs.Spec.Template.Spec.Containers = []Container{{Name: "app", Image: "nginx:1.27", Resources: ResourceRequirements{
		Requests: ResourceList{ResourceCPU: resource.MustParse("100m"), ResourceMemory: resource.MustParse("128Mi")}}}}
	return rs
}

// heapSampler tracks two peaks: the heap in use including garbage not yet
// collected (HeapAlloc), and the heap the last collection found live
// (runtime/metrics /gc/heap/live:bytes) — what the engine really holds.
type heapSampler struct {
	peak, peakLive uint64
	live           []metrics.Sample
}

func newHeapSampler() *heapSampler {
	return &heapSampler{live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
}

func (h *heapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.peak = max(h.peak, ms.HeapAlloc)
	metrics.Read(h.live)
	if h.live[0].Value.Kind() == metrics.KindUint64 {
		h.peakLive = max(h.peakLive, h.live[0].Value.Uint64())
	}
}

// freshCluster builds a cluster of nodes outside the timer and takes the
// heap's measure from there.
func (h *heapSampler) freshCluster(b *testing.B, nodes int) *Cluster {
	b.StopTimer()
	defer b.StartTimer()
	c := newBenchCluster(b, nodes)
	runtime.GC()
	h.sample()
	return c
}

func (h *heapSampler) report(b *testing.B) {
	b.ReportMetric(float64(h.peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(h.peakLive)/(1<<20), "peak-live-MiB")
}

func newBenchCluster(b *testing.B, nodes int) *Cluster {
	b.Helper()
	c := New(Config{Seed: 1, NodeStartupDelay: -1})
	for i := range nodes {
		if _, err := c.AddNode(NodeOptions{Name: fmt.Sprintf("node-%04d", i), CPU: "8", Memory: "32Gi"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Settle(); err != nil {
		b.Fatal(err)
	}
	return c
}

// drain runs one controller's queue to empty, as settle would (events
// queued), and returns how long it took.
func (c *Cluster) drain(id int) time.Duration {
	c.settling = true
	defer func() { c.settling = false }()
	start := time.Now()
	q := c.ctls[id].queue
	for key, ok := q.pop(); ok; key, ok = q.pop() {
		c.ctls[id].ctl.reconcile(key)
	}
	return time.Since(start)
}

// BenchmarkScheduleAtScale drives the engine at Kubernetes scale: 5,000
// nodes (8 CPU, 32Gi) and 150 ReplicaSets of 1,000 nginx pods requesting
// 100m and 128Mi, created through the API, until every pod is Running and
// Ready.
//
// It reports:
//   - pods/s: the scheduler's throughput — pods bound per second of the
//     scheduler's own work (its filter, score and bind cycles, the Scheduled
//     events included), as kube-scheduler's scheduler_perf measures it;
//   - s-to-running: wall seconds from the first create to all Running —
//     the ReplicaSet controller, admission, scheduling, kubelets, image
//     pulls and events;
//   - peak-heap-MiB: the largest heap in use seen during the run, garbage
//     not yet collected included (sampled after each phase and step);
//   - peak-live-MiB: the largest heap a garbage collection found live.
//
// Setup (the nodes) is not timed.
func BenchmarkScheduleAtScale(b *testing.B) {
	measureUnchecked(b)
	const nodes, sets, replicas = 5000, 150, 1000
	if testing.Short() {
		b.Skip("scale benchmark skipped in -short mode")
	}
	heap := newHeapSampler()
	sample := heap.sample
	var schedTotal, runTotal time.Duration
	for b.Loop() {
		c := heap.freshCluster(b, nodes)

		start := time.Now()
		for i := range sets {
			if _, err := c.Create(newBenchReplicaSet(fmt.Sprintf("app-%03d", i), replicas)); err != nil {
				b.Fatal(err)
			}
		}
		// Controllers run in registration order at each instant: the
		// ReplicaSet controller creates every pod, then the scheduler
		// drains its queue before the kubelets run. Time that drain on its
		// own, then let the rest settle.
		c.drain(c.garbage.id)
		c.drain(c.replicaSets.id)
		sample()
		schedTotal += c.drain(c.scheduler.id)
		if err := c.Settle(); err != nil {
			b.Fatal(err)
		}
		sample()
		for {
			ok, err := c.Step()
			if err != nil {
				b.Fatal(err)
			}
			sample()
			if !ok {
				break
			}
		}
		runTotal += time.Since(start)

		b.StopTimer()
		running := 0
		for _, obj := range c.store.all(KindPod) {
			if p := obj.(*Pod); p.Status.Phase == PodRunning && p.IsReady() {
				running++
			}
		}
		if running != sets*replicas {
			b.Fatalf("%d of %d pods Running", running, sets*replicas)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(sets*replicas)*n/schedTotal.Seconds(), "pods/s")
	b.ReportMetric(runTotal.Seconds()/n, "s-to-running")
	heap.report(b)
}

// BenchmarkSchedulingCycle measures one pod's scheduling cycle (filter
// over kube-scheduler's sample of 500 of 5,000 nodes, score, bind, the
// Scheduled event recorded) in a cluster already running 50,000 pods of
// one ReplicaSet. Each iteration scales the ReplicaSet up by 1,000
// (untimed), schedules the new pods (timed), and scales back (untimed);
// the figure is per pod.
func BenchmarkSchedulingCycle(b *testing.B) {
	measureUnchecked(b)
	const base, batch = 50_000, 1000
	c := newBenchCluster(b, 5000)
	if _, err := c.Create(newBenchReplicaSet("app", base)); err != nil {
		b.Fatal(err)
	}
	if err := c.Advance(10 * time.Second); err != nil {
		b.Fatal(err)
	}
	scale := func(n int32) {
		obj, err := c.Get(KindReplicaSet, "default", "app")
		if err != nil {
			b.Fatal(err)
		}
		rs := obj.(*ReplicaSet)
		rs.Spec.Replicas = Ptr(n)
		if _, err := c.Update(rs); err != nil {
			b.Fatal(err)
		}
	}
	var elapsed time.Duration
	iterations := 0
	for b.Loop() {
		b.StopTimer()
		scale(base + batch)
		c.drain(c.garbage.id)
		c.drain(c.replicaSets.id)
		b.StartTimer()
		elapsed += c.drain(c.scheduler.id)
		iterations++
		b.StopTimer()
		if n := c.scheduler.charged(); n != base+batch {
			b.Fatalf("%d of %d pods bound", n, base+batch)
		}
		scale(base)
		if err := c.Advance(5 * time.Second); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(iterations*batch), "ns/pod")
	b.ReportMetric(float64(iterations*batch)/elapsed.Seconds(), "pods/s")
}

// BenchmarkDeploymentsAtScale applies 1,500 Deployments of 100 nginx
// replicas (150,000 pods) on 5,000 nodes and runs virtual time until every
// Deployment is available, then rolls a new image out to all of them
// (25% surge, 25% unavailable) until every rollout completes. It reports
// the wall seconds of each phase, the scheduler's throughput over both
// (pods/s, as in BenchmarkScheduleAtScale) and the peak heaps (as there).
func BenchmarkDeploymentsAtScale(b *testing.B) {
	measureUnchecked(b)
	const nodes, deployments, replicas = 5000, 1500, 100
	if testing.Short() {
		b.Skip("scale benchmark skipped in -short mode")
	}
	heap := newHeapSampler()
	sample := heap.sample
	// runUntil steps virtual time until done, timing the scheduler's share.
	var sched time.Duration
	var scheduled int
	runUntil := func(c *Cluster, done func() bool) {
		for !done() {
			c.drain(c.garbage.id)
			c.drain(c.deployments.id)
			c.drain(c.replicaSets.id)
			scheduled += c.ctls[c.scheduler.id].queue.len()
			sched += c.drain(c.scheduler.id)
			if err := c.Settle(); err != nil {
				b.Fatal(err)
			}
			sample()
			if done() {
				return
			}
			if ok, err := c.Step(); err != nil || !ok {
				b.Fatalf("stuck: %v", err)
			}
		}
	}
	allAvailable := func(c *Cluster, generation int64) func() bool {
		return func() bool {
			for _, obj := range c.store.all(KindDeployment) {
				d := obj.(*Deployment)
				if d.Status.ObservedGeneration < generation || d.Status.UpdatedReplicas != replicas ||
					d.Status.AvailableReplicas != replicas || d.Status.Replicas != replicas {
					return false
				}
			}
			return true
		}
	}
	var applyTotal, rollTotal time.Duration
	for b.Loop() {
		c := heap.freshCluster(b, nodes)

		start := time.Now()
		for i := range deployments {
			d := &Deployment{ObjectMeta: ObjectMeta{Name: fmt.Sprintf("app-%04d", i)}}
			d.Spec.Replicas = Ptr(int32(replicas))
			d.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"app": d.Name}}
			d.Spec.Template.Labels = map[string]string{"app": d.Name}
			d.Spec.Template.Spec.Containers = []Container{{Name: "app", Image: "nginx:1.26", Resources: ResourceRequirements{
				Requests: ResourceList{ResourceCPU: resource.MustParse("100m"), ResourceMemory: resource.MustParse("128Mi")}}}}
			if _, err := c.Create(d); err != nil {
				b.Fatal(err)
			}
		}
		runUntil(c, allAvailable(c, 1))
		applyTotal += time.Since(start)

		start = time.Now()
		for _, obj := range c.List(KindDeployment, "default", nil) {
			d := obj.(*Deployment)
			d.Spec.Template.Spec.Containers[0].Image = "nginx:1.27"
			if _, err := c.Update(d); err != nil {
				b.Fatal(err)
			}
		}
		runUntil(c, allAvailable(c, 2))
		rollTotal += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(applyTotal.Seconds()/n, "s-to-available")
	b.ReportMetric(rollTotal.Seconds()/n, "s-to-rolled-out")
	b.ReportMetric(float64(scheduled)/sched.Seconds(), "pods/s")
	heap.report(b)
}
