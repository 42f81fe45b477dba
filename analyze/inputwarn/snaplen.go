package inputwarn

import (
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// SnaplenCuts is the result's warning about the packets the snaplen cut, naming the snaplen of
// the file or pcapng interface each was captured with, or, where that snaplen cannot have cut
// them (they hold fewer bytes than it, or the interface gives none), what they were really cut
// to; ok is false when none was cut.
func SnaplenCuts(cuts []pcapfile.SnaplenCut) (w result.Warning, ok bool) {
	switch {
	case len(cuts) == 1:
		c := cuts[0]
		args := []result.Arg{result.Int("n", c.Packets), result.Int("snaplen", c.Snaplen), result.Int("cut", c.CapLen)}
		return result.Warning{Code: "snaplen-cut", Message: result.Msg("warning."+snaplenKey("snaplen-cut", c), args...)}, true
	case len(cuts) > 1:
		parts := make([]result.Message, len(cuts))
		total := 0
		for i, c := range cuts {
			parts[i] = result.Msg("warning."+snaplenKey("snaplen-part", c), result.Int("n", c.Packets), result.Int("snaplen", c.Snaplen),
				result.Int("cut", c.CapLen))
			total += c.Packets
		}
		return result.Warning{Code: "snaplen-cut", Message: result.Msg("warning.snaplen-cut-interfaces", result.Int("n", total), result.List("parts", parts))}, true
	}
	return w, false
}

// snaplenKey is the message key (after "warning.") for the packets of c: key when the snaplen
// given cut them, key+"-to" (what they were cut to) when it cannot have, key+"-to-none" when none
// is given.
func snaplenKey(key string, c pcapfile.SnaplenCut) string {
	switch {
	case c.Snaplen == 0:
		return key + "-to-none"
	case c.CapLen < c.Snaplen:
		return key + "-to"
	}
	return key
}
