package analyze

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestEntrySize keeps the entry the store keeps per listed connection, in memory whatever the
// records' spilling, at 28 bytes.
func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 28 {
		t.Errorf("entry is %d bytes; keep it within 28", n)
	}
}

// TestStoreSort puts entries in ID order, by placing them (IDs unique and dense, as tracking
// gives them) or by comparison (IDs repeated, zero or far apart), keeping every entry with
// what it holds.
func TestStoreSort(t *testing.T) {
	shuffled := func(ids ...int32) []int32 {
		r := rand.New(rand.NewPCG(3, 4))
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		return ids
	}
	dense := make([]int32, 3*entryBlock+77) // several blocks of pending entries
	for i := range dense {
		dense[i] = int32(i + 1)
	}
	for _, tc := range []struct {
		name string
		ids  []int32
	}{
		{"dense", shuffled(dense...)},
		{"some listed", shuffled(7, 3, 12, 9, 1, 40, 22)},
		{"repeated", shuffled(5, 3, 5, 1, 3)},
		{"zero", shuffled(0, 4, 2, 9)},
		{"far apart", shuffled(1, 1_000_000, 70_000, 3)},
		{"none", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A tenth of the entries were sorted before (a live capture's result made earlier),
			// the others are pending.
			var s store
			for k, id := range tc.ids {
				e := entry{id: id, off: uint32(k), n: uint32(id) * 3}
				if k < len(tc.ids)/10 {
					s.entries = append(s.entries, e)
				} else {
					s.pend(e)
				}
			}
			if s.len() != len(tc.ids) {
				t.Fatalf("len %d before sorting, want %d", s.len(), len(tc.ids))
			}
			s.sort()
			if len(s.entries) != len(tc.ids) || s.len() != len(tc.ids) || s.npending != 0 {
				t.Fatalf("%d entries after sorting, want %d", len(s.entries), len(tc.ids))
			}
			seen := map[uint32]bool{}
			for i, e := range s.entries {
				if i > 0 && e.id < s.entries[i-1].id {
					t.Fatalf("entry %d has ID %d after %d", i, e.id, s.entries[i-1].id)
				}
				if e.n != uint32(e.id)*3 || tc.ids[e.off] != e.id || seen[e.off] {
					t.Fatalf("entry %d (ID %d) is not one of those sorted whole", i, e.id)
				}
				seen[e.off] = true
			}
		})
	}
}
