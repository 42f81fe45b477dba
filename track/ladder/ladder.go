// Package ladder keeps a bounded part of a connection's packets for its ladder diagram (its
// first packets and its last, with the TLS records each carried), in arrays reused from one
// connection to the next.
package ladder

import (
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// Cap is a ladder's array: the first result.LadderHead packets, then a ring of the last
// result.LadderTail.
const Cap = result.LadderHead + result.LadderTail

// Ladder keeps a bounded part of a flow's packets: the first result.LadderHead, and the last
// result.LadderTail in a ring after them. Its memory is fixed per flow, whatever the flow's length.
type Ladder struct {
	packets []facts.LadderPacket // head, then the tail ring
	tailN   int                  // packets written to the ring, in total
}

// Add notes one packet and returns it, so the caller can mark it later in the same packet.
func (l *Ladder) Add(d int, r facts.Ref, t *capture.TCPHeader, pool *Pool) *facts.LadderPacket {
	if l.packets == nil {
		l.packets = pool.get()
	} else if len(l.packets) == cap(l.packets) && cap(l.packets) < Cap {
		// Past a short connection's size: straight to the whole array, never more.
		grown := make([]facts.LadderPacket, len(l.packets), Cap)
		copy(grown, l.packets)
		l.packets = grown
	}
	var p *facts.LadderPacket
	switch n := len(l.packets); {
	case n < result.LadderHead:
		l.packets = l.packets[:n+1] // within cap: pool arrays hold initial, more grow above
		p = &l.packets[n]
	case n < Cap:
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
func (l *Ladder) find(frame int) *facts.LadderPacket {
	for i := len(l.packets) - 1; i >= 0; i-- {
		if int(l.packets[i].At.Frame) == frame {
			return &l.packets[i]
		}
	}
	return nil
}

// Note adds the code of the TLS record of ev to the packet with frame number frame. A repeat
// of the packet's last code (several application_data records in one segment) is dropped.
func (l *Ladder) Note(frame int, ev *tls.Event) {
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

// Release gives the ladder's array to p, for another ladder, and empties l: call it once what
// Ordered returned is no longer used (a record that keeps the ladder keeps a copy).
func (l *Ladder) Release(p *Pool) {
	if l.packets != nil {
		p.giveBack(l.packets)
		*l = Ladder{}
	}
}

// Ordered puts the kept packets in capture order (the tail ring rotated into place) and returns
// them, with how many were left out between the head and the tail. The slice is the ladder's.
func (l *Ladder) Ordered() ([]facts.LadderPacket, int) {
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

// maxPooled bounds the ladder arrays kept for reuse (at most about 9 MiB, when all have
// grown to Cap): enough for the flows that finish between two that begin in a busy capture.
const maxPooled = 4096

// initial is a new ladder's capacity: a short connection's packets fit, a longer one's
// grow to Cap.
const initial = 16

// Pool keeps the packet arrays of the ladders that records did not keep, so that new flows
// reuse them rather than allocate their own. A LadderPacket holds no pointers: what a reused
// array still holds is overwritten before it is read.
type Pool struct {
	arrays [][]facts.LadderPacket
}

// giveBack takes an array a record did not keep.
func (p *Pool) giveBack(a []facts.LadderPacket) {
	if cap(a) >= initial && len(p.arrays) < maxPooled {
		p.arrays = append(p.arrays, a[:0])
	}
}

// get returns an empty array for a ladder.
func (p *Pool) get() []facts.LadderPacket {
	if n := len(p.arrays); n > 0 {
		a := p.arrays[n-1]
		p.arrays = p.arrays[:n-1]
		return a
	}
	return make([]facts.LadderPacket, 0, initial)
}
