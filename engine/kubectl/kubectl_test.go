package kubectl_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

// TestTranscripts runs the golden transcripts in testdata: each "run"
// block is a terminal input (a heredoc included) with kubectl's output and
// exit code under it; "advance D" moves virtual time. Every transcript
// starts on podplay's default cluster: three Ready nodes of 4 CPU / 8Gi.
func TestTranscripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		c := newCluster(t)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "run":
				r := kubectl.Run(c, strings.TrimSuffix(d.Input, "\n"))
				return fmt.Sprintf("%s[exit %d]", r.Output, r.ExitCode)
			case "advance":
				dur, err := time.ParseDuration(d.CmdArgs[0].Key)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Advance(dur); err != nil {
					return "error: " + err.Error()
				}
				return "ok"
			}
			t.Fatalf("unknown command %q", d.Cmd)
			return ""
		})
	})
}

func newCluster(t *testing.T) *engine.Cluster {
	t.Helper()
	c, err := kubectl.DefaultCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzRun: nothing typed at the terminal can panic the engine, or its
// completion.
func FuzzRun(f *testing.F) {
	for _, seed := range []string{"kubectl get pods", "kubectl get deploy,rs,po -o wide", "kubectl get pods/x -o yaml",
		"kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c, image: nginx}]}\nEOF",
		"kubectl delete pod x --grace-period=0 --force", "kubectl gti pods", "kubectl get 'unterminated", "kubectl -n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		if len(input) > 8192 {
			return
		}
		c := engine.New(engine.DefaultConfig())
		kubectl.Complete(c, input)
		kubectl.Run(c, input)
		kubectl.Complete(c, input)
	})
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"kubectl get pods", []string{"kubectl", "get", "pods"}},
		{"kubectl exec web -- sh -c 'echo hi > /tmp/x'", []string{"kubectl", "exec", "web", "--", "sh", "-c", "echo hi > /tmp/x"}},
		{"kubectl apply -f - <<EOF\nkind: Pod\nEOF", []string{"kubectl", "apply", "-f", "-"}},
		{"k  describe\tpo/web\r\nignored", []string{"k", "describe", "po/web"}},
		{`curl -H "Host: a b" x`, []string{"curl", "-H", "Host: a b", "x"}},
	} {
		got, err := kubectl.Words(c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
	}
	_, err := kubectl.Words(`echo "open`)
	require.EqualError(t, err, "unterminated quoted string")
}
