package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/require"
)

// TestMain lets the testscript tests run this binary as "podplay", and the
// crash test run it as a server process (PODPLAY_TEST_MAIN=1).
func TestMain(m *testing.M) {
	if os.Getenv("PODPLAY_TEST_MAIN") == "1" {
		main()
		return
	}
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

func TestHelpSaysWhatWorks(t *testing.T) {
	out, _, err := runCmd(t, "help")
	require.NoError(t, err)
	require.Contains(t, out, "podplay demo")
	require.Contains(t, out, "podplay lessons [DIR]")
	require.Contains(t, out, "Open http://localhost:8080", "the usage points at the pages")
}

// TestServe starts the server as "go run ." does, uses the API, and shuts
// it down as SIGINT would; a second start finds the session again.
func TestServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "podplay.db")
	base, stop := startServer(t, db)
	resp, err := http.Post(base+"/api/sessions", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	var created struct{ ID string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)

	exec := func(base, cmd string) string {
		body, _ := json.Marshal(map[string]string{"command": cmd})
		resp, err := http.Post(base+"/api/sessions/"+created.ID+"/exec", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out struct{ Output string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		require.Equal(t, http.StatusOK, resp.StatusCode, out.Output)
		return out.Output
	}
	require.Equal(t, "deployment.apps/web created\n", exec(base, "kubectl create deployment web --image=nginx:1.27"))
	before := exec(base, "kubectl get pods")
	require.NoError(t, stop())

	base, stop = startServer(t, db)
	require.Equal(t, before, exec(base, "kubectl get pods"), "the session comes back as it was")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"podplay", "healthcheck"},
		func(k string) string {
			if k == "PODPLAY_ADDR" {
				return strings.TrimPrefix(base, "http://")
			}
			return ""
		}, strings.NewReader(""), &out, io.Discard))
	require.Equal(t, "ok\n", out.String())
	require.NoError(t, stop())
	require.Error(t, run(context.Background(), []string{"podplay", "healthcheck"},
		func(k string) string { return strings.TrimPrefix(base, "http://") }, strings.NewReader(""), io.Discard, io.Discard),
		"no server, no health")
}

// serverURL finds the address in "podplay serving on http://…".
var serverURL = regexp.MustCompile(`http://\S+`)

func startServer(t *testing.T, db string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"podplay", "-addr", "127.0.0.1:0", "-db", db}, func(string) string { return "" },
			strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr)
	m := serverURL.FindString(line)
	require.NotEmpty(t, m, line)
	return m, func() error {
		cancel()
		return <-done
	}
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
