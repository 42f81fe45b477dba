package analyze

import (
	"fmt"
	"slices"
	"time"

	"github.com/connscope/connscope/result"
)

// idleResetMin is the silence before a reset from which it is reported as the end of an idle
// session (a firewall's or NAT's session timeout) rather than part of the exchange.
const idleResetMin = 5 * time.Second

// largeSegment is the payload size from which a lost segment counts as large: a full-size segment
// on a 1500-byte path carries 1448-1460 bytes; smaller paths (PPPoE, tunnels) lose these first.
const largeSegment = 1000

// classifyPath gives the path verdicts that override the TCP/TLS ones: a SYN-ACK never
// acknowledged, a reset a middlebox forged, a reset after a long idle period, a blackhole. It
// also adds the path flags. It reports whether it set the verdict.
func (f *flow) classifyPath(end time.Time) bool {
	f.computeVantage()
	f.pathFlags(end)
	switch {
	case f.classifyOneDirection():
	case f.classifySYNACKUnacknowledged():
	case f.classifyInjectedRST():
	case f.classifyBlackhole(end):
	case f.classifyIdleReset():
	default:
		return false
	}
	return true
}

// pathFlags adds flags for what the path showed without deciding the verdict.
func (f *flow) pathFlags(end time.Time) {
	ps := &f.path
	for d := range ps.side {
		s := &ps.side[d]
		if s.dupRuns > 0 || s.dupMax >= 3 {
			f.diag.flags = append(f.diag.flags, fmt.Sprintf("dup-acks:%s:%d", sideName[d], s.dupMax))
		}
		if s.zeroWin > 0 {
			// zero-window:SIDE:ADVERTISEMENTS:LONGEST; a period still open at the end is a stall.
			f.diag.flags = append(f.diag.flags, fmt.Sprintf("zero-window:%s:%d:%s", sideName[d], s.zeroWin, fmtSecs(s.zeroMax)+"s"))
			if s.inZero && f.rstCount == 0 {
				f.diag.flags = append(f.diag.flags, fmt.Sprintf("stalled:%s-zero-window-for-%ss-at-end", sideName[d], fmtSecs(end.Sub(s.zeroStart.at()))))
			}
		}
		// tcp.*_retransmissions counts every segment below the highest one seen; the flags tell
		// the reordered ones from the retransmitted.
		if r := f.side[d].retrans - s.outOfOrder; r > 0 {
			f.diag.flags = append(f.diag.flags, fmt.Sprintf("retransmissions:%s:%d", sideName[d], r))
		}
		if s.outOfOrder > 0 {
			f.diag.flags = append(f.diag.flags, fmt.Sprintf("out-of-order:%s:%d", sideName[d], s.outOfOrder))
		}
	}
	if m := f.missingDirection(); m != "" {
		f.diag.flags = append(f.diag.flags, "one-direction:no "+m+" packets")
	}
	for i, ic := range f.icmp {
		if kindOf(ic) != icmpFragNeeded || slices.ContainsFunc(f.icmp[:i], func(e icmpFact) bool { return e.mtu == ic.mtu && e.router == ic.router }) {
			continue
		}
		f.diag.flags = append(f.diag.flags, fmt.Sprintf("frag-needed:mtu=%d:from=%s", ic.mtu, ic.router))
	}
}

// classifyOneDirection: the capture holds only one side's packets, though that side acknowledges
// the other's: whatever the other side did is not in the capture, so no verdict can rest on it.
func (f *flow) classifyOneDirection() bool {
	if f.missingDirection() == "" {
		return false
	}
	d := fromClient
	if f.side[fromClient].packets == 0 {
		d = fromServer
	}
	other := sideName[1-d]
	f.addEvidence(mkRef(f.firstFrame, f.first), "first packet of the flow, from the %s", sideName[d])
	what := fmt.Sprintf("the capture holds only the %s's %d packets (%d payload bytes); the %s's are missing, though the %s acknowledges them", sideName[d], f.side[d].packets, f.side[d].bytes, other, sideName[d])
	if f.synCount > 0 && d == fromClient {
		what += " (it went on from its SYN to ACKs and data, so a SYN-ACK came)"
	}
	f.verdict(result.VerdictIncomplete, "%s: the capture sees one direction only (asymmetric routing past the capture point, or a capture filter such as \"src host\"); capture both directions", what)
	return true
}

// classifySYNACKUnacknowledged: the server answered with SYN-ACKs and the client never sent an
// ACK (its SYNs may keep coming).
func (f *flow) classifySYNACKUnacknowledged() bool {
	ps := &f.path
	if !f.synAck.seen() || ps.handshakeAck.seen() || f.synCount == 0 || f.side[fromClient].packets > f.synCount+f.rstsFrom(fromClient) {
		return false
	}
	if ps.synAcks < 2 && f.synCount < 2 {
		return false
	}
	for _, r := range f.syns {
		f.addEvidenceText(r, "SYN from the client")
	}
	for _, r := range ps.synAckRefs[:min(ps.synAcks, len(ps.synAckRefs))] {
		f.addEvidenceText(r.full(), "SYN-ACK from the server")
	}
	what := fmt.Sprintf("the server answered with %d SYN-ACK(s) to the client's %d SYN(s) over %s, and no ACK came back",
		ps.synAcks, f.synCount, fmtDur(f.last.Sub(f.syns[0].time())))
	switch ps.vantage.where {
	case vantageServer, vantageBetween:
		f.verdict(result.VerdictSYNACKUnacknowledged, "%s (captured %s): the SYN-ACKs are lost on the way to the client, since its SYNs keep coming as if unanswered (asymmetric routing, or a firewall dropping the server's answers)",
			what, ps.vantage.hereText())
	default:
		f.verdict(result.VerdictSYNACKUnacknowledged, "%s (captured %s): the client receives the SYN-ACKs here but does not take them (a host firewall on the client dropping them after the capture point, or a mismatch in the SYN-ACK)",
			what, ps.vantage.hereText())
	}
	return true
}

func (f *flow) rstsFrom(d int) int {
	n := 0
	for _, r := range f.rsts {
		if r.from == d {
			n++
		}
	}
	return n
}

// injectedRST returns the first reset whose TTL differs from the other packets of the side it
// claims to come from: a device in the path sent it.
func (f *flow) injectedRST() (int, bool) {
	for i, r := range f.rsts {
		s := &f.path.side[r.from]
		if s.ttlSet && r.ttl != int(s.ttl) {
			return i, true
		}
	}
	return 0, false
}

// rstTTLText compares a reset's TTL and IP ID with its claimed sender's other packets.
func (f *flow) rstTTLText(i int) string {
	r := f.rsts[i]
	s := &f.path.side[r.from]
	txt := fmt.Sprintf("TTL %d (%s from the capture point) vs the %s's %d (%s) in frame %d", r.ttl, hopText(hops(uint8(r.ttl))),
		sideName[r.from], s.ttl, hopText(hops(s.ttl)), s.ttlRef.frame)
	if s.ipidSet && !f.server.Addr().Is6() {
		txt += fmt.Sprintf("; IP ID 0x%04x where the %s's packets had reached 0x%04x", f.path.rst[i].ipid, sideName[r.from], s.ipid)
	}
	return txt
}

// classifyInjectedRST: the reset that ended the connection was not sent by the side it names.
func (f *flow) classifyInjectedRST() bool {
	i, ok := f.injectedRST()
	if !ok || i != 0 || f.finBefore(f.rsts[i].time()) {
		return false
	}
	r := f.rsts[i]
	claimed := sideName[r.from]
	f.addEvidence(r.ref, "RST in the %s's name: %s", claimed, f.rstTTLText(i))
	f.addEvidence(f.path.side[r.from].ttlRef.full(), "a packet the %s did send: TTL %d", claimed, f.path.side[r.from].ttl)
	c, s := &f.side[fromClient], &f.side[fromServer]
	stage := fmt.Sprintf("after %d bytes from the client and %d from the server", c.bytes, s.bytes)
	if x := &f.tls; x.sh != nil {
		if f.tlsEstablished() {
			stage = fmt.Sprintf("after the TLS handshake (%s), %s", x.sh.ChosenVersion(), stage)
		} else {
			stage = fmt.Sprintf("during the TLS handshake (%s chosen), %s", x.sh.ChosenVersion(), stage)
		}
	}
	idle := ""
	if gap := f.path.rst[i].idle; gap >= idleResetMin {
		idle = fmt.Sprintf("; it came after %s of silence: a firewall or NAT session timeout (the device forgot the connection and rejects its next packet)", fmtDur(gap))
	}
	after := ""
	if d := r.from; f.side[d].lastPayload.frame > r.frame {
		after = fmt.Sprintf("; the %s kept sending data after it (frame %d): it never reset the connection", claimed, f.side[d].lastPayload.frame)
		f.addEvidence(f.side[d].lastPayload, "data from the %s after the reset in its name", claimed)
	}
	f.verdict(result.VerdictMiddleboxReset, "a device in the path forged a reset in the %s's name %s (captured %s): its %s%s%s",
		claimed, stage, f.path.vantage.hereText(), f.rstTTLText(i), idle, after)
	return true
}

// classifyIdleReset: the peer itself reset the connection after a long silence.
func (f *flow) classifyIdleReset() bool {
	if len(f.rsts) == 0 || f.finBefore(f.rsts[0].time()) || !f.synAck.seen() {
		return false
	}
	gap := f.path.rst[0].idle
	if gap < idleResetMin {
		return false
	}
	r := f.rsts[0]
	f.addEvidence(r.ref, "RST from the %s after %s of silence (TTL %d, as its other packets)", sideName[r.from], fmtDur(gap), r.ttl)
	f.verdict(result.VerdictReset, "the %s reset the connection after %s of silence: an idle timeout (the application's, or a firewall or NAT in the path that resets in its name with the same TTL)",
		sideName[r.from], fmtDur(gap))
	if f.side[r.from].lastPayload.frame < r.frame && f.side[1-r.from].lastPayload.frame > f.side[r.from].lastPayload.frame {
		// The other side's data after the silence was answered by the reset: the connection was
		// half-open, one end had already forgotten it.
		f.diag.flags = append(f.diag.flags, "half-open")
	}
	return true
}

// blackhole is one side's data that the path swallowed.
type blackhole struct {
	from      int      // the side whose data was lost
	lost      []outSeg // sender vantage: segments retransmitted and never acknowledged
	hole      bool     // receiver vantage: bytes that never arrived
	mtu       bool
	passedMax int // largest segment of that side that got through
	passedRef ref
}

// findBlackhole looks, on an established connection, for one side's data lost for good: seen
// leaving and retransmitted without an acknowledgement (the capture is on the sender's side), or
// a gap in its sequence space the receiver never acknowledges (on the receiver's side).
func (f *flow) findBlackhole(end time.Time) (blackhole, bool) {
	if !f.synAck.seen() {
		return blackhole{}, false
	}
	ps := &f.path
	for _, d := range []int{fromServer, fromClient} {
		s, peer := &ps.side[d], &ps.side[1-d]
		if rst, ok := f.firstRST(); ok && rst.from == 1-d {
			continue // the receiver reset: not silence
		}
		var b blackhole
		b.from = d
		minLost := 0
		for _, o := range s.outstanding() {
			// Resent and still unacknowledged a second after it was first sent: not a loss the
			// capture merely ended in the middle of.
			if o.sends >= 2 && end.Sub(o.first.at()) >= time.Second {
				b.lost = append(b.lost, o)
				if n := int(o.n); minLost == 0 || n < minLost {
					minLost = n
				}
			}
		}
		if len(b.lost) > 0 {
			b.passedMax = s.maxAcked
			// Smaller segments sent after the lost one, never retransmitted, while the peer sent
			// duplicate ACKs: they arrived (each duplicate ACK answers a segment past the gap).
			if peer.dupMax > 0 && peer.dupRef.frame > b.lost[0].first.frame {
				for _, o := range s.outstanding() {
					if n := int(o.n); o.sends == 1 && n < minLost && n > b.passedMax {
						b.passedMax, b.passedRef = n, o.first.full()
					}
				}
				b.mtu = minLost >= largeSegment && b.passedRef.seen()
			}
			return b, true
		}
		if s.hole && !s.holeFilled && (!peer.ackSet || seqLE(peer.ackMax, s.holeStart)) && end.Sub(s.holeAfter.at()) >= time.Second {
			b.hole = true
			b.passedMax, b.passedRef = s.holeAftLen, s.holeAfter.full()
			b.mtu = int(s.holeEnd-s.holeStart) >= largeSegment && s.holeAftLen < largeSegment
			return b, true
		}
	}
	return blackhole{}, false
}

// classifyBlackhole: data-blackhole or mtu-blackhole.
func (f *flow) classifyBlackhole(end time.Time) bool {
	b, ok := f.findBlackhole(end)
	if !ok {
		return false
	}
	who := sideName[b.from]
	peer := sideName[1-b.from]
	s := &f.path.side[b.from]
	v := result.VerdictDataBlackhole
	if b.mtu {
		v = result.VerdictMTUBlackhole
	}
	var what string
	if b.hole {
		size := s.holeEnd - s.holeStart
		f.addEvidence(s.holeAfter.full(), "%d-byte segment from the %s that arrived after a gap of %d bytes (relative seq %d-%d) never seen here", s.holeAftLen, who, size,
			s.holeStart-f.side[b.from].synSeq, s.holeEnd-f.side[b.from].synSeq)
		if pd := &f.path.side[1-b.from]; pd.dupRef.seen() {
			f.addEvidence(pd.dupRef.full(), "duplicate ACK from the %s: still waiting for the missing bytes", peer)
		}
		what = fmt.Sprintf("%d bytes of the %s's data (relative seq %d-%d) never arrived here (captured %s) while its %d-byte segment after them did (frame %d); the %s never acknowledged them and nothing filled the gap in the %s that followed",
			size, who, s.holeStart-f.side[b.from].synSeq, s.holeEnd-f.side[b.from].synSeq, f.path.vantage.hereText(), s.holeAftLen, s.holeAfter.frame, peer, fmtDur(end.Sub(s.holeAfter.at())))
	} else {
		o := b.lost[0]
		f.addEvidence(o.first.full(), "%d-byte segment from the %s, first sent", o.n, who)
		f.addEvidence(o.last.full(), "the same segment, sent for the %s time %s later, still unacknowledged", ordinal(int(o.sends)), since(o.first.at(), o.last.at()))
		sizes := ""
		for i, l := range b.lost {
			if i > 0 {
				sizes += ", "
			}
			sizes += fmt.Sprint(l.n)
		}
		what = fmt.Sprintf("the %s's data (segment(s) of %s bytes) was sent up to %d times over %s and never acknowledged (captured %s)",
			who, sizes, o.sends, since(o.first.at(), o.last.at()), f.path.vantage.hereText())
		if pd := &f.path.side[1-b.from]; pd.dupRef.seen() && pd.dupRef.frame > o.first.frame {
			f.addEvidence(pd.dupRef.full(), "duplicate ACK from the %s: it received data past the missing segment", peer)
		}
		if b.passedRef.seen() {
			f.addEvidence(b.passedRef, "%d-byte segment from the %s, after the lost one: not retransmitted, so it arrived", b.passedMax, who)
		}
	}
	for _, ic := range f.icmp {
		if kindOf(ic) == icmpFragNeeded {
			f.addEvidence(ic.ref, "%s from %s: next-hop MTU %d", icmpName(ic), f.icmpSender(ic), ic.mtu)
			f.verdict(result.VerdictPathMTU, "%s; %s reported a next-hop MTU of %d bytes (frame %d), yet the segments stayed lost: the sender does not act on it, or the ICMP does not reach it",
				what, f.icmpSender(ic), ic.mtu, ic.frame)
			return true
		}
	}
	if b.mtu {
		f.verdict(v, "only the large segments are lost: %s; the largest %s segment that got through is %d bytes. A link on the path has a smaller MTU and its ICMP fragmentation-needed messages do not reach the %s (PMTU discovery is broken)",
			what, who, b.passedMax, who)
		return true
	}
	f.verdict(v, "the connection was established, then %s; no reset or ICMP error came back: the path drops this flow's packets (a stateful firewall that lost the session, asymmetric routing, an IPS)", what)
	if b.passedMax > 0 && !b.hole {
		f.diag.reason += fmt.Sprintf("; %d-byte segments from the %s got through before", b.passedMax, who)
	}
	return true
}

func ordinal(n int) string {
	switch n {
	case 1:
		return "1st"
	case 2:
		return "2nd"
	case 3:
		return "3rd"
	}
	return fmt.Sprintf("%dth", n)
}

// pathResult is the flow's path section of the result.
func (f *flow) pathResult() *result.Path {
	ps := &f.path
	v := ps.vantage
	p := &result.Path{Vantage: v.where.String(), VantageReason: v.describe(), ClientHops: v.clientHops, ServerHops: v.serverHops,
		SYNIntervals: []float64{}, ICMP: f.icmpResult(),
		DupACKs: max(ps.side[0].dupMax, ps.side[1].dupMax), ZeroWindows: ps.side[0].zeroWin + ps.side[1].zeroWin}
	if sch := f.synSchedule(); sch.name != "" {
		p.SYNIntervals = sch.intervalSeconds()
		p.SYNSchedule = sch.name
		if f.diag.verdict == result.VerdictSYNTimeout {
			p.SYNGiveUp = float64(sch.giveUp.Milliseconds()) / 1000
		}
	}
	return p
}
