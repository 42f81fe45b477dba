package track

import (
	"net/netip"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/track/unmatched"
)

// Unmatched is what a capture holds outside the analysed ports and hosts (package unmatched).
type Unmatched = unmatched.Summary

// PortCount is the SYNs and packets seen for one server port.
type PortCount = unmatched.PortCount

// HostCount is the SYNs seen for one server address.
type HostCount = unmatched.HostCount

// Unmatched returns what the capture held outside the analysed ports and hosts so far: the
// counts, and the top n ports and hosts.
func (a *Tracker) Unmatched(n int) Unmatched { return a.outside.Top(n) }

// ProbedOutside is what the SYNs from src to dst, captured at vantage, showed outside the
// analysed ports and hosts (package unmatched): the distinct ports probed and answered.
type ProbedOutside = unmatched.Probed

// ProbedOutside returns what the SYNs from src to dst, captured at vantage, showed outside the
// analysed ports and hosts so far; false if none was counted.
func (a *Tracker) ProbedOutside(vantage uint16, src, dst netip.Addr) (ProbedOutside, bool) {
	return a.outside.Probed(vantage, src, dst)
}

// SweptOutside is one host that SYNs from one source to one port reached outside the analysed
// ports and hosts (package unmatched).
type SweptOutside = unmatched.SweptHost

// SweptOutside returns the hosts that the SYNs from src to port, captured at vantage, reached
// outside the analysed ports and hosts so far; nil if none was counted.
func (a *Tracker) SweptOutside(vantage uint16, src netip.Addr, port uint16) []SweptOutside {
	return a.outside.Swept(vantage, src, port)
}

// icmpOutside counts an ICMP error that quotes no flow's packet (no flow or tomb holds it) when the
// packet it quotes is outside the analysed ports and hosts (package unmatched).
func (a *Tracker) icmpOutside(p *capture.Packet) {
	if q := &p.ICMP; !a.wanted(q.QuotedSrc, q.QuotedSrcPort, q.QuotedDst, q.QuotedDstPort) {
		a.outside.ICMPError(p)
	}
}
