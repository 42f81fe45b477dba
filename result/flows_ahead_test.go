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
