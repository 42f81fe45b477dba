package track

import (
	"net/netip"
	"time"

	"github.com/connscope/connscope/track/ladder"

	"github.com/connscope/connscope/track/flowkey"

	"github.com/connscope/connscope/internal/stamp"
	"github.com/connscope/connscope/track/timeq"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/track/arena"
	"github.com/connscope/connscope/track/path"
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
	if rtt <= 0 || rtt > max/graceRTTs {
		return len(graceSteps) - 1 // also a round trip of years (times that jump), which graceRTTs*rtt would overflow
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
// duplicate-ACK, zero-window and loss facts, but for the latest packet of each side that a loss
// keeps (facts.Loss Last and PeerLast).
//
// A tomb holds no pointers, nor does anything that keeps tombs, so that the garbage collector
// has nothing to scan in them: tombs are kept by index in a slab (package slab), found by key
// in a table of indexes (package indexmap); what a late packet updates besides the record
// (tombstate.go), the record and the Zeek history, encoded one after the other, in the
// tracker's arena of records (package arena), to which a late packet appends them anew; the
// sightings, of the rare tomb that has them, in a map by index. A finished tomb's record leaves
// the arena as a copy of its own (Ended). A tomb so takes, on a busy server's capture, about
// 400 bytes: 88 in the slab, 8 in the table, 24 in the queue (37 with the array's spare room),
// and in the arena its record (about 200 bytes), state and history (about 60).
type tomb struct {
	key      flowkey.Key
	last     timeq.Instant // the last packet's time
	rec      arena.Ref     // the late state, the record (facts) but for End, ConnState and History, the history
	histLen  uint32        // the history's length, at the end of rec
	id       int32
	stateLen uint8 // the late state's length, at the start of rec
	clientLo bool  // the client is the key's lower endpoint
	sighted  bool  // the flow kept sightings (Config.Sightings): in Tracker.tombSightings
	noLadder bool  // the record keeps no ladder (Config.LadderUnneeded), nor do late packets add to it
}

// bury turns a closed flow into a tomb, frees the flow and returns the tomb's index.
func (a *Tracker) bury(f *flow) int32 {
	c := &a.recScratch.conn
	f.fillFacts(c, &a.recScratch)
	noLadder := a.cfg.LadderUnneeded != nil && f.sightings == nil && a.cfg.LadderUnneeded(c)
	if !noLadder {
		var omitted int
		c.Ladder, omitted = f.ladder.Ordered()
		c.LadderOmitted = int32(omitted)
	}
	i := a.tombSlots.New()
	t := a.tombSlots.At(i)
	t.id, t.key, t.clientLo, t.last = int32(f.id), f.key, f.key.LoIs(f.client), timeq.InstantOf(f.last)
	t.noLadder = noLadder
	if f.sightings != nil {
		t.sighted = true
		a.tombSightings[i] = f.sightings
	}
	var s lateState
	f.zeek.SaveTo(&s.zeek)
	s.lastGap, s.prevGap = f.path.Gaps()
	for d := range f.side {
		s.seqMax[d], s.seqSet[d] = f.side[d].seqMax, f.side[d].seqMaxSet
	}
	a.store(t, &s, c, f.zeek.History())
	f.keepSpares()
	f.ladder.Release(&a.shared.ladders)
	f.release()
	a.pool.Put(f)
	return i
}

// tombGet returns the index of the tomb with key *k, whose hash is h, if there is one (compared
// in place, as flowTable.get does).
func (a *Tracker) tombGet(k *flowkey.Key, h uint64) (int32, bool) {
	for p := a.tombs.Probe(h); ; {
		i, ok := p.Next()
		if !ok {
			return 0, false
		}
		if a.tombSlots.At(i).key.Eq(k) {
			return i, true
		}
	}
}

// tombRecord decodes the tomb's record.
func (a *Tracker) tombRecord(t *tomb) *facts.Conn { return tombDecode(&a.codec, a.recBytes(t)) }

// recBytes is the tomb's encoded record, in the arena.
func (a *Tracker) recBytes(t *tomb) []byte {
	b := a.tombRecs.Bytes(t.rec)
	return b[t.stateLen : len(b)-int(t.histLen)]
}

// store encodes t's late state s, its record c and the Zeek history hist in the arena, in place
// of what t had there.
func (a *Tracker) store(t *tomb, s *lateState, c *facts.Conn, hist []byte) {
	a.scratch = s.append(a.scratch[:0])
	n := len(a.scratch)
	a.scratch = append(a.codec.Encode(a.scratch, c), hist...)
	if t.rec != (arena.Ref{}) {
		a.tombRecs.Free(t.rec)
	}
	t.rec, t.stateLen, t.histLen = a.tombRecs.Add(a.scratch), uint8(n), uint32(len(hist))
}

// tombDecode decodes a tomb's record, which the tracker wrote with codec: a failure is a bug,
// not bad input.
func tombDecode(codec *facts.Codec, rec []byte) *facts.Conn {
	c, err := codec.Decode(rec)
	if err != nil {
		panic("track: a tomb's record does not decode: " + err.Error())
	}
	return c
}

// finishTomb hands the record of the tomb at index i, settled at end, to the sink (or, encoded,
// to Config.EndedSink), and frees the tomb.
func (a *Tracker) finishTomb(i int32, end time.Time) {
	t := a.tombSlots.At(i)
	s := a.tombState(t)
	z := a.tombZeek(t, &s)
	z.Finish()
	// Field by field, in the tracker's own (a literal copied in blocks stalls), lent to the sink.
	e := &a.ended
	e.rec, e.codec, e.end, e.connState = a.recBytes(t), &a.codec, facts.MakeRef(0, end), z.ConnState()
	e.history, e.sightings = a.shared.history(z.History()), nil
	if t.sighted {
		e.sightings = a.tombSightings[i]
		delete(a.tombSightings, i)
	}
	if a.cfg.EndedSink != nil {
		a.cfg.EndedSink(e) // which copies what it keeps, as the arena reuses its bytes
		a.freeTomb(i, t)
		*e = Ended{}
		return
	}
	c := e.Record()
	*e = Ended{}
	a.freeTomb(i, t)
	if !a.sink(c) && !a.cfg.OwnLadders {
		c.Ladder, c.LadderOmitted = nil, 0
	}
}

// freeTomb frees the tomb t at index i and its record.
func (a *Tracker) freeTomb(i int32, t *tomb) {
	a.tombRecs.Free(t.rec)
	a.tombSlots.Free(i)
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

// CopyTo sets *dst to e with the record's bytes appended to buf, and returns the extended buf:
// the Ended that Config.EndedSink is lent holds the tracker's bytes, valid during the call.
// Copies into one buffer cost less than one allocation each. What *dst reads of buf must not
// change while it is used (a buffer reused once it is decoded).
func (e *Ended) CopyTo(dst *Ended, buf []byte) []byte {
	n := len(buf)
	buf = append(buf, e.rec...)
	dst.rec, dst.codec, dst.end = buf[n:len(buf):len(buf)], e.codec, e.end
	dst.connState, dst.history, dst.sightings = e.connState, e.history, e.sightings
	return buf
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

// dirOf is the direction of a packet of the tomb's connection from src.
func (t *tomb) dirOf(src netip.AddrPort) int {
	if t.key.LoIs(src) == t.clientLo {
		return fromClient
	}
	return fromServer
}

// late takes a packet of the connection of the tomb at index i: it returns false, changing
// nothing, when the packet begins a new connection on the same endpoints.
func (a *Tracker) late(i int32, src netip.AddrPort, p *capture.Packet) bool {
	t := a.tombSlots.At(i)
	c := a.tombRecord(t)
	if t.startsNewConnection(c, src, p) {
		return false
	}
	d := t.dirOf(src)
	tcp := &p.TCP
	if t.sighted {
		addSighting(a.tombSightings[i], d, p)
	}
	st := a.tombState(t)
	r := facts.MakeRef(p.Index, p.Time)
	st.prevGap, st.lastGap = st.lastGap, stamp.Sub(p.Time, t.last.Time())
	t.last = timeq.InstantOf(p.Time)
	c.Last = r
	noteLateDamage(c, p, r)
	s := &c.Side[d]
	s.Packets++
	s.Bytes += int64(tcp.PayloadLen)
	if len(tcp.Payload) < tcp.PayloadLen {
		c.SnaplenCut++
	}
	z := a.tombZeek(t, &st)
	z.Packet(d, tcp)
	st.zeek = z.Save()
	lp := facts.LadderPacket{At: r, From: uint8(d), Flags: tcp.Flags,
		PayloadLen: int32(min(tcp.PayloadLen, 1<<31-1))}

	syn, ack, rst := tcp.Flags&capture.FlagSYN != 0, tcp.Flags&capture.FlagACK != 0, tcp.Flags&capture.FlagRST != 0
	ps := &c.Path.Side[d]
	if l := ps.R().Loss; l != nil {
		l.Last = r
	}
	if l := c.Path.Side[1-d].R().Loss; l != nil {
		l.PeerLast = r
	}
	keptRST := false
	if rst {
		c.RSTCount++
		if keptRST = len(c.RSTs) < maxRSTRefs; keptRST {
			c.RSTs = append(c.RSTs, facts.RST{Ref: r, From: uint8(d), TTL: p.TTL, IPID: p.IPID,
				Idle: max(st.lastGap, st.prevGap), SideIPID: ps.IPID, SideIPIDSet: ps.IPIDSet})
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
		case !st.seqSet[d]:
			st.seqMax[d], st.seqSet[d] = end, true
		case int32(end-st.seqMax[d]) <= 0:
			s.Retrans++
			lp.Retrans = true
		default:
			st.seqMax[d] = end
		}
		if !s.FirstPayload.Seen() {
			s.FirstPayload = r
		}
		s.LastPayload = r
	}
	if keptRST { // the counts up to the reset, its own payload included
		cs, ss := &c.Side[fromClient], &c.Side[fromServer]
		rs := &c.RSTs[len(c.RSTs)-1]
		rs.Bytes, rs.Retrans = [2]int64{cs.Bytes, ss.Bytes}, [2]int32{cs.Retrans, ss.Retrans}
	}
	if !t.noLadder {
		addLadder(c, lp)
	}
	a.store(t, &st, c, z.History())
	return true
}

// lateICMP attaches an ICMP error quoting one of a tomb's packets to its record.
func (a *Tracker) lateICMP(t *tomb, p *capture.Packet, quotedSrc netip.AddrPort) {
	c := a.tombRecord(t)
	x := c.Extra()
	x.ICMPCount = int32(c.ICMPCount()) + 1
	if len(x.ICMP) < maxICMPRefs {
		q := &p.ICMP
		noteLateDamage(c, p, facts.MakeRef(p.Index, p.Time))
		x.ICMP = append(x.ICMP, facts.ICMP{Ref: facts.MakeRef(p.Index, p.Time), V6: q.V6, Type: q.Type, Code: q.Code,
			Router: p.SrcIP, MTU: q.MTU, FromClient: t.dirOf(quotedSrc) == fromClient, TTL: p.TTL})
	}
	s := a.tombState(t)
	z := a.tombZeek(t, &s)
	a.store(t, &s, c, z.History())
}

// addLadder appends a packet to a record's ladder as the flow's ladder would have kept it: the
// first result.LadderHead packets, then the last result.LadderTail, counting those dropped
// between.
func addLadder(c *facts.Conn, p facts.LadderPacket) {
	if len(c.Ladder) < ladder.Cap {
		c.Ladder = append(c.Ladder, p)
		return
	}
	tail := c.Ladder[result.LadderHead:]
	copy(tail, tail[1:])
	tail[len(tail)-1] = p
	c.LadderOmitted++
}
