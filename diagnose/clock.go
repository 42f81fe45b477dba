package diagnose

import (
	"slices"

	"github.com/connscope/connscope/diagnose/timing"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// span is the duration parameter name from packet from to packet to, or, when either of them is a
// packet whose time cannot be trusted (timing.Untrusted), a phrase that says so instead of a
// duration that means nothing (a frame stamped 400 days late makes a close "34560000 s after the
// ClientHello"). to may be a time without a frame (the connection's end).
func (j *judge) span(name string, from, to facts.Ref) result.Arg {
	jumps := timing.Untrusted(j.c) // a few packets' times: quoted durations are few
	for _, r := range [...]facts.Ref{from, to} {
		if r.Seen() && slices.Contains(jumps, r.Num()) {
			return result.Sub(name, result.Msg("phrase.time-jumped", result.Int("frame", r.Num())))
		}
	}
	return dur(name, to.Time().Sub(from.Time()))
}
