package engine_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podplay/podplay/engine"
)

// BenchmarkScheduleAtScale drives the engine at Kubernetes scale: 5,000
// nodes, 150,000 pods of 150 owners with requests that fit, from creation
// until every pod is Running. It reports the scheduler's throughput
// (pods/s, binding only), the wall time to all Running (s-to-running) and
// the peak heap seen (peak-heap-MiB).
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
		c := engine.New(engine.Config{Seed: 1, NodeStartupDelay: -1})
		for i := range nodes {
			if _, err := c.AddNode(engine.NodeOptions{Name: fmt.Sprintf("node-%04d", i), CPU: "8", Memory: "32Gi"}); err != nil {
				b.Fatal(err)
			}
		}
		if err := c.Settle(); err != nil {
			b.Fatal(err)
		}
		podList := make([]*engine.Pod, pods)
		requests := engine.ResourceList{
			engine.ResourceCPU:    resource.MustParse("100m"),
			engine.ResourceMemory: resource.MustParse("128Mi"),
		}
		for i := range podList {
			owner := i % owners
			p := &engine.Pod{ObjectMeta: engine.ObjectMeta{
				Name:   fmt.Sprintf("app-%03d-%06d", owner, i),
				Labels: map[string]string{"app": fmt.Sprintf("app-%03d", owner)},
				OwnerReferences: []engine.OwnerReference{{
					APIVersion: "apps/v1", Kind: "ReplicaSet", Name: fmt.Sprintf("app-%03d", owner),
					UID: fmt.Sprintf("owner-%03d", owner), Controller: engine.Ptr(true),
				}},
			}}
			p.Spec.Containers = []engine.Container{{Name: "app", Image: "nginx:1.27", Resources: engine.ResourceRequirements{Requests: requests}}}
			podList[i] = p
		}
		sample()
		runtime.GC()
		b.StartTimer()

		start := time.Now()
		for _, p := range podList {
			if _, err := c.Create(p); err != nil {
				b.Fatal(err)
			}
		}
		if err := c.Settle(); err != nil { // the scheduler binds every pod
			b.Fatal(err)
		}
		schedTotal += time.Since(start)
		sample()
		for {
			ok, err := c.Step()
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
		runTotal += time.Since(start)
		sample()

		b.StopTimer()
		running := 0
		for _, p := range c.Pods("", nil) {
			if p.Status.Phase == engine.PodRunning && p.IsReady() {
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

// BenchmarkLessonStep is one learner command's worth of work on a lesson-
// sized cluster (3 nodes, 10 running pods): create a pod and let the
// controllers settle, then delete it and settle again.
func BenchmarkLessonStep(b *testing.B) {
	c := engine.New(engine.Config{Seed: 1, NodeStartupDelay: -1})
	for i := range 3 {
		if _, err := c.AddNode(engine.NodeOptions{Name: fmt.Sprintf("node-%d", i+1)}); err != nil {
			b.Fatal(err)
		}
	}
	newPod := func(name string) *engine.Pod {
		p := &engine.Pod{ObjectMeta: engine.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}}}
		p.Spec.Containers = []engine.Container{{Name: "nginx", Image: "nginx:1.27"}}
		return p
	}
	for i := range 10 {
		if _, err := c.Create(newPod(fmt.Sprintf("web-%d", i))); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Advance(time.Minute); err != nil {
		b.Fatal(err)
	}
	grace := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Create(newPod("extra")); err != nil {
			b.Fatal(err)
		}
		if err := c.Settle(); err != nil {
			b.Fatal(err)
		}
		if err := c.Delete(engine.KindPod, "default", "extra", engine.DeleteOptions{GracePeriodSeconds: &grace}); err != nil {
			b.Fatal(err)
		}
		if err := c.Settle(); err != nil {
			b.Fatal(err)
		}
	}
}
