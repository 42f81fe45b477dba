package track

import (
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// sighting notes a packet of direction d in the record's sightings (Config.Sightings).
func addSighting(s *facts.Sightings, d int, p *capture.Packet) {
	if len(s.Dir[d]) >= facts.MaxSightings {
		s.Omitted[d]++
		return
	}
	t := &p.TCP
	x := facts.Sighting{UnixNano: p.Time.UnixNano(), Frame: int32(p.Index), Seq: t.Seq, Ack: t.Ack,
		Len: uint32(t.PayloadLen), IPID: p.IPID, Flags: t.Flags, TTL: p.TTL}
	if n := min(len(t.Payload), facts.MaxHashed); n > 0 {
		x.Hash, x.HashLen = fnv1a(t.Payload[:n]), uint8(n)
	}
	s.Dir[d] = append(s.Dir[d], x)
}

// fnv1a is the 32-bit FNV-1a hash of b.
func fnv1a(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// twin notes a packet that repeats its side's SYN or data with another TTL than the side's first
// packet, or its SYN with the same IP ID: a retransmission comes from the same host with the same
// TTL and a new IP ID, so this is more likely the same packet seen a second time, at another
// point of its path (a file that holds two capture points).
func (sh *flowShared) twin(frame int) {
	if sh.twins == 0 {
		sh.twinFrame = frame
	}
	sh.twins++
}

// Twins counts the packets that looked like the same packet seen twice at two points of its path
// (a repeated SYN or data segment with another TTL than its side's first packet, a repeated SYN
// with the same IP ID), and gives the frame of the first.
func (a *Tracker) Twins() (n, firstFrame int) { return a.shared.twins, a.shared.twinFrame }

// Sightings makes the tracker keep each connection's packets in its record from now on
// (Config.Sightings), and hand records over as OwnLadders does: the sink may keep them.
func (a *Tracker) Sightings() {
	a.cfg.Sightings, a.cfg.OwnLadders = true, true
}
