// Package engine is podplay's simulated Kubernetes cluster: a pure,
// deterministic control plane driven entirely from outside.
//
// A Cluster holds Kubernetes-shaped objects (Namespace, Node, Pod, Event, …)
// in a store with one cluster-wide resourceVersion and a watch log of
// ADDED / MODIFIED / DELETED events. Controllers — the scheduler, the kubelet
// of every node, the node lifecycle controller, the taint eviction controller
// and the pod garbage collector — are level-based reconcilers that run to a
// fixed point after every change, in a fixed order.
//
// Time is virtual: it moves only when the caller calls Advance or Step, which
// fire the due timers (image pulls, container starts, back-offs, heartbeat
// timeouts, evictions) in order. Randomness comes from a generator seeded by
// Config.Seed. The same seed and the same inputs therefore give the same event
// log, byte for byte.
//
// What this package must not do: perform I/O, start goroutines, read the wall
// clock or use global random state. A test enforces this. A Cluster is not
// safe for concurrent use; the server wraps each one in a single goroutine.
package engine
