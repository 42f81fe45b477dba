package track

import (
	"time"
)

// maxPendingSegments bounds how many out-of-order segments one direction holds while it waits
// for the bytes before them.
const maxPendingSegments = 32

// segmentMark remembers which frame delivered which stream bytes, so that a TLS message found at
// a stream offset can be tied to the frames that carried it. Marks are contiguous: a mark's bytes
// end where the next one's begin, and the last one's at the stream's next offset.
type segmentMark struct {
	offset int64 // stream offset of the segment's first byte
	frame  int
	time   time.Time
}

// maxMarks bounds the segment marks kept per direction; offsets past the last mark map to it.
const maxMarks = 64

// initialMarks is the capacity of a direction's marks when its first bytes arrive: a handshake
// takes a few segments, so the slice is allocated once rather than grown from 1.
const initialMarks = 8

// deliverer takes a direction's in-order bytes: b is only valid during the call, frame and t are
// those of the packet that completed them. cut is told, once, of the segment the snaplen cut
// where delivery stopped with a gap: its stream offset, its captured bytes (only valid during the
// call), its length on the wire, and its packet's frame and time.
type deliverer interface {
	deliver(b []byte, frame int, t time.Time)
	cut(rel int64, captured []byte, wire int, frame int, t time.Time)
}

type pendingSegment struct {
	rel   int64 // stream offset of data[0]
	data  []byte
	frame int
	time  time.Time
	wire  int  // its payload length on the wire
	cut   bool // the snaplen cut this segment: a gap follows it
}

// streamStart reassembles the first bytes of one direction of a TCP connection, in order, from
// segments that may arrive out of order, retransmitted or overlapping. It hands in-order bytes to
// deliver and stops once limit bytes have been delivered or stop() is called.
type streamStart struct {
	base    uint32 // sequence number of stream offset 0
	based   bool   // base is known
	stopped bool
	gap     bool  // a hole that will never be filled: delivery stopped
	next    int64 // next stream offset expected
	limit   int64
	pending []pendingSegment
	marks   []segmentMark
}

// setBase fixes the sequence number of the stream's first byte (the SYN's sequence number + 1).
func (s *streamStart) setBase(seq uint32) {
	if s.based {
		return
	}
	s.based = true
	s.base = seq
}

// offsetOf converts a sequence number to a stream offset, allowing for wrap-around: offsets
// before the base come out negative.
func (s *streamStart) offsetOf(seq uint32) int64 {
	return int64(int32(seq - s.base))
}

// segment takes one segment's captured payload. wireLen is its length on the wire: when it is
// larger than len(payload) the capture cut it, and the stream has a hole after the captured part.
// to receives in-order bytes (only valid during the call) with the frame that completed them.
func (s *streamStart) segment(seq uint32, payload []byte, wireLen int, frame int, t time.Time, to deliverer) {
	if s.stopped || wireLen == 0 {
		return
	}
	if !s.based {
		s.setBase(seq)
	}
	rel := s.offsetOf(seq)
	cut := len(payload) < wireLen
	end := rel + int64(len(payload))
	if rel+int64(wireLen) <= s.next {
		return // old data: a retransmission of what was delivered
	}
	if rel > s.next {
		s.hold(rel, payload, wireLen, frame, t, cut)
		return
	}
	// rel <= next < end, or a cut segment: deliver the new part.
	if end > s.next {
		s.emit(payload[s.next-rel:], frame, t, to)
	}
	if cut && !s.stopped {
		s.stopWithGap()
		to.cut(rel, payload, wireLen, frame, t)
		return
	}
	s.drain(to)
}

// emit delivers bytes at offset next, clipped to the limit.
func (s *streamStart) emit(b []byte, frame int, t time.Time, to deliverer) {
	if room := s.limit - s.next; int64(len(b)) > room {
		b = b[:room]
	}
	if len(b) == 0 {
		return
	}
	if s.marks == nil {
		s.marks = make([]segmentMark, 0, initialMarks)
	}
	if n := len(s.marks); n < maxMarks {
		// Field by field, in place: a literal appended is built on the stack in words and
		// copied in blocks, which stalls store forwarding.
		if n == cap(s.marks) {
			s.marks = append(s.marks, segmentMark{})
		} else {
			s.marks = s.marks[:n+1]
		}
		m := &s.marks[n]
		m.offset, m.frame, m.time = s.next, frame, t
	}
	s.next += int64(len(b))
	to.deliver(b, frame, t)
	if s.next >= s.limit {
		s.stop()
	}
}

// hold keeps a copy of a segment that arrived before the bytes in front of it.
func (s *streamStart) hold(rel int64, payload []byte, wire int, frame int, t time.Time, cut bool) {
	if rel >= s.limit || len(s.pending) >= maxPendingSegments {
		return
	}
	if room := s.limit - rel; int64(len(payload)) > room {
		payload = payload[:room]
	}
	for _, p := range s.pending {
		if p.rel == rel && len(p.data) >= len(payload) {
			return // a retransmission of a held segment
		}
	}
	s.pending = append(s.pending, pendingSegment{rel: rel, data: append([]byte(nil), payload...), frame: frame, time: t, wire: wire, cut: cut})
}

// drain delivers held segments that the stream has now reached.
func (s *streamStart) drain(to deliverer) {
	for progress := true; progress && len(s.pending) > 0 && !s.stopped; {
		progress = false
		for i := 0; i < len(s.pending); i++ {
			p := s.pending[i]
			if p.rel > s.next {
				continue
			}
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			i--
			if end := p.rel + int64(len(p.data)); end > s.next {
				s.emit(p.data[s.next-p.rel:], p.frame, p.time, to)
				progress = true
			}
			if p.cut {
				s.stopWithGap()
				to.cut(p.rel, p.data, p.wire, p.frame, p.time)
				return
			}
		}
	}
}

// stop ends delivery and frees what is held.
func (s *streamStart) stop() {
	s.stopped = true
	s.pending = nil
}

func (s *streamStart) stopWithGap() {
	s.gap = true
	s.stop()
}

// missing reports whether segments are held behind a hole that was never filled.
func (s *streamStart) missing() bool {
	return len(s.pending) > 0
}

// frameAt returns the frame that carried the stream byte at offset off: the last mark that begins
// at or before it.
func (s *streamStart) frameAt(off int64) (frame int, t time.Time, ok bool) {
	lo, hi := 0, len(s.marks) // marks are in stream order: find the first that begins after off
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.marks[mid].offset <= off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return 0, time.Time{}, false
	}
	m := &s.marks[lo-1]
	return m.frame, m.time, true
}

// markEnd is the stream offset where the bytes of mark i end.
func (s *streamStart) markEnd(i int) int64 {
	if i+1 < len(s.marks) {
		return s.marks[i+1].offset
	}
	return s.next
}

// segmentsBetween counts the segments that carried stream bytes [start, end).
func (s *streamStart) segmentsBetween(start, end int64) int {
	n := 0
	for i, m := range s.marks {
		if s.markEnd(i) > start && m.offset < end {
			n++
		}
	}
	return n
}
