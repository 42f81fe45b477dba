package track

import (
	"iter"

	"github.com/connscope/connscope/track/flowkey"

	"github.com/connscope/connscope/track/indexmap"
)

// flowTable holds the flows in progress (and those closed for less than their grace period) by
// key: each flow in a slot, found by a table of slot indexes (package indexmap) with the key
// hash the tombs' table takes too, so that a packet's key is hashed once for both, and hashed
// in ~2 ns where a Go map's hash of the 40-byte key takes ~10.
type flowTable struct {
	index *indexmap.Map[flowkey.Key]
	slots []*flow // by slot; nil: free
	free  []int32 // free slots
	seed  uint64  // the key hash's
}

// init makes t an empty table whose keys hash with seed (flowkey.Key.hash). The table may not be
// copied after.
func (t *flowTable) init(seed uint64) {
	t.seed = seed
	t.index = indexmap.NewSame(func(i int32, k flowkey.Key) bool { return t.slots[i].key.Eq(&k) }, func(k flowkey.Key) uint64 { return k.Hash(seed) })
}

// Len is the number of flows in the table.
func (t *flowTable) Len() int { return t.index.Len() }

// get returns the flow with key *k, whose hash is h, or nil. The key is compared where it is,
// word by word: a key just made, copied in blocks, stalls store forwarding (on every packet).
func (t *flowTable) get(k *flowkey.Key, h uint64) *flow {
	for p := t.index.Probe(h); ; {
		i, ok := p.Next()
		if !ok {
			return nil
		}
		if f := t.slots[i]; f.key.Eq(k) {
			return f
		}
	}
}

// add puts f, with the key f.key whose hash is h, in the table, which has no flow of that key
// (the caller searched for it).
func (t *flowTable) add(f *flow, h uint64) {
	var i int32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		i = int32(len(t.slots))
		t.slots = append(t.slots, nil)
	}
	t.slots[i], f.slot = f, i
	t.index.Insert(h, i)
}

// remove takes f out of the table (its entry found by its slot: no key is compared).
func (t *flowTable) remove(f *flow) {
	t.index.DeleteIndex(f.key.Hash(t.seed), f.slot)
	t.slots[f.slot] = nil
	t.free = append(t.free, f.slot)
}

// all yields the flows in the table, in no particular order. The loop may remove the flow it
// was given.
func (t *flowTable) all() iter.Seq[*flow] {
	return func(yield func(*flow) bool) {
		for i := 0; i < len(t.slots); i++ {
			if f := t.slots[i]; f != nil && !yield(f) {
				return
			}
		}
	}
}

// reset empties the table, letting go of its memory.
func (t *flowTable) reset() {
	t.index.Reset()
	t.slots, t.free = nil, nil
}
