package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/podplay/podplay/lessons"
)

type testServer struct {
	*httptest.Server
	srv      *Server
	store    *Store
	sessions *Sessions
}

// unlimited lifts the rate limits, for tests that send many commands.
func (ts *testServer) unlimited() {
	ts.srv.commands = newLimiters(rate.Inf, 0)
	ts.srv.creates = newLimiters(rate.Inf, 0)
}

// course is the built-in course, loaded once for all the tests.
var course = sync.OnceValues(lessons.Builtin)

func testCourse(t testing.TB) *lessons.Catalog {
	t.Helper()
	c, err := course()
	require.NoError(t, err)
	return c
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	store, err := OpenStore(context.Background(), filepath.Join(t.TempDir(), "podplay.db"))
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sessions := NewSessions(store, testCourse(t), log, time.Minute)
	srv := New(store, sessions, log)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		sessions.Shutdown()
		store.Close()
	})
	return &testServer{Server: ts, srv: srv, store: store, sessions: sessions}
}

// call sends a request and decodes the JSON answer into out (if not nil).
func (ts *testServer) call(t testing.TB, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), string(data))
	}
	return resp.StatusCode
}

func (ts *testServer) create(t testing.TB, body string) string {
	t.Helper()
	var out createResponse
	require.Equal(t, http.StatusCreated, ts.call(t, "POST", "/api/sessions", body, &out))
	require.True(t, validID(out.ID), out.ID)
	require.Equal(t, "/s/"+out.ID, out.URL)
	return out.ID
}

func (ts *testServer) exec(t testing.TB, id, command string) execResponse {
	t.Helper()
	body, _ := json.Marshal(execRequest{Command: command})
	var out execResponse
	require.Equal(t, http.StatusOK, ts.call(t, "POST", "/api/sessions/"+id+"/exec", string(body), &out))
	return out
}

func TestHealthAndReady(t *testing.T) {
	ts := newTestServer(t)
	var out map[string]any
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/healthz", "", &out))
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/readyz", "", &out))
	require.Equal(t, "ready", out["status"])
	require.Equal(t, float64(8), out["lessons"])

	// Without lessons it is not ready.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bare := httptest.NewServer(New(ts.store, NewSessions(ts.store, nil, log, time.Minute), log))
	defer bare.Close()
	resp, err := http.Get(bare.URL + "/readyz")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "no lessons loaded", out["error"])

	require.NoError(t, ts.store.Close())
	require.Equal(t, http.StatusServiceUnavailable, ts.call(t, "GET", "/readyz", "", &out))
	require.Contains(t, out["error"], "database unreachable")
}

func TestExecAndState(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	out := ts.exec(t, id, "kubectl create deployment web --image=nginx:1.27 --replicas=2")
	require.Equal(t, execResponse{Output: "deployment.apps/web created\n"}, out)
	out = ts.exec(t, id, "kubectl get pod ghost")
	require.Equal(t, 1, out.ExitCode)
	require.Equal(t, "Error from server (NotFound): pods \"ghost\" not found\n", out.Output)

	var state struct {
		ResourceVersion uint64 `json:"resourceVersion"`
		Time            string `json:"time"`
		Objects         []struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct{ Name string }
		} `json:"objects"`
	}
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/api/sessions/"+id+"/state", "", &state))
	require.NotZero(t, state.ResourceVersion)
	kinds := map[string]int{}
	for _, o := range state.Objects {
		require.NotEmpty(t, o.APIVersion, "objects are Kubernetes-shaped")
		kinds[o.Kind]++
	}
	require.Equal(t, 3, kinds["Node"])
	require.Equal(t, 1, kinds["Deployment"])
	require.Equal(t, 2, kinds["Pod"])
}

func TestCreateFromScript(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{"script": "kubectl create deployment web --image=nginx:1.27\nsleep 30s"}`)
	out := ts.exec(t, id, "kubectl get deploy web")
	require.Contains(t, out.Output, "1/1")

	var e map[string]string
	require.Equal(t, http.StatusBadRequest, ts.call(t, "POST", "/api/sessions", `{"script": "kubectl apply -f - <<EOF\nkind: Pod"}`, &e))
	require.Contains(t, e["error"], "heredoc is not closed")
	require.Equal(t, http.StatusBadRequest, ts.call(t, "POST", "/api/sessions", `{"lesson": "podz"}`, &e))
	require.Contains(t, e["error"], `no lesson "podz": choose one of nodes, `)
	require.Equal(t, http.StatusBadRequest, ts.call(t, "POST", "/api/sessions", `{"preset": "nope"}`, &e))
	require.Contains(t, e["error"], `no sandbox preset "nope": choose one of `)
	require.Equal(t, http.StatusBadRequest, ts.call(t, "POST", "/api/sessions", `{"preset": "webapp", "lesson": "nodes"}`, &e))
	require.Contains(t, e["error"], `not both`)
}

func TestBadRequests(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/api/sessions/" + id + "/exec", `{"command": `, 400, "invalid JSON"},
		{"POST", "/api/sessions/" + id + "/exec", ``, 400, "body is empty"},
		{"POST", "/api/sessions/" + id + "/exec", `{"cmd": "kubectl get pods"}`, 400, `unknown field "cmd"`},
		{"POST", "/api/sessions/" + id + "/exec", `{"command": "kubectl get pods"} {}`, 400, "unexpected data"},
		{"POST", "/api/sessions/" + id + "/exec", `{"command": " "}`, 400, `"command" is required`},
		{"POST", "/api/sessions/" + id + "/exec", `{"command": "` + strings.Repeat("x", MaxBody) + `"}`, 413, "3 MiB"},
		{"POST", "/api/sessions/aaaaaaaaaaaaaaaaaaaaaaaaaa/exec", `{"command": "kubectl get pods"}`, 404, "no session"},
		{"GET", "/api/sessions/../../etc/passwd/state", ``, 404, ""},
		{"GET", "/api/sessions/" + id + "/exec", ``, 405, "not allowed"},
		{"POST", "/api/sessions/" + id + "/clock", `{"action": "rewind"}`, 400, "unknown clock action"},
		{"POST", "/api/sessions/" + id + "/clock", `{"action": "play", "speed": 3}`, 400, "speed 3"},
		{"GET", "/nope", ``, 404, "no route"},
	} {
		var e map[string]string
		status := ts.call(t, tc.method, tc.path, tc.body, &e)
		require.Equal(t, tc.status, status, "%s %s %.40s: %v", tc.method, tc.path, tc.body, e)
		require.Contains(t, e["error"], tc.want, "%s %s", tc.method, tc.path)
	}
	// The session still works after all that.
	require.Equal(t, 0, ts.exec(t, id, "kubectl get pods").ExitCode)
}

func TestCrossSiteRequestsRefused(t *testing.T) {
	ts := newTestServer(t)
	req, _ := http.NewRequest("POST", ts.URL+"/api/sessions", strings.NewReader(`{}`))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestClock(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	ts.exec(t, id, "kubectl create deployment web --image=nginx:1.27")
	var c Clock
	require.Equal(t, http.StatusOK, ts.call(t, "POST", "/api/sessions/"+id+"/clock", `{"action": "step"}`, &c))
	require.False(t, c.Playing)
	first := c.Time
	require.Equal(t, http.StatusOK, ts.call(t, "POST", "/api/sessions/"+id+"/clock", `{"action": "play", "speed": 60}`, &c))
	require.True(t, c.Playing)
	require.Equal(t, 60, c.Speed)
	require.Eventually(t, func() bool {
		ts.call(t, "POST", "/api/sessions/"+id+"/clock", `{}`, &c)
		return c.Time > first
	}, 5*time.Second, 20*time.Millisecond, "a playing clock moves")
	require.Equal(t, http.StatusOK, ts.call(t, "POST", "/api/sessions/"+id+"/clock", `{"action": "pause"}`, &c))
	require.False(t, c.Playing)
}

// TestUnloadAndReload: an idle session is saved and unloaded; the next
// request rebuilds it exactly (same objects, same resource version).
func TestUnloadAndReload(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	ts.exec(t, id, "kubectl create deployment web --image=nginx:1.27 --replicas=3")
	var c Clock
	ts.call(t, "POST", "/api/sessions/"+id+"/clock", `{"action": "step"}`, &c)
	ts.exec(t, id, "sleep 45s")
	ts.exec(t, id, "kubectl scale deployment web --replicas=5")
	ts.call(t, "POST", "/api/sessions/"+id+"/clock", `{"action": "step"}`, &c)
	var before, after json.RawMessage
	ts.call(t, "GET", "/api/sessions/"+id+"/state", "", &before)

	require.Equal(t, 1, ts.sessions.UnloadIdle(time.Now().Add(time.Hour)))
	require.Zero(t, ts.sessions.Live())
	ts.call(t, "GET", "/api/sessions/"+id+"/state", "", &after)
	require.Equal(t, 1, ts.sessions.Live())
	require.JSONEq(t, string(before), string(after))
}

// TestPanicRestoresSession: a panic in one session's engine is recovered;
// that session comes back from its saved inputs and the others never
// notice.
func TestPanicRestoresSession(t *testing.T) {
	ts := newTestServer(t)
	a, b := ts.create(t, `{}`), ts.create(t, `{}`)
	ts.exec(t, a, "kubectl create deployment web --image=nginx:1.27")
	var before json.RawMessage
	ts.call(t, "GET", "/api/sessions/"+a+"/state", "", &before)

	s, err := ts.sessions.Get(context.Background(), a)
	require.NoError(t, err)
	err = s.do(context.Background(), func() error { panic("boom") })
	require.ErrorIs(t, err, errFailed)

	var after json.RawMessage
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/api/sessions/"+a+"/state", "", &after))
	require.JSONEq(t, string(before), string(after))
	require.Equal(t, 0, ts.exec(t, b, "kubectl get pods").ExitCode)
}

func TestConcurrentExec(t *testing.T) {
	ts := newTestServer(t)
	ts.unlimited()
	ids := []string{ts.create(t, `{}`), ts.create(t, `{}`)}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := ids[i%2]
			for range 5 {
				ts.exec(t, id, "kubectl get pods")
			}
		}()
	}
	wg.Wait()
	_, inputs, err := ts.store.LoadSession(context.Background(), ids[0])
	require.NoError(t, err)
	require.Len(t, inputs, 20, "every answered command is stored")
}

func TestViewersGetEventsAndSlowOnesAreCut(t *testing.T) {
	ts := newTestServer(t)
	ts.unlimited()
	id := ts.create(t, `{}`)
	s, err := ts.sessions.Get(context.Background(), id)
	require.NoError(t, err)
	sub, err := s.Subscribe(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, sub.Snapshot.Objects)
	require.Nil(t, sub.Goals, "a sandbox has no goals")
	v := sub.Viewer
	ts.exec(t, id, "kubectl create deployment web --image=nginx:1.27")
	b := <-v.C
	require.Equal(t, "kubectl create deployment web --image=nginx:1.27", b.Command)
	require.NotEmpty(t, b.Events)

	sub, err = s.Subscribe(context.Background())
	require.NoError(t, err)
	slow := sub.Viewer
	for range viewerQueue + 1 {
		ts.exec(t, id, "kubectl get pods")
		select {
		case <-v.C: // the fast viewer keeps up
		case <-time.After(5 * time.Second):
			t.Fatal("the fast viewer got nothing")
		}
	}
	select {
	case <-slow.Cut():
	case <-time.After(5 * time.Second):
		t.Fatal("a viewer that does not read is cut off")
	}
	s.Unsubscribe(v)
	_, unwatched := s.idleSince()
	require.True(t, unwatched)
}

func TestRateLimits(t *testing.T) {
	ts := newTestServer(t)
	var e map[string]string
	created := 0
	for range sessionBurst + 5 {
		if ts.call(t, "POST", "/api/sessions", `{}`, &e) == http.StatusCreated {
			created++
		}
	}
	require.Equal(t, sessionBurst, created, "a burst of creations, then slow down")
	require.Contains(t, e["error"], "slow down")

	ts.srv.creates = newLimiters(rate.Inf, 0)
	id := ts.create(t, `{}`)
	limited := 0
	for range commandBurst + 10 {
		var answer map[string]any
		if ts.call(t, "POST", "/api/sessions/"+id+"/exec", `{"command": "kubectl version"}`, &answer) == http.StatusTooManyRequests {
			limited++
			e = map[string]string{"error": answer["error"].(string)}
		}
	}
	require.Greater(t, limited, 0)
	require.Contains(t, e["error"], "slow down: at most 20 commands a second")
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	ts.exec(t, id, "kubectl get pods")
	ts.exec(t, id, "kubectl get pod ghost")
	resp, err := ts.Client().Get(ts.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	require.Contains(t, text, `podplay_commands_total{result="ok"} 1`)
	require.Contains(t, text, `podplay_commands_total{result="error"} 1`)
	require.Contains(t, text, "podplay_sessions_active 1")
	require.Contains(t, text, `podplay_http_request_seconds_count{code="OK",method="POST",route="/api/sessions/{id}/exec"} 2`)
	require.Contains(t, text, "podplay_engine_command_seconds_count 2")
	require.Contains(t, text, "podplay_websocket_viewers 0")
}

func TestCookieRemembersSessions(t *testing.T) {
	ts := newTestServer(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar}
	var ids []string
	for range 3 {
		resp, err := client.Post(ts.URL+"/api/sessions", "application/json", strings.NewReader(`{}`))
		require.NoError(t, err)
		var out createResponse
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		resp.Body.Close()
		ids = append(ids, out.ID)
		c := resp.Cookies()[0]
		require.True(t, c.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	}
	resp, err := client.Get(ts.URL + "/api/sessions")
	require.NoError(t, err)
	var mine struct{ Sessions []mySession }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&mine))
	resp.Body.Close()
	require.Len(t, mine.Sessions, 3)
	require.Equal(t, ids[2], mine.Sessions[0].ID, "newest first")

	// Another browser (no cookie) sees none of them, and a forged cookie
	// with junk is ignored.
	var other struct{ Sessions []mySession }
	require.Equal(t, http.StatusOK, ts.call(t, "GET", "/api/sessions", "", &other))
	require.Empty(t, other.Sessions)
	req, _ := http.NewRequest("GET", ts.URL+"/api/sessions", nil)
	req.AddCookie(&http.Cookie{Name: "podplay-sessions", Value: "../../x.' OR 1=1"})
	resp, err = ts.Client().Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp.Body.Close()
}
