package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/podplay/podplay/engine"
)

// BenchmarkLessonStep is one learner command's worth of work on a lesson-
// sized cluster (3 nodes, 10 running pods): create a pod and let the
// controllers settle, then delete it and settle again.
func BenchmarkLessonStep(b *testing.B) {
	engine.MeasureUnchecked(b)
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
