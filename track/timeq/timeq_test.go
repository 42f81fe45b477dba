package timeq

import (
	"slices"
	"testing"
	"time"
)

// TestQueueOrderAndRoom pushes and pops many items in runs, as the tracker does: they come out
// in the order pushed with their times, and the part of the array in use stays within a third
// more than the items queued (or 1024 more, below which it is not moved).
func TestQueueOrderAndRoom(t *testing.T) {
	var q Queue[int]
	base := time.Unix(1_700_000_000, 123)
	next, popped := 0, 0
	for round := range 50 {
		for range 1000 + 37*round {
			q.Push(next, base.Add(time.Duration(next)*time.Millisecond))
			next++
		}
		for range 900 + 37*round {
			v, at, ok := q.Front()
			if !ok || v != popped || !at.Equal(base.Add(time.Duration(popped)*time.Millisecond)) {
				t.Fatalf("round %d: front %d at %v (%v), want %d", round, v, at, ok, popped)
			}
			q.Pop()
			popped++
		}
		if q.Len() != next-popped {
			t.Fatalf("round %d: Len %d, want %d", round, q.Len(), next-popped)
		}
		if n := q.Len(); len(q.items) > max(n*4/3+1, n+1024) {
			t.Errorf("round %d: %d items queued in %d of the array", round, n, len(q.items))
		}
	}
	for q.Len() > 0 {
		q.Pop()
	}
	if _, _, ok := q.Front(); ok {
		t.Errorf("an empty queue has a front")
	}
}

// TestInstant: an Instant gives back the time it was made of, to the nanosecond, also for times
// outside what int64 nanoseconds hold (a pcapng timestamp can be centuries away).
func TestInstant(t *testing.T) {
	for _, tm := range []time.Time{
		time.Unix(0, 0),
		time.Unix(1_764_371_952, 148_701_000),
		time.Date(11103, 5, 1, 2, 3, 4, 999_999_999, time.UTC),
		time.Date(1601, 1, 1, 0, 0, 0, 1, time.UTC),
	} {
		if got := InstantOf(tm).Time(); !got.Equal(tm) {
			t.Errorf("%v came back as %v", tm, got)
		}
	}
}

// TestOutOfOrderPushes: an item pushed with a time before the last one queued (a flow active
// after it closed, a tomb after a late packet, pushed again at its last packet's time) comes out
// in time order, not behind the later ones; items of equal times come out in the order pushed.
func TestOutOfOrderPushes(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name string
		push []int // each item's time, in ms after base; the item is its index
		want []int // the items in the order they come out
	}{
		{"in order", []int{0, 1, 1, 5}, []int{0, 1, 2, 3}},
		{"one pushed back", []int{0, 400, 300}, []int{0, 2, 1}},
		{"several back, ties", []int{10, 20, 30, 5, 25, 25, 30, 1}, []int{7, 3, 0, 1, 4, 5, 2, 6}},
		{"all descending", []int{5, 4, 3, 2, 1}, []int{4, 3, 2, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q Queue[int]
			for i, ms := range tc.push {
				q.Push(i, base.Add(time.Duration(ms)*time.Millisecond))
			}
			var got []int
			var last time.Time
			for q.Len() > 0 {
				v, at, _ := q.Front()
				if at.Before(last) {
					t.Errorf("item %d at %v after one at %v", v, at.Sub(base), last.Sub(base))
				}
				last = at
				got = append(got, v)
				q.Pop()
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("items came out %v, want %v", got, tc.want)
			}
		})
	}
}
