package portset

import (
	"slices"
	"testing"
)

// TestSet: Add reports each port new once, whichever word of the bitmap it falls in, and List
// gives them back in ascending order.
func TestSet(t *testing.T) {
	var s Set
	if s.List() != nil {
		t.Fatalf("empty set lists %v", s.List())
	}
	for _, p := range []uint16{65535, 0, 64, 63, 4343, 64} {
		s.Add(p)
	}
	if s.Add(4343) || !s.Add(4344) {
		t.Error("Add: 4343 again reported new, or 4344 not")
	}
	if got, want := s.List(), []uint16{0, 63, 64, 4343, 4344, 65535}; !slices.Equal(got, want) {
		t.Errorf("List %v, want %v", got, want)
	}
}
