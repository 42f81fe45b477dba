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
}

// at is when the step happened on the near view's clock: when the near view saw it, else when
// the far view did, taken to the near view's clock.
func (s *step) when(offset time.Duration) int64 {
	if s.nearSet {
		return s.near.UnixNano
	}
	return s.far.UnixNano - int64(offset)
}

// ladder puts the steps in time order and keeps the first and the last facts.MaxSteps/2.
func ladder(steps []step, offset time.Duration) ([]facts.Step, int32) {
	slices.SortStableFunc(steps, func(a, b step) int { return cmp.Compare(a.when(offset), b.when(offset)) })
	omitted := 0
	if len(steps) > facts.MaxSteps {
		omitted = len(steps) - facts.MaxSteps
		steps = append(steps[:facts.MaxSteps/2], steps[len(steps)-facts.MaxSteps/2:]...)
	}
	out := make([]facts.Step, len(steps))
	for i, s := range steps {
		out[i] = facts.Step{From: uint8(s.from), Flags: s.flags, Len: s.len}
		if s.nearSet {
			out[i].Near = s.near.Ref()
		}
		if s.farSet {
			out[i].Far = s.far.Ref()
		}
	}
	return out, int32(omitted)
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
