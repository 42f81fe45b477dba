package scan

import "github.com/connscope/connscope/facts"

// At is one packet of one vantage's capture: frame numbers compare within one capture only, so
// an At of another vantage is ordered by its time.
type At struct {
	facts.Ref
	Vantage uint16
}

// Before reports whether a is earlier than b: by frame in the same capture, by time across
// captures (at the same time, the lower vantage first). An unset At is never before another.
func (a At) Before(b At) bool {
	switch {
	case !a.Seen():
		return false
	case !b.Seen():
		return true
	case a.Vantage == b.Vantage:
		return a.Frame < b.Frame
	case a.UnixNano() != b.UnixNano():
		return a.UnixNano() < b.UnixNano()
	}
	return a.Vantage < b.Vantage
}

// widen widens the span [first, last] to take at.
func widen(first, last *At, at At) {
	if at.Before(*first) || !first.Seen() {
		*first = at
	}
	if last.Before(at) || !last.Seen() {
		*last = at
	}
}
