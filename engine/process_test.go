package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeHost runs a process on its own clock, jumping to each wake-up.
type fakeHost struct {
	t     time.Time
	lines []string
	files map[string]string
}

func (h *fakeHost) now() time.Time                   { return h.t }
func (h *fakeHost) hostname() string                 { return "web-1" }
func (h *fakeHost) log(line string)                  { h.lines = append(h.lines, h.t.Format("05")+" "+line) }
func (h *fakeHost) logTemplate(tmpl string)          { h.log(tmpl) }
func (h *fakeHost) readFile(p string) (string, bool) { v, ok := h.files[cleanPath(p)]; return v, ok }
func (h *fakeHost) listDir(string) ([]string, bool)  { return nil, true }
func (h *fakeHost) writeFile(p, data string, appendTo bool) error {
	if appendTo {
		data = h.files[cleanPath(p)] + data
	}
	h.files[cleanPath(p)] = data
	return nil
}

// runFor runs a process until it exits, serves, or d has passed.
func runFor(t *testing.T, ctr Container, img string, d time.Duration) (*process, *fakeHost) {
	t.Helper()
	cat := DefaultImages()
	im, _, err := cat.Lookup(img)
	require.NoError(t, err)
	p, err := newProcess(im, &ctr, func() map[string]string { return map[string]string{"GREETING": "hi", "HOSTNAME": "web-1"} })
	require.NoError(t, err)
	h := &fakeHost{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), files: map[string]string{}}
	end := h.t.Add(d)
	p.run(h)
	for !p.done && !p.serving && !p.wakeAt.IsZero() && !p.wakeAt.After(end) {
		h.t = p.wakeAt
		p.run(h)
	}
	return p, h
}

func TestShellScripts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		lines  []string
		exit   int // -1: still running
	}{
		{"echo and exit", `echo hello; exit 3`, []string{"00 hello"}, 3},
		{"sleep between lines", `echo a; sleep 5; echo b`, []string{"00 a", "05 b"}, 0},
		{"loop with a counter", `i=0; while true; do i=$((i+1)); echo "$GREETING $i"; sleep 10; done`,
			[]string{"00 hi 1", "10 hi 2", "20 hi 3"}, -1},
		{"and or", `false && echo no; false || echo yes; true && echo also`, []string{"00 yes", "00 also"}, 0},
		{"if else", `if [ "$GREETING" = "hi" ]; then echo match; else echo nope; fi`, []string{"00 match"}, 0},
		{"for loop", `for x in a b c; do echo $x; done`, []string{"00 a", "00 b", "00 c"}, 0},
		{"quotes", `echo 'single $GREETING' "double $GREETING" \$`, []string{"00 single $GREETING double hi $"}, 0},
		{"command substitution", `echo "I am $(hostname)"`, []string{"00 I am web-1"}, 0},
		{"files", `echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f`, []string{"00 one", "00 two"}, 0},
		{"missing file", `cat /nope`, []string{"00 cat: can't open '/nope': No such file or directory"}, 1},
		{"unknown command", `frobnicate`, []string{"00 sh: frobnicate: not found"}, 127},
		{"exec the image's server", `echo starting; exec nginx -g 'daemon off;'`, nil, -1},
		{"syntax error", `while true; do echo x`, []string{`00 sh: syntax error: unexpected end of file (expecting "done")`}, 2},
		{"sleep infinity", `sleep infinity`, nil, -1},
		{"busy loop yields", `while true; do :; done`, nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, h := runFor(t, Container{Command: []string{"sh", "-c", tc.script}}, "nginx:1.27", 25*time.Second)
			if tc.lines != nil {
				require.Equal(t, tc.lines, h.lines[:min(len(h.lines), len(tc.lines))])
				if tc.exit >= 0 {
					require.Equal(t, tc.lines, h.lines)
				}
			}
			if tc.exit < 0 {
				require.False(t, p.done, "should still be running")
			} else {
				require.True(t, p.done, "should have exited")
				require.Equal(t, tc.exit, p.exit)
			}
		})
	}
}

func TestImageDefaultsAndExecForm(t *testing.T) {
	p, _ := runFor(t, Container{}, "busybox:1.36", time.Minute)
	require.True(t, p.done, "busybox's shell exits at once without a terminal")
	require.Equal(t, 0, p.exit)

	p, h := runFor(t, Container{}, "nginx:1.27", time.Minute)
	require.True(t, p.serving)
	require.True(t, p.handlesSIGTERM)
	require.NotEmpty(t, h.lines)

	p, h = runFor(t, Container{}, "mysql:8.4", time.Minute)
	require.True(t, p.done, "mysql without a root password exits")
	require.Equal(t, 1, p.exit)
	require.Contains(t, strings.Join(h.lines, "\n"), "MYSQL_ROOT_PASSWORD")

	p, _ = runFor(t, Container{Env: []EnvVar{{Name: "MYSQL_ROOT_PASSWORD", Value: "x"}}}, "mysql:8.4", time.Minute)
	require.True(t, p.serving)

	p, _ = runFor(t, Container{Command: []string{"sleep", "30"}}, "busybox:1.36", time.Minute)
	require.True(t, p.done)
	require.False(t, p.handlesSIGTERM, "sleep as PID 1 ignores SIGTERM")

	p, h = runFor(t, Container{Command: []string{"echo"}, Args: []string{"$(GREETING)", "$$(GREETING)"}}, "busybox:1.36", time.Minute)
	require.Equal(t, []string{"00 hi $(GREETING)"}, h.lines, "Kubernetes expands $(VAR) in args, $$ escapes")
	require.True(t, p.done)

	_, err := newProcess(DefaultImages().images["docker.io/library/busybox"], &Container{Command: []string{"slep", "1"}}, func() map[string]string { return map[string]string{} })
	var se *startError
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), `exec: "slep": executable file not found in $PATH`)

	p, _ = runFor(t, Container{Command: []string{"/app/server", "--port=8080"}}, "ghcr.io/acme/app:1", time.Minute)
	require.True(t, p.serving, "an unknown image runs its command as a long-lived process")
}

func TestParseSleepAndImageReferences(t *testing.T) {
	d, ok := parseSleep([]string{"1m", "30s"})
	require.True(t, ok)
	require.Equal(t, 90*time.Second, d)
	_, ok = parseSleep([]string{"soon"})
	require.False(t, ok)

	for in, want := range map[string]string{
		"nginx":                               "docker.io/library/nginx:latest",
		"nginx:1.27":                          "docker.io/library/nginx:1.27",
		"library/redis:7":                     "docker.io/library/redis:7",
		"registry.k8s.io/echoserver:1.4":      "registry.k8s.io/echoserver:1.4",
		"localhost:5000/app":                  "localhost:5000/app:latest",
		"gcr.io/google-samples/hello-app:1.0": "gcr.io/google-samples/hello-app:1.0",
	} {
		ref, err := ParseImageReference(in)
		require.NoError(t, err, in)
		require.Equal(t, want, ref.String(), in)
	}
	for _, bad := range []string{"Nginx", "nginx:", "ngi nx", "nginx@sha256:xyz", ""} {
		_, err := ParseImageReference(bad)
		require.Error(t, err, bad)
	}
	cat := DefaultImages()
	for _, typo := range []string{"ngnix", "ngin", "busybx", "reddis"} {
		_, _, err := cat.Lookup(typo)
		var pe *PullError
		require.ErrorAs(t, err, &pe, typo)
	}
	_, _, err := cat.Lookup("nginx:9.9")
	require.ErrorContains(t, err, "not found")
	im, _, err := cat.Lookup("quay.io/prometheus/node-exporter:v1.8.0")
	require.NoError(t, err)
	require.True(t, im.Generic)
}
