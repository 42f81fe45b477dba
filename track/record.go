package track

import (
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
)

// record turns a finished flow's state into its record of facts. end is the capture time at
// which the flow is finished. It copies what the record keeps: the flow may be reused after.
func (f *flow) record(end time.Time) *facts.Conn {
	f.zeek.Finish()
	c := f.facts()
	c.End = facts.MakeRef(0, end)
	c.ConnState, c.History = f.zeek.ConnState(), f.shared.history(f.zeek.History())
	return c
}

// facts is the flow's record but for what is settled when the flow is finished: End, and the
// Zeek state and history.
func (f *flow) facts() *facts.Conn {
	c := &facts.Conn{}
	f.fillFacts(c, nil)
	return c
}

// recordScratch is where a tracker fills the records it only encodes (a tomb's), so that they
// cost no allocation: the record, its TLS facts and its resets.
type recordScratch struct {
	conn facts.Conn
	tls  facts.TLS
	rsts []facts.RST
}

// fillFacts sets *c to what facts returns. With scratch, c's TLS facts and resets are
// scratch's (c is only read before the next fill); without, they are c's own.
func (f *flow) fillFacts(c *facts.Conn, scratch *recordScratch) {
	*c = facts.Conn{
		ID: int32(f.id), Client: f.client, Server: f.server, RolesGuessed: f.rolesGuessed,
		First: facts.MakeRef(f.firstFrame, f.first), Last: facts.MakeRef(f.lastFrame, f.last),
		SYNCount: int32(f.synCount), SYNs: clipped(f.syns), SYNAck: f.synAck, RSTCount: int32(f.rstCount),
		SnaplenCut: int32(f.snaplenCut), Vantage: f.vantage,
	}
	if len(f.icmp) > 0 {
		c.Extra().ICMP, c.Extra().ICMPCount = clipped(f.icmp), f.icmpN
	}
	if f.damaged != nil {
		c.Extra().Damaged = f.damagedRecord()
	}
	if f.helloConflict.Seen() {
		c.Extra().HelloConflict = f.helloConflict
	}
	if f.overruns > 0 {
		c.Extra().Overruns, c.Extra().OverrunRef = int32(f.overruns), f.overrunRef
	}
	for d := range f.side {
		s, cs := &f.side[d], &c.Side[d] // field by field: a literal copied in blocks stalls
		cs.Packets, cs.Bytes, cs.Retrans, cs.TTL = int32(s.packets), s.bytes, int32(s.retrans), uint8(s.ttl)
		cs.SYNSeen, cs.SYNSeq, cs.FIN, cs.FirstPayload, cs.LastPayload = s.synSeen, s.synSeq, s.fin, s.firstPayload, s.lastPayload
	}
	if len(f.rsts) > 0 {
		if scratch != nil {
			c.RSTs = scratch.rsts[:0]
		} else {
			c.RSTs = make([]facts.RST, 0, len(f.rsts))
		}
		for i := range f.rsts {
			// Field by field, not through copies: literals copied in blocks just after they were
			// written stall.
			r := &f.rsts[i]
			c.RSTs = append(c.RSTs, facts.RST{})
			x := &c.RSTs[len(c.RSTs)-1]
			x.Ref, x.From, x.TTL, x.Bytes, x.Retrans = r.ref, uint8(r.from), uint8(r.ttl), r.bytes, r.retrans
			f.path.RST(i, x)
		}
		if scratch != nil {
			scratch.rsts = c.RSTs
		}
	}
	if cs := &f.side[fromClient]; cs.tls != nil && f.tls.Hello == nil {
		if typ, have, want, ok := cs.tls.Partial(); ok && typ == tls.HandshakeClientHello {
			c.HelloCut = cs.stream.gap
			c.Extra().HelloPartial = &facts.Partial{Have: have, Want: want}
		}
	}
	if f.clientHelloCut && f.tls.Hello == nil {
		c.HelloCut = true // its first bytes began a handshake record the snaplen cut (startcut.go)
	}
	if scratch != nil {
		if f.hasTLSRecord() {
			scratch.tls = f.tls.TLS
			c.TLS = &scratch.tls
		}
	} else {
		c.TLS = f.tlsRecord()
	}
	if h := f.http.Record(); h != nil {
		c.Extra().HTTP = h
	}
	f.path.Record(c)
}

// clipped returns s for a record: nil when empty, else clipped so that an append copies it.
func clipped[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s[:len(s):len(s)]
}
