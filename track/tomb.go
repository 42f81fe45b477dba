package track

import (
	"net/netip"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/track/path"
	"github.com/connscope/connscope/track/zeek"
)

// tombGrace is how long, at most, a closed connection stays a whole flow before it becomes a
// tomb: long enough for the packets that follow a close within a round trip (the last ACK, a
// retransmitted FIN, data in flight met by a reset), which are then parsed in full; short,
// because at a busy server's rate of connections the flows within it are most of the tracker's
// memory. A connection whose handshake showed its round trip waits graceRTTs of them, in steps
// of graceSteps (a tenth, a third, all of tombGrace); one without waits tombGrace.
const tombGrace = 500 * time.Millisecond

// graceRTTs is how many handshake round trips a closed connection stays whole: the packets in
// flight both ways when it closed, and a delayed ACK's wait, arrive within them.
const graceRTTs = 8

// graceSteps divide the longest grace period (tombGrace, or what a test sets): a closed flow
// waits the shortest step of at least graceRTTs round trips. Each step has its own queue, in
// which flows come in the order they closed.
var graceSteps = [...]time.Duration{10, 3, 1}

// graceStep returns the step of the grace period, of the tracker's longest, max, that a closed
// flow whose handshake took the round trip rtt (0: not seen) waits.
func graceStep(rtt, max time.Duration) int {
	if rtt <= 0 {
		return len(graceSteps) - 1
	}
	for i, div := range graceSteps {
		if graceRTTs*rtt <= max/div {
			return i
		}
	}
	return len(graceSteps) - 1
}

// tomb is a connection closed for its grace period, kept until Config.ClosedLinger for late packets
// as its record encoded by the tracker's Codec (a few hundred bytes, where a flow with its
// parsers and ladder takes several kilobytes) and the little state a late packet updates. A
// capture's closed connections linger for seconds while new ones arrive at its rate, so they
// outnumber the open ones many times: tombs keep the tracker's memory a small multiple of the
// connections actually open.
//
// A late packet counts toward the record's packets, bytes, retransmissions, SYN, FIN and reset
// facts, Zeek state and history, ladder, and the path's SYN-ACK count, IP ID and highest ACK.
// Its payload is not parsed (the streams stopped at the close), and it does not change the
// duplicate-ACK, zero-window and loss facts.
type tomb struct {
	rec     []byte // the record (facts) but for End, ConnState and History
	key     flowKey
	gone    bool   // finished: what still points to it (tombQ) lets go of it
	gen     uint32 // how many tombs it was before this one (tombPool)
	zeek    zeek.Conn
	id      int
	client  netip.AddrPort
	last    time.Time
	lastGap time.Duration // between the last two packets, and the two before (for a reset's idle)
	prevGap time.Duration
	seqMax  [2]uint32 // per side, as side.seqMax and seqMaxSet
	seqSet  [2]bool
	// sightings are the flow's, kept apart from the record (Config.Sightings).
	sightings *facts.Sightings
	noLadder  bool // the record keeps no ladder (Config.LadderUnneeded), nor do late packets add to it
}

// bury turns a closed flow into a tomb and frees the flow.
func (a *Tracker) bury(f *flow) *tomb {
	c := &a.recScratch.conn
	f.fillFacts(c, &a.recScratch)
	noLadder := a.cfg.LadderUnneeded != nil && f.sightings == nil && a.cfg.LadderUnneeded(c)
	if !noLadder {
		var omitted int
		c.Ladder, omitted = f.ladder.ordered()
		c.LadderOmitted = int32(omitted)
	}
	t := a.tombPool.get()
	t.id, t.key, t.client, t.last = f.id, f.key, f.client, f.last
	t.lastGap, t.prevGap = f.path.Gaps()
	t.zeek, t.sightings, t.noLadder = f.zeek.Clone(), f.sightings, noLadder
	for d := range f.side {
		t.seqMax[d], t.seqSet[d] = f.side[d].seqMax, f.side[d].seqMaxSet
	}
	a.scratch = a.codec.Encode(a.scratch[:0], c)
	t.rec = keep(t.rec, a.scratch)
	if f.ladder.packets != nil {
		a.shared.ladders.giveBack(f.ladder.packets)
		f.ladder = ladder{}
	}
	f.release()
	a.pool.put(f)
	return t
}

// record decodes the tomb's record.
func (a *Tracker) tombRecord(t *tomb) *facts.Conn { return tombDecode(&a.codec, t.rec) }

// tombDecode decodes a tomb's record, which the tracker wrote with codec: a failure is a bug,
// not bad input.
func tombDecode(codec *facts.Codec, rec []byte) *facts.Conn {
	c, err := codec.Decode(rec)
	if err != nil {
		panic("track: a tomb's record does not decode: " + err.Error())
	}
	return c
}

// finishTomb hands the tomb's record, settled at a.now, to the sink (or, encoded, to
// Config.EndedSink).
func (a *Tracker) finishTomb(t *tomb) {
	t.gone = true
	t.zeek.Finish()
	e := Ended{rec: t.rec, codec: &a.codec, end: facts.MakeRef(0, a.now), connState: t.zeek.ConnState(),
		history: a.shared.history(t.zeek.History()), sightings: t.sightings}
	if a.cfg.EndedSink != nil {
		t.rec = nil // the sink's now
		a.cfg.EndedSink(e)
	} else if c := e.Record(); !a.sink(c) && !a.cfg.OwnLadders {
		c.Ladder, c.LadderOmitted = nil, 0
	}
	a.tombPool.put(t)
}

// Ended is the record of a connection that ended as a tomb, still encoded by the tracker's
// Codec, and what its end settled.
type Ended struct {
	rec                []byte
	codec              *facts.Codec
	end                facts.Ref
	connState, history string
	sightings          *facts.Sightings
}

// Record decodes the record. It may be called on another goroutine than the tracker's, once
// the Ended was handed over (facts.Codec); each call decodes a record of its own.
func (e Ended) Record() *facts.Conn { return e.settle(tombDecode(e.codec, e.rec)) }

// RecordScratch is Record decoded into s (facts.Codec.DecodeScratch): the record is gone with
// the next one decoded there.
func (e Ended) RecordScratch(s *facts.Scratch) *facts.Conn {
	c, err := e.codec.DecodeScratch(e.rec, s)
	if err != nil {
		panic("track: a tomb's record does not decode: " + err.Error())
	}
	return e.settle(c)
}

// settle sets what the end settled on c, the record decoded.
func (e Ended) settle(c *facts.Conn) *facts.Conn {
	c.End = e.end
	c.ConnState, c.History = e.connState, e.history
	if e.sightings != nil {
		c.Extra().Sightings = e.sightings
	}
	return c
}

// startsNewConnection is flow.startsNewConnection for a tomb: on a closed connection, any SYN
// but a retransmission of the side's own is a new connection.
func (t *tomb) startsNewConnection(c *facts.Conn, src netip.AddrPort, p *capture.Packet) bool {
	if p.TCP.Flags&(capture.FlagSYN|capture.FlagACK) != capture.FlagSYN {
		return false
	}
	s := &c.Side[t.dirOf(src)]
	return !s.SYNSeen || s.SYNSeq != p.TCP.Seq
}

func (t *tomb) dirOf(src netip.AddrPort) int {
	if src == t.client {
		return fromClient
	}
	return fromServer
}

// late takes a packet of a tomb's connection: it returns false, changing nothing, when the
// packet begins a new connection on the same endpoints.
func (a *Tracker) late(t *tomb, src netip.AddrPort, p *capture.Packet) bool {
	c := a.tombRecord(t)
	if t.startsNewConnection(c, src, p) {
		return false
	}
	d := t.dirOf(src)
	tcp := &p.TCP
	if t.sightings != nil {
		addSighting(t.sightings, d, p)
	}
	r := facts.MakeRef(p.Index, p.Time)
	t.prevGap, t.lastGap = t.lastGap, p.Time.Sub(t.last)
	t.last = p.Time
	c.Last = r
	noteLateDamage(c, p, r)
	s := &c.Side[d]
	s.Packets++
	s.Bytes += int64(tcp.PayloadLen)
	if len(tcp.Payload) < tcp.PayloadLen {
		c.SnaplenCut++
	}
	t.zeek.Packet(d, tcp)
	lp := facts.LadderPacket{At: r, From: uint8(d), Flags: tcp.Flags,
		PayloadLen: int32(min(tcp.PayloadLen, 1<<31-1))}

	syn, ack, rst := tcp.Flags&capture.FlagSYN != 0, tcp.Flags&capture.FlagACK != 0, tcp.Flags&capture.FlagRST != 0
	ps := &c.Path.Side[d]
	if rst {
		c.RSTCount++
		if len(c.RSTs) < maxRSTRefs {
			c.RSTs = append(c.RSTs, facts.RST{Ref: r, From: uint8(d), TTL: p.TTL, IPID: p.IPID,
				Idle: max(t.lastGap, t.prevGap)})
		}
	} else {
		ps.IPID, ps.IPIDSet = p.IPID, true
		if ack && !syn && (!ps.AckSet || path.SeqLE(ps.AckMax, tcp.Ack)) {
			ps.AckMax, ps.AckSet = tcp.Ack, true
		}
		if syn && ack && d == fromServer {
			if n := int(c.Path.SYNAcks); n > 0 && n < facts.MaxSYNAcks {
				x := c.Extra()
				x.SYNAcks = append(x.SYNAcks, r)
			}
			c.Path.SYNAcks++
		}
	}
	if syn && !ack && d == fromClient {
		c.SYNCount++ // a retransmission of the client's SYN (a new one starts a new connection)
		if len(c.SYNs) < maxSYNRefs {
			c.SYNs = append(c.SYNs, r)
		}
	}
	if syn && ack && d == fromServer && !c.SYNAck.Seen() {
		c.SYNAck = r
	}
	if syn && !s.SYNSeen {
		s.SYNSeen, s.SYNSeq = true, tcp.Seq
	}
	if tcp.Flags&capture.FlagFIN != 0 && !s.FIN.Seen() {
		s.FIN = r
	}
	if tcp.PayloadLen != 0 {
		end := tcp.Seq + uint32(tcp.PayloadLen)
		switch {
		case !t.seqSet[d]:
			t.seqMax[d], t.seqSet[d] = end, true
		case int32(end-t.seqMax[d]) <= 0:
			s.Retrans++
			lp.Retrans = true
		default:
			t.seqMax[d] = end
		}
		if !s.FirstPayload.Seen() {
			s.FirstPayload = r
		}
		s.LastPayload = r
	}
	if !t.noLadder {
		addLadder(c, lp)
	}
	a.rewrite(t, c)
	return true
}

// lateICMP attaches an ICMP error quoting one of a tomb's packets to its record.
func (a *Tracker) lateICMP(t *tomb, p *capture.Packet, quotedSrc netip.AddrPort) {
	c := a.tombRecord(t)
	if len(c.ICMP()) >= maxICMPRefs {
		return
	}
	x := c.Extra()
	q := &p.ICMP
	noteLateDamage(c, p, facts.MakeRef(p.Index, p.Time))
	x.ICMP = append(x.ICMP, facts.ICMP{Ref: facts.MakeRef(p.Index, p.Time), V6: q.V6, Type: q.Type, Code: q.Code,
		Router: p.SrcIP, MTU: q.MTU, FromClient: quotedSrc == t.client, TTL: p.TTL})
	a.rewrite(t, c)
}

// rewrite stores c as t's record.
func (a *Tracker) rewrite(t *tomb, c *facts.Conn) {
	a.scratch = a.codec.Encode(a.scratch[:0], c)
	t.rec = keep(t.rec, a.scratch)
}

// keep copies rec into buf when it fits (a reused tomb's buffer), else into a buffer of its size.
func keep(buf, rec []byte) []byte {
	if len(rec) <= cap(buf) {
		return append(buf[:0], rec...)
	}
	return append([]byte(nil), rec...)
}

// addLadder appends a packet to a record's ladder as the flow's ladder would have kept it: the
// first result.LadderHead packets, then the last result.LadderTail, counting those dropped
// between.
func addLadder(c *facts.Conn, p facts.LadderPacket) {
	if len(c.Ladder) < ladderCap {
		c.Ladder = append(c.Ladder, p)
		return
	}
	tail := c.Ladder[result.LadderHead:]
	copy(tail, tail[1:])
	tail[len(tail)-1] = p
	c.LadderOmitted++
}
