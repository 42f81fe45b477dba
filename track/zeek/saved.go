package zeek

import (
	"encoding/binary"
	"errors"
)

// Saved is a Conn's state but for its history: plain values (no pointers), for a caller that
// keeps many connections' states apart from their histories, or encoded (Append).
type Saved struct{ ep [2]endpoint }

// Save returns z's state but for its history (History).
func (z *Conn) Save() Saved { return Saved{z.ep} }

// KeepHistory makes the zero Conn z append its history to b[:0]: a caller that is done with
// another Conn's history reuses its array.
func (z *Conn) KeepHistory(b []byte) { z.hist = b[:0] }

// SaveTo is Save into *s, copied there from z (not through a value returned).
func (z *Conn) SaveTo(s *Saved) { s.ep = z.ep }

// Restore returns the Conn saved as s whose history is hist. The Conn appends to hist: pass a
// buffer the caller may let it change.
func Restore(s Saved, hist []byte) Conn { return Conn{ep: s.ep, hist: hist} }

// Append appends s to b in a few bytes (about 15 an endpoint, where it takes 44): varints of
// the states and flags, of the sequence numbers relative to the first, and of the counters.
func (s *Saved) Append(b []byte) []byte {
	for i := range s.ep {
		e := &s.ep[i]
		b = binary.AppendUvarint(b, uint64(e.state)|uint64(e.prevState)<<3|uint64(b2i(e.started))<<6|
			uint64(b2i(e.hole))<<7|uint64(e.histSeen)<<8)
		b = binary.BigEndian.AppendUint32(b, e.startSeq)
		for _, v := range [...]uint32{e.lastSeq - e.startSeq, e.holeStart - e.startSeq, e.histLastSYN,
			e.histLastFIN, e.histLastRST, uint32(e.rxmt), uint32(e.zeroWin), uint32(e.gaps)} {
			b = binary.AppendUvarint(b, uint64(v))
		}
	}
	return b
}

// errSaved is the error of bytes that Append did not write.
var errSaved = errors.New("zeek: saved state cut short or damaged")

// ParseSaved reads the Saved that Append wrote at the start of b: it returns it and the
// number of bytes it took.
func ParseSaved(b []byte) (Saved, int, error) {
	var s Saved
	n := 0
	next := func() uint64 {
		if n > len(b) {
			return 0
		}
		v, k := binary.Uvarint(b[n:])
		if k <= 0 {
			n = len(b) + 1
			return 0
		}
		n += k
		return v
	}
	for i := range s.ep {
		e := &s.ep[i]
		flags := next()
		if n+4 > len(b) {
			return Saved{}, 0, errSaved
		}
		e.state, e.prevState = endpointState(flags&7), endpointState(flags>>3&7)
		e.started, e.hole, e.histSeen = flags>>6&1 != 0, flags>>7&1 != 0, uint16(flags>>8)
		e.startSeq = binary.BigEndian.Uint32(b[n:])
		n += 4
		e.lastSeq = e.startSeq + uint32(next())
		e.holeStart = e.startSeq + uint32(next())
		e.histLastSYN, e.histLastFIN, e.histLastRST = uint32(next()), uint32(next()), uint32(next())
		e.rxmt, e.zeroWin, e.gaps = int32(uint32(next())), int32(uint32(next())), int32(uint32(next()))
	}
	if n > len(b) {
		return Saved{}, 0, errSaved
	}
	return s, n, nil
}
