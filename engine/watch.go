package engine

import "sort"

// EventType says what happened to an object in a watch event.
type EventType string

// The watch event types, as the Kubernetes watch API names them.
const (
	Added    EventType = "ADDED"
	Modified EventType = "MODIFIED"
	Deleted  EventType = "DELETED"
)

// WatchEvent is one change to the store. Object is the object as it was
// after the change (for Deleted, as it was when deleted); its
// metadata.resourceVersion is the version of the change.
type WatchEvent struct {
	Type            EventType `json:"type"`
	ResourceVersion uint64    `json:"-"`
	Object          Object    `json:"object"`
	// key is the object's store key, computed once for the controllers.
	key string
}

// watchLog is the bounded history of store changes.
type watchLog struct {
	events []WatchEvent
	// compacted is the newest resourceVersion that has been dropped: a
	// reader must hold a version at or after it to read on.
	compacted uint64
	// limit bounds len(events); when exceeded the older half is dropped.
	limit int
}

func (l *watchLog) append(ev WatchEvent) {
	l.events = append(l.events, ev)
	if l.limit > 0 && len(l.events) > l.limit {
		drop := len(l.events) - l.limit/2
		l.compacted = l.events[drop-1].ResourceVersion
		n := copy(l.events, l.events[drop:])
		clear(l.events[n:])
		l.events = l.events[:n]
	}
}

// compact drops the events up to and including resourceVersion rv.
func (l *watchLog) compact(rv uint64) {
	i := sort.Search(len(l.events), func(i int) bool { return l.events[i].ResourceVersion > rv })
	if i == 0 {
		return
	}
	l.compacted = max(l.compacted, l.events[i-1].ResourceVersion)
	n := copy(l.events, l.events[i:])
	clear(l.events[n:])
	l.events = l.events[:n]
}

// since returns the events after resourceVersion rv, sharing the log's
// backing array, or a TooOldError.
func (l *watchLog) since(rv uint64) ([]WatchEvent, error) {
	if rv < l.compacted {
		return nil, &TooOldError{Requested: rv, Oldest: l.compacted}
	}
	i := sort.Search(len(l.events), func(i int) bool { return l.events[i].ResourceVersion > rv })
	return l.events[i:], nil
}
