// Package zeek keeps one TCP connection's state as Zeek's TCP analyzer does, packet by packet,
// and gives its conn_state and history (docs/zeek-conn-state.md): the connection's facts in
// the terms Zeek users read, apart from connscope's own.
package zeek

import (
	"github.com/connscope/connscope/capture"
)

// endpointState is a TCP endpoint's state as Zeek's TCP analyzer tracks it (TCP_Endpoint.h).
type endpointState uint8

// Directions of a packet.
const (
	client = 0
	server = 1
)

const (
	tcpInactive endpointState = iota
	tcpSYNSent
	tcpSYNACKSent
	tcpPartial
	tcpEstablished
	tcpClosed
	tcpReset
)

// History bits, one per kind of event, as in Zeek's TCP_Endpoint (HIST_*).
const (
	histSYN uint16 = 1 << iota
	histFIN
	histRST
	histFINRST
	histData
	histACK
	histMultiFlag
)

// zeekEndpoint is one side's state in Zeek's terms.
type endpoint struct {
	state, prevState endpointState
	started          bool   // startSeq/lastSeq are set
	hole             bool   // holeStart is set
	startSeq         uint32 // first sequence number seen (the SYN's)
	lastSeq          uint32 // one past the highest sequence number seen
	holeStart        uint32 // first byte of a hole in this side's data, when hole
	histLastSYN      uint32
	histLastFIN      uint32
	histLastRST      uint32
	histSeen         uint16
	// Counters (int32: the endpoint is part of every flow). Each adds its letter to the history
	// when it reaches 1, 10, 100, ...
	rxmt    int32 // retransmissions seen
	zeroWin int32
	gaps    int32
}

// Conn computes Zeek's conn_state and history for one connection, from the client's
// (originator's) point of view. Directions are 0 for the client (originator) and 1 for the
// server (responder). The zero Conn is a connection before its first packet.
type Conn struct {
	ep   [2]endpoint
	hist []byte
}

func (e *endpoint) setState(s endpointState) {
	e.prevState = e.state
	e.state = s
}

// Flip starts the history with Zeek's '^': the first packet came from the responder.
func (z *Conn) Flip() { z.hist = append(z.hist, '^') }

// addHistory appends a letter, upper case for the originator.
func (z *Conn) addHistory(d int, c byte) {
	if d == server {
		c += 'a' - 'A'
	}
	z.hist = append(z.hist, c)
}

// checkHistory records an event kind the first time it happens for a side, and reports whether
// it had been seen before (Zeek's TCP_Endpoint::CheckHistory).
func (z *Conn) checkHistory(d int, mask uint16, c byte) bool {
	e := &z.ep[d]
	if e.histSeen&mask == 0 {
		e.histSeen |= mask
		z.addHistory(d, c)
		return false
	}
	return true
}

// scaled counts an event and adds its letter when the count reaches 1, 10, 100, ... (Zeek's
// Connection::ScaledHistoryEntry, whose threshold starts at 1 and grows tenfold each time).
func (z *Conn) scaled(d int, counter *int32, c byte) {
	*counter++
	n := *counter
	for n >= 10 && n%10 == 0 {
		n /= 10
	}
	if n == 1 {
		z.addHistory(d, c)
	}
}

// Packet updates both endpoints with one packet from direction d.
func (z *Conn) Packet(d int, t *capture.TCPHeader) {
	e, peer := &z.ep[d], &z.ep[1-d]
	flags := t.Flags
	syn, fin, rst, ack := flags&capture.FlagSYN != 0, flags&capture.FlagFIN != 0, flags&capture.FlagRST != 0, flags&capture.FlagACK != 0
	length := uint32(t.PayloadLen)

	if !e.started {
		e.started = true
		e.startSeq = t.Seq
		e.lastSeq = t.Seq
		if syn {
			e.lastSeq = t.Seq + 1
		}
	}
	relSeq := t.Seq - e.startSeq
	z.updateHistory(d, syn, fin, rst, ack, relSeq, length)

	if t.Window == 0 && !rst && !syn && peer.state != tcpClosed && e.state != tcpReset {
		z.scaled(d, &e.zeroWin, 'W')
	}
	z.trackSeq(d, t.Seq, length, syn, fin, rst)
	z.updateState(d, e, peer, syn, fin, rst, ack, length)
	// As Zeek does, the ACK is looked at after the state update, so that a gap revealed by the
	// last packets of a connection (a FIN or RST) is not flagged.
	if ack && peer.started {
		z.ackedBy(1-d, t.Ack)
	}
}

// updateHistory is Zeek's update_history (TCPSessionAdapter.cc).
func (z *Conn) updateHistory(d int, syn, fin, rst, ack bool, relSeq, length uint32) {
	e := &z.ep[d]
	bits := b2i(syn) + b2i(fin) + b2i(rst)
	switch {
	case bits > 1:
		if fin && rst {
			z.checkHistory(d, histFINRST, 'I')
		} else {
			z.checkHistory(d, histMultiFlag, 'Q')
		}
	case bits == 1:
		if syn {
			code := byte('S')
			if ack {
				code = 'H'
			}
			if z.checkHistory(d, histSYN, code) && relSeq != e.histLastSYN {
				z.addHistory(d, code)
			}
			e.histLastSYN = relSeq
		}
		if fin {
			if z.checkHistory(d, histFIN, 'F') && relSeq+length != e.histLastFIN {
				z.addHistory(d, 'F')
			}
			e.histLastFIN = relSeq + length
		}
		if rst {
			if z.checkHistory(d, histRST, 'R') && relSeq != e.histLastRST {
				z.addHistory(d, 'R')
			}
			e.histLastRST = relSeq
		}
	default:
		if length > 0 {
			z.checkHistory(d, histData, 'D')
		} else if ack {
			z.checkHistory(d, histACK, 'A')
		}
	}
}

// trackSeq follows the highest sequence number of a side: data at or below it is a
// retransmission ('T'); data or a FIN past it leaves a hole, which becomes a content gap ('G')
// once the peer acknowledges past it (Zeek's update_last_seq and its reassembler's gap report).
func (z *Conn) trackSeq(d int, seq, length uint32, syn, fin, rst bool) {
	e := &z.ep[d]
	end := seq + length
	if syn || fin {
		end++
	}
	delta := int32(end - e.lastSeq)
	switch {
	case (syn || rst) && (delta > 16384 || delta < -16384):
	case e.state == tcpReset:
	case delta > 0:
		if (length > 0 || fin) && int32(seq-e.lastSeq) > 0 && !e.hole {
			e.hole, e.holeStart = true, e.lastSeq
		}
		e.lastSeq = end
	case length > 0:
		z.scaled(d, &e.rxmt, 'T')
	}
	if e.hole && length > 0 && int32(seq-e.holeStart) <= 0 && int32(end-e.holeStart) > 0 {
		e.hole = false // the hole's first bytes arrived
	}
}

// ackedBy notes that the peer acknowledged side d's data up to ack. Acknowledged bytes that the
// capture never held are a content gap ('G'): a hole that the ACK passes, or an ACK beyond the
// highest sequence number seen.
func (z *Conn) ackedBy(d int, ack uint32) {
	e := &z.ep[d]
	// Zeek's TCP_Reassembler::Gap flags a gap only while both sides are established or closing
	// cleanly from established.
	clean := z.ep[0].clean() && z.ep[1].clean()
	if e.hole && int32(ack-e.holeStart) > 0 {
		e.hole = false
		if clean {
			z.scaled(d, &e.gaps, 'G')
		}
	}
	if int32(ack-e.lastSeq) > 0 {
		e.lastSeq = ack
		if clean {
			z.scaled(d, &e.gaps, 'G')
		}
	}
}

// clean is Zeek's is_clean: established, or closed coming from established.
func (e *endpoint) clean() bool {
	return e.state == tcpEstablished || (e.state == tcpClosed && e.prevState == tcpEstablished)
}

// updateState is Zeek's UpdateStateMachine for one packet.
func (z *Conn) updateState(d int, e, peer *endpoint, syn, fin, rst, ack bool, length uint32) {
	isOrig := d == client
	switch e.state {
	case tcpInactive:
		if syn {
			if isOrig {
				if ack {
					e.setState(tcpSYNACKSent)
				} else {
					e.setState(tcpSYNSent)
				}
			} else {
				if peer.state == tcpSYNSent {
					peer.setState(tcpEstablished)
				}
				e.setState(tcpEstablished)
			}
		}
		if fin {
			e.setState(tcpClosed)
		}
		if rst {
			e.setState(tcpReset)
		}
		if e.state == tcpInactive {
			switch {
			case !isOrig && length == 0 && z.ep[client].state == tcpSYNSent:
				// An ACK of the SYN before the SYN-ACK: not a partial connection.
			case ack && peer.state == tcpEstablished:
				e.setState(tcpEstablished)
			default:
				e.setState(tcpPartial)
			}
		}
	case tcpSYNSent, tcpSYNACKSent:
		if fin {
			e.setState(tcpClosed)
		}
		if rst {
			e.setState(tcpReset)
		}
	case tcpEstablished, tcpPartial:
		if syn && e.state == tcpPartial && peer.state == tcpInactive && !ack {
			e.setState(tcpSYNSent)
		}
		if fin && !rst {
			e.setState(tcpClosed)
		}
		if rst {
			e.setState(tcpReset)
		}
	case tcpClosed:
		if rst && peer.state != tcpClosed {
			e.setState(tcpReset)
		}
	case tcpReset:
	}
}

// Finish reports the holes that no ACK passed before the end as content gaps ('G').
func (z *Conn) Finish() {
	for d := range z.ep {
		if e := &z.ep[d]; e.hole {
			e.hole = false
			if z.ep[0].clean() && z.ep[1].clean() {
				z.scaled(d, &e.gaps, 'G')
			}
		}
	}
}

// history returns Zeek's history string.
// History is Zeek's history string so far, as bytes the Conn keeps (copy what must outlive
// the next packet).
func (z *Conn) History() []byte { return z.hist }

// ConnState is Zeek's conn_state (base/protocols/conn/main.zeek).
func (z *Conn) ConnState() string {
	os, rs := z.ep[client].state, z.ep[server].state
	oInactive := os == tcpInactive || os == tcpPartial
	rInactive := rs == tcpInactive || rs == tcpPartial
	switch {
	case rs == tcpReset:
		if os == tcpSYNSent || os == tcpSYNACKSent || (os == tcpReset && z.size(client) == 0 && z.size(server) == 0) {
			return "REJ"
		}
		if oInactive {
			return "RSTRH"
		}
		return "RSTR"
	case os == tcpReset:
		if rInactive {
			if rstos0(z.hist) {
				return "RSTOS0"
			}
			return "OTH"
		}
		return "RSTO"
	case rs == tcpClosed && os == tcpClosed:
		return "SF"
	case os == tcpClosed:
		if rInactive {
			return "SH"
		}
		return "S2"
	case rs == tcpClosed:
		if oInactive {
			return "SHR"
		}
		return "S3"
	case os == tcpSYNSent && rs == tcpInactive:
		return "S0"
	case os == tcpEstablished && rs == tcpEstablished:
		return "S1"
	}
	return "OTH"
}

// size is the payload bytes a side sent, by sequence numbers (Zeek's endpoint size).
func (z *Conn) size(d int) int64 {
	e := &z.ep[d]
	if !e.started {
		return 0
	}
	n := int64(int32(e.lastSeq - e.startSeq))
	if e.histSeen&histSYN != 0 {
		n--
	}
	if n < 0 {
		return 0
	}
	return n
}

// rstos0 matches Zeek's /\^?S[^HAFGIQ]*R.*/ against the history.
func rstos0(h []byte) bool {
	i := 0
	if i < len(h) && h[i] == '^' {
		i++
	}
	if i >= len(h) || h[i] != 'S' {
		return false
	}
	for i++; i < len(h); i++ {
		switch h[i] {
		case 'R':
			return true
		case 'H', 'A', 'F', 'G', 'I', 'Q':
			return false
		}
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
