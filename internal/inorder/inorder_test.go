package inorder

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestMapInOrder checks that every item's value reaches use once, in the items' order, whatever
// the number of goroutines and items (a last block cut short, a single block, none).
func TestMapInOrder(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{
		{0, 2}, {1, 2}, {Block, 2}, {Block + 1, 2}, {10*Block + 17, 1}, {10*Block + 17, 2}, {10*Block + 17, 8},
	} {
		var calls atomic.Int64
		next := 0
		Map(tc.n, tc.workers, func(i int) int {
			calls.Add(1)
			if i%97 == 0 {
				runtime.Gosched() // let another goroutine's block pass this one
			}
			return i * i
		}, func(i, v int) {
			if i != next || v != i*i {
				t.Fatalf("n=%d workers=%d: use(%d, %d), want use(%d, %d)", tc.n, tc.workers, i, v, next, next*next)
			}
			next++
		})
		if next != tc.n || calls.Load() != int64(tc.n) {
			t.Errorf("n=%d workers=%d: %d items used, work called %d times; want %d", tc.n, tc.workers, next, calls.Load(), tc.n)
		}
	}
}

// TestMapBoundsAhead checks that the work runs at most ahead blocks per goroutine in front of
// use: memory stays bounded.
func TestMapBoundsAhead(t *testing.T) {
	const n, workers = 50 * Block, 2
	var done, used atomic.Int64
	Map(n, workers, func(i int) int {
		if d := done.Add(1); d-used.Load() > ahead*workers*Block {
			t.Errorf("item %d computed with %d not used yet", i, d-used.Load())
		}
		return i
	}, func(int, int) { used.Add(1) })
}

// TestMapCallerWorks checks that the calling goroutine computes blocks itself rather than wait
// for one another goroutine holds: with two workers (the caller and one more), block 0 cannot
// finish until block 1 is computed, so whichever takes block 0, the other must take block 1.
func TestMapCallerWorks(t *testing.T) {
	second := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		Map(2*Block, 2, func(i int) int {
			switch i {
			case 0:
				<-second
			case Block:
				close(second)
			}
			return i
		}, func(int, int) {})
	}()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("Map waits for a block no goroutine computes")
	}
}
