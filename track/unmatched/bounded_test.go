package unmatched

import "testing"

// TestBounded: a full table forgets the values single reports only when no slot is free and
// max/4 new keys came since the last purge, gives their slots (emptied by the caller: made) to
// new keys, keeps the others' slots, and counts no new key when nothing can be forgotten.
func TestBounded(t *testing.T) {
	const max = 8
	var tb bounded[int, int] // value: how many times its key was added
	purges := 0
	single := func(_ int32, v *int) bool { purges++; return *v == 1 }
	add := func(k int) int32 {
		i, made := tb.add(k, max, single)
		if i >= 0 {
			if made {
				tb.vals[i] = 0
			}
			tb.vals[i]++
		}
		return i
	}
	for k := range max {
		if i := add(k); i != int32(k) {
			t.Fatalf("key %d: slot %d, want %d", k, i, k)
		}
	}
	add(0) // key 0 seen twice: kept
	if purges != 0 || tb.find(0) != 0 || tb.vals[0] != 2 {
		t.Fatalf("purges %d, key 0 at %d holding %d; want 0 purges, slot 0, 2", purges, tb.find(0), tb.vals[0])
	}
	// Full: the sincePurge new keys since the start (8, then 9) pass max/4 at once.
	if i := add(100); i < 0 || tb.find(1) >= 0 || tb.find(0) != 0 {
		t.Fatalf("key 100 at %d; key 1 at %d, key 0 at %d: want a slot, 1 forgotten, 0 kept", i, tb.find(1), tb.find(0))
	}
	if purges != max {
		t.Errorf("single called %d times, want %d (one purge)", purges, max)
	}
	if len(tb.index) != 2 || len(tb.free) != max-2 {
		t.Errorf("%d keys, %d free slots; want 2 and %d", len(tb.index), len(tb.free), max-2)
	}
	for k := 200; k < 200+max-2; k++ { // the free slots go first, no purge
		if add(k) < 0 {
			t.Fatalf("key %d: no slot", k)
		}
	}
	if purges != max || len(tb.vals) != max {
		t.Errorf("single called %d times, %d slots; want %d, %d", purges, len(tb.vals), max, max)
	}
	for k := range 200 + max - 2 { // every key held seen twice: nothing to forget
		if tb.find(k) >= 0 {
			add(k)
		}
	}
	if i := add(300); i != -1 { // max/4 new keys since the purge (100 was one, 200-205 six): purge, nothing freed
		t.Errorf("key 300 at %d, want none", i)
	}
	if purges != 2*max || len(tb.index) != max {
		t.Errorf("single called %d times, %d keys; want %d, %d", purges, len(tb.index), 2*max, max)
	}
}
