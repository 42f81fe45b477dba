package indexmap

import (
	"math/rand/v2"
	"testing"
)

// TestAgainstGoMap adds, replaces and deletes keys at random (few distinct keys, so that
// deletes often hit, and a table that grows, then stays: it never shrinks), and after every step checks
// every key's index, the length and All against a Go map doing the same.
func TestAgainstGoMap(t *testing.T) {
	keys := make([]uint64, 0, 4000) // index i: the value's key
	m := New(func(i int32) uint64 { return keys[i] }, nil)
	want := map[uint64]int32{}
	r := rand.New(rand.NewPCG(1, 2))
	most := 0
	for step := range 40000 {
		k := uint64(r.IntN(3000)) * 0x9e3779b97f4a7c15 // spread, and some keys collide in few bits
		switch r.IntN(3) {
		case 0, 1:
			keys = append(keys, k)
			i := int32(len(keys) - 1)
			m.Set(k, i)
			want[k] = i
		case 2:
			m.Delete(k)
			delete(want, k)
		}
		most = max(most, len(want))
		if step%97 != 0 {
			wi, wok := want[k]
			if i, ok := m.Get(k); ok != wok || ok && i != wi || m.Len() != len(want) {
				t.Fatalf("step %d: key %x -> %d, %v; len %d; want %d, len %d", step, k, i, ok, m.Len(), want[k], len(want))
			}
			continue
		}
		for k, wi := range want {
			if i, ok := m.Get(k); !ok || i != wi {
				t.Fatalf("step %d: key %x -> %d, %v; want %d", step, k, i, ok, wi)
			}
		}
		n := 0
		for i := range m.All() {
			if want[keys[i]] != i {
				t.Fatalf("step %d: All yields %d, whose key %x maps to %d", step, i, keys[i], want[keys[i]])
			}
			n++
		}
		if n != len(want) || m.Len() != len(want) {
			t.Fatalf("step %d: All yields %d indexes, Len %d; want %d", step, n, m.Len(), len(want))
		}
	}
	if len(want) < 500 {
		t.Fatalf("only %d keys at the end: the test should fill a table of some size", len(want))
	}
	if len(m.slots) > 4*most {
		t.Errorf("%d slots for at most %d keys", len(m.slots), most)
	}
	m.Reset()
	if _, ok := m.Get(keys[0]); ok || m.Len() != 0 {
		t.Errorf("a key found after Reset")
	}
}
