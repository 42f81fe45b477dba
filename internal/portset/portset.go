// Package portset is a set of TCP or UDP ports as an 8 KiB bitmap: what the port-scan
// bookkeeping of tracking (ports probed outside the analysed ones) and of the diagnosis (ports a
// scan probed) both count once a short list no longer holds them.
package portset

import "math/bits"

// Set is a set of ports; its zero value is empty.
type Set [1 << 16 / 64]uint64

// Add adds p and reports whether it was new.
func (s *Set) Add(p uint16) bool {
	w, m := p/64, uint64(1)<<(p%64)
	if s[w]&m != 0 {
		return false
	}
	s[w] |= m
	return true
}

// Has reports whether p is in the set.
func (s *Set) Has(p uint16) bool { return s[p/64]&(uint64(1)<<(p%64)) != 0 }

// Remove removes p and reports whether it was there.
func (s *Set) Remove(p uint16) bool {
	if !s.Has(p) {
		return false
	}
	s[p/64] &^= uint64(1) << (p % 64)
	return true
}

// List returns the ports in the set, in ascending order (nil when it is empty).
func (s *Set) List() []uint16 {
	var out []uint16
	for w, word := range s {
		for word != 0 {
			i := bits.TrailingZeros64(word)
			out = append(out, uint16(w*64+i))
			word &^= 1 << i
		}
	}
	return out
}
