package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// metrics are what /metrics exports, on a registry of the server's own
// (so that tests can run several servers).
type metrics struct {
	reg         *prometheus.Registry
	commands    *prometheus.CounterVec
	commandTime prometheus.Histogram
	httpTime    *prometheus.HistogramVec
	viewers     prometheus.Gauge
}

func newMetrics(sessions *Sessions) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podplay_commands_total", Help: "Terminal commands run, by exit code class (ok or error).",
		}, []string{"result"}),
		commandTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "podplay_engine_command_seconds", Help: "Time to store and run one command on a session's engine.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
		httpTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "podplay_http_request_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
		viewers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "podplay_websocket_viewers", Help: "Connected websocket viewers.",
		}),
	}
	m.reg.MustRegister(m.commands, m.commandTime, m.httpTime, m.viewers,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "podplay_sessions_active", Help: "Sessions loaded in memory.",
		}, func() float64 { return float64(sessions.Live()) }),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// observe records a request's latency under its route pattern (not its
// path, which holds session ids).
func (m *metrics) observe(r *http.Request, code int, d time.Duration) {
	route := "unmatched"
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		route = rc.RoutePattern()
	}
	m.httpTime.WithLabelValues(route, r.Method, http.StatusText(code)).Observe(d.Seconds())
}

// Rates: each client address may create sessionsPerMinute sessions a
// minute (with a burst); each connection may send commandsPerSecond
// commands a second (with a burst). Past them the answer is "slow down",
// not a disconnect.
const (
	sessionsPerMinute = 30
	sessionBurst      = 10
	commandsPerSecond = 20
	commandBurst      = 40
)

// limiters keeps a token bucket per client address, forgetting those
// unused for a while so that memory stays bounded.
type limiters struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*limiterEntry
	swept time.Time
}

type limiterEntry struct {
	l    *rate.Limiter
	used time.Time
}

func newLimiters(every rate.Limit, burst int) *limiters {
	return &limiters{every: every, burst: burst, m: map[string]*limiterEntry{}}
}

func (ls *limiters) allow(key string, now time.Time) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if now.Sub(ls.swept) > time.Minute {
		for k, e := range ls.m {
			if now.Sub(e.used) > 10*time.Minute {
				delete(ls.m, k)
			}
		}
		ls.swept = now
	}
	e, ok := ls.m[key]
	if !ok {
		e = &limiterEntry{l: rate.NewLimiter(ls.every, ls.burst)}
		ls.m[key] = e
	}
	e.used = now
	return e.l.AllowN(now, 1)
}

// clientAddr is the request's client address without its port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
