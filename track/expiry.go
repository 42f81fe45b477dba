package track

import (
	"time"

	"github.com/connscope/connscope/internal/stamp"
)

// expireClosed goes through the flows closed for their grace period (or for ClosedLinger when
// that is shorter) by the time now: those idle past ClosedLinger end, those idle past their
// grace period become tombs, those active since they closed wait their turn again.
func (a *Tracker) expireClosed(now time.Time, expired []ending) []ending {
	return a.closedDue(now, expired, true)
}

// closedDue goes through each step's queue of closed flows for those whose grace period (or
// ClosedLinger, when shorter) has passed by the time now: those idle past their grace period
// become tombs, or end when sweeping and idle past ClosedLinger; those active since they closed
// wait their turn again. Without sweeping, the steps whose grace period is not shorter than
// ClosedLinger are left to the sweep: their flows end without becoming tombs. A front stamped
// more than its wait after now (the capture's time went back: a frame before was far ahead) is
// taken too, and a flow whose last packet is after now waits again from now, so that it does
// not hold its queue until the capture reaches that time.
func (a *Tracker) closedDue(now time.Time, expired []ending, sweeping bool) []ending {
	for step := range a.closedQ {
		q := &a.closedQ[step]
		grace := a.grace / graceSteps[step]
		if !sweeping && grace >= a.cfg.ClosedLinger {
			continue
		}
		wait := min(grace, a.cfg.ClosedLinger)
		for {
			qf, at, ok := q.Front()
			if !ok || stamp.Sub(now, at) <= wait && stamp.Sub(at, now) <= wait {
				break
			}
			q.Pop()
			f := qf.Live()
			if f == nil {
				continue
			}
			switch idle := stamp.Sub(now, f.last); {
			case sweeping && idle > a.cfg.ClosedLinger:
				a.flows.remove(f)
				f.gone = true
				expired = append(expired, ending{id: f.id, f: f})
			case idle > grace:
				a.buryFlow(f)
			default:
				q.Push(f.queued(), earlier(f.last, now))
			}
		}
	}
	return expired
}

// expireTombs ends the tombs with no packet for ClosedLinger by the time now. Each step of grace
// has its own queue of tombs: a flow that waits a shorter step is buried sooner, so in one queue
// it would come before the tombs of flows that closed earlier but waited longer, and hold them
// back past ClosedLinger (their records' End, and which later packets they still take, would
// then depend on their neighbours' round trips). A front stamped more than ClosedLinger after
// now (the capture's time went back: a frame before was far ahead) is taken too, and a tomb
// whose last packet is after now waits again from now, so that it does not hold its queue until
// the capture reaches that time.
func (a *Tracker) expireTombs(now time.Time, expired []ending) []ending {
	for step := range a.tombQ {
		q := &a.tombQ[step]
		for {
			r, at, ok := q.Front()
			if !ok || stamp.Sub(now, at) <= a.cfg.ClosedLinger && stamp.Sub(at, now) <= a.cfg.ClosedLinger {
				break
			}
			q.Pop()
			t := a.tombSlots.Live(r)
			if t == nil {
				continue
			}
			if last := t.last.Time(); stamp.Sub(now, last) > a.cfg.ClosedLinger {
				a.tombs.DeleteIndex(t.key.Hash(a.seed), r.I) // found by index: no key compared
				expired = append(expired, ending{id: int(t.id), t: r.I})
			} else {
				q.Push(r, earlier(last, now))
			}
		}
	}
	return expired
}

// earlier returns the earlier of two times.
func earlier(x, y time.Time) time.Time {
	if y.Before(x) {
		return y
	}
	return x
}

// buryDue turns into tombs, at every packet, the flows closed for their grace period, so that a
// closed flow's memory goes at its grace period rather than at the sweep after it. (Ending flows
// is left to the sweep, which stamps their end.)
func (a *Tracker) buryDue() {
	if !a.now.After(a.buryAt) {
		return
	}
	a.closedDue(a.now, nil, false)
	a.buryAt = a.firstBurial()
}

// queueClosed queues the flow f, closed at time at, to become a tomb after its grace period.
func (a *Tracker) queueClosed(f *flow, at time.Time) {
	q := &a.closedQ[f.graceStep]
	q.Push(f.queued(), at)
	// The queue's front may be f (the first, or one stamped before the others when the capture's
	// time went back): it may come due before any other front.
	if _, front, _ := q.Front(); front.Equal(at) {
		if due := at.Add(a.grace / graceSteps[f.graceStep]); due.Before(a.buryAt) {
			a.buryAt = due
		}
	}
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
		if _, at, ok := a.closedQ[step].Front(); ok {
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
	key, step, last := f.key, f.graceStep, f.last // bury gives f back to the pool
	a.flows.remove(f)
	f.gone = true
	i := a.bury(f)
	a.tombs.Insert(key.Hash(a.seed), i) // no tomb has the key: it had a flow
	a.tombQ[step].Push(a.tombSlots.Ref(i), last)
}
