// Package server owns all of podplay's I/O: the HTTP routes (chi), the
// sessions that each wrap one engine.Cluster in a goroutine, and their
// persistence in SQLite.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"golang.org/x/time/rate"

	"github.com/podplay/podplay/engine/kubectl"
	"github.com/podplay/podplay/lessons"
	"github.com/podplay/podplay/web"
)

// MaxBody is the largest request body accepted: the API server's limit.
const MaxBody = 3 << 20

var errShuttingDown = errors.New("the server is shutting down")

// inputError is a client's mistake: 400 with its message.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// Server is podplay's HTTP server.
type Server struct {
	store    *Store
	sessions *Sessions
	lessons  *lessons.Catalog
	log      *slog.Logger
	handler  http.Handler
	ready    atomic.Bool
	// originPatterns are the other origins allowed to open websockets
	// (the server's own always is).
	originPatterns []string
	// closing is closed, and stopping set, when shutdown begins.
	closing  chan struct{}
	stopping atomic.Bool

	metrics  *metrics
	creates  *limiters // sessions created, per client address
	commands *limiters // HTTP commands, per client address
}

// New returns a server over store.
func New(store *Store, sessions *Sessions, log *slog.Logger) *Server {
	s := &Server{store: store, sessions: sessions, lessons: sessions.lessons, log: log, closing: make(chan struct{}),
		metrics:  newMetrics(sessions),
		creates:  newLimiters(rate.Limit(sessionsPerMinute)/60, sessionBurst),
		commands: newLimiters(commandsPerSecond, commandBurst)}
	s.handler = s.routes()
	s.ready.Store(true)
	return s
}

// routes lists every route podplay serves.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.logRequests, middleware.Recoverer)
	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Method("GET", "/metrics", s.metrics.handler())
	r.Group(func(r chi.Router) {
		r.Use(middleware.Compress(5, "text/html", "text/css", "text/javascript", "image/svg+xml"))
		r.Get("/", s.handleHome)
		r.Post("/sandbox", s.handleSandbox)
		r.Get("/s/{id}", s.handlePlayground)
		r.Get("/lessons/{id}", s.handleLesson)
		r.Post("/lessons/{id}/reset", s.handleLessonReset)
		r.Method("GET", "/static/*", web.Static())
	})
	r.Get("/api/lessons", s.handleLessons)
	r.Route("/api/sessions", func(r chi.Router) {
		r.Post("/", s.handleCreateSession)
		r.Get("/", s.handleMySessions)
		r.Post("/{id}/exec", s.handleExec)
		r.Get("/{id}/state", s.handleState)
		r.Post("/{id}/clock", s.handleClock)
		r.Get("/{id}/ws", s.handleWS)
		r.Get("/{id}/complete", s.handleComplete)
		r.Get("/{id}/inspect", s.handleInspect)
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path))
	})
	// State-changing requests from other sites are refused (Go's
	// Sec-Fetch-Site / Origin check); scripts without those headers pass.
	return http.NewCrossOriginProtection().Handler(r)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// AllowOrigins lets pages from other origins (host patterns, as in
// "blog.example.com" or "*.example.com") open websockets; by default only
// the server's own may. Call it before serving.
func (s *Server) AllowOrigins(patterns ...string) { s.originPatterns = patterns }

// BeginShutdown fails /readyz and closes every websocket with 1001 "going
// away", so that browsers reconnect once the server is back.
func (s *Server) BeginShutdown() {
	if s.stopping.Swap(true) {
		return
	}
	s.ready.Store(false)
	close(s.closing)
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		s.metrics.observe(r, ww.Status(), time.Since(start))
		s.log.Info("request", "id", middleware.GetReqID(r.Context()), "method", r.Method, "path", r.URL.Path,
			"status", ww.Status(), "bytes", ww.BytesWritten(), "duration", time.Since(start))
	})
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		writeError(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "database unreachable: "+err.Error())
		return
	}
	if s.lessons == nil || len(s.lessons.Lessons()) == 0 {
		writeError(w, http.StatusServiceUnavailable, "no lessons loaded")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "lessons": len(s.lessons.Lessons())})
}

type createRequest struct {
	Lesson string `json:"lesson,omitempty"`
	Preset string `json:"preset,omitempty"`
	Script string `json:"script,omitempty"`
}

type createResponse struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if !readJSON(w, r, &req) {
		return
	}
	sess, err := s.create(w, r, Spec{Lesson: req.Lesson, Preset: req.Preset, Script: req.Script})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, createResponse{ID: sess.ID(), URL: "/s/" + sess.ID()})
}

var errTooMany = fmt.Errorf("slow down: at most %d new sessions a minute from one address; try again in a moment", sessionsPerMinute)

// create starts a session for the request's client, within its rate
// limit, and adds it to the browser's list.
func (s *Server) create(w http.ResponseWriter, r *http.Request, spec Spec) (*Session, error) {
	if !s.creates.allow(clientAddr(r), time.Now()) {
		w.Header().Set("Retry-After", "2")
		return nil, errTooMany
	}
	sess, err := s.sessions.Create(r.Context(), spec)
	if err != nil {
		return nil, err
	}
	rememberSession(w, r, sess.ID())
	return sess, nil
}

// maxRemembered is how many sessions a browser's cookie keeps.
const maxRemembered = 20

// cookieName is the cookie that lists a browser's sessions; over TLS it
// takes the __Host- prefix, which pins it to this host and path /.
func cookieName(r *http.Request) string {
	if r.TLS != nil {
		return "__Host-podplay-sessions"
	}
	return "podplay-sessions"
}

// remembered returns the session ids in the request's cookie, newest first.
func remembered(r *http.Request) []string {
	c, err := r.Cookie(cookieName(r))
	if err != nil {
		return nil
	}
	var ids []string
	for _, id := range strings.Split(c.Value, ".") {
		if validID(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// rememberSession puts id first in the browser's list of sessions. The
// list is only a convenience: losing the cookie loses nothing on the
// server, and the session stays reachable by its id.
func rememberSession(w http.ResponseWriter, r *http.Request, id string) {
	ids := []string{id}
	for _, old := range remembered(r) {
		if old != id && len(ids) < maxRemembered {
			ids = append(ids, old)
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(r), Value: strings.Join(ids, "."), Path: "/",
		MaxAge: 90 * 24 * 3600, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

type mySession struct {
	ID      string    `json:"id"`
	URL     string    `json:"url"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// handleMySessions lists the sessions the browser's cookie remembers
// (those that still exist), newest first.
func (s *Server) handleMySessions(w http.ResponseWriter, r *http.Request) {
	out := []mySession{}
	for _, id := range remembered(r) {
		rec, _, err := s.store.LoadSession(r.Context(), id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, mySession{ID: id, URL: "/s/" + id, Created: rec.Created, Updated: rec.Updated})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": out})
}

type execRequest struct {
	Command string `json:"command"`
}

type execResponse struct {
	Output   string `json:"output"`
	ExitCode int    `json:"exitCode"`
}

func (s *Server) handleExec(w http.ResponseWriter, r *http.Request) {
	var req execRequest
	if !readJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Command) == "" {
		writeError(w, http.StatusBadRequest, `"command" is required, as in {"command": "kubectl get pods"}`)
		return
	}
	if !s.commands.allow(clientAddr(r), time.Now()) {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("slow down: at most %d commands a second", commandsPerSecond))
		return
	}
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	res, err := s.exec(r.Context(), sess, req.Command)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, execResponse{Output: res.Output, ExitCode: res.ExitCode})
}

func (s *Server) handleState(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	snap, err := sess.State(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, snap)
}

func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	var req ClockAction
	if !readJSON(w, r, &req) {
		return
	}
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	c, err := sess.SetClock(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// exec runs a command on a session, counting and timing it.
func (s *Server) exec(ctx context.Context, sess *Session, command string) (kubectl.Result, error) {
	start := time.Now()
	res, err := sess.Exec(ctx, command)
	if err != nil {
		return res, err
	}
	s.metrics.commandTime.Observe(time.Since(start).Seconds())
	result := "ok"
	if res.ExitCode != 0 {
		result = "error"
	}
	s.metrics.commands.WithLabelValues(result).Inc()
	return res, nil
}

// session finds the session of the request's {id}, or answers 404.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (*Session, bool) {
	sess, err := s.sessions.Get(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return sess, true
}

// fail answers with the status an error deserves.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		writeError(w, http.StatusBadRequest, ie.msg)
	case errors.Is(err, errTooMany):
		writeError(w, http.StatusTooManyRequests, err.Error())
	case errors.Is(err, errNoSession):
		writeError(w, http.StatusNotFound, fmt.Sprintf("no session %q", chi.URLParam(r, "id")))
	case errors.Is(err, errShuttingDown), errors.Is(err, errClosed), errors.Is(err, errFailed):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
	default:
		s.log.Error("request failed", "id", middleware.GetReqID(r.Context()), "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error: "+err.Error())
	}
}

// readJSON decodes a request body of at most MaxBody bytes, strictly,
// answering the client's mistakes itself.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			err = errors.New("unexpected data after the JSON object")
		} else if _, err2 := dec.Token(); !errors.Is(err2, io.EOF) {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large: the limit is %d bytes (3 MiB)", MaxBody))
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "the request body is empty; send a JSON object")
	default:
		writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a write error means the client went away
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
