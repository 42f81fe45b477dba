package track

import (
	"net/netip"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
)

// Directions within a flow.
const (
	fromClient = facts.Client
	fromServer = facts.Server
)

var sideName = facts.SideName

// ref is one packet of a flow: its frame number and time.
type ref = facts.Ref

// side is what one direction of a flow showed. Fields are ordered so that the flow, allocated for
// every connection, packs into as few bytes as it can.
type side struct {
	packets   int
	bytes     int64 // payload bytes on the wire
	retrans   int
	ttl       int
	seqMax    uint32 // highest sequence number + length seen with payload
	synSeq    uint32
	synIPID   uint16 // the IP ID of the side's first SYN
	seqMaxSet bool
	synSeen   bool
	// scanning: the stream began as plain text; each later segment is checked for the start of
	// a TLS handshake (STARTTLS).
	scanning     bool
	dir          uint8 // fromClient or fromServer, for deliver
	fin          ref
	firstPayload ref
	lastPayload  ref

	stream streamStart
	tls    *tls.Stream
	owner  *flow // the flow the side belongs to, for deliver
	// tlsBase is the stream offset where the current TLS parser started: 0, or where TLS began
	// after a plain-text STARTTLS exchange.
	tlsBase int64
}

// flow is one TCP connection in progress.
type flow struct {
	id             int
	client, server netip.AddrPort
	rolesGuessed   bool
	flipped        bool // the first packet came from the server
	limit          int64
	shared         *flowShared // the Analyzer's
	first, last    time.Time
	firstFrame     int
	lastFrame      int

	side     [2]side
	syns     []ref // client SYNs, the first few
	synCount int
	synAck   ref
	rsts     []rstRef // the first few resets
	rstCount int
	icmp     []facts.ICMP
	zeek     zeekConn
	tls      tlsState
	ladder   ladder

	snaplenCut     int
	clientHelloCut bool
	vantage        uint16           // where its packets were captured (capture.Packet.Vantage)
	sightings      *facts.Sightings // its packets, when tracked (Config.Sightings)
	// key is the flow's key in the table; gone: the flow was finished or buried (a queue that
	// still points to it drops it); closedQueued: it is in the tracker's queue of closed flows.
	key          flowKey
	gone         bool
	closedQueued bool

	http    *httpFacts // allocated when a side's first bytes look like HTTP (http.go)
	notHTTP [2]bool    // that side's stream is known not to be HTTP

	// TTLs, ACKs, losses (path.go). Pointer-free and last, so the garbage collector never scans it.
	path pathState
}

type rstRef struct {
	from int
	ref
	ttl int
}

const (
	maxSYNRefs  = facts.MaxSYNs
	maxRSTRefs  = facts.MaxRSTs
	maxICMPRefs = facts.MaxICMP
)

// startsNewConnection reports whether p, a packet on this flow's endpoints, is the SYN of a new
// connection that reuses them, rather than part of this one.
func (f *flow) startsNewConnection(src netip.AddrPort, p *capture.Packet) bool {
	t := &p.TCP
	if t.Flags&(capture.FlagSYN|capture.FlagACK) != capture.FlagSYN {
		return false
	}
	d := f.dirOf(src)
	s := &f.side[d]
	if s.synSeen && s.synSeq == t.Seq {
		return false // a retransmitted SYN
	}
	return f.closed() || (d == fromClient && s.synSeen)
}

func (f *flow) dirOf(src netip.AddrPort) int {
	if src == f.client {
		return fromClient
	}
	return fromServer
}

// closed reports whether the connection has ended: a reset, or a FIN from both sides.
func (f *flow) closed() bool {
	return f.rstCount > 0 || (f.side[0].fin.Seen() && f.side[1].fin.Seen())
}

// packet updates the flow with one of its TCP packets.
func (f *flow) packet(src netip.AddrPort, p *capture.Packet, a *Tracker) {
	d := f.dirOf(src)
	f.pathPacket(d, p)
	s := &f.side[d]
	t := &p.TCP
	if f.sightings != nil {
		addSighting(f.sightings, d, p)
	}
	r := facts.MakeRef(p.Index, p.Time)
	f.last = p.Time
	lp := f.ladder.add(d, r, t, &f.shared.ladders)
	s.packets++
	if s.packets == 1 {
		s.ttl = int(p.TTL)
	}
	s.bytes += int64(t.PayloadLen)
	f.lastFrame = p.Index
	if len(t.Payload) < t.PayloadLen {
		f.snaplenCut++
	}
	f.zeek.packet(d, t)

	syn, ack := t.Flags&capture.FlagSYN != 0, t.Flags&capture.FlagACK != 0
	if syn {
		if !s.synSeen {
			s.synSeen = true
			s.synSeq, s.synIPID = t.Seq, p.IPID
		} else if t.Seq == s.synSeq && (p.TTL != uint8(s.ttl) || p.IPID != 0 && p.IPID == s.synIPID) {
			f.shared.twin(p.Index) // a retransmission has a new IP ID
		}
		s.stream.setBase(t.Seq + 1)
		if !ack && d == fromClient {
			f.synCount++
			if len(f.syns) < maxSYNRefs {
				f.syns = append(f.syns, r)
			}
		}
		if ack && d == fromServer && !f.synAck.Seen() {
			f.synAck = r
		}
	}
	if t.Flags&capture.FlagFIN != 0 && !s.fin.Seen() {
		s.fin = r
	}
	if t.Flags&capture.FlagRST != 0 {
		f.rstCount++
		if len(f.rsts) < maxRSTRefs {
			f.rsts = append(f.rsts, rstRef{from: d, ref: r, ttl: int(p.TTL)})
		}
	}
	if t.PayloadLen != 0 {
		f.payload(d, p, r, lp)
	}
	if t.Flags&capture.FlagFIN != 0 {
		f.finReceived(d, t)
	}
}

// payload takes the payload of one of direction d's packets.
func (f *flow) payload(d int, p *capture.Packet, r ref, lp *facts.LadderPacket) {
	s := &f.side[d]
	t := &p.TCP
	end := t.Seq + uint32(t.PayloadLen)
	switch {
	case !s.seqMaxSet:
		s.seqMax, s.seqMaxSet = end, true
	case int32(end-s.seqMax) <= 0:
		s.retrans++
		lp.Retrans = true
		if p.TTL != uint8(s.ttl) {
			f.shared.twin(p.Index)
		}
	default:
		s.seqMax = end
	}
	if !s.firstPayload.Seen() {
		s.firstPayload = r
	}
	s.lastPayload = r
	if !s.stream.stopped {
		if s.tls == nil {
			s.tls = f.shared.newStream(f.limit)
			s.stream.limit = f.limit
			s.owner, s.dir = f, uint8(d)
		}
		if s.stream.marks == nil {
			s.stream.marks = f.shared.newMarks()
		}
		s.stream.segment(t.Seq, t.Payload, t.PayloadLen, p.Index, p.Time, s)
		if s.stream.gap {
			s.tls.Gap()
		}
		if s.stream.stopped {
			f.streamStopped(d)
		}
	}
}

// finReceived stops direction d's stream at its FIN when every byte before the FIN has been
// delivered: TCP sends nothing after a FIN, so the parser and the frame marks can go now rather
// than when the flow is finished, which for a closed connection is ClosedLinger later. (A FIN
// that leaves a hole behind it keeps the stream, so that a retransmission can still fill it.)
func (f *flow) finReceived(d int, t *capture.TCPHeader) {
	st := &f.side[d].stream
	if st.stopped || !st.based || len(st.pending) > 0 || st.offsetOf(t.Seq)+int64(t.PayloadLen) != st.next {
		return
	}
	st.stop()
	f.streamStopped(d)
}

// streamStopped frees what direction d held for parsing once its stream stopped (a parser that
// is done, the limit reached, a gap): the frame marks, and the TLS parser unless it holds the
// client's unfinished ClientHello, which finalize reports. Long connections so give their
// buffers back when they reach the limit, not when they end.
func (f *flow) streamStopped(d int) {
	s := &f.side[d]
	f.shared.freeMarks(s.stream.marks)
	s.stream.marks = nil
	if s.tls == nil {
		return
	}
	if d == fromClient && f.tls.Hello == nil {
		if typ, _, _, ok := s.tls.Partial(); ok && typ == tls.HandshakeClientHello {
			return
		}
	}
	f.shared.freeStream(s.tls)
	s.tls = nil
}

// deliver feeds the side's in-order bytes to its TLS parser.
func (s *side) deliver(b []byte, frame int, t time.Time) {
	f, d := s.owner, int(s.dir)
	f.httpFeed(d, b, frame, t)
	if s.scanning {
		if !startsHandshake(b, d) {
			return
		}
		s.scanning = false
		f.shared.freeStream(s.tls) // done with the plain text
		s.tls = f.shared.newStream(f.limit)
		s.tlsBase = s.stream.next - int64(len(b))
		f.tls.STARTTLS = true
	}
	// The events go to a buffer every flow shares: tlsEvent feeds no parser.
	evs := s.tls.AppendEvents(f.shared.events[:0], b)
	for i := range evs {
		ev := &evs[i]
		ev.Start += s.tlsBase
		ev.End += s.tlsBase
		f.tlsEvent(d, ev)
	}
	clear(evs) // let go of the hellos
	f.shared.events = evs[:0]
	if s.tls.Done() {
		if s.tlsBase == 0 && f.tls.R().NotTLS[d].Seen() && isText(f.tls.R().NotTLS[d].Prefix) {
			s.scanning = true // a text protocol: TLS may start later (STARTTLS)
			return
		}
		s.stream.stop()
	}
}

// startsHandshake reports whether b begins with a TLS handshake record holding a ClientHello
// (from the client) or a ServerHello (from the server).
func startsHandshake(b []byte, d int) bool {
	want := byte(tls.HandshakeClientHello)
	if d == fromServer {
		want = byte(tls.HandshakeServerHello)
	}
	return len(b) >= 6 && b[0] == 0x16 && b[1] == 3 && b[2] <= 4 && b[5] == want
}

// isText reports whether b looks like the start of a line-based text protocol.
func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c > 0x7e {
			return false
		}
	}
	return true
}

// icmpError records an ICMP error that quotes one of this flow's packets.
func (f *flow) icmpError(p *capture.Packet, quotedSrc netip.AddrPort) {
	if len(f.icmp) >= maxICMPRefs {
		return
	}
	q := &p.ICMP
	f.icmp = append(f.icmp, facts.ICMP{Ref: facts.MakeRef(p.Index, p.Time), V6: q.V6, Type: q.Type, Code: q.Code,
		Router: p.SrcIP, MTU: q.MTU, FromClient: quotedSrc == f.client, TTL: p.TTL})
}

// release drops a finished flow's buffers and parsers.
func (f *flow) release() {
	for i := range f.side {
		f.side[i].stream.stop()
		f.shared.freeMarks(f.side[i].stream.marks)
		f.side[i].stream.marks = nil
		f.shared.freeStream(f.side[i].tls)
		f.side[i].tls = nil
		f.side[i].owner = nil
	}
}

// addr formats an endpoint as "ip:port", IPv6 as "[addr]:port".
func addr(ap netip.AddrPort) string {
	return ap.String()
}
