// Package indexmap is a hash table from keys to the indexes (int32) of values kept elsewhere
// (a slice) that know their own keys: the table holds 8 bytes an entry (half the key's hash
// and the index), no key and no pointer, where a Go map holds the key and the value. The tracker finds its tombs by their endpoints
// with it.
package indexmap

import (
	"hash/maphash"
	"iter"
)

// minSlots is the table's smallest size.
const minSlots = 64

// Map finds indexes by key. Its slots hold the upper half of the key's hash and index+1 (0:
// empty), found by linear probing from the hash; at most half of them are used. A probe reads
// a value's key only when the hashes' halves match, so that it rarely touches the values, and
// the table grows and deletes without hashing keys again. The zero Map is not usable: call New.
type Map[K comparable] struct {
	slots []uint64
	n     int
	same  func(i int32, k K) bool // whether the value at index i has the key k
	hash  func(k K) uint64
}

// New returns an empty Map whose values, at index i, have the key keyOf(i). hash hashes a key
// (its upper 32 bits are the slot's tag, so they must be as good as the rest); nil takes
// hash/maphash.Comparable with a seed of the map's own, which costs ~18 ns a key of 40 bytes
// where a hash written for the key's words can take 2.
func New[K comparable](keyOf func(i int32) K, hash func(k K) uint64) *Map[K] {
	return NewSame(func(i int32, k K) bool { return keyOf(i) == k }, hash)
}

// NewSame is New for values whose keys are compared by same(i, k): whether the value at index i
// has the key k. A key of several words compared word by word, where it is, costs less than one
// returned (copied) and compared as a block of memory, in a call.
func NewSame[K comparable](same func(i int32, k K) bool, hash func(k K) uint64) *Map[K] {
	if hash == nil {
		seed := maphash.MakeSeed()
		hash = func(k K) uint64 { return maphash.Comparable(seed, k) }
	}
	return &Map[K]{same: same, hash: hash}
}

// Len is the number of keys in the map.
func (m *Map[K]) Len() int { return m.n }

// home is the slot where the probe of a key with that tag starts.
func (m *Map[K]) home(tag uint64) int { return int(tag & uint64(len(m.slots)-1)) }

// slot is what a slot holds for index i of a key with that tag.
func slot(tag uint64, i int32) uint64 { return tag<<32 | uint64(uint32(i+1)) }

// index is the index a full slot holds.
func index(v uint64) int32 { return int32(uint32(v)) - 1 }

// find returns the slot that holds k, whose tag is tag, or the empty slot where its probe ends.
func (m *Map[K]) find(k K, tag uint64) int {
	mask := len(m.slots) - 1
	s := m.home(tag)
	for v := m.slots[s]; v != 0 && (v>>32 != tag || !m.same(index(v), k)); v = m.slots[s] {
		s = (s + 1) & mask
	}
	return s
}

// Get returns the index of the value with key k, if the map has it.
func (m *Map[K]) Get(k K) (int32, bool) { return m.GetHashed(k, m.hash(k)) }

// GetHashed is Get of a key whose hash (the map's hash function's) is h: a caller that looks a
// key up in several maps of one hash function hashes it once.
func (m *Map[K]) GetHashed(k K, h uint64) (int32, bool) {
	if m.n == 0 {
		return 0, false
	}
	v := m.slots[m.find(k, h>>32)]
	return index(v), v != 0
}

// Set maps k to index i, whose value's key is k.
func (m *Map[K]) Set(k K, i int32) { m.SetHashed(k, i, m.hash(k)) }

// SetHashed is Set of a key whose hash is h (GetHashed).
func (m *Map[K]) SetHashed(k K, i int32, h uint64) {
	if 2*(m.n+1) > len(m.slots) {
		m.grow()
	}
	tag := h >> 32
	s := m.find(k, tag)
	if m.slots[s] == 0 {
		m.n++
	}
	m.slots[s] = slot(tag, i)
}

// Insert maps a key whose hash is h, which the map does not have, to index i: no key is
// compared, so that a caller that has just searched for the key does not search again.
func (m *Map[K]) Insert(h uint64, i int32) {
	if 2*(m.n+1) > len(m.slots) {
		m.grow()
	}
	tag := h >> 32
	mask := len(m.slots) - 1
	s := m.home(tag)
	for m.slots[s] != 0 {
		s = (s + 1) & mask
	}
	m.slots[s] = slot(tag, i)
	m.n++
}

// Probe is a search of the map for a key by its hash, which the caller ends when it finds the
// value with its key among the candidates Next gives: the caller compares keys where they are,
// as it likes (a key of several words, by pointer), rather than through a function the map
// calls with a copy.
//
// Its four words (the slots, and the next slot with the tag) let the compiler keep it in
// registers: a larger struct goes through memory, copied in blocks just after it was written,
// which stalls store forwarding.
type Probe struct {
	slots []uint64
	at    uint64 // the next slot << 32 | the tag
}

// Probe starts a search for a key whose hash is h.
func (m *Map[K]) Probe(h uint64) Probe {
	tag := h >> 32
	if len(m.slots) == 0 {
		return Probe{at: tag}
	}
	return Probe{slots: m.slots, at: uint64(m.home(tag))<<32 | tag}
}

// Next returns the index of the next value whose key may be the one searched for (the same
// half of its hash), or false when there is none: the key is not in the map.
func (p *Probe) Next() (int32, bool) {
	mask := len(p.slots) - 1
	s, tag := int(p.at>>32), p.at&(1<<32-1)
	for mask >= 0 {
		v := p.slots[s]
		if v == 0 {
			return 0, false
		}
		s = (s + 1) & mask
		if v>>32 == tag {
			p.at = uint64(s)<<32 | tag
			return index(v), true
		}
	}
	return 0, false
}

// grow doubles the table (or makes its first), placing every slot anew by its tag.
func (m *Map[K]) grow() {
	old := m.slots
	m.slots = make([]uint64, max(minSlots, 2*len(old)))
	mask := len(m.slots) - 1
	for _, v := range old {
		if v != 0 {
			s := m.home(v >> 32)
			for m.slots[s] != 0 {
				s = (s + 1) & mask
			}
			m.slots[s] = v
		}
	}
}

// Delete removes k from the map, if it has it. The slots after it in its probe move back, so
// that no probe passes an emptied slot (deletion without tombstones, for linear probing).
func (m *Map[K]) Delete(k K) { m.DeleteHashed(k, m.hash(k)) }

// DeleteHashed is Delete of a key whose hash is h (GetHashed).
func (m *Map[K]) DeleteHashed(k K, h uint64) {
	if m.n == 0 {
		return
	}
	s := m.find(k, h>>32)
	if m.slots[s] == 0 {
		return
	}
	m.remove(s)
}

// DeleteIndex removes the key whose hash is h and whose value is at index i, if the map has it:
// the slots are matched by index, and no key is compared.
func (m *Map[K]) DeleteIndex(h uint64, i int32) {
	if m.n == 0 {
		return
	}
	mask := len(m.slots) - 1
	want := slot(h>>32, i)
	s := m.home(h >> 32)
	for ; m.slots[s] != want; s = (s + 1) & mask {
		if m.slots[s] == 0 {
			return
		}
	}
	m.remove(s)
}

// remove empties the full slot s.
func (m *Map[K]) remove(s int) {
	mask := len(m.slots) - 1
	for next := (s + 1) & mask; m.slots[next] != 0; next = (next + 1) & mask {
		// The entry at next may fill the hole at s when its home is not in (s, next].
		if h := m.home(m.slots[next] >> 32); (next-h)&mask >= (next-s)&mask {
			m.slots[s] = m.slots[next]
			s = next
		}
	}
	m.slots[s] = 0
	m.n--
}

// All yields the index of every value in the map, in no particular order. The map must not
// change during the iteration.
func (m *Map[K]) All() iter.Seq[int32] {
	return func(yield func(int32) bool) {
		for _, v := range m.slots {
			if v != 0 && !yield(index(v)) {
				return
			}
		}
	}
}

// Reset empties the map, letting go of its table.
func (m *Map[K]) Reset() { m.slots, m.n = nil, 0 }
