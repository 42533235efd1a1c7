package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/require"
)

// TestMain lets the testscript tests run this binary as "podplay".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"podplay": main})
}

// TestScripts runs testdata/script/*.txtar: podplay as a user runs it.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"podplay"}, args...), func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestRunWithoutArgumentsSaysWhatWorks(t *testing.T) {
	out, _, err := runCmd(t)
	require.NoError(t, err)
	require.Contains(t, out, "podplay demo")
	require.Contains(t, out, "not built yet", "the usage must not pretend the server works")
}

func TestDemoTellsTheNodeFailureStory(t *testing.T) {
	out, _, err := runCmd(t, "demo", "-seed", "3")
	require.NoError(t, err)
	require.Contains(t, out, "powered off node-2")
	require.Contains(t, out, "node-2=NotReady")
	require.Contains(t, out, "Terminating")
	require.Regexp(t, `web-\w{5}\s+1/1\s+Running\s+node-[13]`, out, "replacements run on the healthy nodes")
	again, _, err := runCmd(t, "demo", "-seed", "3")
	require.NoError(t, err)
	require.Equal(t, out, again, "the demo is deterministic")
}

func TestUnknownCommandAndBadFlag(t *testing.T) {
	_, stderr, err := runCmd(t, "serve-everything")
	require.ErrorContains(t, err, `unknown command "serve-everything"`)
	require.True(t, strings.Contains(stderr, "Usage:"))
	_, _, err = runCmd(t, "demo", "-seed", "x")
	require.Error(t, err)
}

func TestVersion(t *testing.T) {
	out, _, err := runCmd(t, "version")
	require.NoError(t, err)
	require.Regexp(t, `Kubernetes v1\.\d+\.\d+`, out)
}
