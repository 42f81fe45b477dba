package reuse

import "testing"

type value struct {
	gen  uint32
	gone bool
	n    int
}

func (v *value) Generation() uint32 { return v.gen }
func (v *value) Ended() bool        { return v.gone }
func (v *value) Renew()             { gen := v.gen + 1; *v = value{}; v.gen = gen }

// TestQueuedAndPool: a queued value is live until it ends; once ended and handed out again it
// is a new generation, which the old queue entry does not take for its own; the pool keeps at
// most Max values, and none when Off.
func TestQueuedAndPool(t *testing.T) {
	p := Pool[value, *value]{Max: 2}
	a := p.Get()
	a.n = 7
	q := Queue(a)
	if q.Live() != a {
		t.Fatalf("a queued value that did not end is not live")
	}
	a.gone = true
	if q.Live() != nil {
		t.Fatalf("an ended value is live")
	}
	p.Put(a)
	b := p.Get()
	if b != a || b.n != 0 || b.gone || p.Reused != 1 {
		t.Fatalf("the value handed out again: same %v, n %d, gone %v, reused %d", b == a, b.n, b.gone, p.Reused)
	}
	if q.Live() != nil {
		t.Errorf("the old entry takes the value's next generation for its own")
	}
	if Queue(b).Live() != b {
		t.Errorf("the new generation, queued, is not live")
	}
	for range 3 {
		p.Put(&value{gone: true})
	}
	if len(p.free) != 2 {
		t.Errorf("the pool keeps %d values, want at most 2", len(p.free))
	}
	off := Pool[value, *value]{Max: 2, Off: true}
	off.Put(&value{gone: true})
	if len(off.free) != 0 {
		t.Errorf("a pool that is off keeps %d values", len(off.free))
	}
	var zero Queued[value, *value]
	if zero.Live() != nil {
		t.Errorf("the zero entry is live")
	}
}
