package netpath

import (
	"slices"
	"strconv"
	"time"

	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// IdleResetMin is the silence before a reset from which it is reported as the end of an idle
// session (a firewall's or NAT's session timeout) rather than part of the exchange.
const IdleResetMin = 5 * time.Second

// largeSegment is the payload size from which a lost segment counts as large: a full-size segment
// on a 1500-byte path carries 1448-1460 bytes; smaller paths (PPPoE, tunnels) lose these first.
const largeSegment = 1000

// classifyPath gives the path verdicts that override the TCP/TLS ones: a SYN-ACK never
// acknowledged, a reset a middlebox forged, a reset after a long idle period, a blackhole. It
// also adds the path flags. It reports whether it set the verdict.
func (j *judge) classifyPath(end time.Time) bool {
	j.computeVantage()
	j.pathFlags(end)
	j.survivedRSTs()
	switch {
	case j.classifyOneDirection():
	case j.classifySYNACKUnacknowledged():
	case j.classifyInjectedRST():
	case j.classifyBlackhole(end):
	case j.classifyIdleReset():
	default:
		return false
	}
	return true
}

// pathFlags adds flags for what the path showed without deciding the verdict.
func (j *judge) pathFlags(end time.Time) {
	c := j.c
	ps := &c.Path
	for d := range ps.Side {
		s := &ps.Side[d]
		name := facts.SideName[d]
		if s.DupRuns > 0 || s.DupMax >= 3 {
			j.d.Flags = append(j.d.Flags, "dup-acks:"+name+":"+param.Itoa(s.DupMax))
		}
		if s.ZeroWin > 0 {
			// zero-window:SIDE:ADVERTISEMENTS:LONGEST; a period still open at the end is a stall.
			j.d.Flags = append(j.d.Flags, "zero-window:"+name+":"+param.Itoa(s.ZeroWin)+":"+param.FmtSecs(s.R().ZeroMax)+"s")
			if s.InZero && c.RSTCount == 0 {
				j.d.Flags = append(j.d.Flags, "stalled:"+name+"-zero-window-for-"+param.FmtSecs(end.Sub(s.R().ZeroStart.Time()))+"s-at-end")
			}
		}
		// tcp.*_retransmissions counts every segment below the highest one seen; the flags tell
		// the reordered ones from the retransmitted.
		if r := c.Side[d].Retrans - s.OutOfOrder; r > 0 {
			j.d.Flags = append(j.d.Flags, "retransmissions:"+name+":"+param.Itoa(r))
		}
		if s.OutOfOrder > 0 {
			j.d.Flags = append(j.d.Flags, "out-of-order:"+name+":"+param.Itoa(s.OutOfOrder))
		}
	}
	if m := MissingDirection(c); m >= 0 {
		j.d.Flags = append(j.d.Flags, "one-direction:"+facts.SideName[m]+"-to-"+facts.SideName[1-m]+"-missing")
	}
	for i, ic := range c.ICMP() {
		// The router that sent it is in path.icmp (an address: a flag is program text).
		if kindOf(ic) != icmpFragNeeded || slices.ContainsFunc(c.ICMP()[:i], func(e facts.ICMP) bool { return kindOf(e) == icmpFragNeeded && e.MTU == ic.MTU }) {
			continue
		}
		j.d.Flags = append(j.d.Flags, "frag-needed:mtu="+param.Itoa(int(ic.MTU)))
	}
}

// classifyOneDirection: the capture holds only one side's packets, though that side acknowledges
// the other's: whatever the other side did is not in the capture, so no verdict can rest on it.
func (j *judge) classifyOneDirection() bool {
	c := j.c
	if MissingDirection(c) < 0 {
		return false
	}
	d := facts.Client
	if c.Side[facts.Client].Packets == 0 {
		d = facts.Server
	}
	j.evidence(c.First, "ev.first-packet-from", param.Side("side", d))
	synNote := result.Message{}
	if c.SYNCount > 0 && d == facts.Client {
		synNote = result.Msg("path.one-direction-syn")
	}
	j.verdict(result.VerdictIncomplete, "reason.one-direction", param.Side("side", d), result.Int("packets", c.Side[d].Packets),
		result.Int64("bytes", c.Side[d].Bytes), param.Side("other", 1-d), result.Sub("syn", synNote))
	return true
}

// classifySYNACKUnacknowledged: the server answered with SYN-ACKs and the client never sent an
// ACK (its SYNs may keep coming).
func (j *judge) classifySYNACKUnacknowledged() bool {
	c := j.c
	ps := &c.Path
	if !c.SYNAck.Seen() || ps.HandshakeAck.Seen() || c.SYNCount == 0 || c.Side[facts.Client].Packets > c.SYNCount+int32(c.RSTsFrom(facts.Client)) {
		return false
	}
	if ps.SYNAcks < 2 && c.SYNCount < 2 {
		return false
	}
	for _, r := range c.SYNs {
		j.evidence(r, "ev.syn")
	}
	for _, r := range c.SYNAckRefs() {
		j.evidence(r, "ev.syn-ack")
	}
	args := []result.Arg{result.Int("synacks", ps.SYNAcks), result.Int("syns", c.SYNCount),
		param.Dur("over", c.Last.Time().Sub(c.SYNs[0].Time())), j.vp.here("here")}
	switch j.vp.where {
	case vantageServer, vantageBetween:
		j.verdict(result.VerdictSYNACKUnacknowledged, "reason.synack-lost", args...)
	default:
		j.verdict(result.VerdictSYNACKUnacknowledged, "reason.synack-not-taken", args...)
	}
	return true
}

// InjectedRST returns the reset that ended the connection (the first it did not survive) when
// its TTL differs from the other packets of the side it claims to come from: a device in the
// path sent it.
func InjectedRST(c *facts.Conn) (int, bool) {
	i, ok := c.EndingRST()
	return i, ok && forgedRST(c, c.RSTs[i])
}

// forgedRST reports whether r's TTL differs from the other packets of the side it claims.
func forgedRST(c *facts.Conn, r facts.RST) bool {
	s := &c.Path.Side[r.From]
	return s.TTLSet && r.TTL != s.TTL
}

// survivedRSTs notes the resets the connection went on after, a forged one above all: they
// ended nothing, and the verdict rests on what did.
func (j *judge) survivedRSTs() {
	c := j.c
	for i, r := range c.RSTs {
		if !c.Survived(r) {
			continue
		}
		j.d.Flags = append(j.d.Flags, "rst-survived:"+param.Itoa(r.Num()))
		if forgedRST(c, r) {
			j.evidence(r.Ref, "ev.rst-forged-survived", param.Side("side", int(r.From)), j.rstTTL("ttl", i))
		} else {
			j.evidence(r.Ref, "ev.rst-survived", param.Side("side", int(r.From)))
		}
	}
}

// rstTTL compares a reset's TTL and IP ID with its claimed sender's other packets.
func (j *judge) rstTTL(name string, i int) result.Arg {
	c := j.c
	r := c.RSTs[i]
	s := &c.Path.Side[r.From]
	ipid := result.Message{}
	if r.SideIPIDSet && !c.Server.Addr().Is6() { // the side's last IP ID before the reset, not after
		ipid = result.Msg("path.rst-ipid", result.Text("ipid", param.Hex4(r.IPID)), param.Side("side", int(r.From)), result.Text("side_ipid", param.Hex4(r.SideIPID)))
	}
	return result.Sub(name, result.Msg("path.rst-ttl", result.Int("ttl", int(r.TTL)), HopText("hops", Hops(r.TTL)),
		param.Side("side", int(r.From)), result.Int("side_ttl", int(s.TTL)), HopText("side_hops", Hops(s.TTL)),
		result.Int("frame", s.TTLRef.Num()), result.Sub("ipid", ipid)))
}

// classifyInjectedRST: the reset that ended the connection was not sent by the side it names.
func (j *judge) classifyInjectedRST() bool {
	c := j.c
	i, ok := InjectedRST(c)
	if !ok || c.FINBefore(c.RSTs[i].Time()) {
		return false
	}
	r := c.RSTs[i]
	claimed := param.Side("side", int(r.From))
	j.evidence(r.Ref, "ev.rst-forged", claimed, j.rstTTL("ttl", i))
	j.evidence(c.Path.Side[r.From].TTLRef, "ev.packet-it-sent", claimed, result.Int("ttl", int(c.Path.Side[r.From].TTL)))
	bytes := param.AfterBytes(c, r)
	stage := bytes
	if x := c.TLS; x != nil && x.ServerHello != nil {
		v := result.Text("version", x.ServerHello.SH.ChosenVersion().String())
		if j.established {
			stage = result.Msg("path.stage-after-handshake", v, result.Sub("bytes", bytes))
		} else {
			stage = result.Msg("path.stage-during-handshake", v, result.Sub("bytes", bytes))
		}
	}
	idle := result.Message{}
	if gap := r.Idle; gap >= IdleResetMin {
		idle = result.Msg("path.idle-timeout", param.Dur("idle", gap))
	}
	after := result.Message{}
	if d := int(r.From); c.Side[d].LastPayload.Frame > r.Frame {
		after = result.Msg("path.kept-sending", claimed, result.Int("frame", c.Side[d].LastPayload.Num()))
		j.evidence(c.Side[d].LastPayload, "ev.data-after-forged-rst", claimed)
	}
	j.verdict(result.VerdictMiddleboxReset, "reason.middlebox-reset", claimed, result.Sub("stage", stage), j.vp.here("here"),
		j.rstTTL("ttl", i), result.Sub("idle", idle), result.Sub("after", after))
	return true
}

// classifyIdleReset: the peer itself reset the connection after a long silence.
func (j *judge) classifyIdleReset() bool {
	c := j.c
	r, ok := c.FirstRST()
	if !ok || c.FINBefore(r.Time()) || !c.SYNAck.Seen() {
		return false
	}
	gap := r.Idle
	if gap < IdleResetMin {
		return false
	}
	who := int(r.From)
	j.evidence(r.Ref, "ev.rst-after-silence", param.Side("side", who), param.Dur("idle", gap), result.Int("ttl", int(r.TTL)))
	j.verdict(result.VerdictReset, "reason.idle-reset", param.Side("side", who), param.Dur("idle", gap))
	if c.Side[who].LastPayload.Frame < r.Frame && c.Side[1-who].LastPayload.Frame > c.Side[who].LastPayload.Frame {
		// The other side's data after the silence was answered by the reset: the connection was
		// half-open, one end had already forgotten it.
		j.d.Flags = append(j.d.Flags, "half-open")
	}
	return true
}

// blackhole is one side's data that the path swallowed.
type blackhole struct {
	from      int             // the side whose data was lost
	lost      []facts.Segment // sender vantage: segments retransmitted and never acknowledged
	hole      bool            // receiver vantage: bytes that never arrived
	mtu       bool
	passedMax int // largest segment of that side that got through
	passedRef facts.Ref
}

// findBlackhole looks, on an established connection, for one side's data lost for good: seen
// leaving and retransmitted without an acknowledgement (the capture is on the sender's side), or
// a gap in its sequence space the receiver never acknowledges (on the receiver's side).
func findBlackhole(c *facts.Conn, end time.Time) (blackhole, bool) {
	if !c.SYNAck.Seen() {
		return blackhole{}, false
	}
	ps := &c.Path
	for _, d := range []int{facts.Server, facts.Client} {
		s, peer := &ps.Side[d], &ps.Side[1-d]
		if rst, ok := c.FirstRST(); ok && int(rst.From) == 1-d {
			continue // the receiver reset: not silence
		}
		l := s.R().Loss
		if l == nil {
			continue
		}
		var b blackhole
		b.from = d
		minLost := 0
		for _, o := range l.Out {
			// Resent and still unacknowledged a second after it was first sent: not a loss the
			// capture merely ended in the middle of.
			if o.Sends >= 2 && end.Sub(o.First.Time()) >= time.Second {
				b.lost = append(b.lost, o)
				if minLost == 0 || o.Len < minLost {
					minLost = o.Len
				}
			}
		}
		if len(b.lost) > 0 {
			b.passedMax = l.MaxAcked
			// Smaller segments sent after the lost one, never retransmitted, while the peer sent
			// duplicate ACKs: they arrived (each duplicate ACK answers a segment past the gap).
			if peer.DupMax > 0 && peer.R().DupRef.Frame > b.lost[0].First.Frame {
				for _, o := range l.Out {
					if o.Sends == 1 && o.Len < minLost && o.Len > b.passedMax {
						b.passedMax, b.passedRef = o.Len, o.First
					}
				}
				b.mtu = minLost >= largeSegment && b.passedRef.Seen()
			}
			return b, true
		}
		if l.Hole && !l.HoleFilled && (!peer.AckSet || seqLE(peer.AckMax, l.HoleStart)) && end.Sub(l.HoleAfter.Time()) >= time.Second {
			b.hole = true
			b.passedMax, b.passedRef = l.HoleAfterLen, l.HoleAfter
			b.mtu = int(l.HoleEnd-l.HoleStart) >= largeSegment && l.HoleAfterLen < largeSegment
			return b, true
		}
	}
	return blackhole{}, false
}

// seqLE reports whether a <= b in sequence-number arithmetic.
func seqLE(a, b uint32) bool { return int32(b-a) >= 0 }

// classifyBlackhole: data-blackhole or mtu-blackhole.
func (j *judge) classifyBlackhole(end time.Time) bool {
	c := j.c
	b, ok := findBlackhole(c, end)
	if !ok {
		return false
	}
	who, peer := param.Side("side", b.from), param.Side("peer", 1-b.from)
	v := result.VerdictDataBlackhole
	if b.mtu {
		v = result.VerdictMTUBlackhole
	}
	var what result.Message
	if b.hole {
		l := c.Path.Side[b.from].R().Loss
		size := int64(l.HoleEnd - l.HoleStart)
		syn := c.Side[b.from].SYNSeq
		rel := []result.Arg{result.Int64("from_seq", int64(l.HoleStart-syn)), result.Int64("to_seq", int64(l.HoleEnd-syn))}
		j.evidence(l.HoleAfter, "ev.segment-after-gap", append([]result.Arg{result.Int("len", l.HoleAfterLen), who, result.Int64("size", size)}, rel...)...)
		if pd := &c.Path.Side[1-b.from]; pd.R().DupRef.Seen() {
			j.evidence(pd.R().DupRef, "ev.dup-ack-waiting", peer)
		}
		what = result.Msg("path.hole", append([]result.Arg{result.Int64("size", size), who, j.vp.here("here"), result.Int("len", l.HoleAfterLen),
			result.Int("frame", l.HoleAfter.Num()), peer, param.Dur("after", end.Sub(l.HoleAfter.Time()))}, rel...)...)
	} else {
		o := b.lost[0]
		j.evidence(o.First, "ev.segment-first-sent", result.Int("len", o.Len), who)
		j.evidence(o.Last, "ev.segment-resent", result.Sub("nth", ordinal(o.Sends)), param.Dur("after", o.Last.Time().Sub(o.First.Time())))
		sizes := make([]string, len(b.lost))
		for i, l := range b.lost {
			sizes[i] = strconv.Itoa(l.Len)
		}
		what = result.Msg("path.lost", who, result.Int("segments", len(sizes)), param.Texts("sizes", sizes), result.Int("sends", o.Sends),
			param.Dur("over", o.Last.Time().Sub(o.First.Time())), j.vp.here("here"))
		if pd := &c.Path.Side[1-b.from]; pd.R().DupRef.Seen() && pd.R().DupRef.Frame > o.First.Frame {
			j.evidence(pd.R().DupRef, "ev.dup-ack-past-loss", peer)
		}
		if b.passedRef.Seen() {
			j.evidence(b.passedRef, "ev.segment-passed", result.Int("len", b.passedMax), who)
		}
	}
	for _, ic := range c.ICMP() {
		if kindOf(ic) == icmpFragNeeded {
			j.evidence(ic.Ref, "ev.icmp-frag-needed", icmpName("icmp", ic), j.icmpSender("from", ic), result.Int("mtu", int(ic.MTU)))
			j.verdict(result.VerdictPathMTU, "reason.frag-needed-ignored", result.Sub("what", what), j.icmpSender("from", ic),
				result.Int("mtu", int(ic.MTU)), result.Int("frame", ic.Num()))
			return true
		}
	}
	if b.mtu {
		j.verdict(v, "reason.mtu-blackhole", result.Sub("what", what), who, result.Int("passed", b.passedMax))
		return true
	}
	passed := result.Message{}
	if b.passedMax > 0 && !b.hole {
		passed = result.Msg("path.passed-before", result.Int("passed", b.passedMax), who)
	}
	down := result.Message{}
	switch h, later := hostAfterLoss(c, b); {
	case !later.ref.Seen():
		down = result.Msg("path.or-host-down", param.Side("host", h))
	default:
		// The host the loss names sent a packet after it began: it was up, and only the path is left.
		what := result.Msg(later.key)
		if !slices.ContainsFunc(j.d.Evidence, func(e result.Evidence) bool { return e.Frame == later.ref.Num() }) {
			j.evidence(later.ref, "ev.host-sent-later", result.Sub("what", what), param.Side("host", h))
		}
		if b.hole {
			down = result.Msg("path.host-up-hole", param.Side("host", h), result.Sub("what", what), result.Int("frame", later.ref.Num()))
		} else {
			down = result.Msg("path.host-up-lost", param.Side("host", h), result.Sub("what", what), result.Int("frame", later.ref.Num()), who)
		}
	}
	j.verdict(v, "reason.data-blackhole", result.Sub("what", what), result.Sub("down", down), result.Sub("passed", passed))
	return true
}

// laterPacket is a packet a host sent after a loss began, and the message key that names what
// it was.
type laterPacket struct {
	ref facts.Ref
	key string
}

// hostAfterLoss names the host whose silence a blackhole's packets show as well as a path that
// drops them: seen from the sender, the receiver that never acknowledged the data; seen from the
// receiver, the sender that never filled the hole. A crashed, hung or unplugged host gives the
// same packets, unless it sent anything after the loss began: data, a duplicate ACK, a FIN, a
// reset or a pure ACK that does not cover the data. Then it was up and only the path remains:
// later is the first such packet the record shows (unset when the host stayed silent).
//
// Seen from the sender, a packet of the host that arrives less than a round trip after the data
// first went was sent before that data could reach it: it shows the host up before, not after,
// and does not count. The round trip is the handshake's (the last SYN to the SYN-ACK), which is
// the whole of it where the capture is beside the client; beside the server it is a floor.
func hostAfterLoss(c *facts.Conn, b blackhole) (host int, later laterPacket) {
	l := c.Path.Side[b.from].R().Loss
	var since int32
	var notBefore time.Time // the zero time: no bound
	last := l.PeerLast      // the host's latest packet
	if b.hole {
		host, since, last = b.from, l.HoleAfter.Frame, l.Last
	} else {
		host, since = 1-b.from, b.lost[0].First.Frame
		notBefore = b.lost[0].First.Time().Add(handshakeRTT(c))
	}
	consider := func(r facts.Ref, key string) {
		if r.Frame > since && !r.Time().Before(notBefore) && (!later.ref.Seen() || r.Frame < later.ref.Frame) {
			later = laterPacket{r, key}
		}
	}
	consider(c.Side[host].LastPayload, "path.sent-data")
	consider(c.Path.Side[host].R().DupRef, "path.sent-dup-ack")
	consider(c.Side[host].FIN, "path.sent-fin")
	for _, r := range c.RSTs {
		if int(r.From) == host {
			consider(r.Ref, "path.sent-rst")
		}
	}
	if !later.ref.Seen() {
		// None of the kinds above: a packet without data, flags aside (a pure ACK, a
		// retransmitted FIN).
		consider(last, "path.sent-packet")
	}
	return host, later
}

// handshakeRTT is the time from the last SYN before the SYN-ACK to the SYN-ACK (0 when the record
// holds no SYN-ACK, or no SYN before it).
func handshakeRTT(c *facts.Conn) time.Duration {
	var rtt time.Duration
	for _, sy := range c.SYNs {
		if c.SYNAck.Seen() && !sy.Time().After(c.SYNAck.Time()) {
			rtt = c.SYNAck.Time().Sub(sy.Time())
		}
	}
	return rtt
}

func ordinal(n int) result.Message {
	switch n {
	case 1:
		return result.Msg("ordinal.1")
	case 2:
		return result.Msg("ordinal.2")
	case 3:
		return result.Msg("ordinal.3")
	}
	return result.Msg("ordinal.n", result.Int("n", n))
}
