package kubectl_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

func podNames(t *testing.T, c *engine.Cluster, prefix string) []string {
	t.Helper()
	var out []string
	for _, p := range c.Pods("default", nil) {
		if strings.HasPrefix(p.Name, prefix) {
			out = append(out, p.Name)
		}
	}
	require.Len(t, out, 2)
	return out
}

func rsName(t *testing.T, c *engine.Cluster) string {
	t.Helper()
	rs := c.List(engine.KindReplicaSet, "default", nil)
	require.Len(t, rs, 1)
	return rs[0].GetObjectMeta().Name
}

func TestComplete(t *testing.T) {
	c := newCluster(t)
	r := kubectl.Run(c, "kubectl create deployment web --image=nginx:1.27 --replicas=2")
	require.Zero(t, r.ExitCode, r.Output)
	r = kubectl.Run(c, "kubectl run debug --image=busybox:1.36 -- sleep 3600")
	require.Zero(t, r.ExitCode, r.Output)

	for _, tc := range []struct {
		line string
		want []string
	}{
		{"", []string{"crash", "curl", "kubectl", "node", "sleep"}},
		{"kub", []string{"kubectl"}},
		{"kubectl ge", []string{"get"}},
		{"kubectl r", []string{"rollout", "run"}},
		{"kubectl get de", []string{"deploy", "deployments"}},
		{"kubectl get deploy ", []string{"web"}},
		{"kubectl get pods d", []string{"debug"}},
		{"kubectl get deployment/", []string{"deployment/web"}},
		{"kubectl describe no ", []string{"node-1", "node-2", "node-3"}},
		{"kubectl get pods -o ", []string{"json", "name", "wide", "yaml"}},
		{"kubectl get pods -n ", []string{"default", "kube-node-lease", "kube-public", "kube-system"}},
		{"kubectl logs ", append([]string{"debug"}, podNames(t, c, "web-")...)},
		{"kubectl exec d", []string{"debug"}},
		{"kubectl logs debug -c ", []string{"debug"}},
		{"kubectl scale ", []string{"deployment/web", "replicaset/" + rsName(t, c)}},
		{"kubectl rollout ", []string{"history", "pause", "restart", "resume", "status", "undo"}},
		{"kubectl rollout status d", []string{"deployment/web"}},
		{"kubectl logs --p", []string{"--previous"}},
		{"node ", []string{"add", "kill", "restore"}},
		{"node kill node-3", []string{"node-3"}},
		{"kubectl get widgets ", nil},
		{"helm ", nil},
	} {
		require.Equal(t, tc.want, kubectl.Complete(c, tc.line), "line %q", tc.line)
	}
}
