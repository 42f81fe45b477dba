package track

import (
	"encoding/binary"
	"time"

	"github.com/connscope/connscope/track/zeek"
)

// lateState is what late packets update in a tomb besides its record: the Zeek state, the
// gaps between the last packets, the highest sequence numbers. A tomb keeps it encoded (about
// 55 bytes, where it takes 120) in the arena, before its record (tomb.rec).
type lateState struct {
	zeek             zeek.Saved    // the Zeek state but for the history, which follows the record
	lastGap, prevGap time.Duration // between the last two packets, and the two before (for a reset's idle)
	seqMax           [2]uint32     // per side, as side.seqMax and seqMaxSet
	seqSet           [2]bool
}

// append appends s to b.
func (s *lateState) append(b []byte) []byte {
	b = s.zeek.Append(b)
	b = binary.AppendVarint(binary.AppendVarint(b, int64(s.lastGap)), int64(s.prevGap))
	for d := range s.seqMax {
		if s.seqSet[d] {
			b = binary.BigEndian.AppendUint32(append(b, 1), s.seqMax[d])
		} else {
			b = append(b, 0)
		}
	}
	return b
}

// parseLateState reads the lateState that append wrote as b. The tracker wrote it: a failure is
// a bug, not bad input.
func parseLateState(b []byte) lateState {
	var s lateState
	var n int
	var err error
	if s.zeek, n, err = zeek.ParseSaved(b); err != nil {
		panic("track: a tomb's state does not parse: " + err.Error())
	}
	b = b[n:]
	gap := func() time.Duration {
		v, k := binary.Varint(b)
		if k <= 0 {
			panic("track: a tomb's state does not parse: a gap cut short")
		}
		b = b[k:]
		return time.Duration(v)
	}
	s.lastGap, s.prevGap = gap(), gap()
	for d := range s.seqMax {
		if s.seqSet[d] = b[0] == 1; s.seqSet[d] {
			s.seqMax[d] = binary.BigEndian.Uint32(b[1:])
			b = b[4:]
		}
		b = b[1:]
	}
	return s
}

// tombState returns the tomb's late state.
func (a *Tracker) tombState(t *tomb) lateState {
	return parseLateState(a.tombRecs.Bytes(t.rec)[:t.stateLen])
}

// tombZeek returns the Zeek state s of tomb t with a copy of its history (in a.histScratch).
func (a *Tracker) tombZeek(t *tomb, s *lateState) zeek.Conn {
	b := a.tombRecs.Bytes(t.rec)
	a.histScratch = append(a.histScratch[:0], b[len(b)-int(t.histLen):]...)
	return zeek.Restore(s.zeek, a.histScratch)
}
