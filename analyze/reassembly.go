package analyze

import (
	"time"
)

// maxPendingSegments bounds how many out-of-order segments one direction holds while it waits
// for the bytes before them.
const maxPendingSegments = 32

// segmentMark remembers which frame delivered which stream bytes, so that a TLS message found at
// a stream offset can be tied to the frames that carried it.
type segmentMark struct {
	offset int64 // stream offset of the segment's first byte
	end    int64
	frame  int
	time   time.Time
}

// maxMarks bounds the segment marks kept per direction; offsets past the last mark map to it.
const maxMarks = 64

type pendingSegment struct {
	rel   int64 // stream offset of data[0]
	data  []byte
	frame int
	time  time.Time
	cut   bool // the snaplen cut this segment: a gap follows it
}

// streamStart reassembles the first bytes of one direction of a TCP connection, in order, from
// segments that may arrive out of order, retransmitted or overlapping. It hands in-order bytes to
// deliver and stops once limit bytes have been delivered or stop() is called.
type streamStart struct {
	based   bool   // base is known
	base    uint32 // sequence number of stream offset 0
	next    int64  // next stream offset expected
	limit   int64
	stopped bool
	gap     bool // a hole that will never be filled: delivery stopped
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
// deliver receives in-order bytes (only valid during the call) with the frame that completed them.
func (s *streamStart) segment(seq uint32, payload []byte, wireLen int, frame int, t time.Time,
	deliver func(b []byte, frame int, t time.Time)) {
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
		s.hold(rel, payload, frame, t, cut)
		return
	}
	// rel <= next < end, or a cut segment: deliver the new part.
	if end > s.next {
		s.emit(payload[s.next-rel:], frame, t, deliver)
	}
	if cut && !s.stopped {
		s.stopWithGap()
		return
	}
	s.drain(deliver)
}

// emit delivers bytes at offset next, clipped to the limit.
func (s *streamStart) emit(b []byte, frame int, t time.Time, deliver func([]byte, int, time.Time)) {
	if room := s.limit - s.next; int64(len(b)) > room {
		b = b[:room]
	}
	if len(b) == 0 {
		return
	}
	if len(s.marks) < maxMarks {
		s.marks = append(s.marks, segmentMark{offset: s.next, end: s.next + int64(len(b)), frame: frame, time: t})
	} else {
		s.marks[len(s.marks)-1].end = s.next + int64(len(b))
	}
	s.next += int64(len(b))
	deliver(b, frame, t)
	if s.next >= s.limit {
		s.stop()
	}
}

// hold keeps a copy of a segment that arrived before the bytes in front of it.
func (s *streamStart) hold(rel int64, payload []byte, frame int, t time.Time, cut bool) {
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
	s.pending = append(s.pending, pendingSegment{rel: rel, data: append([]byte(nil), payload...), frame: frame, time: t, cut: cut})
}

// drain delivers held segments that the stream has now reached.
func (s *streamStart) drain(deliver func([]byte, int, time.Time)) {
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
				s.emit(p.data[s.next-p.rel:], p.frame, p.time, deliver)
				progress = true
			}
			if p.cut {
				s.stopWithGap()
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

// frameAt returns the frame that carried the stream byte at offset off.
func (s *streamStart) frameAt(off int64) (frame int, t time.Time, ok bool) {
	for _, m := range s.marks {
		if off >= m.offset && off < m.end {
			return m.frame, m.time, true
		}
	}
	if n := len(s.marks); n > 0 && off >= s.marks[n-1].offset {
		return s.marks[n-1].frame, s.marks[n-1].time, true
	}
	return 0, time.Time{}, false
}

// segmentsBetween counts the segments that carried stream bytes [start, end).
func (s *streamStart) segmentsBetween(start, end int64) int {
	n := 0
	for _, m := range s.marks {
		if m.end > start && m.offset < end {
			n++
		}
	}
	return n
}
