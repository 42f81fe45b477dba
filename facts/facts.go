// Package facts holds what connection tracking found about each connection, as a compact record
// of facts: endpoints, Zeek's conn_state and history, counters, the TLS handshake as codes, what
// the packets showed about the path, and the packets that evidence cites. It holds no texts and
// no packets: tracking (package track) fills a Conn when a connection ends, diagnosis (package
// diagnose) judges it, and the engine (package analyze) turns the two into a result.
//
// This is Zeek's split: the connection analyzer emits facts, the scripts decide.
package facts

import (
	"net/netip"
	"time"
)

// The two directions of a connection, as indexes of its per-side arrays.
const (
	Client = 0 // from the client (the originator)
	Server = 1 // from the server (the responder)
)

// SideName names a direction: "client" or "server".
var SideName = [2]string{"client", "server"}

// Bounds of the lists a Conn keeps.
const (
	MaxSYNs           = 16 // client SYNs kept (SYNCount counts them all)
	MaxRSTs           = 4  // resets kept (RSTCount counts them all)
	MaxICMP           = 4  // ICMP errors kept
	MaxAlerts         = 8  // TLS alerts kept
	MaxSYNAcks        = 4  // SYN-ACKs kept (Path.SYNAcks counts them all)
	MaxServerMessages = 16
)

// Conn is one finished TCP connection: everything the diagnosis may need, and nothing else.
type Conn struct {
	// ID numbers the connections in order of their first frame, from 1; the engine sets it.
	ID int
	// Client and Server are the endpoints; the client sent the SYN (or, without one, was guessed:
	// RolesGuessed).
	Client, Server netip.AddrPort
	RolesGuessed   bool
	// First and Last are the connection's first and last packet (frames in file order).
	First, Last Ref
	// End is the capture time at which tracking finished the connection: its last packet's time,
	// or later when it was finished by an idle sweep or the end of the capture.
	End time.Time

	Side [2]Side

	SYNCount int   // client SYNs (retransmissions included)
	SYNs     []Ref // the first MaxSYNs of them
	SYNAck   Ref   // the server's first SYN-ACK
	RSTCount int
	RSTs     []RST  // the first MaxRSTs resets
	ICMP     []ICMP // ICMP errors that quote the connection's packets

	// ConnState and History are Zeek's conn_state and history.
	ConnState string
	History   string

	SnaplenCut int // packets cut by the capture's snaplen
	// HelloCut: the snaplen cut the client's ClientHello, so the stream has a gap in it.
	HelloCut bool
	// HelloPartial is set when the client began a ClientHello that never completed: how many
	// bytes of it arrived and how many its length field claims.
	HelloPartial *Partial

	TLS  *TLS  // nil when neither side spoke TLS
	HTTP *HTTP // nil when the client spoke no plain HTTP

	Path Path

	// Ladder is the connection's packets for a ladder diagram: the first and the last (see
	// LadderHead/LadderTail in package result), kept only for connections that may have failed.
	Ladder        []LadderPacket
	LadderOmitted int // packets between the head and the tail that were left out
}

// Side is what one direction of a connection showed.
type Side struct {
	Packets int
	Bytes   int64 // payload bytes on the wire
	Retrans int   // segments at or below the highest sequence number seen
	TTL     uint8 // IP TTL / hop limit of the side's first packet
	SYNSeen bool
	SYNSeq  uint32 // the side's SYN sequence number, when SYNSeen
	FIN     Ref    // the side's first FIN
	// FirstPayload and LastPayload are the side's first and last packet with payload.
	FirstPayload, LastPayload Ref
}

// RST is one reset.
type RST struct {
	Ref
	From uint8 // Client or Server: whose address it carries
	TTL  uint8
	IPID uint16
	// Idle is the silence that preceded the reset or the packet it answers.
	Idle time.Duration
}

// ICMP is one ICMP or ICMPv6 error that quotes one of the connection's packets.
type ICMP struct {
	Ref
	V6         bool
	Type, Code uint8
	Router     netip.Addr // who sent it
	MTU        uint32     // next-hop MTU of fragmentation needed / packet too big
	FromClient bool       // the quoted packet was the client's
	TTL        uint8      // the ICMP packet's own TTL / hop limit
}

// Partial is an unfinished handshake message: bytes that arrived and bytes its header claims.
type Partial struct {
	Have, Want int
}

// Closed reports whether the connection ended: a reset, or a FIN from both sides.
func (c *Conn) Closed() bool {
	return c.RSTCount > 0 || (c.Side[Client].FIN.Seen() && c.Side[Server].FIN.Seen())
}

// FirstRST returns the first reset, if any.
func (c *Conn) FirstRST() (RST, bool) {
	if len(c.RSTs) == 0 {
		return RST{}, false
	}
	return c.RSTs[0], true
}

// FINBefore reports whether either side sent a FIN at or before t.
func (c *Conn) FINBefore(t time.Time) bool {
	for d := range c.Side {
		if fin := c.Side[d].FIN; fin.Seen() && !fin.Time().After(t) {
			return true
		}
	}
	return false
}

// RSTsFrom counts the kept resets that carry side d's address.
func (c *Conn) RSTsFrom(d int) int {
	n := 0
	for _, r := range c.RSTs {
		if int(r.From) == d {
			n++
		}
	}
	return n
}

// HTTP is the first request of a plain-HTTP connection and the response to it.
type HTTP struct {
	Request  Ref // unset when no whole request head arrived
	Method   string
	Path     string
	Host     string
	Response Ref // unset when no whole response head arrived
	Status   int
	Line     string // the status line
}
