package engine

import "time"

// DefaultStart is the virtual time a cluster starts at unless Config.Start
// says otherwise. A fixed start keeps event logs identical across runs.
var DefaultStart = time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)

// clock is the cluster's virtual time and its queue of timers. Time only
// moves when the Cluster moves it.
type clock struct {
	now time.Time
	// seq numbers timers in the order they were set; it breaks ties between
	// timers due at the same instant, so they fire in the order set.
	seq uint64
	// timers is a binary min-heap ordered by (at, seq). The same timer may
	// be set twice; firing it twice is harmless, as the controller's work
	// queue holds a key at most once and reconcilers are level-based.
	timers []timer
}

// timerID identifies what a timer does: wake controller ctl for key at at.
type timerID struct {
	at  int64 // UnixNano of the due time
	ctl int
	key string
}

type timer struct {
	id  timerID
	seq uint64
}

func newClock(start time.Time) clock { return clock{now: start} }

// set arranges for controller ctl to reconcile key at time at. A time in
// the past means "at the next instant the cluster settles".
func (c *clock) set(at time.Time, ctl int, key string) {
	if at.Before(c.now) {
		at = c.now
	}
	c.seq++
	c.timers = append(c.timers, timer{id: timerID{at: at.UnixNano(), ctl: ctl, key: key}, seq: c.seq})
	c.up(len(c.timers) - 1)
}

// next returns the due time of the earliest timer.
func (c *clock) next() (time.Time, bool) {
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, c.timers[0].id.at).UTC(), true
}

// popDue removes and returns the earliest timer if it is due at or before
// the current time.
func (c *clock) popDue() (timerID, bool) {
	if len(c.timers) == 0 || c.timers[0].id.at > c.now.UnixNano() {
		return timerID{}, false
	}
	t := c.timers[0]
	last := len(c.timers) - 1
	c.timers[0] = c.timers[last]
	c.timers[last] = timer{}
	c.timers = c.timers[:last]
	if last > 0 {
		c.down(0)
	}
	// The heap keeps its room, as work queues do: a cluster that once had
	// many timers will again.
	return t.id, true
}

func (c *clock) less(i, j int) bool {
	a, b := &c.timers[i], &c.timers[j]
	if a.id.at != b.id.at {
		return a.id.at < b.id.at
	}
	return a.seq < b.seq
}

func (c *clock) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !c.less(i, parent) {
			return
		}
		c.timers[i], c.timers[parent] = c.timers[parent], c.timers[i]
		i = parent
	}
}

func (c *clock) down(i int) {
	n := len(c.timers)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && c.less(r, l) {
			m = r
		}
		if !c.less(m, i) {
			return
		}
		c.timers[i], c.timers[m] = c.timers[m], c.timers[i]
		i = m
	}
}

// nanos is a virtual time as Unix nanoseconds, 0 for none: 8 bytes where a
// time.Time takes 24, for the kubelet's bookkeeping of every pod and
// container. Virtual time is UTC and after 1970.
type nanos int64

func toNanos(t time.Time) nanos {
	if t.IsZero() {
		return 0
	}
	return nanos(t.UnixNano())
}

// Time returns n as a time (the zero time for 0).
func (n nanos) Time() time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(n)).UTC()
}

func (n nanos) IsZero() bool { return n == 0 }
