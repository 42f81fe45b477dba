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
// was first sent (a ClientHello for TLS 1.0, then one for TLS 1.3, say). It reports whether this
// segment contradicts: the stream then keeps what was sent first and takes none of this
// segment's bytes (not even those past the first, which the receiver's acknowledgements did
// not take either); the record flags the first contradiction.
func (f *flow) checkClientSegment(seq uint32, b []byte, r ref) (contradicts bool) {
	if len(b) == 0 {
		return false
	}
	for i := range f.nHelloSegs {
		h := &f.helloSegs[i]
		if h.seq != seq {
			continue
		}
		n := min(len(h.head), len(b), int(h.n))
		if !bytes.Equal(h.head[:n], b[:n]) || len(b) == int(h.n) && maphash.Bytes(segmentSeed, b) != h.sum {
			if !f.helloConflict.Seen() {
				f.helloConflict = r
			}
			return true
		}
		return false
	}
	if int(f.nHelloSegs) == maxHelloSegments {
		return false
	}
	h := &f.helloSegs[f.nHelloSegs]
	f.nHelloSegs++
	h.seq, h.n, h.sum = seq, uint16(min(len(b), 1<<16-1)), maphash.Bytes(segmentSeed, b)
	copy(h.head[:], b)
	return false
}
