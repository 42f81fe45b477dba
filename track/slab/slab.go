// Package slab keeps values by index (int32) in pages that never move, and reuses the indexes of
// the values freed. Each index counts its generations, so that what holds an index with its
// generation (a queue's entry) can tell whether the value it named was freed since. The
// tracker keeps its tombs in one: of values without pointers, a slab holds nothing for the
// garbage collector to scan, and its indexes are 4 bytes where pointers are 8.
package slab

// pageLen is how many values a page holds.
const pageLen = 512

// entry is a value and its index's generation.
type entry[T any] struct {
	v   T
	gen uint32
}

// Slab keeps values of type T by index. The zero Slab is empty and ready to use.
type Slab[T any] struct {
	pages [][]entry[T]
	free  []int32 // freed indexes
	n     int32   // indexes handed out so far (free ones included)
	// NoReuse hands out no freed index again (tests compare).
	NoReuse bool
	// Reused counts the indexes handed out again.
	Reused int
}

// Ref is an index with its generation, as a queue holds it.
type Ref struct {
	I   int32
	gen uint32
}

// New returns the index of a zero value.
func (s *Slab[T]) New() int32 {
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		s.Reused++
		return i
	}
	i := s.n
	if int(i/pageLen) == len(s.pages) {
		s.pages = append(s.pages, make([]entry[T], pageLen))
	}
	s.n++
	return i
}

// At returns the value at index i: a pointer valid until i is freed.
func (s *Slab[T]) At(i int32) *T { return &s.pages[i/pageLen][i%pageLen].v }

// Free zeroes the value at index i and takes the index for reuse, a generation on: Refs to it
// are void from now.
func (s *Slab[T]) Free(i int32) {
	e := &s.pages[i/pageLen][i%pageLen]
	e.v = *new(T)
	e.gen++
	if !s.NoReuse {
		s.free = append(s.free, i)
	}
}

// Ref returns index i with its generation.
func (s *Slab[T]) Ref(i int32) Ref { return Ref{i, s.pages[i/pageLen][i%pageLen].gen} }

// Live returns the value r names, or nil when it was freed (and its index perhaps reused) since.
func (s *Slab[T]) Live(r Ref) *T {
	if e := &s.pages[r.I/pageLen][r.I%pageLen]; e.gen == r.gen {
		return &e.v
	}
	return nil
}

// Len is the number of indexes handed out so far, freed ones included: the slab's size.
func (s *Slab[T]) Len() int { return int(s.n) }

// Reset lets go of every value (every index and Ref is void after it), keeping NoReuse.
func (s *Slab[T]) Reset() { *s = Slab[T]{NoReuse: s.NoReuse} }
