package track

// tombPage is how many tombs a page of a tombSlab holds.
const tombPage = 512

// tombSlab keeps the tracker's tombs, by index, in pages of plain values (a tomb holds no
// pointers: the garbage collector does not scan them), and reuses the slots of finished tombs.
// A page never moves, so a *tomb stays valid while its tomb is kept. The tomb table and the
// tomb queue hold indexes; the queue holds a slot's generation with it, as queued holds a
// flow's: a queued tomb that was finished since, its slot perhaps reused, is dropped when it
// comes up.
type tombSlab struct {
	pages  []*[tombPage]tomb
	free   []int32 // finished tombs' slots
	n      int32   // slots handed out so far (free ones included)
	off    bool    // reuses no slot (tests compare)
	reused int     // slots handed out again
}

// queuedTomb is a tomb as the tomb queue holds it.
type queuedTomb struct {
	i   int32
	gen uint32
}

// get returns the index of a zeroed tomb, of a generation after any its slot had.
func (s *tombSlab) get() int32 {
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		s.reused++
		t := s.at(i)
		*t = tomb{gen: t.gen}
		return i
	}
	i := s.n
	if int(i/tombPage) == len(s.pages) {
		s.pages = append(s.pages, new([tombPage]tomb))
	}
	s.n++
	return i
}

// at returns the tomb at index i.
func (s *tombSlab) at(i int32) *tomb { return &s.pages[i/tombPage][i%tombPage] }

// put takes a finished tomb's slot for reuse: what the queue holds of the tomb is void from now.
func (s *tombSlab) put(i int32) {
	s.at(i).gen++
	if !s.off {
		s.free = append(s.free, i)
	}
}

// queued returns the tomb at index i as the queue holds it.
func (s *tombSlab) queued(i int32) queuedTomb { return queuedTomb{i, s.at(i).gen} }

// live returns the queued tomb, or nil when it was finished (and its slot perhaps reused) since.
func (s *tombSlab) live(q queuedTomb) *tomb {
	if t := s.at(q.i); t.gen == q.gen {
		return t
	}
	return nil
}

// empty lets go of every tomb, keeping off.
func (s *tombSlab) empty() { *s = tombSlab{off: s.off} }
