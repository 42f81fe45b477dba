// Package timeq is the tracker's queues in capture time: the flows closed, the tombs, each in
// the order of a time, so that those whose time has come are at the front; and Instant, a time
// without the pointer a time.Time holds.
package timeq

import "time"

// Queue is a queue of items stamped with a capture time, pushed in time order, so that the flows
// and tombs whose time has come are found at its front without walking the flow table. An item
// whose subject was active after it was pushed is pushed again, stamped anew, when it comes up,
// and an item whose subject is gone is dropped then: each step is O(1) amortised.
type Queue[T any] struct {
	items []stamped[T]
	head  int
}

// stamped is an item of a Queue and the capture time it was pushed with.
type stamped[T any] struct {
	v  T
	at Instant
}

// Instant is a time.Time as plain numbers: a time.Time holds a pointer (its location), which
// the garbage collector would follow in every item of a queue or tomb that keeps one.
type Instant struct {
	sec  int64 // Unix seconds
	nsec int32
}

// InstantOf returns t as an Instant.
func InstantOf(t time.Time) Instant { return Instant{t.Unix(), int32(t.Nanosecond())} }

// Time returns the Instant as a time.Time (in the local time zone: times are compared).
func (i Instant) Time() time.Time { return time.Unix(i.sec, int64(i.nsec)) }

// Push queues v, stamped at (not before the last item's stamp).
func (q *Queue[T]) Push(v T, at time.Time) { q.items = append(q.items, stamped[T]{v, InstantOf(at)}) }

// Len is the number of items queued.
func (q *Queue[T]) Len() int { return len(q.items) - q.head }

// Front returns the oldest item; ok is false when the queue is empty.
func (q *Queue[T]) Front() (v T, at time.Time, ok bool) {
	if q.head == len(q.items) {
		return v, at, false
	}
	s := &q.items[q.head]
	return s.v, s.at.Time(), true
}

// Pop drops the oldest item, letting go of what it pointed to, and reuses the array once a
// quarter of it is spent: the array so stays within a third more than the items queued (with
// half, it would grow to twice as many), each item moved at most three times.
func (q *Queue[T]) Pop() {
	q.items[q.head] = stamped[T]{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head >= 1024 && q.head*4 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}
