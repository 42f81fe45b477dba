package indexmap

import (
	"math/rand/v2"
	"testing"
)

// TestAgainstGoMap adds (by Set, or by Insert when the key is new), replaces and deletes (by key,
// or by index) keys at random (few distinct keys, so that deletes often hit, and a table that grows, then stays: it
// never shrinks), and after every step checks every key's index (by Get and by Probe), the
// length and All against a Go map doing the same.
func TestAgainstGoMap(t *testing.T) {
	keys := make([]uint64, 0, 4000) // index i: the value's key
	hash := func(k uint64) uint64 { return k * 0xff51afd7ed558ccd }
	m := New(func(i int32) uint64 { return keys[i] }, hash)
	probe := func(m *Map[uint64], k uint64) (int32, bool) { // Get, by Probe
		for p := m.Probe(hash(k)); ; {
			i, ok := p.Next()
			if !ok || keys[i] == k {
				return i, ok
			}
		}
	}
	want := map[uint64]int32{}
	r := rand.New(rand.NewPCG(1, 2))
	most := 0
	for step := range 40000 {
		k := uint64(r.IntN(3000)) * 0x9e3779b97f4a7c15 // spread, and some keys collide in few bits
		switch r.IntN(3) {
		case 0, 1:
			keys = append(keys, k)
			i := int32(len(keys) - 1)
			if _, ok := want[k]; !ok && step%2 == 0 {
				m.Insert(hash(k), i) // a key not in the map
			} else {
				m.Set(k, i)
			}
			want[k] = i
		case 2:
			if i, ok := want[k]; ok && step%2 == 1 {
				m.DeleteIndex(hash(k), i)
			} else {
				m.Delete(k)
			}
			delete(want, k)
		}
		most = max(most, len(want))
		if step%97 != 0 {
			wi, wok := want[k]
			if i, ok := m.Get(k); ok != wok || ok && i != wi || m.Len() != len(want) {
				t.Fatalf("step %d: key %x -> %d, %v; len %d; want %d, len %d", step, k, i, ok, m.Len(), want[k], len(want))
			}
			if i, ok := probe(m, k); ok != wok || ok && i != wi {
				t.Fatalf("step %d: key %x probed -> %d, %v; want %d, %v", step, k, i, ok, wi, wok)
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
