package engine

// workQueue is a first-in, first-out queue of keys in which a key waits at
// most once: adding a key that is already waiting does nothing. This is the
// client-go workqueue's guarantee, minus the concurrency.
type workQueue struct {
	keys []string
	head int
	// waiting holds exactly the keys in keys[head:].
	waiting map[string]struct{}
}

func newWorkQueue() *workQueue { return &workQueue{waiting: map[string]struct{}{}} }

func (q *workQueue) add(key string) {
	if _, ok := q.waiting[key]; ok {
		return
	}
	q.waiting[key] = struct{}{}
	q.keys = append(q.keys, key)
}

func (q *workQueue) len() int { return len(q.keys) - q.head }

func (q *workQueue) pop() (string, bool) {
	if q.head == len(q.keys) {
		return "", false
	}
	key := q.keys[q.head]
	q.keys[q.head] = ""
	q.head++
	delete(q.waiting, key)
	if q.head == len(q.keys) {
		// The queue keeps its room (the map never shrinks anyway): a
		// cluster that once queued many keys will again, and growing the
		// map afresh for every burst was a tenth of the scale benchmark's
		// allocations.
		q.keys, q.head = q.keys[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.keys) {
		n := copy(q.keys, q.keys[q.head:])
		q.keys, q.head = q.keys[:n], 0
	}
	return key, true
}
