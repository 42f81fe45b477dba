package track

import "time"

// fifo is a queue of items stamped with a capture time, pushed in time order, so that the flows
// and tombs whose time has come are found at its front without walking the flow table. An item
// whose subject was active after it was pushed is pushed again, stamped anew, when it comes up,
// and an item whose subject is gone is dropped then: each step is O(1) amortised.
type fifo[T any] struct {
	items []stamped[T]
	head  int
}

// stamped is an item of a fifo and the capture time it was pushed with.
type stamped[T any] struct {
	v  T
	at instant
}

// instant is a time.Time as plain numbers: a time.Time holds a pointer (its location), which
// the garbage collector would follow in every item of a queue or tomb that keeps one.
type instant struct {
	sec  int64 // Unix seconds
	nsec int32
}

// instantOf returns t as an instant.
func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

// time returns the instant as a time.Time (in the local time zone: times are compared).
func (i instant) time() time.Time { return time.Unix(i.sec, int64(i.nsec)) }

// push queues v, stamped at (not before the last item's stamp).
func (q *fifo[T]) push(v T, at time.Time) { q.items = append(q.items, stamped[T]{v, instantOf(at)}) }

// len is the number of items queued.
func (q *fifo[T]) len() int { return len(q.items) - q.head }

// front returns the oldest item; ok is false when the queue is empty.
func (q *fifo[T]) front() (v T, at time.Time, ok bool) {
	if q.head == len(q.items) {
		return v, at, false
	}
	s := &q.items[q.head]
	return s.v, s.at.time(), true
}

// pop drops the oldest item, letting go of what it pointed to, and reuses the array once a
// quarter of it is spent: the array so stays within a third more than the items queued (with
// half, it would grow to twice as many), each item moved at most three times.
func (q *fifo[T]) pop() {
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

// expireClosed goes through the flows closed for their grace period (or for ClosedLinger when
// that is shorter) by the time now: those idle past ClosedLinger end, those idle past their
// grace period become tombs, those active since they closed wait their turn again.
func (a *Tracker) expireClosed(now time.Time, expired []ending) []ending {
	for step := range a.closedQ {
		q := &a.closedQ[step]
		grace := a.grace / graceSteps[step]
		wait := min(grace, a.cfg.ClosedLinger)
		for {
			qf, at, ok := q.front()
			if !ok || now.Sub(at) <= wait {
				break
			}
			q.pop()
			f := qf.live()
			if f == nil {
				continue
			}
			switch idle := now.Sub(f.last); {
			case idle > a.cfg.ClosedLinger:
				delete(a.flows, f.key)
				f.gone = true
				expired = append(expired, ending{id: f.id, f: f})
			case idle > grace:
				a.buryFlow(f)
			default:
				q.push(f.queued(), f.last)
			}
		}
	}
	return expired
}

// expireTombs ends the tombs with no packet for ClosedLinger by the time now.
func (a *Tracker) expireTombs(now time.Time, expired []ending) []ending {
	for {
		q, at, ok := a.tombQ.front()
		if !ok || now.Sub(at) <= a.cfg.ClosedLinger {
			return expired
		}
		a.tombQ.pop()
		t := a.tombSlots.Live(q)
		if t == nil {
			continue
		}
		if last := t.last.time(); now.Sub(last) > a.cfg.ClosedLinger {
			a.tombs.Delete(t.key)
			expired = append(expired, ending{id: int(t.id), t: q.I})
		} else {
			a.tombQ.push(q, last)
		}
	}
}

// buryDue turns into tombs, at every packet, the flows closed for their grace period, so that a
// closed flow's memory goes at its grace period rather than at the sweep after it. (Ending flows
// is left to the sweep, which stamps their end.) Flows whose grace period is not shorter than
// ClosedLinger are left to the sweep too: they end without becoming tombs.
func (a *Tracker) buryDue() {
	if !a.now.After(a.buryAt) {
		return
	}
	defer func() { a.buryAt = a.firstBurial() }()
	for step := range a.closedQ {
		grace := a.grace / graceSteps[step]
		if grace >= a.cfg.ClosedLinger {
			continue
		}
		q := &a.closedQ[step]
		for {
			qf, at, ok := q.front()
			if !ok || a.now.Sub(at) <= grace {
				break
			}
			q.pop()
			f := qf.live()
			if f == nil {
				continue
			}
			if a.now.Sub(f.last) > grace {
				a.buryFlow(f)
			} else {
				q.push(f.queued(), f.last)
			}
		}
	}
}

// queueClosed queues the flow f, closed at time at, to become a tomb after its grace period.
func (a *Tracker) queueClosed(f *flow, at time.Time) {
	q := &a.closedQ[f.graceStep]
	if q.len() == 0 {
		// The queue's front is f: it may come due before any other front.
		if due := at.Add(a.grace / graceSteps[f.graceStep]); due.Before(a.buryAt) {
			a.buryAt = due
		}
	}
	q.push(f.queued(), at)
}

// firstBurial is when the first of the flows at the fronts of closedQ is due to become a tomb
// (buryDue): after it, not at it. With none, it is a time no capture reaches.
func (a *Tracker) firstBurial() time.Time {
	first := noBurial
	for step := range a.closedQ {
		grace := a.grace / graceSteps[step]
		if grace >= a.cfg.ClosedLinger {
			continue // left to the sweep
		}
		if _, at, ok := a.closedQ[step].front(); ok {
			if due := at.Add(grace); due.Before(first) {
				first = due
			}
		}
	}
	return first
}

// noBurial is later than any capture's time.
var noBurial = time.Unix(1<<62, 0)

// buryFlow replaces a flow in the table with its tomb.
func (a *Tracker) buryFlow(f *flow) {
	delete(a.flows, f.key)
	f.gone = true
	i := a.bury(f)
	a.tombs.Set(f.key, i)
	a.tombQ.push(a.tombSlots.Ref(i), f.last)
}
