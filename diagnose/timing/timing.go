// Package timing tells which of a connection's packets carry a time that cannot be trusted, so
// that a reason does not quote a duration that ends at one of them.
package timing

import (
	"time"

	"github.com/connscope/connscope/facts"
)

// Untrusted returns the frames of c whose time cannot be trusted: those of its packets (as its
// ladder keeps them) stamped more than facts.TimeJump from both packets around them, which are at
// most facts.TimeNear apart (the rule of the capture's time-jump warning, on the connection's own
// packets), and those stamped out of range (time-out-of-range).
func Untrusted(c *facts.Conn) []int {
	var out []int
	l := c.Ladder
	for i := 1; i+1 < len(l); i++ {
		prev, at, next := l[i-1].At, l[i].At, l[i+1].At
		if apart(at, prev) > facts.TimeJump && apart(at, next) > facts.TimeJump && apart(prev, next) <= facts.TimeNear {
			out = append(out, at.Num())
		}
	}
	if dm := c.Damaged(); dm != nil {
		for i, r := range dm.Frames {
			if dm.Kinds[i]&facts.DamageTime != 0 {
				out = append(out, r.Num())
			}
		}
	}
	return out
}

// apart is how far apart the times of a and b are, without overflow for times stamped centuries
// apart (damaged ones): past a day it is a day.
func apart(a, b facts.Ref) time.Duration {
	s := a.Sec - b.Sec
	if s > 86400 || s < -86400 {
		return 24 * time.Hour
	}
	d := time.Duration(s)*time.Second + time.Duration(a.Nsec-b.Nsec)
	if d < 0 {
		return -d
	}
	return d
}
