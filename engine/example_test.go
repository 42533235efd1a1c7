package engine_test

import (
	"fmt"
	"time"

	"github.com/podplay/podplay/engine"
)

// A cluster is a value driven from outside: add a node, create a pod, move
// virtual time, and read what the scheduler and kubelet did. The new node
// is not Ready for its first two seconds, so the pod waits, then is
// placed as soon as it is.
func ExampleCluster() {
	c := engine.New(engine.Config{Seed: 1})
	if _, err := c.AddNode(engine.NodeOptions{Name: "node-1", CPU: "2", Memory: "4Gi"}); err != nil {
		panic(err)
	}
	pod := &engine.Pod{ObjectMeta: engine.ObjectMeta{Name: "web"}}
	pod.Spec.Containers = []engine.Container{{Name: "nginx", Image: "nginx:1.27"}}
	if _, err := c.Create(pod); err != nil {
		panic(err)
	}
	if err := c.Advance(10 * time.Second); err != nil {
		panic(err)
	}
	p, _ := c.GetPod("default", "web")
	s := engine.SummarizePod(p)
	fmt.Println(p.Name, s.Ready, s.Status, p.Spec.NodeName, p.Status.PodIP)
	for _, e := range c.Events("default") {
		if e.InvolvedObject.Kind == engine.KindPod {
			fmt.Println(e.Reason+":", e.Message)
		}
	}
	// Output:
	// web 1/1 Running node-1 10.244.0.2
	// FailedScheduling: 0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.
	// Scheduled: Successfully assigned default/web to node-1
	// Pulling: Pulling image "nginx:1.27"
	// Pulled: Successfully pulled image "nginx:1.27" in 2.2s (2.2s including waiting). Image size: 72000000 bytes.
	// Created: Created container: nginx
	// Started: Started container nginx
}
