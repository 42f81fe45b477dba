package slab

import "testing"

// TestReuseAndGenerations: freed indexes are handed out again, zeroed, and a Ref taken before
// the free no longer names a value; pointers to values stay valid as the slab grows pages.
func TestReuseAndGenerations(t *testing.T) {
	var s Slab[[3]int64]
	first := s.New()
	p := s.At(first)
	p[0] = 7
	r := s.Ref(first)
	for i := range 3 * pageLen {
		if got := s.New(); got != int32(i+1) {
			t.Fatalf("new index %d, want %d", got, i+1)
		}
		s.At(int32(i + 1))[1] = int64(i)
	}
	if p != s.At(first) || s.At(first)[0] != 7 || s.Live(r) != p {
		t.Fatalf("the first value moved or changed as the slab grew")
	}
	s.Free(first)
	if s.Live(r) != nil {
		t.Fatalf("a Ref to a freed value still names it")
	}
	again := s.New()
	if again != first || *s.At(again) != [3]int64{} || s.Reused != 1 || s.Len() != 3*pageLen+1 {
		t.Fatalf("after a free: index %d (want %d), value %v, reused %d, len %d", again, first, *s.At(again), s.Reused, s.Len())
	}
	if s.Live(r) != nil || s.Live(s.Ref(again)) != s.At(again) {
		t.Fatalf("Refs to the old and the new value at one index are confused")
	}
	s.NoReuse = true
	s.Free(again)
	if got := s.New(); got == again || s.Reused != 1 {
		t.Fatalf("with NoReuse, index %d handed out again", got)
	}
	s.Reset()
	if s.Len() != 0 || !s.NoReuse {
		t.Fatalf("after Reset: len %d, NoReuse %v", s.Len(), s.NoReuse)
	}
}
