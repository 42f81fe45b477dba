package track

import (
	"bytes"
	"net/netip"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/track/arena"
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
//
// A tomb holds no pointers, nor does anything that keeps tombs, so that the garbage collector
// has nothing to scan in them: tombs are kept by index in a slab (tombslab.go); the record,
// with the Zeek history after it, in the tracker's arena of records (package arena), which a
// late packet's record is appended to anew; the sightings, the rare tomb that has them, in a
// table by index. A finished tomb's record leaves the arena as a copy of its own (Ended).
type tomb struct {
	key      flowKey
	zeek     zeek.Saved // the Zeek state but for the history, which follows the record in rec
	rec      arena.Ref  // the record (facts) but for End, ConnState and History; then the history
	histLen  uint32     // the history's length, at the end of rec
	id       int32
	gen      uint32        // how many tombs the slot held before this one (tombSlab)
	last     instant       // the last packet's time
	lastGap  time.Duration // between the last two packets, and the two before (for a reset's idle)
	prevGap  time.Duration
	seqMax   [2]uint32 // per side, as side.seqMax and seqMaxSet
	seqSet   [2]bool
	clientLo bool // the client is the key's lower endpoint
	sighted  bool // the flow kept sightings (Config.Sightings): in Tracker.tombSightings
	noLadder bool // the record keeps no ladder (Config.LadderUnneeded), nor do late packets add to it
}

// bury turns a closed flow into a tomb, frees the flow and returns the tomb's index.
func (a *Tracker) bury(f *flow) int32 {
	c := &a.recScratch.conn
	f.fillFacts(c, &a.recScratch)
	noLadder := a.cfg.LadderUnneeded != nil && f.sightings == nil && a.cfg.LadderUnneeded(c)
	if !noLadder {
		var omitted int
		c.Ladder, omitted = f.ladder.ordered()
		c.LadderOmitted = int32(omitted)
	}
	i := a.tombSlots.get()
	t := a.tombSlots.at(i)
	t.id, t.key, t.clientLo, t.last = int32(f.id), f.key, f.key.loIs(f.client), instantOf(f.last)
	t.lastGap, t.prevGap = f.path.Gaps()
	t.zeek, t.noLadder = f.zeek.Save(), noLadder
	if f.sightings != nil {
		t.sighted = true
		a.tombSightings[i] = f.sightings
	}
	for d := range f.side {
		t.seqMax[d], t.seqSet[d] = f.side[d].seqMax, f.side[d].seqMaxSet
	}
	a.store(t, c, f.zeek.History())
	if f.ladder.packets != nil {
		a.shared.ladders.giveBack(f.ladder.packets)
		f.ladder = ladder{}
	}
	f.release()
	a.pool.put(f)
	return i
}

// tombRecord decodes the tomb's record.
func (a *Tracker) tombRecord(t *tomb) *facts.Conn { return tombDecode(&a.codec, a.recBytes(t)) }

// recBytes is the tomb's encoded record, in the arena.
func (a *Tracker) recBytes(t *tomb) []byte {
	b := a.tombRecs.Bytes(t.rec)
	return b[:len(b)-int(t.histLen)]
}

// tombZeek returns the tomb's Zeek state with a copy of its history (in a.histScratch).
func (a *Tracker) tombZeek(t *tomb) zeek.Conn {
	b := a.tombRecs.Bytes(t.rec)
	a.histScratch = append(a.histScratch[:0], b[len(b)-int(t.histLen):]...)
	return zeek.Restore(t.zeek, a.histScratch)
}

// store encodes c as t's record, with the Zeek history hist after it, in the arena, in place of
// the record t had.
func (a *Tracker) store(t *tomb, c *facts.Conn, hist []byte) {
	a.scratch = append(a.codec.Encode(a.scratch[:0], c), hist...)
	if t.rec != (arena.Ref{}) {
		a.tombRecs.Free(t.rec)
	}
	t.rec, t.histLen = a.tombRecs.Add(a.scratch), uint32(len(hist))
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

// finishTomb hands the record of the tomb at index i, settled at a.now, to the sink (or,
// encoded, to Config.EndedSink), and frees the tomb.
func (a *Tracker) finishTomb(i int32) {
	t := a.tombSlots.at(i)
	z := a.tombZeek(t)
	z.Finish()
	e := Ended{rec: a.recBytes(t), codec: &a.codec, end: facts.MakeRef(0, a.now), connState: z.ConnState(),
		history: a.shared.history(z.History())}
	if t.sighted {
		e.sightings = a.tombSightings[i]
		delete(a.tombSightings, i)
	}
	if a.cfg.EndedSink != nil {
		e.rec = bytes.Clone(e.rec) // the sink's own, as the arena reuses its bytes
		a.freeTomb(i, t)
		a.cfg.EndedSink(e)
		return
	}
	c := e.Record()
	a.freeTomb(i, t)
	if !a.sink(c) && !a.cfg.OwnLadders {
		c.Ladder, c.LadderOmitted = nil, 0
	}
}

// freeTomb frees the tomb t at index i and its record.
func (a *Tracker) freeTomb(i int32, t *tomb) {
	a.tombRecs.Free(t.rec)
	a.tombSlots.put(i)
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
// the Ended was handed over (facts.Codec), and once.
func (e Ended) Record() *facts.Conn {
	c := tombDecode(e.codec, e.rec)
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
	if t.key.loIs(src) == t.clientLo {
		return fromClient
	}
	return fromServer
}

// late takes a packet of the connection of the tomb at index i: it returns false, changing
// nothing, when the packet begins a new connection on the same endpoints.
func (a *Tracker) late(i int32, src netip.AddrPort, p *capture.Packet) bool {
	t := a.tombSlots.at(i)
	c := a.tombRecord(t)
	if t.startsNewConnection(c, src, p) {
		return false
	}
	d := t.dirOf(src)
	tcp := &p.TCP
	if t.sighted {
		addSighting(a.tombSightings[i], d, p)
	}
	r := facts.MakeRef(p.Index, p.Time)
	t.prevGap, t.lastGap = t.lastGap, p.Time.Sub(t.last.time())
	t.last = instantOf(p.Time)
	c.Last = r
	noteLateDamage(c, p, r)
	s := &c.Side[d]
	s.Packets++
	s.Bytes += int64(tcp.PayloadLen)
	if len(tcp.Payload) < tcp.PayloadLen {
		c.SnaplenCut++
	}
	z := a.tombZeek(t)
	z.Packet(d, tcp)
	t.zeek = z.Save()
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
	a.store(t, c, z.History())
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
		Router: p.SrcIP, MTU: q.MTU, FromClient: t.dirOf(quotedSrc) == fromClient, TTL: p.TTL})
	z := a.tombZeek(t)
	a.store(t, c, z.History())
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
