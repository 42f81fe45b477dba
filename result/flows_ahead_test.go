package result

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// TestAhead: a Concurrent list's flows come out of Ahead in order, each once and whole, made
// on several goroutines; a loop that stops early stops the making; a list that is not
// Concurrent is made in the loop, as All does.
func TestAhead(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const n = 10*aheadChunk + 7
	var made atomic.Int64
	at := func(i int, f *Flow) {
		made.Add(1)
		f.ID = i + 1
		f.Failed = true
	}
	for _, c := range []struct {
		name string
		list FlowList
	}{
		{"concurrent", NewConcurrentFlowList(n, at)},
		{"in turn", NewFlowList(n, at)},
	} {
		made.Store(0)
		next := 0
		for i, f := range c.list.Ahead() {
			if i != next || f.ID != i+1 || !f.Failed {
				t.Fatalf("%s: step %d gave flow %d (ID %d), want %d", c.name, next, i, f.ID, next)
			}
			next++
		}
		if next != n || made.Load() != n {
			t.Errorf("%s: %d flows yielded, %d made, want %d", c.name, next, made.Load(), n)
		}
		made.Store(0)
		for i := range c.list.Ahead() {
			if i == aheadChunk {
				break
			}
		}
		// The workers finish the chunks they took (at most two per worker and the queue's) and stop.
		if m := made.Load(); m > int64(aheadChunk*(1+4*2+4*2)) {
			t.Errorf("%s: %d flows made for a loop that stopped after %d", c.name, m, aheadChunk+1)
		}
	}
}

// TestWhere: Where yields, in order, the flows whose brief passes, made on several goroutines
// when many; with briefs only those are made, without every flow is made and its brief read
// from it; a loop that stops early stops.
func TestWhere(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const n = 20*aheadChunk + 5
	var made atomic.Int64
	at := func(i int, f *Flow) {
		made.Add(1)
		f.ID = i + 1
		f.Failed = i%3 == 0
	}
	brief := func(i int) Brief { return Brief{Failed: i%3 == 0} }
	keep := func(i int, b Brief) bool { return b.Failed && i != 6 }
	want := 0
	for i := range n {
		if keep(i, brief(i)) {
			want++
		}
	}
	for _, c := range []struct {
		name string
		list FlowList
		made int64
	}{
		{"briefs, concurrent", NewConcurrentFlowList(n, at).WithBriefs(brief), int64(want)},
		{"briefs, in turn", NewFlowList(n, at).WithBriefs(brief), int64(want)},
		{"no briefs", NewConcurrentFlowList(n, at), n},
	} {
		made.Store(0)
		next, got := 0, 0
		for i, f := range c.list.Where(keep) {
			if i < next || f.ID != i+1 || !keep(i, BriefOf(f)) {
				t.Fatalf("%s: flow %d (ID %d) after %d", c.name, i, f.ID, next)
			}
			next = i + 1
			got++
		}
		if got != want || made.Load() != c.made {
			t.Errorf("%s: %d flows yielded, %d made, want %d and %d", c.name, got, made.Load(), want, c.made)
		}
		got = 0
		for range c.list.Where(keep) {
			if got++; got == 3 {
				break
			}
		}
		if got != 3 {
			t.Errorf("%s: the loop went on after it stopped", c.name)
		}
	}
	if _, ok := NewFlowList(1, at).Brief(0); ok {
		t.Error("a list without briefs gave a brief")
	}
}
