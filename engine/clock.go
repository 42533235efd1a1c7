package engine

import "time"

// DefaultStart is the virtual time a cluster starts at unless Config.Start
// says otherwise. A fixed start keeps event logs identical across runs.
var DefaultStart = time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)

// clock is the cluster's virtual time and its timers. Time only moves
// when the Cluster moves it.
//
// Timers fire in the order of their due time and, at one instant, in the
// order they were set. Many timers share an instant (every pod bound at
// once wakes its kubelet half a second later), so they are kept in a
// first-in, first-out bucket per instant, and only the distinct instants
// in a min-heap: setting and firing a timer cost no heap work unless its
// instant is new or done. The same timer may be set twice; firing it twice
// is harmless, as the controller's work queue holds a key at most once and
// reconcilers are level-based.
type clock struct {
	now time.Time
	// instants is a binary min-heap of the instants that have timers.
	instants []int64
	// buckets holds the timers of each instant in instants, in the order
	// set.
	buckets map[int64]*timerBucket
	// spare is an emptied bucket kept for the next new instant.
	spare *timerBucket
}

type timerBucket struct {
	timers []timerID
	head   int
}

// timerID identifies what a timer does: wake controller ctl for key at at.
type timerID struct {
	at  int64 // UnixNano of the due time
	ctl int
	key string
}

func newClock(start time.Time) clock { return clock{now: start, buckets: map[int64]*timerBucket{}} }

// set arranges for controller ctl to reconcile key at time at. A time in
// the past means "at the next instant the cluster settles".
func (c *clock) set(at time.Time, ctl int, key string) {
	if at.Before(c.now) {
		at = c.now
	}
	ns := at.UnixNano()
	b := c.buckets[ns]
	if b == nil {
		b = c.spare
		c.spare = nil
		if b == nil {
			b = &timerBucket{}
		}
		c.buckets[ns] = b
		c.instants = append(c.instants, ns)
		c.up(len(c.instants) - 1)
	}
	b.timers = append(b.timers, timerID{at: ns, ctl: ctl, key: key})
}

// next returns the due time of the earliest timer.
func (c *clock) next() (time.Time, bool) {
	if len(c.instants) == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, c.instants[0]).UTC(), true
}

// popDue removes and returns the earliest timer if it is due at or before
// the current time.
func (c *clock) popDue() (timerID, bool) {
	if len(c.instants) == 0 || c.instants[0] > c.now.UnixNano() {
		return timerID{}, false
	}
	ns := c.instants[0]
	b := c.buckets[ns]
	t := b.timers[b.head]
	b.timers[b.head] = timerID{}
	b.head++
	if b.head == len(b.timers) {
		// The instant is done.
		delete(c.buckets, ns)
		last := len(c.instants) - 1
		c.instants[0] = c.instants[last]
		c.instants = c.instants[:last]
		if last > 0 {
			c.down(0)
		}
		b.timers, b.head = b.timers[:0], 0
		if cap(b.timers) <= 4096 {
			c.spare = b // small enough to keep for the next instant
		}
	}
	return t, true
}

func (c *clock) up(i int) {
	h := c.instants
	for i > 0 {
		parent := (i - 1) / 2
		if h[i] >= h[parent] {
			return
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func (c *clock) down(i int) {
	h := c.instants
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r] < h[l] {
			m = r
		}
		if h[m] >= h[i] {
			return
		}
		h[i], h[m] = h[m], h[i]
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
