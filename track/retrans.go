package track

import (
	"bytes"
	"hash/maphash"
)

// maxHelloSegments is how many of the client's first data segments are remembered to check that
// their retransmissions carry the same bytes (those of the ClientHello, and what follows it).
const maxHelloSegments = 3

// helloSegment is one of the client's first data segments: where it starts, how many bytes the
// capture holds of it, its first bytes and a hash of them all. No payload is kept.
type helloSegment struct {
	seq  uint32
	n    uint16
	head [16]byte
	sum  uint64
}

// segmentSeed hashes segments; a hash is only compared within one run.
var segmentSeed = maphash.MakeSeed()

// checkClientSegment remembers the client's first data segments and compares a retransmission
// of one of them (same sequence number) with it: other bytes where the two overlap contradict what
// was first sent (a ClientHello for TLS 1.0, then one for TLS 1.3, say). The stream keeps the
// first; the record flags the contradiction (its first frame).
func (f *flow) checkClientSegment(seq uint32, b []byte, r ref) {
	if f.helloConflict.Seen() || len(b) == 0 {
		return
	}
	for i := range f.nHelloSegs {
		h := &f.helloSegs[i]
		if h.seq != seq {
			continue
		}
		n := min(len(h.head), len(b), int(h.n))
		if !bytes.Equal(h.head[:n], b[:n]) || len(b) == int(h.n) && maphash.Bytes(segmentSeed, b) != h.sum {
			f.helloConflict = r
		}
		return
	}
	if int(f.nHelloSegs) == maxHelloSegments {
		return
	}
	h := &f.helloSegs[f.nHelloSegs]
	f.nHelloSegs++
	h.seq, h.n, h.sum = seq, uint16(min(len(b), 1<<16-1)), maphash.Bytes(segmentSeed, b)
	copy(h.head[:], b)
}
