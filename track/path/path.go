// Package path gathers what a TCP connection's packets show about the path between client and
// server, packet by packet, in fixed-size fields: TTLs and IP IDs, acknowledgements, duplicate
// ACKs, zero windows, unacknowledged data, holes, and the silence before each reset. Its State
// gives a record its path facts (facts.Path).
package path

import (
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/stamp"
)

// State is what a connection's packets show about the path between client and server, gathered
// packet by packet in fixed-size fields (no allocation per packet): TTLs and IP IDs per side,
// acknowledgements, duplicate ACKs, zero windows, the data still unacknowledged, holes in a side's
// sequence space, and the silence before each reset.
type State struct {
	side         [2]side
	synAcks      int                     // SYN-ACKs from the server, retransmissions included
	synAckRefs   [4]facts.Ref            // the first few
	handshakeAck facts.Ref               // the client's first ACK after the first SYN-ACK
	rtt          time.Duration           // last SYN to that ACK: one round trip wherever the capture is
	rst          [facts.MaxRSTs]rstFacts // for f.rsts[i]
	lastGap      time.Duration           // silence before the latest packet of the flow
	prevGap      time.Duration           // silence before the packet before it
	started      bool
}

// rstFacts is what a reset showed beyond its frame and TTL.
type rstFacts struct {
	ipid uint16
	// sideIPID is the IP ID of the claimed side's latest packet before the reset that was not a
	// reset (sideIPIDSet: it had sent one).
	sideIPID    uint16
	sideIPIDSet bool
	// idle is the silence that preceded the reset or the packet it answers: the larger of the
	// gap before the RST and the gap before the packet just before it.
	idle time.Duration
}

// maxOutstanding is how many unacknowledged data segments are kept per side: enough to name the
// lost segments of a stalled flight, small enough to keep a flow's size fixed.
const maxOutstanding = facts.MaxOutstanding

// side is one direction's share of State.
type side struct {
	ttl     uint8 // TTL / hop limit of this side's first packet that is not a RST
	ttlRef  facts.Ref
	ttlSet  bool
	ipid    uint16 // IP ID of this side's latest packet that is not a RST
	ipidSet bool
	last    facts.Ref // this side's latest packet, a RST too

	ackMax    uint32 // highest acknowledgement number this side sent
	ackSet    bool
	lastAck   uint32
	lastWin   uint16
	dupRun    int       // current run of duplicate ACKs
	dupMax    int       // longest run
	dupRef    facts.Ref // first duplicate ACK of the longest run
	runRef    facts.Ref // first duplicate ACK of the current run
	dupRuns   int       // runs of 3 or more (a fast retransmit's trigger)
	zeroWin   int
	zeroRef   facts.Ref
	inZero    bool          // the latest window this side advertised was zero
	zeroStart facts.Ref     // when the current zero-window period began
	zeroMax   time.Duration // longest zero-window period that ended

	// Data this side sent that its peer has not acknowledged yet, oldest first.
	out  [maxOutstanding]outSeg
	nOut int
	// maxAcked is the largest of this side's segments that the peer acknowledged.
	maxAcked int
	// hole: this side's data arrived with a gap before it (bytes the capture never saw); the
	// first such gap, the segment after it, and whether a later segment filled it.
	hole       bool
	holeFilled bool
	holeStart  uint32
	holeEnd    uint32
	holeAfter  facts.Ref
	holeAftLen int
	// outOfOrder counts segments that filled the latest gap in this side's data with bytes never
	// seen, sooner after the data past the gap than a round trip (Wireshark's timing rule, 3 ms
	// without a handshake): reordered on the way, not retransmitted.
	outOfOrder int
	gapStart   uint32 // the latest gap in this side's data (gapStart == gapEnd: none)
	gapEnd     uint32
	maxSeqAt   int64 // when this side's highest segment so far was seen (Unix ns)
}

// outSeg is one data segment not yet acknowledged.
type outSeg struct {
	seq, end    uint32
	n           int32
	sends       int32
	first, last facts.Ref
}

// outstanding returns the side's unacknowledged segments, oldest first.
func (s *side) outstanding() []outSeg { return s.out[:s.nOut] }

// seqLE reports whether a <= b in sequence-number arithmetic.
func SeqLE(a, b uint32) bool { return int32(b-a) >= 0 }

// Seen is what a connection had seen of one side's data before a packet: the end of its highest
// segment (SeqMax, when SeqMaxSet) and its SYN's sequence number (when SYNSeen).
type Seen struct {
	SeqMax    uint32
	SeqMaxSet bool
	SYNSeen   bool
	SYNSeq    uint32
}

// Packet updates the path facts with one of the connection's packets, from side d (facts.Client
// or facts.Server). last is the time of the connection's packet before it, rsts the resets it
// had before it, lastSYN the client's latest SYN (not Seen: none), and seen what it had seen of
// side d's data.
func (ps *State) Packet(d int, p *capture.Packet, last time.Time, rsts int, lastSYN facts.Ref, seen Seen) {
	t := &p.TCP
	s := &ps.side[d]
	r := facts.MakeRef(p.Index, p.Time)
	if ps.started {
		ps.prevGap, ps.lastGap = ps.lastGap, stamp.Sub(p.Time, last)
	}
	ps.started = true
	s.last = r
	rst := t.Flags&capture.FlagRST != 0
	syn := t.Flags&capture.FlagSYN != 0
	ack := t.Flags&capture.FlagACK != 0
	if rst {
		if rsts < facts.MaxRSTs {
			ps.rst[rsts] = rstFacts{ipid: p.IPID, idle: max(ps.lastGap, ps.prevGap), sideIPID: s.ipid, sideIPIDSet: s.ipidSet}
		}
		return
	}
	if !s.ttlSet {
		s.ttl, s.ttlRef, s.ttlSet = p.TTL, r, true
	}
	s.ipid, s.ipidSet = p.IPID, true
	if syn && ack && d == facts.Server {
		if ps.synAcks < len(ps.synAckRefs) {
			ps.synAckRefs[ps.synAcks] = r
		}
		ps.synAcks++
	}
	if ack && !syn && d == facts.Client && ps.synAcks > 0 && !ps.handshakeAck.Seen() {
		ps.handshakeAck = r
		if lastSYN.Seen() {
			ps.rtt = stamp.Sub(r.Time(), lastSYN.Time())
		}
	}
	if ack && !syn {
		ps.ack(d, t, r)
	}
	if t.PayloadLen > 0 {
		ps.data(d, t, r, seen)
	}
}

// ack takes an acknowledgement from side d: it retires the peer's acknowledged segments and
// counts duplicate ACKs and zero windows.
func (ps *State) ack(d int, t *capture.TCPHeader, r facts.Ref) {
	s := &ps.side[d]
	peer := &ps.side[1-d]
	a := t.Ack
	pure := t.PayloadLen == 0 && t.Flags&(capture.FlagFIN|capture.FlagSYN) == 0
	if pure && s.ackSet && a == s.lastAck && t.Window == s.lastWin && t.Window != 0 && peer.nOut > 0 {
		s.dupRun++
		if s.dupRun == 1 {
			s.runRef = r
		}
		if s.dupRun == 3 {
			s.dupRuns++
		}
		if s.dupRun > s.dupMax {
			s.dupMax, s.dupRef = s.dupRun, s.runRef
		}
	} else {
		s.dupRun = 0
	}
	if t.Window == 0 {
		if s.zeroWin == 0 {
			s.zeroRef = r
		}
		s.zeroWin++
		if !s.inZero {
			s.inZero, s.zeroStart = true, r
		}
	} else if s.inZero {
		s.inZero = false
		s.zeroMax = max(s.zeroMax, stamp.Sub(r.Time(), s.zeroStart.Time()))
	}
	s.lastAck, s.lastWin = a, t.Window
	if !s.ackSet || SeqLE(s.ackMax, a) {
		s.ackMax, s.ackSet = a, true
	}
	// Retire the peer's segments this ACK covers.
	k := 0
	for k < peer.nOut && SeqLE(peer.out[k].end, a) {
		peer.maxAcked = max(peer.maxAcked, int(peer.out[k].n))
		k++
	}
	if k > 0 {
		copy(peer.out[:], peer.out[k:peer.nOut])
		peer.nOut -= k
	}
}

// data takes a data segment from side d, which had seen side before it.
func (ps *State) data(d int, t *capture.TCPHeader, r facts.Ref, side Seen) {
	s := &ps.side[d]
	seq := DataSeq(t)
	end := seq + uint32(t.PayloadLen)
	// Where this side's data seen so far ends: its highest segment end, or its SYN's sequence
	// number + 1 before any data.
	seen, seenSet := side.SeqMax, side.SeqMaxSet
	if !seenSet && side.SYNSeen {
		seen, seenSet = side.SYNSeq+1, true
	}
	if seenSet && !SeqLE(seq, seen) {
		// The segment starts beyond everything seen: the bytes between never passed here.
		s.gapStart, s.gapEnd = seen, seq
		if !s.hole {
			s.hole, s.holeStart, s.holeEnd, s.holeAfter, s.holeAftLen = true, seen, seq, r, t.PayloadLen
		}
	}
	if !seenSet || !SeqLE(end, seen) {
		s.maxSeqAt = r.UnixNano()
	}
	if s.hole && !s.holeFilled && SeqLE(end, s.holeEnd) && !SeqLE(end, s.holeStart) {
		s.holeFilled = true
	}
	if peer := &ps.side[1-d]; peer.ackSet && SeqLE(end, peer.ackMax) {
		return // already acknowledged: a spurious retransmission
	}
	for i := range s.outstanding() {
		if o := &s.out[i]; o.seq == seq {
			o.sends++
			o.last = r
			if end != o.end && SeqLE(o.end, end) {
				o.end, o.n = end, int32(t.PayloadLen)
			}
			return
		}
	}
	peer := &ps.side[1-d]
	fastRetransmit := peer.dupRun >= 2 && peer.lastAck == seq // asked for by duplicate ACKs
	inGap := s.gapStart != s.gapEnd && SeqLE(s.gapStart, seq) && SeqLE(end, s.gapEnd)
	if seenSet && SeqLE(end, seen) && end != seen && inGap && !fastRetransmit && time.Duration(r.UnixNano()-s.maxSeqAt) < ps.oooThreshold() {
		// Bytes never seen, in the latest gap, within a round trip of the data past it (timed
		// from the highest segment, as Wireshark does): reordered on the way.
		s.outOfOrder++
	}
	if s.nOut == maxOutstanding {
		copy(s.out[:], s.out[1:])
		s.nOut--
	}
	sends := 1
	if side.SeqMaxSet && SeqLE(end, side.SeqMax) {
		sends = 2 // a retransmission of a segment sent before the capture saw it
	}
	// Field by field, in place: a literal is built on the stack in words and copied in blocks,
	// which stalls store forwarding, on every data packet.
	o := &s.out[s.nOut]
	o.seq, o.end, o.n, o.first, o.last, o.sends = seq, end, int32(t.PayloadLen), r, r, int32(sends)
	s.nOut++
}

// oooThreshold is the time within which a segment that fills a gap counts as reordered rather
// than retransmitted: the handshake's round trip, or 3 ms without one (as Wireshark decides).
func (ps *State) oooThreshold() time.Duration {
	if ps.rtt > 0 {
		return ps.rtt
	}
	return 3 * time.Millisecond
}

// RTT returns the handshake's round trip (the client's last SYN to its ACK of the SYN-ACK), or
// 0 when the capture did not show it.
func (ps *State) RTT() time.Duration { return ps.rtt }

// Record sets c's path facts; the SYN-ACKs after the first go to c's extra.
func (ps *State) Record(c *facts.Conn) {
	c.Path = facts.Path{SYNAcks: int32(ps.synAcks), HandshakeAck: ps.handshakeAck}
	if n := min(ps.synAcks, len(ps.synAckRefs)); n > 1 {
		x := c.Extra()
		x.SYNAcks = make([]facts.Ref, n-1)
		for i := 1; i < n; i++ {
			x.SYNAcks[i-1] = ps.synAckRefs[i]
		}
	}
	for d := range ps.side {
		s := &ps.side[d]
		o := &c.Path.Side[d]
		// Field by field: a literal built on the stack and copied in blocks stalls.
		o.TTL, o.TTLSet, o.TTLRef, o.IPID, o.IPIDSet = s.ttl, s.ttlSet, s.ttlRef, s.ipid, s.ipidSet
		o.AckSet, o.AckMax, o.DupMax, o.DupRuns = s.ackSet, s.ackMax, int32(s.dupMax), int32(s.dupRuns)
		o.ZeroWin, o.InZero, o.OutOfOrder, o.Rare = int32(s.zeroWin), s.inZero, int32(s.outOfOrder), nil
		resent := false
		for _, seg := range s.outstanding() {
			resent = resent || seg.sends >= 2
		}
		if s.dupRef.Seen() || s.zeroWin > 0 || resent || s.hole {
			r := &facts.PathRare{DupRef: s.dupRef, ZeroRef: s.zeroRef, ZeroStart: s.zeroStart, ZeroMax: s.zeroMax}
			if resent || s.hole {
				l := &facts.Loss{MaxAcked: s.maxAcked, Hole: s.hole, HoleFilled: s.holeFilled, HoleStart: s.holeStart,
					HoleEnd: s.holeEnd, HoleAfter: s.holeAfter, HoleAfterLen: s.holeAftLen, Last: s.last, PeerLast: ps.side[1-d].last}
				for _, seg := range s.outstanding() {
					l.Out = append(l.Out, facts.Segment{Seq: seg.seq, End: seg.end, Len: int(seg.n), Sends: int(seg.sends),
						First: seg.first, Last: seg.last})
				}
				r.Loss = l
			}
			o.Rare = r
		}
	}
}

// DataSeq is the sequence number of a segment's first data byte: data carried in a SYN (TCP Fast
// Open) starts after the SYN's own sequence number.
func DataSeq(t *capture.TCPHeader) uint32 {
	if t.Flags&capture.FlagSYN != 0 {
		return t.Seq + 1
	}
	return t.Seq
}

// Gaps are the silence before the connection's latest packet and before the one before it.
func (ps *State) Gaps() (last, prev time.Duration) { return ps.lastGap, ps.prevGap }

// RST sets what the i-th reset showed beyond its frame and TTL in r: its IP ID, the IP ID of
// the claimed side's latest packet before it, and the silence before it or the packet it answers.
func (ps *State) RST(i int, r *facts.RST) {
	x := &ps.rst[i]
	r.IPID, r.Idle, r.SideIPID, r.SideIPIDSet = x.ipid, x.idle, x.sideIPID, x.sideIPIDSet
}
