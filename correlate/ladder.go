package correlate

import (
	"cmp"
	"slices"
	"time"

	"github.com/connscope/connscope/facts"
)

// step is one packet of a connection as the near and the far view saw it, while the ladder is
// made.
type step struct {
	near, far       facts.Sighting
	nearSet, farSet bool
	from            int
	flags           uint8
	len             int32
	out             bool // the other view was not capturing: left out of the ladder
}

// at is when the step happened on the near view's clock: when the near view saw it, else when
// the far view did, taken to the near view's clock.
func (s *step) when(offset time.Duration) int64 {
	if s.nearSet {
		return s.near.UnixNano
	}
	return s.far.UnixNano - int64(offset)
}

// ladder puts the steps in time order and keeps the first and the last facts.LadderEnds, and
// facts.LadderAround around the first lost and the first injected step of each direction, noting
// the steps left out before each kept one.
func ladder(steps []step, offset time.Duration) ([]facts.Step, int32) {
	slices.SortStableFunc(steps, func(a, b step) int { return cmp.Compare(a.when(offset), b.when(offset)) })
	keep := make([]bool, len(steps))
	span := func(from, n int) {
		for i := max(from, 0); i < min(from+n, len(steps)); i++ {
			keep[i] = true
		}
	}
	span(0, facts.LadderEnds)
	span(len(steps)-facts.LadderEnds, facts.LadderEnds)
	var seen [2][2]bool // per direction: a lost one, an injected one
	for i, s := range steps {
		fate := -1
		switch {
		case s.out:
		case s.nearSet != s.farSet && (s.nearSet == (s.from == facts.Client)):
			fate = 0 // seen where it left only: lost
		case s.nearSet != s.farSet:
			fate = 1 // seen where it arrived only: injected
		}
		if fate >= 0 && !seen[s.from][fate] {
			seen[s.from][fate] = true
			span(i-facts.LadderAround/3, facts.LadderAround)
		}
	}
	var out []facts.Step
	gap, omitted := int32(0), int32(0)
	for i, s := range steps {
		if !keep[i] || s.out {
			gap++
			omitted++
			continue
		}
		st := facts.Step{From: uint8(s.from), Flags: s.flags, Len: s.len, Gap: gap}
		gap = 0
		if s.nearSet {
			st.Near = s.near.Ref()
		}
		if s.farSet {
			st.Far = s.far.Ref()
		}
		out = append(out, st)
	}
	return out, omitted
}

// pair is an ordered pair of vantages: near, far.
type pair struct{ near, far uint16 }

// offsetSamples are the clock offsets measured between two vantages, one per connection; a
// bounded number, evenly thinned past it.
type offsetSamples struct {
	xs   []int64
	skip int // keep one in skip
	n    int
}

// maxOffsetSamples bounds the offsets kept per pair of vantages.
const maxOffsetSamples = 4096

func (k *Correlator) sample(near, far uint16, offset time.Duration) {
	s := k.offsets[pair{near, far}]
	if s == nil {
		s = &offsetSamples{skip: 1}
		k.offsets[pair{near, far}] = s
	}
	s.n++
	if s.n%s.skip != 0 {
		return
	}
	s.xs = append(s.xs, int64(offset))
	if len(s.xs) >= maxOffsetSamples {
		for i := range len(s.xs) / 2 {
			s.xs[i] = s.xs[2*i]
		}
		s.xs = s.xs[:len(s.xs)/2]
		s.skip *= 2
	}
}

// Offset is the clock offset between two vantages that saw the same connections: the far
// vantage's clock minus the near one's, the median over the connections both saw whole.
type Offset struct {
	Near, Far   uint16
	Offset      time.Duration
	Connections int
}

// Offsets lists the clock offsets measured between vantages, by near then far vantage.
func (k *Correlator) Offsets() []Offset {
	var out []Offset
	for p, s := range k.offsets {
		m, _ := median(s.xs)
		out = append(out, Offset{Near: p.near, Far: p.far, Offset: time.Duration(m), Connections: s.n})
	}
	slices.SortFunc(out, func(a, b Offset) int {
		return cmp.Or(cmp.Compare(a.Near, b.Near), cmp.Compare(a.Far, b.Far))
	})
	return out
}
