package engine

import (
	"container/heap"
	"time"
)

// DefaultStart is the virtual time a cluster starts at unless Config.Start
// says otherwise. A fixed start keeps event logs identical across runs.
var DefaultStart = time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)

// clock is the cluster's virtual time and its queue of timers. Time only
// moves when the Cluster moves it.
type clock struct {
	now time.Time
	// seq numbers timers in the order they were set; it breaks ties between
	// timers due at the same instant, so they fire in the order set.
	seq    uint64
	timers timerHeap
	// pending holds one entry per timer in the heap, so that setting the
	// same timer twice is a no-op.
	pending map[timerID]struct{}
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

func newClock(start time.Time) clock {
	return clock{now: start, pending: map[timerID]struct{}{}}
}

// set arranges for controller ctl to reconcile key at time at. A time in
// the past means "at the next instant the cluster settles".
func (c *clock) set(at time.Time, ctl int, key string) {
	if at.Before(c.now) {
		at = c.now
	}
	id := timerID{at: at.UnixNano(), ctl: ctl, key: key}
	if _, dup := c.pending[id]; dup {
		return
	}
	c.pending[id] = struct{}{}
	c.seq++
	heap.Push(&c.timers, timer{id: id, seq: c.seq})
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
	t := heap.Pop(&c.timers).(timer)
	delete(c.pending, t.id)
	return t.id, true
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].id.at != h[j].id.at {
		return h[i].id.at < h[j].id.at
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = timer{}
	*h = old[:len(old)-1]
	return t
}
