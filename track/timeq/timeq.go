// Package timeq is the tracker's queues in capture time: the flows closed, the tombs, each in
// the order of a time, so that those whose time has come are at the front; and Instant, a time
// without the pointer a time.Time holds.
package timeq

import "time"

// Queue is a queue of items stamped with a capture time, which come out in time order, so that
// the flows and tombs whose time has come are found at its front without walking the flow
// table. An item whose subject was active after it was pushed is pushed again, stamped anew,
// when it comes up, and an item whose subject is gone is dropped then: each step is O(1)
// amortised. An item stamped before the last one pushed (a subject pushed again at its last
// activity, which items pushed since may follow) waits in a heap beside, so that it does not
// come out behind them: those steps are O(log n) in the items out of order.
type Queue[T any] struct {
	items []stamped[T] // in time order
	head  int
	late  []lateItem[T] // a min-heap by time, then push order
	seq   uint64        // items pushed to late
}

// lateItem is an item pushed out of time order, with its place among them.
type lateItem[T any] struct {
	stamped[T]
	seq uint64
}

// before reports whether x comes out before y.
func (x *lateItem[T]) before(y *lateItem[T]) bool {
	return x.at.before(y.at) || x.at == y.at && x.seq < y.seq
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

// before reports whether i is before j.
func (i Instant) before(j Instant) bool { return i.sec < j.sec || i.sec == j.sec && i.nsec < j.nsec }

// Push queues v, stamped at.
func (q *Queue[T]) Push(v T, at time.Time) {
	s := stamped[T]{v, InstantOf(at)}
	if n := len(q.items); n == q.head || !s.at.before(q.items[n-1].at) {
		q.items = append(q.items, s)
		return
	}
	q.late = append(q.late, lateItem[T]{s, q.seq})
	q.seq++
	for i := len(q.late) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.late[i].before(&q.late[p]) {
			break
		}
		q.late[i], q.late[p] = q.late[p], q.late[i]
		i = p
	}
}

// Len is the number of items queued.
func (q *Queue[T]) Len() int { return len(q.items) - q.head + len(q.late) }

// lateFirst reports whether the oldest item is late's first. Of equal times, the one in items
// was pushed first: an item goes to late only when items end with a later one.
func (q *Queue[T]) lateFirst() bool {
	return len(q.late) > 0 && (q.head == len(q.items) || q.late[0].at.before(q.items[q.head].at))
}

// Front returns the oldest item; ok is false when the queue is empty.
func (q *Queue[T]) Front() (v T, at time.Time, ok bool) {
	if q.lateFirst() {
		return q.late[0].v, q.late[0].at.Time(), true
	}
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
	if q.lateFirst() {
		n := len(q.late) - 1
		q.late[0] = q.late[n]
		q.late[n] = lateItem[T]{}
		q.late = q.late[:n]
		for i := 0; ; {
			c := 2*i + 1
			if c >= n {
				break
			}
			if c+1 < n && q.late[c+1].before(&q.late[c]) {
				c++
			}
			if !q.late[c].before(&q.late[i]) {
				break
			}
			q.late[i], q.late[c] = q.late[c], q.late[i]
			i = c
		}
		return
	}
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
