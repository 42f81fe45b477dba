// Package reuse keeps ended values (the tracker's flows: kilobytes each, allocated for every
// connection, most of what a busy capture allocates) for reuse, and lets what may still point to
// one after it ended (a queue's entry) tell, by the generation it holds, that it did.
package reuse

// Reusable is what a Pool keeps, which counts its generations.
type Reusable[T any] interface {
	*T
	Generation() uint32
	Ended() bool // finished: what still points to it lets go of it
	Renew()      // zeroes it for its next use, a generation on (keeping what it may reuse)
}

// Queued is a value as a queue holds it: with its generation then.
type Queued[T any, P Reusable[T]] struct {
	p   P
	gen uint32
}

// Queue returns p as a queue holds it.
func Queue[T any, P Reusable[T]](p P) Queued[T, P] { return Queued[T, P]{p, p.Generation()} }

// Live returns the queued value, or nil when it ended (and was perhaps reused) since.
func (q Queued[T, P]) Live() P {
	if q.p == nil || q.p.Generation() != q.gen || q.p.Ended() {
		return nil
	}
	return q.p
}

// Pool keeps ended values for reuse, at most Max of them.
type Pool[T any, P Reusable[T]] struct {
	free   []P
	Max    int
	Off    bool // keeps nothing (tests compare)
	Reused int  // handed out again
}

// Get returns a zeroed value, of a generation after any it had.
func (p *Pool[T, P]) Get() P {
	n := len(p.free)
	if n == 0 {
		return P(new(T))
	}
	p.Reused++
	x := p.free[n-1]
	p.free[n-1] = nil
	p.free = p.free[:n-1]
	x.Renew()
	return x
}

// Put takes an ended value for reuse.
func (p *Pool[T, P]) Put(x P) {
	if !p.Off && len(p.free) < p.Max {
		p.free = append(p.free, x)
	}
}

// Empty lets go of what the pool keeps.
func (p *Pool[T, P]) Empty() { p.free = nil }
