package lessons

import (
	"github.com/podplay/podplay/engine"
	"github.com/podplay/podplay/engine/kubectl"
)

// Tracker follows one learner through one lesson: it is told of every
// command and every change of the cluster, and says which goals and steps
// are done. Steps complete in order: only the current step's goals are
// checked against the live cluster, and a step is done when all of them
// hold at once; history and terminal goals latch once met. A terminal
// goal counts the commands run while its step is current; a history goal
// remembers what it saw from the start of the lesson (a pod lost with
// its node before the step began still counts). Done steps stay done.
//
// A Tracker is deterministic: fed the same commands and the same cluster
// changes, it reaches the same state, so a server rebuilds it by replaying
// a session. It is not safe for concurrent use.
type Tracker struct {
	lesson  *Lesson
	current int
	// met[s][g] is true once a latching goal was met, or (for the current
	// step and earlier) once a live goal held when its step was current.
	met [][]bool
	// live[s][g] is whether a live goal of the current step held at the
	// last evaluation.
	live [][]bool
	// mems[s][g] is the memory of a history or terminal goal (nil for a
	// live goal).
	mems [][]memory
	// rv is the cluster's resourceVersion at the last evaluation; dirty
	// forces the next Observe to evaluate even if it has not changed (a
	// command may change files, which have no resourceVersion).
	rv       uint64
	observed bool
	dirty    bool
}

// NewTracker starts a learner at the first step of l.
func NewTracker(l *Lesson) *Tracker {
	t := &Tracker{lesson: l}
	for _, s := range l.Steps {
		met := make([]bool, len(s.Goals))
		mems := make([]memory, len(s.Goals))
		for i, g := range s.Goals {
			if h, ok := g.m.(historyMatcher); ok {
				mems[i] = h.newMemory()
			}
		}
		t.met = append(t.met, met)
		t.live = append(t.live, make([]bool, len(s.Goals)))
		t.mems = append(t.mems, mems)
	}
	return t
}

// Lesson returns the lesson tracked.
func (t *Tracker) Lesson() *Lesson { return t.lesson }

// Complete reports whether every step is done.
func (t *Tracker) Complete() bool { return t.current >= len(t.lesson.Steps) }

// Current returns the index of the current step (the last one once the
// lesson is complete).
func (t *Tracker) Current() int { return min(t.current, len(t.lesson.Steps)-1) }

// Command tells the tracker of a terminal command the learner ran (input
// as typed, heredoc included) and its result, on cluster c after it ran.
// It evaluates the goals at once, so a following Observe with no change
// in between is free.
func (t *Tracker) Command(c *engine.Cluster, input string, res kubectl.Result) {
	if cmd, err := parseCommand(input); err == nil && !t.Complete() {
		// A command counts for the step the learner is on: "now run
		// kubectl describe node" asks for a look after what came before.
		for g, m := range t.mems[t.current] {
			if m != nil && m.command(c, cmd, res) {
				t.met[t.current][g] = true
			}
		}
	}
	t.dirty = true
	t.Observe(c)
}

// Observe tells the tracker the cluster may have changed (after a
// command, or a tick of the clock). It does nothing when the cluster's
// resourceVersion is the one it last saw.
func (t *Tracker) Observe(c *engine.Cluster) {
	rv := c.ResourceVersion()
	if t.observed && !t.dirty && rv == t.rv {
		return
	}
	t.rv, t.observed, t.dirty = rv, true, false
	for s := t.current; s < len(t.mems); s++ {
		for g, m := range t.mems[s] {
			if m != nil && m.observe(c) {
				t.met[s][g] = true
			}
		}
	}
	for !t.Complete() {
		step := t.lesson.Steps[t.current]
		all := true
		for i, g := range step.Goals {
			v := t.met[t.current][i]
			if lm, ok := g.m.(liveMatcher); ok && !v {
				v = lm.holds(c)
			}
			t.live[t.current][i] = v
			all = all && v
		}
		if !all {
			return
		}
		copy(t.met[t.current], t.live[t.current])
		t.current++
	}
}

// Status is a learner's progress through a lesson, ready for JSON.
type Status struct {
	Lesson string `json:"lesson"`
	// Step is the index of the current step (the last once complete).
	Step     int          `json:"step"`
	Steps    []StepStatus `json:"steps"`
	Complete bool         `json:"complete"`
}

// StepStatus is one step's progress.
type StepStatus struct {
	ID    string       `json:"id"`
	Done  bool         `json:"done"`
	Goals []GoalStatus `json:"goals"`
}

// GoalStatus is one goal's progress.
type GoalStatus struct {
	ID   string `json:"id"`
	Text Text   `json:"text"`
	Done bool   `json:"done"`
}

// Status returns the learner's progress: done steps, and which goals hold
// (for the current step, as of the last evaluation; for later steps, the
// history and terminal goals already met).
func (t *Tracker) Status() Status {
	st := Status{Lesson: t.lesson.ID, Step: t.Current(), Complete: t.Complete()}
	for s, step := range t.lesson.Steps {
		ss := StepStatus{ID: step.ID, Done: s < t.current, Goals: make([]GoalStatus, len(step.Goals))}
		for i, g := range step.Goals {
			done := ss.Done || t.met[s][i] || s == t.current && t.live[s][i]
			ss.Goals[i] = GoalStatus{ID: g.ID, Text: g.Text, Done: done}
		}
		st.Steps = append(st.Steps, ss)
	}
	return st
}
