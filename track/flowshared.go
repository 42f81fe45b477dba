package track

import (
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/track/intern"
	"github.com/connscope/connscope/track/ladder"
)

// flowShared is what every flow of one Analyzer shares: caches of what is alike across flows, and
// scratch space and spare buffers for the per-packet path. Flows reach it through one pointer, to
// keep the flow small. Like the Analyzer, it is not safe for concurrent use.
type flowShared struct {
	certs   intern.Chains       // server certificate chains
	fps     intern.Hellos       // each distinct ClientHello and ServerHello, with its fingerprints
	events  []tls.Event         // scratch: the events of one side.deliver
	ladders ladder.Pool         // packet arrays of ladders that finished flows gave back
	streams []*tls.Stream       // TLS parsers that flows no longer use, for new ones
	marks   [][]segmentMark     // stream frame marks that flows no longer use, emptied
	strs    map[string]string   // interned strings: histories, server names
	alpns   map[string][]string // interned ALPN lists
	msgs    *tls.MessageCache   // the TLS messages parsed, shared by every flow's parsers

	twins, twinFrame int // packets seen twice at two points of their path (vantage.go)
}

// maxInterned bounds the strings interned: past it, strings are kept per connection.
const maxInterned = 8192

// history returns h as a string, shared by every connection with the same history.
func (sh *flowShared) history(h []byte) string {
	if s, ok := sh.strs[string(h)]; ok {
		return s
	}
	return sh.intern(string(h))
}

// intern returns s, shared by every connection that has the same.
func (sh *flowShared) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := sh.strs[s]; ok {
		return v
	}
	if sh.strs == nil {
		sh.strs = make(map[string]string)
	}
	if len(sh.strs) < maxInterned {
		sh.strs[s] = s
	}
	return s
}

// alpn returns a copy of protos, shared by every connection that offered the same.
func (sh *flowShared) alpn(protos []string) []string {
	key := ""
	for _, p := range protos {
		key += p + "\x00"
	}
	if v, ok := sh.alpns[key]; ok {
		return v
	}
	v := make([]string, len(protos))
	for i, p := range protos {
		v[i] = sh.intern(p)
	}
	if sh.alpns == nil {
		sh.alpns = make(map[string][]string)
	}
	if len(sh.alpns) < maxInterned {
		sh.alpns[key] = v
	}
	return v
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
		if sh.msgs == nil {
			sh.msgs = tls.NewMessageCache()
		}
		s := tls.NewStream(int(limit))
		s.SetCache(sh.msgs)
		return s
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
