package lessons

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

// mustGoal parses one goal written as in a ```goals block.
func mustGoal(t *testing.T, src string) *Goal {
	t.Helper()
	gs, err := parseGoals("- "+src, 1)
	require.NoError(t, err)
	require.Len(t, gs, 1)
	return gs[0]
}

func newTestCluster(t *testing.T) *engine.Cluster {
	t.Helper()
	c, err := kubectl.DefaultCluster(1)
	require.NoError(t, err)
	return c
}

// sh runs terminal commands that must succeed.
func sh(t *testing.T, c *engine.Cluster, cmds ...string) {
	t.Helper()
	for _, cmd := range cmds {
		res := kubectl.Run(c, cmd)
		require.Equal(t, 0, res.ExitCode, "%s\n%s", cmd, res.Output)
	}
}

// probe follows one goal like a Tracker would, command by command.
type probe struct {
	g   *Goal
	mem memory
	met bool
}

func newProbe(g *Goal) *probe {
	p := &probe{g: g}
	if h, ok := g.m.(historyMatcher); ok {
		p.mem = h.newMemory()
	}
	return p
}

func (p *probe) run(t *testing.T, c *engine.Cluster, input string) kubectl.Result {
	t.Helper()
	res := kubectl.Run(c, input)
	if p.mem != nil {
		cmd, err := parseCommand(input)
		if err == nil && p.mem.command(c, cmd, res) {
			p.met = true
		}
	}
	p.observe(c)
	return res
}

func (p *probe) observe(c *engine.Cluster) {
	if p.mem != nil && p.mem.observe(c) {
		p.met = true
	}
}

func (p *probe) holds(c *engine.Cluster) bool {
	if p.mem != nil {
		return p.met
	}
	return p.g.Holds(c)
}

const twoPodManifest = `kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      nodeSelector: {kubernetes.io/hostname: node-1}
      containers:
      - name: nginx
        image: nginx:1.27
EOF`

func TestPodsGoal(t *testing.T) {
	ready := mustGoal(t, "pods: {selector: app=web, phase: Running, ready: true, count: 3, nodes: 2}")
	assert.Equal(t, "3 pods with app=web: Running, Ready, spread over at least 2 nodes", ready.Text["en"])
	assert.Equal(t, "app=web 파드 3개: Running, Ready, 노드 2개 이상에 분산", ready.Text["ko"])
	assert.False(t, ready.Latches)

	t.Run("all on one node", func(t *testing.T) {
		c := newTestCluster(t)
		sh(t, c, twoPodManifest, "sleep 10s")
		assert.True(t, mustGoal(t, "pods: {selector: app=web, phase: Running, ready: true, count: 3}").Holds(c))
		assert.False(t, ready.Holds(c), "three pods, all on node-1")
		assert.True(t, mustGoal(t, "pods: {selector: app=web, on: node-1, count: 3}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {selector: app=web, notOn: node-1}").Holds(c))
	})
	t.Run("right count, not ready", func(t *testing.T) {
		c := newTestCluster(t)
		sh(t, c, "kubectl create deployment web --image=nginx:1.277 --replicas=3", "sleep 30s")
		assert.False(t, ready.Holds(c))
		assert.True(t, mustGoal(t, "pods: {selector: app=web, count: 3, nodes: 2}").Holds(c))
		assert.True(t, mustGoal(t, "pods: {selector: app=web, waiting: ImagePullBackOff, count: 3}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {selector: app=web, waiting: CrashLoopBackOff}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {selector: app=web, ready: true}").Holds(c))
	})
	t.Run("wrong label, terminating pods", func(t *testing.T) {
		c := newTestCluster(t)
		sh(t, c, "kubectl create deployment wbe --image=nginx:1.27 --replicas=3", "sleep 10s")
		assert.False(t, ready.Holds(c), "app=wbe is not app=web")
		g := mustGoal(t, "pods: {selector: app=wbe, phase: Running, ready: true, count: 3, nodes: 2}")
		assert.True(t, g.Holds(c))
		sh(t, c, "kubectl scale deployment wbe --replicas=2")
		assert.False(t, g.Holds(c), "a Terminating pod does not count")
		assert.True(t, mustGoal(t, "pods: {selector: app=web, max: 0}").Holds(c))
	})
	t.Run("requests and scheduling", func(t *testing.T) {
		c := newTestCluster(t)
		sh(t, c, "kubectl run small --image=nginx:1.27", "sleep 5s")
		big := mustGoal(t, "pods: {cpu: 1500m, phase: Running}")
		assert.False(t, big.Holds(c), "no requests at all")
		sh(t, c, "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata: {name: huge}\nspec:\n  containers:\n  - name: a\n    image: nginx:1.27\n    resources: {requests: {cpu: \"5\"}}\nEOF")
		assert.False(t, big.Holds(c), "requests 5 CPUs but Pending")
		assert.True(t, mustGoal(t, "pods: {name: huge, cpu: \"5\", scheduled: false, phase: Pending}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {name: small, scheduled: false}").Holds(c))
	})
	t.Run("containers, sidecars and restarts", func(t *testing.T) {
		c := newTestCluster(t)
		sh(t, c, `kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  initContainers:
  - {name: side, image: busybox:1.36, restartPolicy: Always, command: [sh, -c, "sleep infinity"]}
  containers:
  - {name: main, image: nginx:1.27}
EOF`, `kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: pair}
spec:
  initContainers:
  - {name: init, image: busybox:1.36, command: [sh, -c, "true"]}
  containers:
  - {name: a, image: nginx:1.27}
  - {name: b, image: busybox:1.36, command: [sh, -c, "sleep infinity"]}
EOF`, "sleep 10s")
		sidecar := mustGoal(t, "pods: {containers: 2, readyContainers: 2, sidecar: true}")
		assert.True(t, sidecar.Holds(c))
		assert.True(t, mustGoal(t, "pods: {name: pair, containers: 2, readyContainers: 2}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {name: pair, sidecar: true}").Holds(c), "an init container that ran to completion is no sidecar")
		restarted := mustGoal(t, "pods: {name: duo, container: main, restarts: 1}")
		assert.False(t, restarted.Holds(c))
		sh(t, c, "crash duo -c side", "sleep 2s")
		assert.False(t, restarted.Holds(c), "the other container restarted")
		assert.True(t, mustGoal(t, "pods: {name: duo, restarts: 1}").Holds(c))
		sh(t, c, "crash duo -c main", "sleep 2s")
		assert.True(t, restarted.Holds(c))
	})
	t.Run("crash loop and claims", func(t *testing.T) {
		c := newTestCluster(t)
		sh(t, c, "kubectl run crashy --image=podplay/crasher:1.0", "sleep 40s")
		assert.True(t, mustGoal(t, "pods: {name: crashy, waiting: CrashLoopBackOff, restarts: 2}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {name: crashy, waiting: ImagePullBackOff}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {name: crashy, restarts: 20}").Holds(c))
		assert.False(t, mustGoal(t, "pods: {claim: data}").Holds(c))
	})
}

func TestNodesGoal(t *testing.T) {
	c := newTestCluster(t)
	allReady := mustGoal(t, "nodes: {ready: true, count: 3}")
	notReady := mustGoal(t, "nodes: {ready: false, min: 1}")
	cordoned := mustGoal(t, "nodes: {name: node-2, cordoned: true}")
	assert.Equal(t, "3 nodes: Ready", allReady.Text["en"])
	assert.Equal(t, "A node: NotReady", notReady.Text["en"])
	assert.Equal(t, "노드 1개 이상: NotReady", notReady.Text["ko"])
	assert.True(t, allReady.Holds(c))
	assert.False(t, notReady.Holds(c))
	assert.False(t, cordoned.Holds(c))
	sh(t, c, "kubectl cordon node-1")
	assert.False(t, cordoned.Holds(c), "node-1 is cordoned, not node-2")
	sh(t, c, "kubectl cordon node-2")
	assert.True(t, cordoned.Holds(c))
	sh(t, c, "node kill node-3")
	assert.False(t, notReady.Holds(c), "killed, but the control plane has not noticed yet")
	sh(t, c, "sleep 1m")
	assert.True(t, notReady.Holds(c))
	assert.False(t, allReady.Holds(c))
	sh(t, c, "node add node-4", "sleep 10s")
	assert.True(t, mustGoal(t, "nodes: {count: 4}").Holds(c))
	assert.True(t, allReady.Holds(c), "node-1, node-2 (cordoned but Ready) and node-4")
}

func TestClaimsGoal(t *testing.T) {
	c := newTestCluster(t)
	bound := mustGoal(t, "claims: {name: data, phase: Bound}")
	assert.Equal(t, "PersistentVolumeClaim data: Bound to a PersistentVolume", bound.Text["en"])
	assert.Equal(t, "PersistentVolumeClaim data: PersistentVolume에 Bound", bound.Text["ko"])
	pvc := func(name, class string) string {
		return "kubectl apply -f - <<EOF\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: " + name + "}\nspec:\n  accessModes: [ReadWriteOnce]\n" + class + "  resources: {requests: {storage: 1Gi}}\nEOF"
	}
	sh(t, c, pvc("data", "  storageClassName: slow\n"))
	assert.False(t, bound.Holds(c), "no StorageClass slow: the claim is Pending")
	assert.True(t, mustGoal(t, "claims: {name: data, phase: Pending}").Holds(c))
	sh(t, c, pvc("other", ""))
	assert.False(t, bound.Holds(c), "another claim is bound")
	assert.True(t, mustGoal(t, "claims: {phase: Bound, count: 1}").Holds(c))
	sh(t, c, "kubectl delete pvc data", pvc("data", ""))
	assert.True(t, bound.Holds(c))
}

func TestServiceGoal(t *testing.T) {
	c := newTestCluster(t)
	g := mustGoal(t, "service: {selects: app=web, endpoints: 3}")
	assert.Equal(t, "A Service selecting app=web: at least 3 ready endpoints", g.Text["en"])
	sh(t, c, "kubectl create deployment web --image=nginx:1.277 --replicas=3", "kubectl expose deployment web --port=80", "sleep 30s")
	assert.False(t, g.Holds(c), "three pods selected, none ready")
	assert.True(t, mustGoal(t, "service: {name: web, selects: app=web}").Holds(c))
	assert.False(t, mustGoal(t, "service: {name: web, type: NodePort}").Holds(c))
	sh(t, c, "kubectl set image deployment/web nginx=nginx:1.27", "kubectl rollout status deployment/web")
	assert.True(t, g.Holds(c))
	assert.True(t, mustGoal(t, "service: {name: web, port: 80, endpoints: 3}").Holds(c))
	assert.False(t, mustGoal(t, "service: {selects: app=api}").Holds(c), "a Service selecting another label")
	assert.False(t, mustGoal(t, "service: {name: web, endpoints: 4}").Holds(c))
}

func TestIngressGoal(t *testing.T) {
	c := newTestCluster(t)
	sh(t, c, `kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  rules:
  - host: shop.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
EOF`)
	for _, tc := range []struct {
		goal string
		want bool
	}{
		{"ingress: {host: shop.example, service: web}", true},
		{"ingress: {host: shop.example, path: /api/orders, service: api}", true},
		{"ingress: {host: shop.example, path: /api/orders, service: web}", false}, // the longer path wins
		{"ingress: {host: shop.example, path: /apix, service: web}", true},        // Prefix matches whole elements
		{"ingress: {host: other.example, service: web}", false},
		{"ingress: {name: shop, host: shop.example, service: web}", true},
		{"ingress: {name: other, host: shop.example, service: web}", false},
	} {
		assert.Equal(t, tc.want, mustGoal(t, tc.goal).Holds(c), tc.goal)
	}
	g := mustGoal(t, "ingress: {host: shop.example, path: /api, service: api}")
	assert.Equal(t, "An Ingress routing http://shop.example/api to Service api", g.Text["en"])
	assert.Equal(t, "http://shop.example/api 요청을 Service api에 전달하는 Ingress", g.Text["ko"])
}

func TestDeploymentGoalsAndRollback(t *testing.T) {
	c := newTestCluster(t)
	sh(t, c, `kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  progressDeadlineSeconds: 60
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27"}]
EOF`)
	avail := mustGoal(t, "deployment: {name: web, replicas: 3, available: 3}")
	assert.False(t, avail.Holds(c), "created, not yet available")
	sh(t, c, "kubectl rollout status deployment/web")
	assert.True(t, avail.Holds(c))
	assert.False(t, mustGoal(t, "deployment: {name: api, available: 3}").Holds(c))
	rev2 := mustGoal(t, "deployment: {name: web, image: \"nginx:1.28\", revision: 2, complete: true}")
	stalled := mustGoal(t, "deployment: {name: web, stalled: true}")
	rollback := newProbe(mustGoal(t, "rollback: {name: web}"))
	assert.True(t, rollback.g.Latches)
	rollback.observe(c)
	rollback.run(t, c, "kubectl set image deployment/web nginx=nginx:1.28")
	assert.False(t, rev2.Holds(c), "rolling out, not complete")
	rollback.run(t, c, "kubectl rollout status deployment/web")
	assert.True(t, rev2.Holds(c))
	assert.False(t, rollback.holds(c), "a rollout to a new image is no rollback")
	rollback.run(t, c, "kubectl set image deployment/web nginx=nginx:1.29-typo")
	rollback.run(t, c, "sleep 30s")
	assert.False(t, stalled.Holds(c), "stuck, but before the deadline")
	rollback.run(t, c, "sleep 1m")
	assert.True(t, stalled.Holds(c))
	assert.False(t, mustGoal(t, "deployment: {name: web, complete: true}").Holds(c))
	rollback.run(t, c, "kubectl rollout undo deployment/web")
	rollback.run(t, c, "kubectl rollout status deployment/web")
	assert.True(t, rollback.holds(c))
	assert.True(t, mustGoal(t, "deployment: {name: web, image: \"nginx:1.28\", revision: 3, complete: true, available: 3}").Holds(c))
	assert.False(t, stalled.Holds(c))
	rollback.run(t, c, "kubectl set image deployment/web nginx=nginx:1.29")
	rollback.run(t, c, "kubectl rollout status deployment/web")
	assert.True(t, rollback.holds(c), "a rollback, once seen, stays")
}

func TestFileGoal(t *testing.T) {
	c := newTestCluster(t)
	sh(t, c, "kubectl run box --labels=app=box --image=busybox:1.36 -- sleep 3600", "sleep 5s")
	has := mustGoal(t, "file: {selector: app=box, path: /tmp/f, contains: hello}")
	absent := mustGoal(t, "file: {name: box, path: /tmp/f, absent: true}")
	assert.False(t, has.Holds(c))
	assert.True(t, absent.Holds(c))
	sh(t, c, `kubectl exec box -- sh -c 'echo goodbye > /tmp/f'`)
	assert.False(t, has.Holds(c), "the file has other content")
	assert.False(t, absent.Holds(c))
	assert.True(t, mustGoal(t, "file: {name: box, path: /tmp/f}").Holds(c))
	assert.True(t, mustGoal(t, "file: {name: box, path: /tmp/f, equals: goodbye}").Holds(c))
	sh(t, c, `kubectl exec box -- sh -c 'echo hello > /tmp/f'`)
	assert.True(t, has.Holds(c))
	assert.False(t, mustGoal(t, "file: {selector: app=other, path: /tmp/f}").Holds(c))
	sh(t, c, "crash box", "sleep 2s")
	assert.False(t, has.Holds(c), "the container's writable layer went with the crash")
}

func TestRescheduledGoal(t *testing.T) {
	g := mustGoal(t, "rescheduled: {selector: app=web}")
	assert.Equal(t, "A pod with app=web lost with a node that went down is replaced, Ready on another node", g.Text["en"])
	t.Run("a deleted pod is not lost with a node", func(t *testing.T) {
		c := newTestCluster(t)
		p := newProbe(g)
		p.run(t, c, "kubectl create deployment web --image=nginx:1.27 --replicas=3")
		p.run(t, c, "sleep 10s")
		name := c.Pods("default", nil)[0].Name
		p.run(t, c, "kubectl delete pod "+name)
		p.run(t, c, "sleep 1m")
		assert.False(t, p.holds(c))
	})
	t.Run("a dead node, before and after the eviction", func(t *testing.T) {
		c := newTestCluster(t)
		p := newProbe(g)
		other := newProbe(mustGoal(t, "rescheduled: {selector: app=api}"))
		sh(t, c, "kubectl create deployment api --image=nginx:1.27 --replicas=1", "kubectl create deployment web --image=nginx:1.27 --replicas=3", "sleep 10s")
		node := c.Pods("default", nil)[len(c.Pods("default", nil))-1].Spec.NodeName
		p.run(t, c, "node kill "+node)
		p.run(t, c, "sleep 1m")
		assert.False(t, p.holds(c), "NotReady, but not yet replaced")
		p.run(t, c, "sleep 5m")
		other.observe(c)
		assert.True(t, p.holds(c))
		assert.False(t, other.holds(c), "no api pod ran on the dead node")
		p.run(t, c, "node restore "+node)
		p.run(t, c, "sleep 1m")
		assert.True(t, p.holds(c), "latched")
	})
}

func TestTrafficGoal(t *testing.T) {
	c := newTestCluster(t)
	sh(t, c, "kubectl create deployment web --image=podplay/hello:1.0 --replicas=3", "kubectl expose deployment web --port=80 --target-port=8080",
		`kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  rules:
  - host: shop.example
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
EOF`, "sleep 10s")
	three := newProbe(mustGoal(t, "traffic: {host: shop.example, pods: 3}"))
	down := newProbe(mustGoal(t, "traffic: {host: shop.example, pods: 2, nodeDown: true}"))
	api := newProbe(mustGoal(t, "traffic: {host: shop.example, path: /api}"))
	assert.Equal(t, "`curl http://shop.example/` answered 200 by 3 different pods", three.g.Text["en"])
	for _, p := range []*probe{three, down, api} {
		p.run(t, c, "curl -n 2 http://shop.example/")
		p.run(t, c, "curl -n 6 http://other.example/")
	}
	assert.False(t, three.holds(c), "two requests reach two pods; other.example reaches none")
	three.run(t, c, "curl -n 3 http://shop.example/")
	assert.True(t, three.holds(c))
	assert.False(t, down.holds(c), "every node is up")
	assert.False(t, api.holds(c))
	api.run(t, c, "curl http://shop.example/api/x")
	assert.True(t, api.holds(c))
	node := c.Pods("default", nil)[0].Spec.NodeName
	sh(t, c, "node kill "+node, "sleep 1m")
	down.run(t, c, "curl -n 4 http://shop.example/")
	assert.True(t, down.holds(c))
}

func TestRanGoal(t *testing.T) {
	c := newTestCluster(t)
	sh(t, c, "kubectl run web --image=nginx:1.27")
	describe := mustGoal(t, "ran: kubectl describe pod")
	assert.True(t, describe.Latches)
	assert.Equal(t, "Run `kubectl describe pod`", describe.Text["en"])
	assert.Equal(t, "`kubectl describe pod` 실행", describe.Text["ko"])
	for _, tc := range []struct {
		pattern, input string
		want           bool
	}{
		{"kubectl describe pod", "kubectl describe pod web", true},
		{"kubectl describe pod", "k describe po/web", true},
		{"kubectl describe pod", "kubectl describe pods", true},
		{"kubectl describe pod", "kubectl descibe pod web", false},     // a typo fails
		{"kubectl describe pod", "kubectl describe pod nosuch", false}, // NotFound fails
		{"kubectl describe pod", "kubectl describe node node-1", false},
		{"kubectl describe pod", "kubectl get pods", false},
		{"kubectl get nodes", "kubectl get no", true},
		{"kubectl get nodes", "kubectl get nodes -o wide", true},
		{"kubectl get pods -o wide", "kubectl get pods", false},
		{"kubectl get pods -o wide", "kubectl get po --output=wide", true},
		{"kubectl describe node node-1", "kubectl describe node node-2", false},
		{"kubectl describe node node-1", "kubectl describe nodes/node-1", true},
		{"kubectl logs --previous", "kubectl logs web", false},
		{"kubectl exec -c app", "kubectl exec web -c web -- ls", false},
		{"node kill", "node kill node-2", true},
		{"node kill", "node add node-4", false},
		{"kubectl rollout undo deployment", "kubectl rollout status deployment/web", false},
	} {
		p := newProbe(mustGoal(t, "ran: "+tc.pattern))
		p.run(t, c, tc.input)
		assert.Equal(t, tc.want, p.holds(c), "%q after %q", tc.pattern, tc.input)
	}
}
