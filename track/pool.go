package track

// The tracker reuses its flows: a flow is kilobytes, allocated for every connection, and most
// of what a busy capture allocates. Pointers to a flow outlive it only in the queues, which
// hold its generation: a queued one that was finished, and perhaps reused for another
// connection, since is dropped when it comes up (queued.live). Tombs are reused likewise, in a
// slab of their own (package slab).

// reusable is what a pool keeps (a flow), which counts its generations.
type reusable[T any] interface {
	*T
	generation() uint32
	ended() bool // finished or buried: what still points to it lets go of it
	renew()      // zeroes it for its next use, a generation on (keeping what it may reuse)
}

// queued is a flow as a queue holds it.
type queued[T any, P reusable[T]] struct {
	p   P
	gen uint32
}

// queue returns p as a queue holds it.
func queue[T any, P reusable[T]](p P) queued[T, P] { return queued[T, P]{p, p.generation()} }

// live returns the queued flow, or nil when it ended (and was perhaps reused) since.
func (q queued[T, P]) live() P {
	if q.p == nil || q.p.generation() != q.gen || q.p.ended() {
		return nil
	}
	return q.p
}

// pool keeps ended flows for reuse, at most max of them.
type pool[T any, P reusable[T]] struct {
	free   []P
	max    int
	off    bool // keeps nothing (tests compare)
	reused int  // handed out again
}

// get returns a zeroed flow, of a generation after any it had.
func (p *pool[T, P]) get() P {
	n := len(p.free)
	if n == 0 {
		return P(new(T))
	}
	p.reused++
	x := p.free[n-1]
	p.free[n-1] = nil
	p.free = p.free[:n-1]
	x.renew()
	return x
}

// put takes an ended (released) flow for reuse.
func (p *pool[T, P]) put(x P) {
	if !p.off && len(p.free) < p.max {
		p.free = append(p.free, x)
	}
}

// empty lets go of what the pool keeps.
func (p *pool[T, P]) empty() { p.free = nil }

type (
	queuedFlow = queued[flow, *flow]
	flowPool   = pool[flow, *flow]
)

// maxPooledFlows bounds the flows kept for reuse.
const maxPooledFlows = 1024

func (f *flow) generation() uint32 { return f.gen }
func (f *flow) ended() bool        { return f.gone }
func (f *flow) renew()             { gen := f.gen + 1; *f = flow{}; f.gen = gen }
func (f *flow) queued() queuedFlow { return queue(f) }
