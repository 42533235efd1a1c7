package kubectl_test

import (
	"testing"

	"github.com/podplay/podplay/engine/kubectl"
)

// TestNodeAndLabelOddInputs: odd arguments to the node and label verbs are
// errors, never panics, and leave the cluster usable.
func TestNodeAndLabelOddInputs(t *testing.T) {
	c := newCluster(t)
	setup := "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec: {containers: [{name: c, image: nginx}]}\nEOF"
	if r := kubectl.Run(c, setup); r.ExitCode != 0 {
		t.Fatalf("setup: %s", r.Output)
	}
	for _, in := range []string{
		"kubectl cordon ''", "kubectl cordon node/", "kubectl cordon /", "kubectl uncordon -l", "kubectl uncordon -l '!!'",
		"kubectl drain node-1 --grace-period", "kubectl drain node-1 --grace-period=x", "kubectl drain node-1 --timeout=-5s --grace-period=0",
		"kubectl drain -l kubernetes.io/hostname=node-2 --force", "kubectl drain node-1 node-1",
		"kubectl taint", "kubectl taint nodes", "kubectl taint - -", "kubectl taint nodes node-1 -", "kubectl taint nodes node-1 :",
		"kubectl taint nodes node-1 =:NoSchedule", "kubectl taint nodes node-1 a=b=c:NoSchedule", "kubectl taint nodes node-1 a:b:c",
		"kubectl taint node/node-1 a=b:NoExecute", "kubectl taint node/ a=b:NoExecute", "kubectl taint nodes -l '' a:NoSchedule",
		"kubectl taint nodes --all -l x=y a:NoSchedule", "kubectl taint nodes node-1 a:NoSchedule a:NoSchedule",
		"kubectl label", "kubectl label ''", "kubectl label pod web =", "kubectl label pod web -", "kubectl label pod/ x=y",
		"kubectl label / x=y", "kubectl label pod web/x x=y", "kubectl label pod/web web x=y", "kubectl label pods -l '!!' x=y",
		"kubectl label pod web ''=x", "kubectl label pod web x= --overwrite", "kubectl label namespace default x=y",
		"kubectl annotate", "kubectl annotate pod web =", "kubectl annotate pod web ''=x", "kubectl annotate pod web -",
		"kubectl annotate pods --all -A a=b", "kubectl annotate node node-1 'A/B=c'",
	} {
		kubectl.Run(c, in) // must not panic
	}
	if r := kubectl.Run(c, "kubectl get pods"); r.ExitCode != 0 {
		t.Fatalf("cluster unusable after odd inputs: %s", r.Output)
	}
}
