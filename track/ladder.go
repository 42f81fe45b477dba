package track

import (
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// ladderCap is a ladder's array: the first result.LadderHead packets, then a ring of the last
// result.LadderTail.
const ladderCap = result.LadderHead + result.LadderTail

// ladder keeps a bounded part of a flow's packets: the first result.LadderHead, and the last
// result.LadderTail in a ring after them. Its memory is fixed per flow, whatever the flow's length.
type ladder struct {
	packets []facts.LadderPacket // head, then the tail ring
	tailN   int                  // packets written to the ring, in total
}

// add notes one packet and returns it, so the caller can mark it later in the same packet.
func (l *ladder) add(d int, r ref, t *capture.TCPHeader, pool *ladderPool) *facts.LadderPacket {
	if l.packets == nil {
		l.packets = pool.get()
	} else if len(l.packets) == cap(l.packets) && cap(l.packets) < ladderCap {
		// Past a short connection's size: straight to the whole array, never more.
		grown := make([]facts.LadderPacket, len(l.packets), ladderCap)
		copy(grown, l.packets)
		l.packets = grown
	}
	var p *facts.LadderPacket
	switch n := len(l.packets); {
	case n < result.LadderHead:
		l.packets = l.packets[:n+1] // within cap: pool arrays hold ladderInitial, more grow above
		p = &l.packets[n]
	case n < ladderCap:
		l.packets = l.packets[:n+1]
		p = &l.packets[n]
		l.tailN++
	default:
		p = &l.packets[result.LadderHead+l.tailN%result.LadderTail]
		l.tailN++
	}
	// Field by field, in place: a literal is built on the stack in words and copied in blocks,
	// which stalls store forwarding, on every packet.
	*p = facts.LadderPacket{}
	p.At, p.From, p.Flags, p.PayloadLen = r, uint8(d), t.Flags, int32(min(t.PayloadLen, 1<<31-1))
	return p
}

// find returns the kept packet with frame number frame, or nil. The packet a TLS record ends
// in is nearly always among the last few, so the search starts from the newest.
func (l *ladder) find(frame int) *facts.LadderPacket {
	for i := len(l.packets) - 1; i >= 0; i-- {
		if int(l.packets[i].At.Frame) == frame {
			return &l.packets[i]
		}
	}
	return nil
}

// note adds the code of the TLS record of ev to the packet with frame number frame. A repeat
// of the packet's last code (several application_data records in one segment) is dropped.
func (l *ladder) note(frame int, ev *tls.Event) {
	p := l.find(frame)
	if p == nil || p.NMessages >= facts.MaxLadderMessages {
		return
	}
	code, ok := facts.LadderCodeOf(ev)
	if !ok || (p.NMessages > 0 && p.Messages[p.NMessages-1] == code) {
		return
	}
	p.Messages[p.NMessages] = code
	p.NMessages++
}

// ordered puts the kept packets in capture order (the tail ring rotated into place) and returns
// them, with how many were left out between the head and the tail. The slice is the ladder's.
func (l *ladder) ordered() ([]facts.LadderPacket, int) {
	if l.tailN > result.LadderTail {
		tail := l.packets[result.LadderHead:]
		start := l.tailN % result.LadderTail
		var tmp [result.LadderTail]facts.LadderPacket
		for i := range tail {
			tmp[i] = tail[(start+i)%len(tail)]
		}
		copy(tail, tmp[:len(tail)])
	}
	return l.packets, max(0, l.tailN-result.LadderTail)
}
