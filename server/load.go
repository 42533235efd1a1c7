package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

// LiftLimits turns off the per-address limits on creating sessions and on
// HTTP commands, for load tests that create many sessions from one
// address. (Each websocket keeps its own limit of commandsPerSecond.) Call
// it before serving.
func (s *Server) LiftLimits() {
	s.creates = newLimiters(rate.Inf, 0)
	s.commands = newLimiters(rate.Inf, 0)
}

// LoadConfig says what load Load puts on a server.
type LoadConfig struct {
	URL      string // the server, as in http://127.0.0.1:8080
	Sessions int    // sessions to create (at least 1)
	Viewers  int    // websocket viewers, spread round-robin over the sessions
	// Active sessions (the first Active; at most Sessions and Viewers)
	// each have their first viewer run one command every Every: first
	// kubectl create deployment web, then kubectl scale deployment web
	// to 2 and 3 replicas in turn.
	Active int
	Every  time.Duration // default 1s
	// Duration is how long everyone stays connected once all are
	// (commands run throughout). Default 5s.
	Duration time.Duration
	// DialConcurrency bounds the handshakes in flight; default 64.
	DialConcurrency int
	// SettleTimeout is how long, after everyone disconnected, Load waits
	// for the server's goroutines to return to the baseline; default 10s.
	SettleTimeout time.Duration
	// Loaded, if set, is called once everyone is connected and the
	// commands have run, before anyone disconnects (to measure an
	// in-process server).
	Loaded func()
	// Settle, if set, is called before each reading after the
	// disconnection (runtime.GC, for an in-process server: a server that
	// allocates nothing does not collect for up to two minutes).
	Settle func()
}

// MemSample is one reading of the server's /metrics.
type MemSample struct {
	HeapInuse  float64 // go_memstats_heap_inuse_bytes
	StackInuse float64 // go_memstats_stack_inuse_bytes
	RSS        float64 // process_resident_memory_bytes
	Goroutines float64 // go_goroutines
	Viewers    float64 // podplay_websocket_viewers
}

// Mem is heap and stacks in use: what the server's objects and goroutines
// hold.
func (m MemSample) Mem() float64 { return m.HeapInuse + m.StackInuse }

// LoadReport is what Load measured.
type LoadReport struct {
	Sessions         int
	ViewersConnected int
	Failures         int      // sessions, handshakes or commands that failed; viewers dropped early
	Errors           []string // the first few failures
	Commands         int      // commands answered, besides the first of each active session
	// Command-to-output latency: from sending exec to receiving its
	// output message on the same connection.
	P50, P90, P99, Max time.Duration
	// Command-to-events latency: to the first events batch after it.
	EventsP50, EventsP99, EventsMax time.Duration
	Start                           MemSample // before creating sessions
	Baseline                        MemSample // sessions created, nobody connected
	Loaded                          MemSample // everyone connected, commands done
	Peak                            MemSample // fieldwise maximum seen while connected
	After                           MemSample // after everyone disconnected and the server settled
	// PerViewer is (peak - baseline) heap+stack bytes / Viewers.
	PerViewer      float64
	GoroutinesBack bool // After.Goroutines within a few of Baseline's
	MemoryBack     bool // After.Mem() within 10% of the growth (or 2 MiB) of Baseline's
}

// Load puts cfg's load on the server at cfg.URL and reports what it
// measured, writing a summary to out (if not nil).
func Load(ctx context.Context, cfg LoadConfig, out io.Writer) (LoadReport, error) {
	var rep LoadReport
	if cfg.Sessions < 1 || cfg.Viewers < 0 || cfg.Active < 0 || cfg.Active > cfg.Sessions || cfg.Active > cfg.Viewers {
		return rep, fmt.Errorf("load: need 1 ≤ sessions, 0 ≤ active ≤ min(sessions, viewers); have sessions %d, viewers %d, active %d",
			cfg.Sessions, cfg.Viewers, cfg.Active)
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	if cfg.DialConcurrency <= 0 {
		cfg.DialConcurrency = 64
	}
	if cfg.SettleTimeout <= 0 {
		cfg.SettleTimeout = 10 * time.Second
	}
	base := strings.TrimSuffix(cfg.URL, "/")
	wsBase := "ws" + strings.TrimPrefix(base, "http")
	client := &http.Client{Timeout: 30 * time.Second}
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		rep.Failures++
		if len(rep.Errors) < 10 {
			rep.Errors = append(rep.Errors, err.Error())
		}
	}

	var err error
	if rep.Start, err = scrape(ctx, client, base); err != nil {
		return rep, err
	}
	ids := make([]string, cfg.Sessions)
	var created sync.WaitGroup
	errs := make([]error, cfg.Sessions)
	createSem := make(chan struct{}, 8)
	for i := range ids {
		createSem <- struct{}{}
		created.Add(1)
		go func() {
			defer created.Done()
			defer func() { <-createSem }()
			ids[i], errs[i] = createSession(ctx, client, base)
		}()
	}
	created.Wait()
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}
	rep.Sessions = len(ids)
	if rep.Baseline, err = scrape(ctx, client, base); err != nil {
		return rep, err
	}

	// Sample /metrics while everyone is connected, for the peak.
	peak := rep.Baseline
	samplerCtx, stopSampler := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-samplerCtx.Done():
				return
			case <-t.C:
				if m, err := scrape(samplerCtx, client, base); err == nil {
					mu.Lock()
					peak = maxSample(peak, m)
					mu.Unlock()
				}
			}
		}
	}()
	defer func() { stopSampler(); <-sampled }()

	// Connect the viewers.
	connCtx, disconnect := context.WithCancel(ctx)
	defer disconnect()
	viewers := make([]*loadViewer, cfg.Viewers)
	var closing atomic.Bool
	var wg sync.WaitGroup
	sem := make(chan struct{}, cfg.DialConcurrency)
	for i := range viewers {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v, err := dialViewer(connCtx, wsBase+"/api/sessions/"+ids[i%len(ids)]+"/ws")
			if err != nil {
				fail(fmt.Errorf("viewer %d: %w", i, err))
				return
			}
			viewers[i] = v
			go v.readLoop(connCtx, func(err error) {
				if !closing.Load() {
					fail(fmt.Errorf("viewer %d dropped: %w", i, err))
				}
			})
		}()
	}
	wg.Wait()
	for _, v := range viewers {
		if v != nil {
			rep.ViewersConnected++
		}
	}

	// Run the commands, or just wait.
	var outLat, evLat []time.Duration
	var latMu sync.Mutex
	runCtx, stopRun := context.WithTimeout(connCtx, cfg.Duration)
	defer stopRun()
	for j := 0; j < cfg.Active; j++ {
		v := viewers[j]
		if v == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the active sessions' commands over the interval.
			delay := time.Duration(int64(cfg.Every) * int64(j) / int64(cfg.Active))
			o, e, errs := v.drive(runCtx, delay, cfg.Every)
			latMu.Lock()
			outLat = append(outLat, o...)
			evLat = append(evLat, e...)
			latMu.Unlock()
			for _, err := range errs {
				fail(fmt.Errorf("session %s: %w", ids[j], err))
			}
		}()
	}
	<-runCtx.Done()
	wg.Wait()
	rep.Commands = len(outLat)
	rep.P50, rep.P90, rep.P99, rep.Max = percentile(outLat, 50), percentile(outLat, 90), percentile(outLat, 99), percentile(outLat, 100)
	rep.EventsP50, rep.EventsP99, rep.EventsMax = percentile(evLat, 50), percentile(evLat, 99), percentile(evLat, 100)

	if rep.Loaded, err = scrape(ctx, client, base); err != nil {
		return rep, err
	}
	if cfg.Loaded != nil {
		cfg.Loaded()
	}
	stopSampler()
	<-sampled
	mu.Lock()
	rep.Peak = maxSample(peak, rep.Loaded)
	mu.Unlock()
	if cfg.Viewers > 0 {
		rep.PerViewer = (rep.Peak.Mem() - rep.Baseline.Mem()) / float64(cfg.Viewers)
	}

	// Disconnect everyone, and wait for the server to let go.
	closing.Store(true)
	for _, v := range viewers {
		if v != nil {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				v.conn.Close(websocket.StatusNormalClosure, "load test done")
			}()
		}
	}
	wg.Wait()
	disconnect()
	deadline := time.Now().Add(cfg.SettleTimeout)
	for {
		if cfg.Settle != nil {
			cfg.Settle()
		}
		if rep.After, err = scrape(ctx, client, base); err != nil {
			return rep, err
		}
		growth := rep.Peak.Mem() - rep.Baseline.Mem()
		rep.GoroutinesBack = rep.After.Goroutines <= rep.Baseline.Goroutines+5
		rep.MemoryBack = rep.After.Mem() <= rep.Baseline.Mem()+max(growth/10, 2<<20)
		if rep.GoroutinesBack && rep.MemoryBack || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return rep, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	if out != nil {
		rep.write(out, cfg)
	}
	return rep, nil
}

func (r LoadReport) write(w io.Writer, cfg LoadConfig) {
	mib := func(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
	line := func(name string, m MemSample) {
		fmt.Fprintf(w, "  %-9s heap+stack %10s  rss %10s  goroutines %6.0f  viewers %6.0f\n",
			name, mib(m.Mem()), mib(m.RSS), m.Goroutines, m.Viewers)
	}
	fmt.Fprintf(w, "sessions %d, viewers %d/%d connected, active %d (one command every %v for %v), failures %d\n",
		r.Sessions, r.ViewersConnected, cfg.Viewers, cfg.Active, cfg.Every, cfg.Duration, r.Failures)
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  failure: %s\n", e)
	}
	if r.Commands > 0 {
		fmt.Fprintf(w, "commands %d; command-to-output p50 %v p90 %v p99 %v max %v; to-events p50 %v p99 %v max %v\n",
			r.Commands, r.P50, r.P90, r.P99, r.Max, r.EventsP50, r.EventsP99, r.EventsMax)
	}
	fmt.Fprintln(w, "server memory (/metrics):")
	line("start", r.Start)
	line("baseline", r.Baseline)
	line("loaded", r.Loaded)
	line("peak", r.Peak)
	line("after", r.After)
	fmt.Fprintf(w, "per viewer: %.1f KiB heap+stack (peak - baseline) / %d\n", r.PerViewer/1024, cfg.Viewers)
	fmt.Fprintf(w, "back to baseline: goroutines %v, memory %v\n", r.GoroutinesBack, r.MemoryBack)
}

// createSession creates a sandbox session, waiting out "slow down".
func createSession(ctx context.Context, client *http.Client, base string) (string, error) {
	for {
		req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/sessions", strings.NewReader("{}"))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("load: create session: %w", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "", fmt.Errorf("load: create session: %w", err)
		}
		switch resp.StatusCode {
		case http.StatusCreated:
			var cr createResponse
			if err := json.Unmarshal(body, &cr); err != nil {
				return "", fmt.Errorf("load: create session: %w", err)
			}
			return cr.ID, nil
		case http.StatusTooManyRequests:
			wait := 2 * time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(wait):
			}
		default:
			return "", fmt.Errorf("load: create session: %s: %s", resp.Status, bytes.TrimSpace(body))
		}
	}
}

// scrape reads the server's memory and goroutines from /metrics.
func scrape(ctx context.Context, client *http.Client, base string) (MemSample, error) {
	var m MemSample
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	if err != nil {
		return m, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return m, fmt.Errorf("load: read /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("load: read /metrics: %s", resp.Status)
	}
	fields := map[string]*float64{
		"go_memstats_heap_inuse_bytes":  &m.HeapInuse,
		"go_memstats_stack_inuse_bytes": &m.StackInuse,
		"process_resident_memory_bytes": &m.RSS,
		"go_goroutines":                 &m.Goroutines,
		"podplay_websocket_viewers":     &m.Viewers,
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if p := fields[name]; ok && p != nil {
			if f, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
				*p = f
			}
		}
	}
	if err := sc.Err(); err != nil {
		return m, fmt.Errorf("load: read /metrics: %w", err)
	}
	return m, nil
}

func maxSample(a, b MemSample) MemSample {
	return MemSample{HeapInuse: max(a.HeapInuse, b.HeapInuse), StackInuse: max(a.StackInuse, b.StackInuse),
		RSS: max(a.RSS, b.RSS), Goroutines: max(a.Goroutines, b.Goroutines), Viewers: max(a.Viewers, b.Viewers)}
}

// percentile is the p-th percentile (nearest rank) of ds; 0 if empty.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i, 1), len(s))-1]
}

// loadViewer is one websocket viewer of Load. Its read loop notes, for the
// commands it sent, when their events and output arrived.
type loadViewer struct {
	conn *websocket.Conn

	mu      sync.Mutex
	pending []*loadCommand // sent, output not yet received; oldest first
}

type loadCommand struct {
	command        string
	sent           time.Time
	events, output time.Duration // 0 until received
	err            string
	done           chan struct{}
}

// dialViewer connects to a session's websocket and reads its hello and
// snapshot.
func dialViewer(ctx context.Context, url string) (*loadViewer, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, url, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(64 << 20)
	for _, want := range []string{"hello", "snapshot"} {
		_, data, err := conn.Read(dctx)
		if err != nil {
			conn.CloseNow()
			return nil, fmt.Errorf("reading %s: %w", want, err)
		}
		if typ := messageType(data); typ != want {
			conn.CloseNow()
			return nil, fmt.Errorf("got %q, want %q", typ, want)
		}
	}
	return &loadViewer{conn: conn}, nil
}

// messageType is a server message's type. The server writes it first; any
// other order is parsed the long way.
func messageType(data []byte) string {
	const prefix = `{"type":"`
	if rest, ok := bytes.CutPrefix(data, []byte(prefix)); ok {
		if i := bytes.IndexByte(rest, '"'); i >= 0 {
			return string(rest[:i])
		}
	}
	var m struct{ Type string }
	json.Unmarshal(data, &m)
	return m.Type
}

// readLoop reads until the connection ends, then calls gone.
func (v *loadViewer) readLoop(ctx context.Context, gone func(error)) {
	for {
		_, data, err := v.conn.Read(ctx)
		now := time.Now()
		if err != nil {
			gone(err)
			v.mu.Lock()
			for _, c := range v.pending {
				c.err = "connection closed: " + err.Error()
				close(c.done)
			}
			v.pending = nil
			v.mu.Unlock()
			return
		}
		switch messageType(data) {
		case "events":
			v.mu.Lock()
			for _, c := range v.pending {
				if c.events == 0 {
					c.events = now.Sub(c.sent)
				}
			}
			v.mu.Unlock()
		case "output", "error":
			var m struct{ Type, Command, Message string }
			json.Unmarshal(data, &m)
			v.mu.Lock()
			// Only this viewer runs commands on its session, so outputs
			// come in the order the commands were sent.
			if len(v.pending) > 0 && (m.Type == "error" || v.pending[0].command == m.Command) {
				c := v.pending[0]
				v.pending = v.pending[1:]
				if m.Type == "error" {
					c.err = m.Message
				} else {
					c.output = now.Sub(c.sent)
				}
				close(c.done)
			}
			v.mu.Unlock()
		}
	}
}

// exec sends a command; its done channel closes when its output (or an
// error) arrives.
func (v *loadViewer) exec(ctx context.Context, command string) (*loadCommand, error) {
	data, _ := json.Marshal(wsIn{Type: "exec", Command: command})
	c := &loadCommand{command: command, done: make(chan struct{})}
	v.mu.Lock()
	c.sent = time.Now()
	v.pending = append(v.pending, c)
	v.mu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := v.conn.Write(wctx, websocket.MessageText, data); err != nil {
		return nil, fmt.Errorf("sending %q: %w", command, err)
	}
	return c, nil
}

// drive creates a deployment, then scales it between 2 and 3 replicas
// every interval until ctx ends, returning the latencies of the scale
// commands (to output and to first events) and what failed.
func (v *loadViewer) drive(ctx context.Context, delay, every time.Duration) (out, events []time.Duration, errs []error) {
	wait := func(c *loadCommand) error {
		select {
		case <-c.done:
			if c.err != "" {
				return fmt.Errorf("%q: %s", c.command, c.err)
			}
			return nil
		case <-time.After(10 * time.Second):
			return fmt.Errorf("%q: no output after 10s", c.command)
		}
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(delay):
	}
	c, err := v.exec(ctx, "kubectl create deployment web --image=nginx:1.27")
	if err == nil {
		err = wait(c)
	}
	if err != nil {
		return nil, nil, []error{err}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c, err := v.exec(ctx, fmt.Sprintf("kubectl scale deployment web --replicas=%d", 2+n%2))
		if err == nil {
			err = wait(c)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c.output)
		if c.events > 0 {
			events = append(events, c.events)
		}
	}
}
