package correlate

import (
	"slices"
	"time"

	"github.com/connscope/connscope/facts"
)

// A packet can be called lost or injected only inside the span both vantages were capturing:
// one sent at the sending side's view while the receiving side's was not capturing (before its
// capture began, after it stopped) may have arrived unseen, and one that arrived while the
// sending side's was not capturing may have been sent unseen. This file knows the vantages'
// spans (as far as the records show them while the capture is read, whole at Flush) and
// judges a packet against them, with the clock offset and the transit time accounted.

// edgeSlack is the room given, on top of the spread of the measured transit times, to when a
// packet would have arrived: queueing, and the clocks' offset measured within a few
// microseconds.
const edgeSlack = 2 * time.Millisecond

// spans are the capture spans the judgement of a group's packets reads, by vantage: final
// after Flush (the whole capture of each vantage), else what the records so far show.
type spans struct {
	of    map[uint16]span
	final bool
}

// knownSpan widens what the records show of vantage x's capture span with record c: the vantage
// was capturing at least from its records' first packet to their last.
func (k *Correlator) knownSpan(c *facts.Conn) {
	s, ok := k.known[c.Vantage]
	f, l := c.First.UnixNano(), c.Last.UnixNano()
	if !ok {
		k.known[c.Vantage] = span{f, l}
		return
	}
	k.known[c.Vantage] = span{min(s.first, f), max(s.last, l)}
}

// knownSpans are the spans the records so far show, not final.
func (k *Correlator) knownSpans() *spans { return &spans{of: k.known} }

// finalSpans are the vantages' whole capture spans, from vs (by vantage index); a vantage
// without frames has none (nothing can be judged against it).
func finalSpans(vs []Vantage) *spans {
	sp := &spans{of: map[uint16]span{}, final: true}
	for i, v := range vs {
		if v.Frames > 0 {
			sp.of[uint16(i)] = span{v.First.UnixNano(), v.Last.UnixNano()}
		}
	}
	return sp
}

// arrival is when a direction's packets reach the receiving side's view, on its clock: the
// sending side's time plus delay, give or take slack.
type arrival struct {
	delay, slack int64
}

// fate is what the spans say of an unmatched packet.
type fate uint8

const (
	judged    fate = iota // both vantages were capturing: lost or injected
	before                // the other vantage's capture had not begun
	after                 // the other vantage's capture had stopped
	undecided             // the spans known so far do not tell (not final)
)

// judge says whether vantage x was capturing at time t of its clock, give or take slack.
func (sp *spans) judge(x uint16, t, slack int64) fate {
	if sp == nil {
		return judged
	}
	s, ok := sp.of[x]
	switch {
	case ok && s.first <= t-slack && t+slack <= s.last:
		return judged
	case !sp.final:
		return undecided
	case !ok || t-slack < s.first:
		return before
	}
	return after
}

// offsetOf is vantage b's clock minus vantage a's, as the connections related so far measured
// it, else as the first connection matched by its sequence numbers showed it (rough), else 0.
func (k *Correlator) offsetOf(a, b uint16) int64 {
	if s := k.offsets[pair{a, b}]; s != nil && len(s.xs) > 0 {
		m, _ := median(s.xs)
		return m
	}
	if s := k.offsets[pair{b, a}]; s != nil && len(s.xs) > 0 {
		m, _ := median(s.xs)
		return -m
	}
	if r, ok := k.rough[pair{a, b}]; ok {
		return r
	}
	if r, ok := k.rough[pair{b, a}]; ok {
		return -r
	}
	return 0
}

// arrivals works out, per direction, when a packet of it reaches the receiving side's view,
// from the delays of its packets that both views saw (transit: receiving clock minus sending
// clock, per matched packet); a direction none of whose packets matched takes the other's
// delay reversed, else the clock offset between the vantages measured so far.
func (k *Correlator) arrivals(transit [2][]int64, near, far uint16) [2]arrival {
	var out [2]arrival
	var set [2]bool
	for d := range transit {
		if m, ok := median(transit[d]); ok {
			out[d] = arrival{delay: m, slack: int64(edgeSlack) + 2*(slices.Max(transit[d])-slices.Min(transit[d]))}
			set[d] = true
		}
	}
	for d := range out {
		switch {
		case set[d]:
		case set[1-d]:
			out[d] = arrival{delay: -out[1-d].delay, slack: out[1-d].slack}
		default:
			o := k.offsetOf(near, far)
			if d == facts.Server {
				o = -o
			}
			out[d] = arrival{delay: o, slack: int64(edgeSlack)}
		}
	}
	return out
}
