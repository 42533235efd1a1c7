package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/podplay/podplay/engine"
)

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func (ts *testServer) dial(t *testing.T, id string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/sessions/" + id + "/ws"
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: t, conn: conn}, resp, nil
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	data, err := json.Marshal(v)
	require.NoError(c.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(c.t, c.conn.Write(ctx, websocket.MessageText, data))
}

// next reads messages until one of type typ arrives.
func (c *wsClient) next(typ string) map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, data, err := c.conn.Read(ctx)
		require.NoError(c.t, err, "waiting for %q", typ)
		var m map[string]any
		require.NoError(c.t, json.Unmarshal(data, &m))
		if m["type"] == typ {
			return m
		}
	}
}

// closeStatus reads until the server closes the socket.
func (c *wsClient) closeStatus() websocket.StatusCode {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		if _, _, err := c.conn.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func TestWebsocketFlow(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	c, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	hello := c.next("hello")
	require.Equal(t, float64(Protocol), hello["protocol"])
	require.Equal(t, id, hello["session"])
	snap := c.next("snapshot")
	require.NotEmpty(t, snap["objects"])
	require.NotZero(t, snap["resourceVersion"])
	require.Equal(t, false, snap["clock"].(map[string]any)["playing"])

	// A command from HTTP reaches the viewer as events, then its output.
	ts.exec(t, id, "kubectl create deployment web --image=nginx:1.27")
	evs := c.next("events")["events"].([]any)
	kinds := map[string]string{}
	for _, e := range evs {
		e := e.(map[string]any)
		kinds[e["object"].(map[string]any)["kind"].(string)] = e["type"].(string)
	}
	// Coalesced: the Deployment, added and then given a status, comes
	// once, as ADDED, and so does its ReplicaSet.
	require.Equal(t, "ADDED", kinds["Deployment"])
	require.Equal(t, "ADDED", kinds["ReplicaSet"])
	out := c.next("output")
	require.Equal(t, "deployment.apps/web created\n", out["output"])
	require.Equal(t, float64(0), out["exitCode"])

	// Commands, manifests and clock actions from the viewer.
	c.send(map[string]any{"type": "exec", "command": "kubectl get deploy web -o name"})
	require.Equal(t, "deployment.apps/web\n", c.next("output")["output"])
	c.send(map[string]any{"type": "apply", "yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: EOF}\n"})
	require.Contains(t, c.next("output")["output"], "is invalid", "the name EOF is no valid namespace, but the heredoc held")
	c.send(map[string]any{"type": "apply", "yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n"})
	require.Equal(t, "namespace/team-a created\n", c.next("output")["output"])
	c.send(map[string]any{"type": "clock", "action": "play", "speed": 10})
	require.Equal(t, true, c.next("clock")["clock"].(map[string]any)["playing"])

	// Mistakes are answered and the socket stays.
	c.send(map[string]any{"type": "dance"})
	require.Contains(t, c.next("error")["message"], `unknown message type "dance"`)
	require.NoError(t, c.conn.Write(context.Background(), websocket.MessageText, []byte(`{"type": `)))
	require.Contains(t, c.next("error")["message"], "invalid JSON")
	c.send(map[string]any{"type": "clock", "action": "rewind"})
	require.Contains(t, c.next("error")["message"], "unknown clock action")
	c.send(map[string]any{"type": "exec", "command": "kubectl get ns team-a -o name"})
	require.Equal(t, "namespace/team-a\n", c.next("output")["output"])
}

func TestWebsocketTwoViewers(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	a, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	b, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	a.next("snapshot")
	b.next("snapshot")
	a.send(map[string]any{"type": "exec", "command": "kubectl run x --image=busybox:1.36 -- sleep 60"})
	require.Equal(t, "pod/x created\n", b.next("output")["output"], "every tab sees every command")
}

func TestWebsocketTooBigMessage(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	c, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	c.next("snapshot")
	c.send(map[string]any{"type": "exec", "command": strings.Repeat("x", MaxBody+1)})
	require.Equal(t, websocket.StatusMessageTooBig, c.closeStatus())
	// The session survives.
	require.Equal(t, 0, ts.exec(t, id, "kubectl get pods").ExitCode)
	c, _, err = ts.dial(t, id, nil)
	require.NoError(t, err)
	c.next("snapshot")
}

func TestWebsocketRefusesOtherOrigins(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	_, resp, err := ts.dial(t, id, http.Header{"Origin": {"https://evil.example"}})
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, resp, err = ts.dial(t, "aaaaaaaaaaaaaaaaaaaaaaaaaa", nil)
	require.Error(t, err)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestWebsocketGoingAwayOnShutdown(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{}`)
	c, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	c.next("snapshot")
	srv := ts.Config.Handler.(*Server)
	srv.BeginShutdown()
	require.Equal(t, websocket.StatusGoingAway, c.closeStatus())
	var out map[string]string
	require.Equal(t, http.StatusServiceUnavailable, ts.call(t, "GET", "/readyz", "", &out))
}

// A command that moves time (sleep) tells viewers the new time, and curl
// sends the path each request took, for the diagram to draw.
func TestWebsocketClockAndTraffic(t *testing.T) {
	ts := newTestServer(t)
	id := ts.create(t, `{"script": "kubectl create deployment web --image=nginx --replicas=2\nkubectl expose deployment web --port=80\nkubectl create ingress web --rule=shop.example/*=web:80\nsleep 1m"}`)
	c, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	start := c.next("snapshot")["clock"].(map[string]any)["time"].(string)

	c.send(map[string]string{"type": "exec", "command": "sleep 30s"})
	clock := c.next("clock")["clock"].(map[string]any)
	t0, err := time.Parse(time.RFC3339Nano, start)
	require.NoError(t, err)
	t1, err := time.Parse(time.RFC3339Nano, clock["time"].(string))
	require.NoError(t, err)
	require.Equal(t, 30*time.Second, t1.Sub(t0))

	c.send(map[string]string{"type": "exec", "command": "kubectl get pods"})
	out := c.next("output")
	require.Equal(t, "kubectl get pods", out["command"])

	c.send(map[string]string{"type": "exec", "command": "curl -n 2 http://shop.example/"})
	out = c.next("output")
	traffic := out["traffic"].([]any)
	require.Len(t, traffic, 2)
	first := traffic[0].(map[string]any)
	require.Equal(t, float64(200), first["status"])
	require.Equal(t, "web", first["ingress"])
	require.Equal(t, "web", first["service"])
	require.Equal(t, "default", first["namespace"])
	require.True(t, strings.HasPrefix(first["pod"].(string), "web-"))
	require.NotEqual(t, first["pod"], traffic[1].(map[string]any)["pod"], "requests spread over the pods")
	require.NotContains(t, first, "body")

	c.send(map[string]string{"type": "exec", "command": "curl http://nowhere.example/"})
	failed := c.next("output")["traffic"].([]any)[0].(map[string]any)
	require.Equal(t, float64(404), failed["status"])
	require.Contains(t, failed["reason"], "no Ingress rule matches")
}

// A viewer that stops reading is cut off with 4000 once its queue fills
// (the socket's buffers first), and on reconnecting gets a fresh
// snapshot; the session never waited for it.
func TestWebsocketSlowViewerResyncs(t *testing.T) {
	ts := newTestServer(t)
	ts.unlimited()
	id := ts.create(t, `{"script": "kubectl create deployment web --image=nginx:1.27 --replicas=60\nsleep 30s"}`)
	slow, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	slow.next("snapshot")
	sess, err := ts.sessions.Get(context.Background(), id)
	require.NoError(t, err)
	watching := func() int {
		sess.mu.Lock()
		defer sess.mu.Unlock()
		return sess.nviewers
	}
	require.Equal(t, 1, watching())
	// Big outputs fill the socket's buffers, then the viewer's queue.
	sent := 0
	for ; watching() > 0 && sent < 2000; sent++ {
		out := ts.exec(t, id, "kubectl get pods -o json")
		require.Zero(t, out.ExitCode)
	}
	require.Zero(t, watching(), "the viewer was cut off after %d commands", sent)
	require.Equal(t, statusResync, slow.closeStatus())

	// Reconnecting gives the state as it is now.
	ts.exec(t, id, "kubectl scale deployment web --replicas=61")
	again, _, err := ts.dial(t, id, nil)
	require.NoError(t, err)
	snap := again.next("snapshot")
	data, _ := json.Marshal(snap["objects"])
	require.Contains(t, string(data), `"replicas":61`)
}

func TestCoalesce(t *testing.T) {
	pod := func(uid, phase string) engine.Object {
		return &engine.Pod{ObjectMeta: engine.ObjectMeta{Name: uid, UID: uid}, Status: engine.PodStatus{Phase: engine.PodPhase(phase)}}
	}
	ev := func(typ engine.EventType, rv uint64, o engine.Object) engine.WatchEvent {
		return engine.WatchEvent{Type: typ, ResourceVersion: rv, Object: o}
	}
	type got struct {
		Type  engine.EventType
		Name  string
		Phase engine.PodPhase
	}
	summary := func(evs []engine.WatchEvent) []got {
		var out []got
		for _, e := range evs {
			out = append(out, got{e.Type, e.Object.GetObjectMeta().Name, e.Object.(*engine.Pod).Status.Phase})
		}
		return out
	}
	in := []engine.WatchEvent{
		ev(engine.Added, 1, pod("a", "Pending")),
		ev(engine.Modified, 2, pod("b", "Running")),
		ev(engine.Modified, 3, pod("a", "Running")), // a: ADDED in its latest state
		ev(engine.Added, 4, pod("c", "Pending")),
		ev(engine.Deleted, 5, pod("c", "Pending")), // c: came and went
		ev(engine.Modified, 6, pod("d", "Running")),
		ev(engine.Deleted, 7, pod("d", "Running")), // d: DELETED
		ev(engine.Modified, 8, pod("b", "Failed")), // b: its last state, at its last place
	}
	require.Equal(t, []got{
		{engine.Added, "a", "Running"},
		{engine.Deleted, "d", "Running"},
		{engine.Modified, "b", "Failed"},
	}, summary(coalesce(in)))
	// Nothing to coalesce: the same slice back.
	distinct := in[:2]
	require.Equal(t, summary(distinct), summary(coalesce(distinct)))
	require.Empty(t, coalesce(nil))
}
