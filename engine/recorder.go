package engine

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"time"
)

// recorder writes Events the way client-go's event recorder and the API
// server do: a repeat of the same event (same object, type, reason, message
// and source) bumps the count and last timestamp of the existing Event
// instead of making a new one; Events expire after the TTL; and the number
// kept is bounded. Like client-go's broadcaster, recording is decoupled
// from the controller that records: events are queued and written when the
// controllers settle, in the order they were recorded; and like it, the
// queue holds at most maxQueuedEvents — under a burst (thousands of pods
// at once) further events are dropped, as client-go drops them when its
// broadcaster's channel is full.
type recorder struct {
	c *Cluster
	// byKey maps the hash of an aggregation key to the store key of its
	// Event; a hit is confirmed against the Event itself, so a collision
	// only costs a new Event.
	byKey map[uint64]string
	seed  maphash.Seed
	// order lists Events oldest first, with when each was created; it may
	// hold Events already deleted, which are skipped.
	order []orderedEvent
	// lastNano is the stamp of the newest Event name.
	lastNano int64
	// pending holds recorded events not yet written, oldest first.
	pending []pendingEvent
	// Dropped counts events dropped because the queue was full.
	Dropped int
}

// maxQueuedEvents is client-go's broadcaster queue length.
const maxQueuedEvents = 1000

type orderedEvent struct {
	key     string
	created time.Time
}

type pendingEvent struct {
	ref              ObjectReference
	typ, reason, msg string
	src              EventSource
	at               time.Time
}

// Event sources, named as the real components name themselves.
var (
	sourceScheduler      = EventSource{Component: "default-scheduler"}
	sourceNodeController = EventSource{Component: "node-controller"}
	sourceTaintEviction  = EventSource{Component: "taint-eviction-controller"}
	sourcePodGC          = EventSource{Component: "pod-garbage-collector"}
)

func sourceKubelet(node string) EventSource { return EventSource{Component: "kubelet", Host: node} }

func newRecorder(c *Cluster) recorder {
	return recorder{c: c, byKey: map[uint64]string{}, seed: maphash.MakeSeed()}
}

// event records an event about obj.
func (c *Cluster) event(obj Object, typ, reason string, src EventSource, format string, args ...any) {
	c.events.record(refTo(obj), typ, reason, src, fmt.Sprintf(format, args...))
}

// eventMsg records an event with a ready-made message (the hot paths
// build theirs without fmt).
func (c *Cluster) eventMsg(obj Object, fieldPath, typ, reason string, src EventSource, msg string) {
	ref := refTo(obj)
	ref.FieldPath = fieldPath
	c.events.record(ref, typ, reason, src, msg)
}

// eventFor records an event about the container fieldPath of a pod.
func (c *Cluster) eventFor(p *Pod, fieldPath, typ, reason string, src EventSource, format string, args ...any) {
	ref := refTo(p)
	ref.FieldPath = fieldPath
	c.events.record(ref, typ, reason, src, fmt.Sprintf(format, args...))
}

func (r *recorder) record(ref ObjectReference, typ, reason string, src EventSource, msg string) {
	if !r.c.settling {
		// Recorded by an API call, not a controller: write it now, so that
		// what is in the store never depends on when it is read.
		r.write(ref, typ, reason, src, msg, r.c.clock.now)
		return
	}
	if r.dropping() {
		return
	}
	r.pending = append(r.pending, pendingEvent{ref: ref, typ: typ, reason: reason, src: src, msg: msg, at: r.c.clock.now})
}

// dropping reports whether an event recorded now would be dropped because
// the queue is full, and counts it as dropped. Hot paths ask first, so as
// not to build a message for nothing.
func (r *recorder) dropping() bool {
	if r.c.settling && len(r.pending) >= maxQueuedEvents {
		r.Dropped++
		return true
	}
	return false
}

// flush writes the pending events to the store.
func (r *recorder) flush() {
	for i := range r.pending {
		e := &r.pending[i]
		r.write(e.ref, e.typ, e.reason, e.src, e.msg, e.at)
		r.pending[i] = pendingEvent{}
	}
	r.pending = r.pending[:0]
	if cap(r.pending) > 4096 {
		r.pending = nil
	}
}

func (r *recorder) write(ref ObjectReference, typ, reason string, src EventSource, msg string, now time.Time) {
	c := r.c
	r.expire(now)
	aggKey := aggregationKey{ref.UID, ref.FieldPath, typ, reason, src.Component, src.Host, msg}
	hash := aggKey.hash(r.seed)
	if key, ok := r.byKey[hash]; ok {
		if old, _ := c.store.get(KindEvent, key).(*Event); old != nil && aggregationKeyOf(old) == aggKey {
			e := *old // shares the immutable metadata maps
			e.Count++
			e.LastTimestamp = now
			if err := c.updateObject(&e); err == nil {
				return
			}
		}
	}
	ns := ref.Namespace
	if ns == "" {
		ns = "default"
	}
	if c.store.get(KindNamespace, ns) == nil {
		return // the namespace is gone; so is anything to report on
	}
	// Names are the object's name and a nanosecond stamp, as client-go
	// makes them; the stamp never repeats, so names are never reused.
	r.lastNano = max(now.UnixNano(), r.lastNano+1)
	name := ref.Name + "." + strconv.FormatInt(r.lastNano, 16)
	e := &Event{
		ObjectMeta:          ObjectMeta{Name: name, Namespace: ns},
		InvolvedObject:      ref,
		Reason:              reason,
		Message:             msg,
		Source:              src,
		FirstTimestamp:      now,
		LastTimestamp:       now,
		Count:               1,
		Type:                typ,
		ReportingController: src.Component,
		ReportingInstance:   src.Host,
	}
	if err := c.createObject(e); err != nil {
		return
	}
	r.byKey[hash] = e.Key()
	r.order = append(r.order, orderedEvent{key: e.Key(), created: now})
	for c.store.count(KindEvent) > c.cfg.EventLimit {
		r.dropOldest()
	}
}

// expire deletes Events that last happened longer ago than the TTL.
func (r *recorder) expire(now time.Time) {
	cutoff := now.Add(-r.c.cfg.EventTTL)
	for len(r.order) > 0 {
		if !r.order[0].created.Before(cutoff) {
			return // created after the cutoff, so last seen after it too
		}
		e, _ := r.c.store.get(KindEvent, r.order[0].key).(*Event)
		if e != nil && !e.LastTimestamp.Before(cutoff) {
			return
		}
		r.dropOldest()
	}
}

func (r *recorder) dropOldest() {
	if len(r.order) == 0 {
		return
	}
	key := r.order[0].key
	r.order[0] = orderedEvent{}
	r.order = r.order[1:]
	if len(r.order) == 0 {
		r.order = nil
	}
	if e, _ := r.c.store.get(KindEvent, key).(*Event); e != nil {
		if hash := aggregationKeyOf(e).hash(r.seed); r.byKey[hash] == key {
			delete(r.byKey, hash)
		}
		r.c.removeObject(KindEvent, key)
	}
}

// aggregationKey is what makes two events "the same event" for counting:
// the object (and container), type, reason, source and message.
type aggregationKey struct {
	uid, fieldPath, typ, reason, component, host, message string
}

func aggregationKeyOf(e *Event) aggregationKey {
	return aggregationKey{e.InvolvedObject.UID, e.InvolvedObject.FieldPath, e.Type, e.Reason, e.Source.Component, e.Source.Host, e.Message}
}

// hash hashes the key with the runtime's map hash. The seed only places
// entries in the map, which is never iterated, so it does not affect
// determinism.
func (k aggregationKey) hash(seed maphash.Seed) uint64 { return maphash.Comparable(seed, k) }

// sortEvents orders events by last timestamp, then first timestamp, then
// name, as kubectl get events shows them.
func sortEvents(evs []*Event) {
	slices.SortStableFunc(evs, func(a, b *Event) int {
		if c := a.LastTimestamp.Compare(b.LastTimestamp); c != 0 {
			return c
		}
		if c := a.FirstTimestamp.Compare(b.FirstTimestamp); c != 0 {
			return c
		}
		return compareStrings(a.Name, b.Name)
	})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func secondsToDuration(s int64) time.Duration { return time.Duration(s) * time.Second }
