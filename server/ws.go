package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5/middleware"
	"golang.org/x/time/rate"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/lessons"
)

// Protocol is the version of the websocket protocol (docs/protocol.md).
const Protocol = 1

// pingEvery is how often the server pings a viewer; one that does not
// answer within pingTimeout is dropped.
const (
	pingEvery   = 30 * time.Second
	pingTimeout = 10 * time.Second
)

// Close codes beyond RFC 6455's, in the range for applications.
const (
	// statusResync: the viewer fell behind; reconnecting gives it a fresh
	// snapshot.
	statusResync websocket.StatusCode = 4000
	// statusSessionFailed: the session's engine failed; reconnecting
	// restores it from its saved inputs.
	statusSessionFailed websocket.StatusCode = 4001
)

// wsOut is a server → browser message. Type says which fields are set.
type wsOut struct {
	Type            string              `json:"type"`
	Protocol        int                 `json:"protocol,omitempty"`
	Session         string              `json:"session,omitempty"`
	ResourceVersion uint64              `json:"resourceVersion,omitempty"`
	Time            string              `json:"time,omitempty"`
	Objects         []engine.Object     `json:"objects,omitempty"`
	Events          []engine.WatchEvent `json:"events,omitempty"`
	Command         string              `json:"command,omitempty"`
	Output          *string             `json:"output,omitempty"`
	ExitCode        *int                `json:"exitCode,omitempty"`
	Traffic         []engine.Request    `json:"traffic,omitempty"`
	Goals           *lessons.Status     `json:"goals,omitempty"`
	Clock           *Clock              `json:"clock,omitempty"`
	Message         string              `json:"message,omitempty"`
}

// wsIn is a browser → server message.
type wsIn struct {
	Type    string `json:"type"`
	Command string `json:"command,omitempty"`
	YAML    string `json:"yaml,omitempty"`
	Action  string `json:"action,omitempty"`
	Speed   int    `json:"speed,omitempty"`
	Step    *int   `json:"step,omitempty"`
}

// handleWS streams a session to one viewer: hello, a snapshot, then
// batches of events, command outputs and clock changes as they happen;
// the viewer may send commands, manifests and clock actions.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.session(w, r)
	if !ok {
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: s.originPatterns})
	if err != nil {
		return // Accept has answered (403 for a foreign origin)
	}
	conn.SetReadLimit(MaxBody) // larger messages close the socket with 1009
	log := s.log.With("id", middleware.GetReqID(r.Context()), "session", sess.ID())
	sub, err := sess.Subscribe(r.Context())
	v, snap := sub.Viewer, sub.Snapshot
	if err != nil {
		conn.Close(websocket.StatusTryAgainLater, err.Error())
		return
	}
	s.metrics.viewers.Inc()
	log.Info("viewer connected")
	hello, _ := json.Marshal(wsOut{Type: "hello", Protocol: Protocol, Session: sess.ID()})
	first, err := json.Marshal(wsOut{Type: "snapshot", ResourceVersion: snap.ResourceVersion, Time: snap.Time, Objects: snap.Objects, Clock: &sub.Clock})
	if err != nil {
		log.Error("encoding a snapshot", "err", err)
		conn.Close(websocket.StatusInternalError, "the snapshot could not be encoded")
		sess.Unsubscribe(v)
		s.metrics.viewers.Dec()
		return
	}
	opening := [][]byte{hello, first}
	if sub.Goals != nil {
		goals, _ := json.Marshal(wsOut{Type: "goals", Goals: sub.Goals})
		opening = append(opening, goals)
	}
	// The viewer lives on in two goroutines of its own (reading and
	// writing), started fresh so that they do not keep this handler's
	// request, nor the stack it grew encoding the snapshot.
	ctx, cancel := context.WithCancel(context.Background())
	go s.readWS(ctx, cancel, conn, sess)
	go func() {
		defer cancel()
		defer s.metrics.viewers.Dec()
		defer sess.Unsubscribe(v)
		s.writeWS(ctx, conn, sess, v, log, opening)
	}()
}

// writeWS sends a viewer its first messages, then its session's batches,
// until the connection ends, the viewer is cut off or the server stops.
func (s *Server) writeWS(ctx context.Context, conn *websocket.Conn, sess *Session, v *Viewer, log *slog.Logger, first [][]byte) {
	write := func(data []byte) error {
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		return conn.Write(wctx, websocket.MessageText, data)
	}
	for _, m := range first {
		if write(m) != nil {
			conn.CloseNow()
			return
		}
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		var err error
		select {
		case b := <-v.C:
			for _, m := range b.Messages {
				if err = write(m); err != nil {
					break
				}
			}
		case <-ping.C:
			pctx, pcancel := context.WithTimeout(ctx, pingTimeout)
			err = conn.Ping(pctx)
			pcancel()
		case <-v.Cut():
			if s.stopping.Load() {
				conn.Close(websocket.StatusGoingAway, "the server is shutting down; reconnect in a moment")
			} else if errors.Is(sess.closedErr(), errFailed) {
				conn.Close(statusSessionFailed, "the session failed; reconnect to restore it")
			} else {
				conn.Close(statusResync, "you fell behind; reconnect for a fresh snapshot")
			}
			return
		case <-s.closing:
			conn.Close(websocket.StatusGoingAway, "the server is shutting down; reconnect in a moment")
			return
		case <-ctx.Done():
			conn.CloseNow()
			return
		}
		if err != nil {
			log.Info("viewer gone", "err", err)
			conn.CloseNow()
			return
		}
	}
}

// readWS reads the viewer's messages until the connection ends. Replies
// reach every viewer through the session's batches; only this viewer's
// mistakes are answered here.
func (s *Server) readWS(ctx context.Context, cancel context.CancelFunc, conn *websocket.Conn, sess *Session) {
	defer cancel()
	limit := rate.NewLimiter(commandsPerSecond, commandBurst)
	// reply answers this viewer's own mistakes (Conn.Write is safe to
	// call alongside the writing goroutine).
	reply := func(m wsOut) {
		data, err := json.Marshal(m)
		if err != nil {
			return
		}
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		_ = conn.Write(wctx, websocket.MessageText, data) // a failed write ends the reads too
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return // closed, or too big (the library has sent 1009)
		}
		var in wsIn
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			reply(wsOut{Type: "error", Message: "invalid JSON: " + err.Error()})
			continue
		}
		if !limit.Allow() {
			reply(wsOut{Type: "error", Message: fmt.Sprintf("slow down: at most %d messages a second", commandsPerSecond)})
			continue
		}
		switch in.Type {
		case "exec":
			if strings.TrimSpace(in.Command) == "" {
				reply(wsOut{Type: "error", Message: `"command" is required`})
				continue
			}
			_, err = s.exec(ctx, sess, in.Command)
		case "apply":
			if strings.TrimSpace(in.YAML) == "" {
				reply(wsOut{Type: "error", Message: `"yaml" is required`})
				continue
			}
			_, err = s.exec(ctx, sess, applyCommand(in.YAML))
		case "clock":
			_, err = sess.SetClock(ctx, ClockAction{Action: in.Action, Speed: in.Speed})
		case "hint":
			err = sess.Hint(ctx)
		default:
			reply(wsOut{Type: "error", Message: fmt.Sprintf("unknown message type %q: send exec, apply, clock or hint", in.Type)})
			continue
		}
		if err != nil {
			reply(wsOut{Type: "error", Message: err.Error()})
		}
	}
}

// applyCommand is kubectl apply of a manifest, as a heredoc whose end
// marker the manifest does not contain.
func applyCommand(yaml string) string {
	marker := "EOF"
	for i := 0; strings.Contains(yaml, marker); i++ {
		marker = fmt.Sprintf("EOF%d", i)
	}
	return "kubectl apply -f - <<" + marker + "\n" + strings.TrimSuffix(yaml, "\n") + "\n" + marker
}

// batchMessages turns a session's batch into the messages a viewer gets.
func batchMessages(b Batch) []wsOut {
	var out []wsOut
	if len(b.Events) > 0 {
		out = append(out, wsOut{Type: "events", ResourceVersion: b.RV, Events: b.Events})
	}
	if b.Output != nil {
		out = append(out, wsOut{Type: "output", Command: b.Command, Output: &b.Output.Output, ExitCode: &b.Output.ExitCode, Traffic: b.Output.Traffic})
	}
	if b.Clock != nil {
		out = append(out, wsOut{Type: "clock", Clock: b.Clock})
	}
	if b.Goals != nil {
		out = append(out, wsOut{Type: "goals", Goals: b.Goals})
	}
	return out
}
