package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

// newLoadServer serves a fresh server, with its limits lifted, on a
// loopback port.
func newLoadServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	store, err := OpenStore(context.Background(), filepath.Join(tb.TempDir(), "podplay.db"))
	require.NoError(tb, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sessions := NewSessions(store, testCourse(tb), log, time.Hour)
	srv := New(store, sessions, log)
	srv.LiftLimits()
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		ts.Close()
		sessions.Shutdown()
		store.Close()
	})
	return ts
}

func envInt(tb testing.TB, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	require.NoError(tb, err, name)
	return n
}

func TestLoadSmall(t *testing.T) {
	ts := newLoadServer(t)
	var out strings.Builder
	rep, err := Load(context.Background(), LoadConfig{
		URL: ts.URL, Sessions: 3, Viewers: 50, Active: 3, Duration: 3 * time.Second,
		Settle: runtime.GC, SettleTimeout: 5 * time.Second,
	}, &out)
	t.Log("\n" + out.String())
	require.NoError(t, err)
	require.Equal(t, 3, rep.Sessions)
	require.Equal(t, 50, rep.ViewersConnected)
	require.Zero(t, rep.Failures, rep.Errors)
	require.GreaterOrEqual(t, rep.Commands, 3*2, "each active session runs a command a second")
	require.Positive(t, rep.P50)
	require.GreaterOrEqual(t, rep.Max, rep.P99)
	require.Positive(t, rep.EventsP50, "scaling emits events before the output")
	require.Equal(t, 50.0, rep.Peak.Viewers)
	require.Zero(t, rep.After.Viewers)
	require.True(t, rep.GoroutinesBack, "goroutines: baseline %v, after %v", rep.Baseline.Goroutines, rep.After.Goroutines)
}

// TestLoadExternal runs Load against a server started separately, as in
//
//	go run . -addr 127.0.0.1:8080 -no-rate-limits &
//	PODPLAY_LOAD_URL=http://127.0.0.1:8080 PODPLAY_LOAD_VIEWERS=10000 \
//	  go test ./server -run TestLoadExternal -v -timeout 10m
//
// so that the clients' memory and file descriptors are not the server's.
// Without -no-rate-limits keep PODPLAY_LOAD_SESSIONS ≤ 10 (the rest wait).
func TestLoadExternal(t *testing.T) {
	url := os.Getenv("PODPLAY_LOAD_URL")
	if url == "" {
		t.Skip("set PODPLAY_LOAD_URL to load a running server")
	}
	rep, err := Load(context.Background(), LoadConfig{
		URL:      url,
		Sessions: envInt(t, "PODPLAY_LOAD_SESSIONS", 10),
		Viewers:  envInt(t, "PODPLAY_LOAD_VIEWERS", 1000),
		Active:   envInt(t, "PODPLAY_LOAD_ACTIVE", 0),
		Duration: time.Duration(envInt(t, "PODPLAY_LOAD_SECONDS", 5)) * time.Second,
		// An idle server collects garbage only every two minutes.
		SettleTimeout: time.Duration(envInt(t, "PODPLAY_LOAD_SETTLE_SECONDS", 10)) * time.Second,
	}, os.Stdout)
	require.NoError(t, err)
	require.Zero(t, rep.Failures, rep.Errors)
}

// gcMem is the heap and stacks in use after a full collection; stack is
// the stacks alone.
func gcMem() (mem, stack float64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse + ms.StackInuse), float64(ms.StackInuse)
}

// openViewers opens n viewers over urls (round-robin), each with a read
// loop, and returns a function that closes them all.
func openViewers(tb testing.TB, urls []string, n int) (closeAll func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	viewers := make([]*loadViewer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range viewers {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			viewers[i], errs[i] = dialViewer(ctx, urls[i%len(urls)])
			if errs[i] == nil {
				go viewers[i].readLoop(ctx, func(error) {})
			}
		}()
	}
	wg.Wait()
	closeAll = func() {
		for _, v := range viewers {
			if v != nil {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					v.conn.Close(websocket.StatusNormalClosure, "")
				}()
			}
		}
		wg.Wait()
		cancel()
	}
	for i, err := range errs {
		if err != nil {
			closeAll()
			tb.Fatalf("viewer %d of %d: %v", i, n, err)
		}
	}
	return closeAll
}

// waitViewers waits until the server counts n viewers.
func waitViewers(tb testing.TB, url string, n float64) MemSample {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := scrape(context.Background(), http.DefaultClient, url)
		require.NoError(tb, err)
		if m.Viewers == n || time.Now().After(deadline) {
			require.Equal(tb, n, m.Viewers)
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkIdleViewers measures a connected, idle viewer's cost to the
// server, in heap and goroutine stacks:
//
//	PODPLAY_LOAD_VIEWERS=10000 go test ./server -run '^$' -bench IdleViewers -benchtime 1x
//
// Method. The server runs in this process (httptest on loopback TCP) and
// so do the clients, so the heap+stack growth when N viewers connect
// (after runtime.GC, from runtime.ReadMemStats) is the server's cost plus
// the clients'. The clients' cost alone is measured by opening the same N
// client connections, with the same read loop, to a trivial websocket
// server run in a child process (this test binary re-run as
// TestLoadEchoHelper), so that none of its cost lands in this process.
// server-KiB/viewer = (total - clients) / N. leftover-KiB is what stays
// after every viewer left, against the level before they came (mostly
// goroutine descriptors, which the Go runtime keeps for reuse);
// second-round-leftover-KiB is what a second round of the same viewers
// adds to that: a leak would show there.
//
// PODPLAY_LOAD_HEAPPROFILE=file writes a heap profile while everyone is
// connected.
//
// Each viewer costs two file descriptors here: N is bounded by about half
// of ulimit -n.
func BenchmarkIdleViewers(b *testing.B) {
	n := envInt(b, "PODPLAY_LOAD_VIEWERS", 1000)
	m := envInt(b, "PODPLAY_LOAD_VIEWER_SESSIONS", 10)
	echo := startEchoHelper(b)
	for range b.N {
		ts := newLoadServer(b)
		urls := make([]string, m)
		for i := range urls {
			id, err := createSession(context.Background(), http.DefaultClient, ts.URL)
			require.NoError(b, err)
			urls[i] = "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/sessions/" + id + "/ws"
		}
		goroutines := runtime.NumGoroutine()
		before, stackBefore := gcMem()
		closeAll := openViewers(b, urls, n)
		waitViewers(b, ts.URL, float64(n))
		total, stack := gcMem()
		total, stack = total-before, stack-stackBefore
		if path := os.Getenv("PODPLAY_LOAD_HEAPPROFILE"); path != "" {
			// The heap with everyone connected (pprof -sample_index=inuse_space).
			f, err := os.Create(path)
			require.NoError(b, err)
			require.NoError(b, pprof.WriteHeapProfile(f))
			require.NoError(b, f.Close())
		}
		perViewerGoroutines := float64(runtime.NumGoroutine()-goroutines)/float64(n) - 1 // less the client's read loop
		closeAll()
		waitViewers(b, ts.URL, 0)
		leftover, _ := gcMem()
		leftover -= before
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > goroutines+5 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		leftoverGoroutines := runtime.NumGoroutine() - goroutines

		// What stays after the first round is mostly the runtime's own: it
		// keeps every goroutine descriptor it ever made (runtime.malg, about
		// 40,000 of them here, client and server) for reuse. A second
		// round of the same viewers must leave nothing more.
		closeAll = openViewers(b, urls, n)
		waitViewers(b, ts.URL, float64(n))
		closeAll()
		waitViewers(b, ts.URL, 0)
		again, _ := gcMem()
		again -= before + leftover

		before, stackBefore = gcMem()
		closeAll = openViewers(b, []string{echo}, n)
		clients, clientStack := gcMem()
		clients, clientStack = clients-before, clientStack-stackBefore
		closeAll()

		server := total - clients
		b.ReportMetric(server/float64(n)/1024, "server-KiB/viewer")
		b.ReportMetric((stack-clientStack)/float64(n)/1024, "server-stack-KiB/viewer")
		b.ReportMetric(clients/float64(n)/1024, "client-KiB/viewer")
		b.ReportMetric(total/float64(n)/1024, "total-KiB/viewer")
		b.ReportMetric(perViewerGoroutines, "server-goroutines/viewer")
		b.ReportMetric(leftover/1024, "leftover-KiB")
		b.ReportMetric(again/1024, "second-round-leftover-KiB")
		b.ReportMetric(float64(leftoverGoroutines), "leftover-goroutines")
		ts.Close()
	}
}

// startEchoHelper runs TestLoadEchoHelper in a child process and returns
// its websocket URL; the child ends when the benchmark does.
func startEchoHelper(tb testing.TB) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadEchoHelper$")
	cmd.Env = append(os.Environ(), "PODPLAY_LOAD_ECHO_HELPER=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(tb, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(tb, err)
	cmd.Stderr = os.Stderr
	require.NoError(tb, cmd.Start())
	tb.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(tb, err)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "echo-helper ")
	require.True(tb, ok, "helper said %q", line)
	return "ws://" + addr + "/"
}

// TestLoadEchoHelper is not a test: BenchmarkIdleViewers runs it in a child
// process as a trivial websocket server (hello, a snapshot-sized message,
// then read until closed) until its stdin closes.
func TestLoadEchoHelper(t *testing.T) {
	if os.Getenv("PODPLAY_LOAD_ECHO_HELPER") != "1" {
		t.Skip("run by BenchmarkIdleViewers")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	snapshot := []byte(`{"type":"snapshot","objects":"` + strings.Repeat("x", 16<<10) + `"}`)
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		ctx := r.Context()
		if conn.Write(ctx, websocket.MessageText, []byte(`{"type":"hello"}`)) != nil ||
			conn.Write(ctx, websocket.MessageText, snapshot) != nil {
			return
		}
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				return
			}
		}
	}))
	fmt.Printf("echo-helper %s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// BenchmarkActiveSessions measures command-to-output latency with many
// sessions each running one command a second for five seconds:
//
//	PODPLAY_LOAD_SESSIONS=1000 go test ./server -run '^$' -bench ActiveSessions -benchtime 1x
func BenchmarkActiveSessions(b *testing.B) {
	n := envInt(b, "PODPLAY_LOAD_SESSIONS", 100)
	for range b.N {
		ts := newLoadServer(b)
		var out strings.Builder
		rep, err := Load(context.Background(), LoadConfig{
			URL: ts.URL, Sessions: n, Viewers: n, Active: n, Duration: 5 * time.Second,
			Settle: runtime.GC,
		}, &out)
		b.Log("\n" + out.String())
		require.NoError(b, err)
		require.Zero(b, rep.Failures, rep.Errors)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(rep.P50), "p50-ms")
		b.ReportMetric(ms(rep.P99), "p99-ms")
		b.ReportMetric(ms(rep.Max), "max-ms")
		b.ReportMetric(ms(rep.EventsP99), "events-p99-ms")
		b.ReportMetric(float64(rep.Commands), "commands")
		ts.Close()
	}
}
