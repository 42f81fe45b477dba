package analyze

import (
	"net/netip"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// flowShared is what every flow of one Analyzer shares: caches of what is alike across flows, and
// scratch space and spare buffers for the per-packet path. Flows reach it through one pointer, to
// keep the flow small. Like the Analyzer, it is not safe for concurrent use.
type flowShared struct {
	certs   certCache                 // server certificate chains
	fps     fingerprintCache          // JA3/JA4 and result names of each distinct ClientHello and ServerHello
	events  []tls.Event               // scratch: the events of one side.deliver
	ladders ladderPool                // packet arrays of ladders that finished flows gave back
	streams []*tls.Stream             // TLS parsers that flows no longer use, for new ones
	marks   [][]segmentMark           // stream frame marks that flows no longer use, emptied
	servers map[netip.AddrPort]string // server endpoints as addr words them: few, and in every flow's texts
}

// maxServerTexts bounds the server endpoints whose text is kept.
const maxServerTexts = 4096

// serverText is addr(server), worded once per server endpoint.
func (sh *flowShared) serverText(server netip.AddrPort) string {
	if s, ok := sh.servers[server]; ok {
		return s
	}
	s := addr(server)
	if sh.servers == nil {
		sh.servers = make(map[netip.AddrPort]string)
	}
	if len(sh.servers) < maxServerTexts {
		sh.servers[server] = s
	}
	return s
}

// maxPooledMarks bounds the spare frame-mark arrays (a few hundred bytes each, 2.5 KiB at most).
const maxPooledMarks = 2048

// newMarks returns an empty array for a stream's frame marks, reusing a spare one.
func (sh *flowShared) newMarks() []segmentMark {
	n := len(sh.marks)
	if n == 0 {
		return make([]segmentMark, 0, initialMarks)
	}
	m := sh.marks[n-1]
	sh.marks[n-1] = nil
	sh.marks = sh.marks[:n-1]
	return m
}

// freeMarks takes back the frame marks of a stream that no longer refers to them.
func (sh *flowShared) freeMarks(m []segmentMark) {
	if m != nil && len(sh.marks) < maxPooledMarks {
		sh.marks = append(sh.marks, m[:0])
	}
}

// maxPooledStreams bounds the spare TLS parsers, each with buffers of a few KiB at most.
const maxPooledStreams = 1024

// newStream returns a TLS parser as tls.NewStream(limit) does, reusing a spare one.
func (sh *flowShared) newStream(limit int64) *tls.Stream {
	n := len(sh.streams)
	if n == 0 {
		return tls.NewStream(int(limit))
	}
	s := sh.streams[n-1]
	sh.streams[n-1] = nil
	sh.streams = sh.streams[:n-1]
	s.Reset(int(limit))
	return s
}

// freeStream takes back a TLS parser that its flow dropped, and no longer refers to.
func (sh *flowShared) freeStream(s *tls.Stream) {
	if s != nil && len(sh.streams) < maxPooledStreams {
		sh.streams = append(sh.streams, s)
	}
}

// maxPooledLadders bounds the ladder arrays kept for reuse (about 4 MiB): a sweep finishes the
// flows of a second at once, and the flows of the next second take their arrays.
const maxPooledLadders = 4096

// ladderPool keeps the packet arrays of the ladders that flows no longer need, so that new flows
// reuse them rather than allocate their own. A ladderPacket holds no pointers: what a reused
// array still holds is overwritten before it is read.
type ladderPool struct {
	heads, tails [][]ladderPacket
}

// give takes l's arrays and empties l.
func (p *ladderPool) give(l *ladder) {
	if l.head != nil && len(p.heads) < maxPooledLadders {
		p.heads = append(p.heads, l.head[:0])
	}
	if l.tail != nil && len(p.tails) < maxPooledLadders {
		p.tails = append(p.tails, l.tail[:0])
	}
	*l = ladder{}
}

// head returns an empty array for a ladder's head.
func (p *ladderPool) head() []ladderPacket {
	if n := len(p.heads); n > 0 {
		h := p.heads[n-1]
		p.heads = p.heads[:n-1]
		return h
	}
	return make([]ladderPacket, 0, 12) // a failed handshake's packets fit
}

// tail returns an empty array for a ladder's tail ring.
func (p *ladderPool) tail() []ladderPacket {
	if n := len(p.tails); n > 0 {
		t := p.tails[n-1]
		p.tails = p.tails[:n-1]
		return t
	}
	return make([]ladderPacket, 0, result.LadderTail)
}
