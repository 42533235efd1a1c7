package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
	"github.com/podplay/podplay/lessons"
)

// Speeds are the clock's speeds: virtual seconds per wall second.
var Speeds = []int{1, 2, 5, 10, 60}

// tick is how often a playing session's clock moves.
const tick = 100 * time.Millisecond

// viewerQueue is how many batches a viewer may fall behind before it is
// cut off (and resynced from a snapshot when it comes back).
const viewerQueue = 64

var (
	// errClosed: the session stopped while a request waited for it.
	errClosed = errors.New("the session was closed; try again")
	// errFailed: the engine panicked; the session is restored from its
	// saved inputs on the next request.
	errFailed = errors.New("the session failed and will be restored from its last saved state; try again")
)

// Clock is a session's clock as viewers see it.
type Clock struct {
	Playing bool   `json:"playing"`
	Speed   int    `json:"speed"`
	Time    string `json:"time"`
}

// Batch is what a viewer receives: watch events since the last batch, or
// a note that it fell behind and must take a new snapshot.
type Batch struct {
	// Events are the changes since the last batch, coalesced: each
	// object once, in its latest state (see coalesce); RV is the
	// resourceVersion they bring the viewer to.
	Events  []engine.WatchEvent
	RV      uint64
	Output  *kubectl.Result
	Command string
	Clock   *Clock
	Goals   *lessons.Status
	// Messages are the batch as websocket messages, encoded once on the
	// session's goroutine for all its viewers.
	Messages [][]byte
}

// Viewer is one subscriber to a session's changes.
type Viewer struct {
	C <-chan *Batch
	c chan *Batch
	// cut is closed when the viewer fell behind and was dropped.
	cut chan struct{}
}

// Cut reports the channel closed when the viewer is dropped for falling
// behind.
func (v *Viewer) Cut() <-chan struct{} { return v.cut }

// Session is one simulated cluster. Its goroutine (loop) is the only one
// that touches the engine: everything else sends it functions to run.
type Session struct {
	id     string
	lesson string // the lesson the session follows, if any
	store  *Store
	log    *slog.Logger

	reqs chan func()
	quit chan bool // true: save the clock before stopping
	done chan struct{}

	// lastUsed is the wall time of the last request, for unloading idle
	// sessions; guarded by mu with viewers' count.
	mu       sync.Mutex
	lastUsed time.Time
	nviewers int
	failed   bool

	// Owned by loop.
	c       *engine.Cluster
	origin  time.Time // the cluster's time when inputs start counting
	seq     int64
	playing bool
	speed   int
	lastRV  uint64
	viewers map[*Viewer]struct{}
	// tracker follows the lesson's goals (nil in a sandbox); goals is
	// its last status, active when the learner last acted.
	tracker *lessons.Tracker
	goals   lessons.Status
	active  time.Time
}

// newSession builds the cluster a record describes and replays its inputs,
// so that a saved session comes back exactly as it was: the engine is
// deterministic, so seed and inputs at their virtual times are enough. A
// lesson's tracker is fed the same inputs, so it comes back too.
func (m *Sessions) newSession(rec SessionRecord, inputs []Input) (*Session, error) {
	var c *engine.Cluster
	var tracker *lessons.Tracker
	var err error
	switch {
	case rec.Lesson != "":
		l, ok := m.lesson(rec.Lesson)
		if !ok {
			return nil, fmt.Errorf("the session follows lesson %q, which this server does not have", rec.Lesson)
		}
		c, err = l.NewCluster(rec.Seed)
		tracker = lessons.NewTracker(l)
	case rec.Preset != "":
		p, ok := m.preset(rec.Preset)
		if !ok {
			return nil, fmt.Errorf("the session starts from preset %q, which this server does not have", rec.Preset)
		}
		c, err = p.NewCluster(rec.Seed)
	default:
		c, err = kubectl.DefaultCluster(rec.Seed)
	}
	if err != nil {
		return nil, err
	}
	if rec.Script != "" {
		steps, err := kubectl.ParseScript(rec.Script)
		if err != nil {
			return nil, err
		}
		if _, err := kubectl.RunScript(c, steps, false); err != nil {
			return nil, err
		}
	}
	s := &Session{
		id: rec.ID, store: m.store, log: m.log.With("session", rec.ID),
		reqs: make(chan func()), quit: make(chan bool, 1), done: make(chan struct{}),
		c: c, origin: c.Now(), speed: 1, viewers: map[*Viewer]struct{}{}, tracker: tracker, lesson: rec.Lesson,
	}
	for _, in := range inputs {
		if err := s.replayTo(in.At); err != nil {
			return nil, err
		}
		switch in.Kind {
		case "exec":
			res := kubectl.Run(c, in.Body)
			if tracker != nil {
				tracker.Command(c, in.Body, res)
			}
		default:
			return nil, fmt.Errorf("session %s: input %d has unknown kind %q", rec.ID, in.Seq, in.Kind)
		}
		s.seq = in.Seq
	}
	if err := s.replayTo(rec.Virtual); err != nil {
		return nil, err
	}
	if tracker != nil {
		tracker.Observe(c)
		s.goals = tracker.Status()
	}
	s.lastRV = c.ResourceVersion()
	c.Compact(s.lastRV) // viewers start from snapshots
	s.lastUsed = time.Now()
	return s, nil
}

// advanceTo moves virtual time to origin+at, if it is not there yet.
func (s *Session) advanceTo(at time.Duration) error {
	if d := s.origin.Add(at).Sub(s.c.Now()); d > 0 {
		return s.c.Advance(d)
	}
	return nil
}

// replayTo is advanceTo for a replay. A lesson's tracker looks at the
// cluster after every timer on the way, as the live session's clock
// ticks let it: a goal that saw a passing state live (a node down, its
// pods lost) sees it again.
func (s *Session) replayTo(at time.Duration) error {
	if s.tracker == nil {
		return s.advanceTo(at)
	}
	target := s.origin.Add(at)
	for {
		next, ok := s.c.NextTimer()
		if !ok || next.After(target) {
			break
		}
		if err := s.c.Advance(next.Sub(s.c.Now())); err != nil {
			return err
		}
		s.tracker.Observe(s.c)
	}
	return s.advanceTo(at)
}

func (s *Session) elapsed() time.Duration { return s.c.Now().Sub(s.origin) }

// ID returns the session's id.
func (s *Session) ID() string { return s.id }

// Lesson returns the id of the lesson the session follows ("" for a
// sandbox).
func (s *Session) Lesson() string { return s.lesson }

func (s *Session) touch() {
	s.mu.Lock()
	s.lastUsed = time.Now()
	s.mu.Unlock()
}

// idleSince reports when the session was last used, if nobody watches it.
func (s *Session) idleSince() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastUsed, s.nviewers == 0
}

// loop runs the session until it is told to stop or its engine fails.
func (s *Session) loop() {
	defer close(s.done)
	// The ticker runs only while the clock plays: a thousand paused
	// sessions cost no wake-ups.
	var t *time.Ticker
	var tickC <-chan time.Time
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	var last time.Time
	for {
		select {
		case save := <-s.quit:
			if save {
				s.saveClock()
			}
			s.closeViewers()
			return
		case f := <-s.reqs:
			if !s.safely(f) {
				return
			}
		case now := <-tickC:
			wall := now.Sub(last)
			last = now
			if !s.safely(func() {
				if err := s.c.Advance(wall * time.Duration(s.speed)); err != nil {
					s.log.Error("advancing the clock", "err", err)
					s.playing = false
				}
				b := Batch{}
				s.track("", nil, &b)
				s.publish(b)
			}) {
				return
			}
		}
		switch {
		case s.playing && t == nil:
			t = time.NewTicker(tick)
			tickC, last = t.C, time.Now()
		case !s.playing && t != nil:
			t.Stop()
			t, tickC = nil, nil
		}
	}
}

// safely runs f, turning a panic into a failed session: logged with the
// session's id, unloaded, and restored from the store on the next request.
func (s *Session) safely(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("session panicked; it will be restored from its saved inputs", "panic", r, "stack", string(debug.Stack()))
			s.mu.Lock()
			s.failed = true
			s.mu.Unlock()
			s.closeViewers()
			ok = false
		}
	}()
	f()
	return true
}

// do runs f on the session's goroutine and waits for it.
func (s *Session) do(ctx context.Context, f func() error) error {
	s.touch()
	errc := make(chan error, 1)
	select {
	case s.reqs <- func() { errc <- f() }:
	case <-s.done:
		return s.closedErr()
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-errc:
		return err
	case <-s.done:
		return s.closedErr()
	}
}

func (s *Session) closedErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed {
		return errFailed
	}
	return errClosed
}

// stop ends the loop, saving the clock if save, and waits for it.
func (s *Session) stop(save bool) {
	select {
	case s.quit <- save:
	default:
	}
	<-s.done
}

func (s *Session) saveClock() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.SaveClock(ctx, s.id, s.elapsed(), time.Now().UTC()); err != nil {
		s.log.Error("saving the session's clock", "err", err)
	}
}

// Exec runs a terminal command. The command is stored before it runs, so
// an answered command is never lost: a restarted server replays it.
func (s *Session) Exec(ctx context.Context, command string) (kubectl.Result, error) {
	var res kubectl.Result
	err := s.do(ctx, func() error {
		in := Input{Seq: s.seq + 1, At: s.elapsed(), Kind: "exec", Body: command}
		if err := s.store.AppendInput(ctx, s.id, in); err != nil {
			return fmt.Errorf("saving the command: %w", err)
		}
		s.seq = in.Seq
		before := s.c.Now()
		res = kubectl.Run(s.c, command)
		b := Batch{Output: &res, Command: command}
		if !s.c.Now().Equal(before) { // sleep, rollout status, get -w
			clock := s.clock()
			b.Clock = &clock
		}
		s.track(command, &res, &b)
		s.publish(b)
		return nil
	})
	return res, err
}

// State returns a snapshot of the whole cluster.
func (s *Session) State(ctx context.Context) (engine.Snapshot, error) {
	var snap engine.Snapshot
	err := s.do(ctx, func() error {
		snap = s.c.Snapshot()
		return nil
	})
	return snap, err
}

// coalesce keeps one event an object in a batch of watch events, as an
// informer's queue does: its latest state, at the place of its last
// change. An object added and changed within the batch is ADDED in its
// latest state; one added and deleted again is left out. A viewer that
// applies the batch ends where one that applied every event would; a
// burst (200 pods created, scheduled and started within one tick) costs
// a fraction of the bytes to send and to parse.
func coalesce(evs []engine.WatchEvent) []engine.WatchEvent {
	if len(evs) < 2 {
		return evs
	}
	type seen struct {
		added bool // its first event in the batch was ADDED
		last  int
	}
	by := make(map[string]*seen, len(evs))
	for i, ev := range evs {
		uid := ev.Object.GetObjectMeta().UID
		if e, ok := by[uid]; ok {
			e.last = i
		} else {
			by[uid] = &seen{added: ev.Type == engine.Added, last: i}
		}
	}
	if len(by) == len(evs) {
		return evs
	}
	out := make([]engine.WatchEvent, 0, len(by))
	for i, ev := range evs {
		e := by[ev.Object.GetObjectMeta().UID]
		switch {
		case e.last != i:
		case e.added && ev.Type == engine.Deleted:
		case e.added:
			ev.Type = engine.Added
			out = append(out, ev)
		default:
			out = append(out, ev)
		}
	}
	return out
}

// Complete returns the terminal's completions for a partly typed line.
// It reads the cluster only, so it is not recorded.
func (s *Session) Complete(ctx context.Context, line string) ([]string, error) {
	var out []string
	err := s.do(ctx, func() error {
		out = kubectl.Complete(s.c, line)
		return nil
	})
	return out, err
}

// Inspect describes one object for the diagram's side panel. It reads
// the cluster only, so it is not recorded.
func (s *Session) Inspect(ctx context.Context, kind engine.Kind, namespace, name string) (kubectl.Inspection, error) {
	var out kubectl.Inspection
	err := s.do(ctx, func() error {
		var err error
		if out, err = kubectl.Inspect(s.c, kind, namespace, name); err != nil {
			return &inputError{err.Error()}
		}
		return nil
	})
	return out, err
}

// maxIdleGap is the longest pause between two of a learner's actions that
// still counts as time spent on a lesson.
const maxIdleGap = 5 * time.Minute

// track tells a lesson's tracker what happened (a command, or only time
// passing when res is nil), puts the goals in b when they changed, and
// saves the learner's progress.
func (s *Session) track(command string, res *kubectl.Result, b *Batch) {
	if s.tracker == nil {
		return
	}
	if res != nil {
		s.tracker.Command(s.c, command, *res)
	} else {
		s.tracker.Observe(s.c)
	}
	st := s.tracker.Status()
	changed := !statusEqual(st, s.goals)
	if changed {
		s.goals = st
		b.Goals = &st
	}
	if res == nil && !changed {
		return
	}
	u := ProgressUpdate{Step: st.Step, Complete: st.Complete}
	for _, step := range st.Steps {
		if step.Done {
			u.StepsDone++
		}
	}
	now := time.Now()
	if res != nil {
		if !s.active.IsZero() {
			u.Spent = min(now.Sub(s.active), maxIdleGap)
		}
		s.active = now
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.SaveProgress(ctx, s.id, u, now.UTC()); err != nil {
		s.log.Error("saving the learner's progress", "err", err)
	}
}

// statusEqual reports whether two lesson statuses show the same progress.
func statusEqual(a, b lessons.Status) bool {
	if a.Step != b.Step || a.Complete != b.Complete || len(a.Steps) != len(b.Steps) {
		return false
	}
	for i := range a.Steps {
		x, y := a.Steps[i], b.Steps[i]
		if x.Done != y.Done || len(x.Goals) != len(y.Goals) {
			return false
		}
		for j := range x.Goals {
			if x.Goals[j].Done != y.Goals[j].Done {
				return false
			}
		}
	}
	return true
}

// Goals returns the lesson's goals as they stand (nil in a sandbox).
func (s *Session) Goals(ctx context.Context) (*lessons.Status, error) {
	var out *lessons.Status
	err := s.do(ctx, func() error {
		if s.tracker != nil {
			g := s.goals
			out = &g
		}
		return nil
	})
	return out, err
}

// Hint records that the learner revealed a hint of the lesson.
func (s *Session) Hint(ctx context.Context) error {
	return s.do(ctx, func() error {
		if s.tracker == nil {
			return &inputError{"this session follows no lesson, so it has no hints"}
		}
		return s.store.SaveProgress(ctx, s.id, ProgressUpdate{Hints: 1}, time.Now().UTC())
	})
}

// ClockAction is a request to change a session's clock.
type ClockAction struct {
	Action string `json:"action"`
	Speed  int    `json:"speed,omitempty"`
}

// SetClock plays, pauses or steps the session's clock.
func (s *Session) SetClock(ctx context.Context, a ClockAction) (Clock, error) {
	if a.Speed != 0 && !slices.Contains(Speeds, a.Speed) {
		return Clock{}, &inputError{fmt.Sprintf("speed %d is not one of %v", a.Speed, Speeds)}
	}
	var out Clock
	err := s.do(ctx, func() error {
		switch a.Action {
		case "play":
			s.playing = true
		case "pause":
			s.playing = false
		case "step":
			s.playing = false
			if _, err := s.c.Step(); err != nil {
				return err
			}
		case "":
		default:
			return &inputError{fmt.Sprintf("unknown clock action %q: use play, pause or step", a.Action)}
		}
		if a.Speed != 0 {
			s.speed = a.Speed
		}
		out = s.clock()
		b := Batch{Clock: &out}
		s.track("", nil, &b)
		s.publish(b)
		return nil
	})
	return out, err
}

func (s *Session) clock() Clock {
	return Clock{Playing: s.playing, Speed: s.speed, Time: s.c.Now().UTC().Format(time.RFC3339Nano)}
}

// Subscription is what a new viewer starts from: the cluster, the clock
// and (in a lesson) the goals, all of one instant; its Viewer's batches
// follow on from there.
type Subscription struct {
	Viewer   *Viewer
	Snapshot engine.Snapshot
	Clock    Clock
	Goals    *lessons.Status
}

// Subscribe adds a viewer.
func (s *Session) Subscribe(ctx context.Context) (Subscription, error) {
	var sub Subscription
	err := s.do(ctx, func() error {
		c := make(chan *Batch, viewerQueue)
		v := &Viewer{C: c, c: c, cut: make(chan struct{})}
		s.viewers[v] = struct{}{}
		s.mu.Lock()
		s.nviewers++
		s.mu.Unlock()
		sub = Subscription{Viewer: v, Snapshot: s.c.Snapshot(), Clock: s.clock()}
		if s.tracker != nil {
			g := s.goals
			sub.Goals = &g
		}
		return nil
	})
	return sub, err
}

// Unsubscribe removes a viewer.
func (s *Session) Unsubscribe(v *Viewer) {
	_ = s.do(context.Background(), func() error {
		s.drop(v, false)
		return nil
	})
}

func (s *Session) drop(v *Viewer, cut bool) {
	if _, ok := s.viewers[v]; !ok {
		return
	}
	delete(s.viewers, v)
	s.mu.Lock()
	s.nviewers--
	s.mu.Unlock()
	if cut {
		close(v.cut)
	}
}

func (s *Session) closeViewers() {
	for v := range s.viewers {
		s.drop(v, true)
	}
}

// publish sends the watch events since the last publication, with b, to
// every viewer. It never blocks: a viewer whose queue is full is cut off.
func (s *Session) publish(b Batch) {
	if rv := s.c.ResourceVersion(); rv != s.lastRV {
		if len(s.viewers) > 0 {
			evs, err := s.c.Since(s.lastRV)
			if err != nil {
				// Compacted past the last publication: every viewer resyncs.
				s.log.Warn("watch log compacted past viewers; resyncing them", "err", err)
				s.closeViewers()
			}
			b.Events, b.RV = coalesce(evs), rv
		}
		s.lastRV = rv
		// Every viewer has what it needs (or a snapshot will do): the
		// history's memory goes back.
		s.c.Compact(rv)
	}
	if b.Events == nil && b.Output == nil && b.Clock == nil && b.Goals == nil {
		return
	}
	if len(s.viewers) == 0 {
		return
	}
	// Viewers share the batch, read-only; the encoding is done once here.
	shared := &b
	for _, m := range batchMessages(b) {
		data, err := json.Marshal(m)
		if err != nil {
			s.log.Error("encoding a batch", "err", err)
			return
		}
		shared.Messages = append(shared.Messages, data)
	}
	for v := range s.viewers {
		select {
		case v.c <- shared:
		default:
			s.drop(v, true)
		}
	}
}
