package engine

// workQueue is a first-in, first-out queue of keys in which a key waits at
// most once: adding a key that is already waiting does nothing. This is the
// client-go workqueue's guarantee, minus the concurrency.
type workQueue struct {
	keys []string
	head int
	// at holds, for every key added since the queue last emptied, the
	// index in keys it was last added at. A key is waiting exactly when
	// that index is at or after head and still holds the key. Popping
	// leaves the entry behind (deleting from a map of 150,000 keys cost
	// more than the rest of the queue); the entries go when the queue
	// empties.
	at map[string]int
}

func newWorkQueue() *workQueue { return &workQueue{at: map[string]int{}} }

func (q *workQueue) waiting(key string) bool {
	i, ok := q.at[key]
	return ok && i >= q.head && i < len(q.keys) && q.keys[i] == key
}

func (q *workQueue) add(key string) {
	if q.waiting(key) {
		return
	}
	q.at[key] = len(q.keys)
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
	if q.head == len(q.keys) {
		// Empty: start again at the front. The queue keeps its room, as a
		// cluster that once queued many keys will again; the index keeps
		// its entries too unless there are many, stale all of them now.
		q.keys, q.head = q.keys[:0], 0
		if len(q.at) > 1024 {
			clear(q.at)
		}
	} else if q.head > 1024 && q.head*2 > len(q.keys) {
		n := copy(q.keys, q.keys[q.head:])
		clear(q.keys[n:])
		q.keys, q.head = q.keys[:n], 0
		for i, k := range q.keys {
			q.at[k] = i
		}
	}
	return key, true
}
