package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/podplay/podplay/lessons"
)

// errNoSession: no session has the id asked for.
var errNoSession = errors.New("no such session")

// Sessions keeps the sessions in memory, loading them from the store on
// demand and unloading those left idle.
type Sessions struct {
	store   *Store
	lessons *lessons.Catalog
	log     *slog.Logger
	// idleAfter is how long a session nobody watches stays in memory.
	idleAfter time.Duration

	mu     sync.Mutex
	live   map[string]*Session
	closed bool
}

// NewSessions returns a session manager over store; sessions may start
// from the lessons and presets of catalog (which may be nil).
func NewSessions(store *Store, catalog *lessons.Catalog, log *slog.Logger, idleAfter time.Duration) *Sessions {
	return &Sessions{store: store, lessons: catalog, log: log, idleAfter: idleAfter, live: map[string]*Session{}}
}

// Spec says how a new session starts: from a lesson's starting state, a
// sandbox preset or the default cluster, then running script.
type Spec struct {
	Lesson, Preset, Script string
}

// newID returns a session id of 128 random bits, in lower-case base32.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// validID reports whether id could be a session id, so that junk never
// reaches the database.
func validID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// Create starts a session as spec says.
func (m *Sessions) Create(ctx context.Context, spec Spec) (*Session, error) {
	if spec.Lesson != "" && spec.Preset != "" {
		return nil, &inputError{"a session starts from a lesson or from a preset, not both"}
	}
	if spec.Lesson != "" {
		if _, ok := m.lesson(spec.Lesson); !ok {
			return nil, &inputError{fmt.Sprintf("no lesson %q%s", spec.Lesson, m.choices(true))}
		}
	}
	if spec.Preset != "" {
		if _, ok := m.preset(spec.Preset); !ok {
			return nil, &inputError{fmt.Sprintf("no sandbox preset %q%s", spec.Preset, m.choices(false))}
		}
	}
	var seed [8]byte
	rand.Read(seed[:])
	now := time.Now().UTC()
	rec := SessionRecord{ID: newID(), Seed: binary.LittleEndian.Uint64(seed[:]) >> 1,
		Lesson: spec.Lesson, Preset: spec.Preset, Script: spec.Script, Created: now, Updated: now}
	s, err := m.newSession(rec, nil)
	if err != nil {
		return nil, &inputError{fmt.Sprintf("the script cannot start a session: %v", err)}
	}
	if err := m.store.CreateSession(ctx, rec); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errShuttingDown
	}
	m.live[rec.ID] = s
	go s.loop()
	return s, nil
}

// Get returns a live session, loading it from the store if it was
// unloaded (or failed).
func (m *Sessions) Get(ctx context.Context, id string) (*Session, error) {
	if !validID(id) {
		return nil, errNoSession
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errShuttingDown
	}
	if s, ok := m.live[id]; ok {
		select {
		case <-s.done: // failed: restore it below
			delete(m.live, id)
		default:
			return s, nil
		}
	}
	// Loading holds the lock: a session loads in milliseconds, and two
	// requests for one session must not build it twice.
	rec, inputs, err := m.store.LoadSession(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	s, err := m.newSession(rec, inputs)
	if err != nil {
		return nil, fmt.Errorf("restoring session %s: %w", id, err)
	}
	m.live[id] = s
	go s.loop()
	return s, nil
}

func (m *Sessions) lesson(id string) (*lessons.Lesson, bool) {
	if m.lessons == nil {
		return nil, false
	}
	return m.lessons.Lesson(id)
}

func (m *Sessions) preset(id string) (*lessons.Preset, bool) {
	if m.lessons == nil {
		return nil, false
	}
	return m.lessons.Preset(id)
}

// choices lists the lessons' or presets' ids, for an error message.
func (m *Sessions) choices(lesson bool) string {
	if m.lessons == nil {
		return ""
	}
	var ids []string
	if lesson {
		for _, l := range m.lessons.Lessons() {
			ids = append(ids, l.ID)
		}
	} else {
		for _, p := range m.lessons.Presets() {
			ids = append(ids, p.ID)
		}
	}
	return ": choose one of " + strings.Join(ids, ", ")
}

// Live reports how many sessions are in memory.
func (m *Sessions) Live() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.live)
}

// UnloadIdle saves and unloads the sessions nobody has used for
// idleAfter and nobody watches; their memory returns, and Get brings
// them back as they were.
func (m *Sessions) UnloadIdle(now time.Time) int {
	m.mu.Lock()
	var idle []*Session
	for id, s := range m.live {
		if last, unwatched := s.idleSince(); unwatched && now.Sub(last) >= m.idleAfter {
			idle = append(idle, s)
			delete(m.live, id)
		}
	}
	m.mu.Unlock()
	for _, s := range idle {
		s.stop(true)
	}
	return len(idle)
}

// Reap unloads idle sessions every interval until ctx ends.
func (m *Sessions) Reap(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if n := m.UnloadIdle(now); n > 0 {
				m.log.Info("unloaded idle sessions", "count", n)
			}
		}
	}
}

// Shutdown saves every live session and refuses new work.
func (m *Sessions) Shutdown() {
	m.mu.Lock()
	m.closed = true
	all := make([]*Session, 0, len(m.live))
	for _, s := range m.live {
		all = append(all, s)
	}
	m.live = map[string]*Session{}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.stop(true)
		}()
	}
	wg.Wait()
}
