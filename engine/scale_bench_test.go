package engine

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// BenchmarkScheduleAtScale drives the engine at Kubernetes scale: 5,000
// nodes (8 CPU, 32Gi), 150,000 pods of 150 owners requesting 100m and
// 128Mi, created through the API, until every pod is Running and Ready.
//
// It reports:
//   - pods/s: the scheduler's throughput — pods bound per second of the
//     scheduler's own work (its filter, score and bind cycles, the Scheduled
//     events included), as kube-scheduler's scheduler_perf measures it;
//   - s-to-running: wall seconds from the first create to all Running —
//     API admission, scheduling, kubelets, image pulls and events;
//   - peak-heap-MiB: the largest heap in use seen during the run (sampled
//     after each phase and virtual-time step).
//
// Setup (the nodes, the pod objects) is not timed.
func BenchmarkScheduleAtScale(b *testing.B) {
	const nodes, pods, owners = 5000, 150_000, 150
	if testing.Short() {
		b.Skip("scale benchmark skipped in -short mode")
	}
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	var schedTotal, runTotal time.Duration
	for b.Loop() {
		b.StopTimer()
		c := New(Config{Seed: 1, NodeStartupDelay: -1})
		for i := range nodes {
			if _, err := c.AddNode(NodeOptions{Name: fmt.Sprintf("node-%04d", i), CPU: "8", Memory: "32Gi"}); err != nil {
				b.Fatal(err)
			}
		}
		if err := c.Settle(); err != nil {
			b.Fatal(err)
		}
		requests := ResourceList{ResourceCPU: resource.MustParse("100m"), ResourceMemory: resource.MustParse("128Mi")}
		podList := make([]*Pod, pods)
		for i := range podList {
			owner := i % owners
			p := &Pod{ObjectMeta: ObjectMeta{
				Name:   fmt.Sprintf("app-%03d-%06d", owner, i),
				Labels: map[string]string{"app": fmt.Sprintf("app-%03d", owner)},
				OwnerReferences: []OwnerReference{{
					APIVersion: "apps/v1", Kind: "ReplicaSet", Name: fmt.Sprintf("app-%03d", owner),
					UID: fmt.Sprintf("owner-%03d", owner), Controller: Ptr(true),
				}},
			}}
			p.Spec.Containers = []Container{{Name: "app", Image: "nginx:1.27", Resources: ResourceRequirements{Requests: requests}}}
			podList[i] = p
		}
		runtime.GC()
		sample()
		b.StartTimer()

		start := time.Now()
		for _, p := range podList {
			if _, err := c.Create(p); err != nil {
				b.Fatal(err)
			}
		}
		sample()
		// Controllers run in registration order at each instant, and the
		// scheduler drains its queue before the kubelet runs: time that
		// drain on its own, then let the rest settle.
		schedStart := time.Now()
		q := c.ctls[c.scheduler.id].queue
		for key, ok := q.pop(); ok; key, ok = q.pop() {
			c.scheduler.reconcile(key)
		}
		schedTotal += time.Since(schedStart)
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
		if running != pods {
			b.Fatalf("%d of %d pods Running", running, pods)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(pods)*n/schedTotal.Seconds(), "pods/s")
	b.ReportMetric(runTotal.Seconds()/n, "s-to-running")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkSchedulingCycle measures one pod's scheduling cycle (filter
// over kube-scheduler's sample of 500 of 5,000 nodes, score, bind, the
// Scheduled event recorded) in a cluster already holding 50,000 pods. Each
// iteration creates 1,000 pods (untimed), schedules them (timed), and
// deletes them (untimed); ns/op is per pod.
func BenchmarkSchedulingCycle(b *testing.B) {
	c := New(Config{Seed: 1, NodeStartupDelay: -1, EventLimit: 1000})
	for i := range 5000 {
		if _, err := c.AddNode(NodeOptions{Name: fmt.Sprintf("node-%04d", i), CPU: "8", Memory: "32Gi"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Settle(); err != nil {
		b.Fatal(err)
	}
	requests := ResourceList{ResourceCPU: resource.MustParse("100m"), ResourceMemory: resource.MustParse("128Mi")}
	newPod := func(i int) *Pod {
		owner := i % 150
		p := &Pod{ObjectMeta: ObjectMeta{Name: fmt.Sprintf("app-%03d-%07d", owner, i),
			OwnerReferences: []OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "app",
				UID: fmt.Sprintf("owner-%03d", owner), Controller: Ptr(true)}}}}
		p.Spec.Containers = []Container{{Name: "app", Image: "nginx:1.27", Resources: ResourceRequirements{Requests: requests}}}
		return p
	}
	for i := range 50_000 {
		if _, err := c.Create(newPod(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Settle(); err != nil {
		b.Fatal(err)
	}
	if n := len(c.scheduler.bound); n != 50_000 {
		b.Fatalf("%d of 50000 pods bound before the benchmark", n)
	}
	const batch = 1000
	next := 50_000
	zero := int64(0)
	var elapsed time.Duration
	iterations := 0
	for b.Loop() {
		b.StopTimer()
		names := make([]string, batch)
		for j := range names {
			p, err := c.Create(newPod(next))
			if err != nil {
				b.Fatal(err)
			}
			names[j] = p.GetObjectMeta().Name
			next++
		}
		q := c.ctls[c.scheduler.id].queue
		start := time.Now()
		b.StartTimer()
		for key, ok := q.pop(); ok; key, ok = q.pop() {
			c.scheduler.reconcile(key)
		}
		b.StopTimer()
		elapsed += time.Since(start)
		iterations++
		for _, name := range names {
			if p := c.pod("default/" + name); p == nil || p.Spec.NodeName == "" {
				b.Fatalf("pod %s was not bound", name)
			}
			if err := c.Delete(KindPod, "default", name, DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
				b.Fatal(err)
			}
		}
		c.dropQueues()
		b.StartTimer()
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(iterations*batch), "ns/pod")
	b.ReportMetric(float64(iterations*batch)/elapsed.Seconds(), "pods/s")
}
