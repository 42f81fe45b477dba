package diagnose

import (
	"time"

	"github.com/connscope/connscope/diagnose/netpath"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// vantage is where the capture was taken, as a connection's packets tell (package netpath).
type vantage = netpath.Vantage

// idleResetMin is the silence before a reset from which it ends an idle session
// (netpath.IdleResetMin).
const idleResetMin = netpath.IdleResetMin

// classifyPath gives the path verdicts that override the TCP/TLS ones (package netpath) and
// adds the path flags and evidence. It reports whether it set the verdict.
func (j *judge) classifyPath(end time.Time) bool {
	f, vp, decided := netpath.Classify(j.c, end, tlsEstablished(j.c))
	j.vp = vp
	j.take(f)
	return decided
}

// classifyICMP: the client's SYNs got no SYN-ACK and at least one ICMP error quotes them.
func (j *judge) classifyICMP() { j.take(netpath.ICMPErrors(j.c)) }

// classifySYNTimeout: the client's SYNs got no answer at all (no SYN-ACK, RST or ICMP error).
func (j *judge) classifySYNTimeout(end time.Time) {
	j.take(netpath.SYNTimeout(j.c, j.vp, end))
	j.addRSTEvidence()
}

// take adds what a path rule found to the diagnosis: its flags and evidence, and its verdict
// when it gave one.
func (j *judge) take(f netpath.Finding) {
	j.d.Flags = join(j.d.Flags, f.Flags)
	j.d.Evidence = join(j.d.Evidence, f.Evidence)
	if f.Verdict != "" {
		j.d.Verdict, j.d.Reason = f.Verdict, f.Reason
	}
}

// join appends more to s; when s is nil it is more itself (a rule's slice, not copied).
func join[T any](s, more []T) []T {
	switch {
	case len(more) == 0:
		return s
	case s == nil:
		return more
	}
	return append(s, more...)
}

// injectedRST returns the reset that ended the connection when a device in the path sent it
// (netpath.InjectedRST).
func injectedRST(c *facts.Conn) (int, bool) { return netpath.InjectedRST(c) }

// missingDirection names the direction the capture lacks, or -1 (netpath.MissingDirection).
func missingDirection(c *facts.Conn) int { return netpath.MissingDirection(c) }

// hopText words a hop count (netpath.HopText).
func hopText(name string, h int) result.Arg { return netpath.HopText(name, h) }

// hops is the number of routers a packet crossed before the capture point (netpath.Hops).
func hops(ttl uint8) int { return netpath.Hops(ttl) }
