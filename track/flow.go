package track

import (
	"net/netip"
	"time"

	"github.com/connscope/connscope/track/ladder"

	"github.com/connscope/connscope/track/flowkey"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/track/httphead"
	"github.com/connscope/connscope/track/path"
	"github.com/connscope/connscope/track/preamble"
	"github.com/connscope/connscope/track/zeek"
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
	altSYNSeq uint32 // the ISN of a SYN-ACK other than the first (altSYN), for anchorServer
	seqMaxSet bool
	synSeen   bool
	altSYN    bool
	// scanning: the stream began as another protocol (text or binary); its first preamble.MaxLen
	// bytes are searched for the start of TLS (STARTTLS, an SSLRequest, a proxy's CONNECT).
	scanning     bool
	preamble     preamble.Scan
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
	// key is the flow's key in the table; gone: the flow was finished or buried (a queue that
	// still points to it drops it); closedQueued: it is in one of the tracker's queues of closed
	// flows, that of graceSteps[graceStep]. First, in the cache line a packet's lookup reads.
	key          flowkey.Key
	gen          uint32 // how many connections the flow served before this one (flowPool)
	slot         int32  // its place in the tracker's flowTable
	gone         bool
	closedQueued bool
	graceStep    uint8

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
	icmp     []facts.ICMP   // the first few
	icmpN    int32          // every ICMP error that quoted the flow's packets
	damaged  *facts.Damaged // the packets that arrived damaged; nil when none did
	zeek     zeek.Conn
	tls      tlsState
	ladder   ladder.Ladder

	snaplenCut     int
	clientHelloCut bool             // the snaplen cut the client's first bytes, a handshake record's start (startcut.go)
	vantage        uint16           // where its packets were captured (capture.Packet.Vantage)
	sightings      *facts.Sightings // its packets, when tracked (Config.Sightings)
	overruns       int              // packets whose IP length claims more than their uncut frame holds
	overrunRef     ref
	helloSegs      [maxHelloSegments]helloSegment // the client's first data segments (retrans.go)
	nHelloSegs     uint8
	helloConflict  ref         // a retransmission of one of them with other bytes
	spare          spareSlices // arrays a buried connection left, for this one (flow.Renew)

	http    *httphead.Exchange // allocated when a side's first bytes look like HTTP (httpFeed)
	notHTTP [2]bool            // that side's stream is known not to be HTTP

	// TTLs, ACKs, losses (path.go). Pointer-free and last, so the garbage collector never scans it.
	path path.State
}

type rstRef struct {
	from int
	ref
	ttl     int
	bytes   [2]int64 // each side's payload bytes up to the reset (facts.RST.Bytes)
	retrans [2]int32
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
	var lastSYN ref
	if n := len(f.syns); n > 0 {
		lastSYN = f.syns[n-1]
	}
	sd := &f.side[d] // seqMax is still the previous packets' value here
	f.path.Packet(d, p, f.last, f.rstCount, lastSYN, path.Seen{SeqMax: sd.seqMax, SeqMaxSet: sd.seqMaxSet, SYNSeen: sd.synSeen, SYNSeq: sd.synSeq})
	s := &f.side[d]
	t := &p.TCP
	if f.sightings != nil {
		addSighting(f.sightings, d, p)
	}
	r := facts.MakeRef(p.Index, p.Time)
	f.last = p.Time
	if p.Corrupt != 0 || !facts.TimeInRange(p.Time) {
		f.noteDamage(p, r)
	}
	lp := f.ladder.Add(d, r, t, &f.shared.ladders)
	s.packets++
	if s.packets == 1 {
		s.ttl = int(p.TTL)
	}
	s.bytes += int64(t.PayloadLen)
	f.lastFrame = p.Index
	if len(t.Payload) < t.PayloadLen {
		f.snaplenCut++
	}
	if p.LengthOverrun {
		if f.overruns == 0 {
			f.overrunRef = r
		}
		f.overruns++
	}
	f.zeek.Packet(d, t)

	syn, ack := t.Flags&capture.FlagSYN != 0, t.Flags&capture.FlagACK != 0
	if syn {
		if !s.synSeen {
			s.synSeen = true
			s.synSeq, s.synIPID = t.Seq, p.IPID
		} else if t.Seq == s.synSeq && (p.TTL != uint8(s.ttl) || p.IPID != 0 && p.IPID == s.synIPID) {
			f.shared.twin(p.Index) // a retransmission has a new IP ID
		} else if d == fromServer && ack && t.Seq != s.synSeq && !s.altSYN {
			s.altSYN, s.altSYNSeq = true, t.Seq // another SYN-ACK, another ISN (two hosts answering)
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
	if ack && !syn && d == fromClient && f.side[fromServer].altSYN {
		f.anchorServer(t.Ack)
	}
	if t.Flags&capture.FlagFIN != 0 && !s.fin.Seen() {
		s.fin = r
	}
	if t.PayloadLen != 0 {
		f.payload(d, p, r, lp)
	}
	if t.Flags&capture.FlagRST != 0 { // after its payload, which the counts it keeps include
		f.rstCount++
		if n := len(f.rsts); n < maxRSTRefs {
			cs, ss := &f.side[fromClient], &f.side[fromServer]
			f.rsts = append(f.rsts, rstRef{}) // filled in place: a literal copied in blocks stalls
			x := &f.rsts[n]
			x.from, x.ref, x.ttl = d, r, int(p.TTL)
			x.bytes, x.retrans = [2]int64{cs.bytes, ss.bytes}, [2]int32{int32(cs.retrans), int32(ss.retrans)}
		}
	}
	if t.Flags&capture.FlagFIN != 0 {
		f.finReceived(d, t)
	}
}

// payload takes the payload of one of direction d's packets.
func (f *flow) payload(d int, p *capture.Packet, r ref, lp *facts.LadderPacket) {
	s := &f.side[d]
	t := &p.TCP
	seq := path.DataSeq(t)
	end := seq + uint32(t.PayloadLen)
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
	contradicts := d == fromClient && f.checkClientSegment(seq, t.Payload, r)
	s.lastPayload = r
	if !s.stream.stopped && !contradicts {
		if s.tls == nil {
			s.tls = f.shared.newStream(f.limit)
			s.stream.limit = f.limit
			s.owner, s.dir = f, uint8(d)
		}
		if s.stream.marks == nil {
			s.stream.marks = f.shared.newMarks()
		}
		s.stream.segment(seq, t.Payload, t.PayloadLen, p.Index, p.Time, s)
		if s.stream.gap {
			s.tls.Gap()
		}
		if s.stream.stopped {
			f.streamStopped(d)
		}
	}
}

// anchorServer anchors the server's stream on the SYN-ACK the client acknowledges: when SYN-ACKs
// with two ISNs came (two hosts answering one SYN) and the client's ACK takes the second, the
// second is the connection's, as long as none of the server's data was taken yet.
func (f *flow) anchorServer(ack uint32) {
	s := &f.side[fromServer]
	if !s.altSYN || ack != s.altSYNSeq+1 || s.stream.next != 0 || len(s.stream.pending) != 0 || s.seqMaxSet {
		return
	}
	s.synSeq, s.altSYNSeq = s.altSYNSeq, s.synSeq
	s.stream.based = false
	s.stream.setBase(ack)
}

// finReceived stops direction d's stream at its FIN when every byte before the FIN has been
// delivered: TCP sends nothing after a FIN, so the parser and the frame marks can go now rather
// than when the flow is finished, which for a closed connection is ClosedLinger later. (A FIN
// that leaves a hole behind it keeps the stream, so that a retransmission can still fill it.)
func (f *flow) finReceived(d int, t *capture.TCPHeader) {
	st := &f.side[d].stream
	if st.stopped || !st.based || len(st.pending) > 0 || st.offsetOf(path.DataSeq(t))+int64(t.PayloadLen) != st.next {
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

// httpFeed takes in-order bytes of direction d (only valid during the call) for the HTTP heads.
// A stream that does not start like HTTP is dropped at its first byte, without an allocation.
func (f *flow) httpFeed(d int, b []byte, frame int, t time.Time) {
	if f.notHTTP[d] || len(b) == 0 {
		return
	}
	if f.http == nil {
		if !httphead.Starts(b, d) {
			f.notHTTP[d] = true
			return
		}
		f.http = &httphead.Exchange{}
	}
	f.http.Feed(d, b, frame, t)
}

// deliver feeds the side's in-order bytes to its TLS parser.
func (s *side) deliver(b []byte, frame int, t time.Time) {
	f, d := s.owner, int(s.dir)
	f.httpFeed(d, b, frame, t)
	if s.scanning {
		s.scanPreamble(b, 0)
		return
	}
	s.feedTLS(b)
	if s.tls.Done() {
		if s.tlsBase == 0 && f.tls.R().NotTLS[d].Seen() {
			// Another protocol: TLS may begin after its exchange. The first byte was not a
			// TLS record; the rest of b may hold one.
			s.scanning = true
			s.scanPreamble(b, 1)
			return
		}
		s.stream.stop()
	}
}

// scanPreamble searches b from index from for the start of TLS after another protocol's bytes,
// and starts a new TLS parser there.
func (s *side) scanPreamble(b []byte, from int) {
	f, d := s.owner, int(s.dir)
	off := s.stream.next - int64(len(b)) // stream offset of b[0]
	at, ok := s.preamble.Find(b[from:], off+int64(from), d == fromServer)
	if ok && !s.tlsMayStart(at+from) {
		s.preamble.Remember(b[from:]) // Find stopped at the start it found
		ok = false
	}
	if !ok {
		if s.stream.next >= preamble.MaxLen {
			s.scanning = false
			s.stream.stop()
		}
		return
	}
	s.scanning = false
	f.shared.freeStream(s.tls) // done with the other protocol
	s.tls = f.shared.newStream(f.limit)
	f.tls.STARTTLS = true
	at += from
	if at < from {
		k := from - at // bytes of the start carried from the segments before b
		s.tlsBase = off - int64(k)
		s.feedTLS(s.preamble.Carried(k))
		at = from
	} else {
		s.tlsBase = off + int64(at)
	}
	s.feedTLS(b[at:])
	if s.tls.Done() {
		s.stream.stop()
	}
}

// tlsMayStart reports whether TLS may begin at index at of the bytes just delivered (negative:
// in the bytes carried from before them), where the preamble scan found a hello.
func (s *side) tlsMayStart(at int) bool {
	f := s.owner
	switch {
	case s.dir == fromServer && f.side[fromClient].tlsBase == 0 && f.tls.Hello == nil:
		// A server speaks TLS only after the client's ClientHello: hello-like bytes before it
		// (an HTTP body, a file) are not the start of TLS.
		return false
	case f.http != nil && f.http.Method() != "CONNECT" && at != 0:
		// In HTTP, TLS follows a CONNECT; elsewhere only where a segment begins (an upgrade),
		// never inside a body.
		return false
	}
	return true
}

// feedTLS feeds b, the next bytes of the side's TLS stream, to its parser and records what it
// found.
func (s *side) feedTLS(b []byte) {
	f, d := s.owner, int(s.dir)
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
}

// icmpError records an ICMP error that quotes one of this flow's packets.
func (f *flow) icmpError(p *capture.Packet, quotedSrc netip.AddrPort) {
	f.icmpN++
	if len(f.icmp) >= maxICMPRefs {
		return
	}
	q := &p.ICMP
	r := facts.MakeRef(p.Index, p.Time)
	f.noteDamage(p, r)
	f.icmp = append(f.icmp, facts.ICMP{Ref: r, V6: q.V6, Type: q.Type, Code: q.Code,
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
