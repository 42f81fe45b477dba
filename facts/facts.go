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

// Conn is one finished TCP connection: everything the diagnosis may need, and nothing else. It
// is kept for every listed connection, so what most connections leave empty sits behind
// pointers (TLS, Extra, the path's rare parts) and counts are 32-bit.
type Conn struct {
	// Client and Server are the endpoints; the client sent the SYN (or, without one, was guessed:
	// RolesGuessed).
	Client, Server netip.AddrPort
	// First and Last are the connection's first and last packet (frames in file order).
	First, Last Ref
	// End is when tracking finished the connection, in capture time (its Frame is unset): its
	// last packet's time, or later when it was finished by an idle sweep or the end of the
	// capture: then the time of the capture's last packet at the connection's vantage, analysed
	// or not (a live capture: when it was stopped).
	End Ref

	Side [2]Side

	SYNs   []Ref // the client's SYNs, the first MaxSYNs (SYNCount counts them all)
	SYNAck Ref   // the server's first SYN-ACK
	RSTs   []RST // the first MaxRSTs resets (RSTCount counts them all)

	TLS  *TLS // nil when neither side spoke TLS
	Path Path
	// Ladder is the connection's packets for a ladder diagram: the first and the last (see
	// LadderHead/LadderTail in package result), kept only for connections that may have failed.
	Ladder []LadderPacket

	// ConnState and History are Zeek's conn_state and history.
	ConnState string
	History   string

	// X holds what few connections have (ICMP errors, plain HTTP, a partial ClientHello); nil
	// when the connection has none of it. Read it through the methods ICMP, HTTP, HelloPartial.
	X *Extra

	ID            int32 // numbers the connections in order of their first frame, from 1
	SYNCount      int32 // client SYNs (retransmissions included)
	RSTCount      int32
	SnaplenCut    int32 // packets cut by the capture's snaplen
	LadderOmitted int32 // packets between the ladder's head and tail that were left out
	RolesGuessed  bool
	// HelloCut: the snaplen cut the client's ClientHello, so the stream has a gap in it.
	HelloCut bool
	// Vantage is where the connection's packets were captured (capture.Packet.Vantage): with
	// several vantages, each has a record of its own, and its frames are numbered as that
	// vantage's capture point numbers them.
	Vantage uint16
}

// Extra is what few connections have.
type Extra struct {
	ICMP []ICMP // ICMP errors that quote the connection's packets, the first MaxICMP
	// ICMPCount counts every ICMP error that quoted the connection's packets, those past
	// MaxICMP too.
	ICMPCount int32
	HTTP      *HTTP // nil when the client spoke no plain HTTP
	// HelloPartial is set when the client began a ClientHello that never completed: how many
	// bytes of it arrived and how many its length field claims.
	HelloPartial *Partial
	// SYNAcks are the server's SYN-ACKs after the first (retransmissions), the first few.
	SYNAcks []Ref
	// Damaged is what of the connection's packets arrived damaged; nil when none did.
	Damaged *Damaged
	// Overruns counts the packets whose IP header claims more bytes than their frame holds,
	// though the capture did not cut the frame; OverrunRef is the first.
	Overruns   int32
	OverrunRef Ref
	// HelloConflict is the first client segment that carried bytes of the ClientHello again
	// with other contents: a retransmission that contradicts what was first sent.
	HelloConflict Ref
	// Sightings are the connection's packets at its vantage, kept only when the capture has
	// several vantages, for relating the records of one connection seen at several of them
	// (package correlate), which consumes them: a stored record (Codec) never keeps them.
	Sightings *Sightings
}

// ICMP returns the ICMP errors that quote the connection's packets.
func (c *Conn) ICMP() []ICMP {
	if c.X == nil {
		return nil
	}
	return c.X.ICMP
}

// ICMPCount returns how many ICMP errors quoted the connection's packets, those not kept too.
func (c *Conn) ICMPCount() int {
	if c.X == nil {
		return 0
	}
	return max(int(c.X.ICMPCount), len(c.X.ICMP))
}

// HTTP returns the connection's plain-HTTP request and response, or nil.
func (c *Conn) HTTP() *HTTP {
	if c.X == nil {
		return nil
	}
	return c.X.HTTP
}

// HelloPartial returns the unfinished ClientHello's sizes, or nil.
func (c *Conn) HelloPartial() *Partial {
	if c.X == nil {
		return nil
	}
	return c.X.HelloPartial
}

// SYNAckRefs returns the server's SYN-ACKs, the first MaxSYNAcks.
func (c *Conn) SYNAckRefs() []Ref {
	if !c.SYNAck.Seen() {
		return nil
	}
	out := []Ref{c.SYNAck}
	if c.X != nil {
		out = append(out, c.X.SYNAcks...)
	}
	return out
}

// Extra returns c.X, allocating it.
func (c *Conn) Extra() *Extra {
	if c.X == nil {
		c.X = &Extra{}
	}
	return c.X
}

// Side is what one direction of a connection showed.
type Side struct {
	Bytes   int64 // payload bytes on the wire
	Packets int32
	Retrans int32  // segments at or below the highest sequence number seen
	SYNSeq  uint32 // the side's SYN sequence number, when SYNSeen
	TTL     uint8  // IP TTL / hop limit of the side's first packet
	SYNSeen bool
	FIN     Ref // the side's first FIN
	// FirstPayload and LastPayload are the side's first and last packet with payload.
	FirstPayload, LastPayload Ref
}

// RST is one reset.
type RST struct {
	Ref
	// Idle is the silence that preceded the reset or the packet it answers.
	Idle time.Duration
	From uint8 // Client or Server: whose address it carries
	TTL  uint8
	IPID uint16
	// SideIPID is the IP ID of the latest packet, not a reset, that the side the reset claims
	// sent before it (what its IP ID is compared with); SideIPIDSet: there was one.
	SideIPID    uint16
	SideIPIDSet bool
	// Bytes is the payload bytes each side (Client, Server) had sent on the wire up to the reset,
	// its own payload included, and Retrans the segments each had sent again among them: what a
	// verdict about the reset counts (Side holds the whole connection's counts, those after the
	// reset too).
	Bytes   [2]int64
	Retrans [2]int32
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

// Survived reports whether the connection went on after reset r: both sides sent data after it,
// which neither does after a reset that took effect (a reset forged in the path that the receiver
// answered with a challenge ACK, RFC 5961, survives).
func (c *Conn) Survived(r RST) bool {
	return c.Side[Client].LastPayload.Frame > r.Frame && c.Side[Server].LastPayload.Frame > r.Frame
}

// EndingRST returns the index in RSTs of the first reset the connection did not survive.
func (c *Conn) EndingRST() (int, bool) {
	for i, r := range c.RSTs {
		if !c.Survived(r) {
			return i, true
		}
	}
	return 0, false
}

// FirstRST returns the first reset the connection did not survive, if any.
func (c *Conn) FirstRST() (RST, bool) {
	if i, ok := c.EndingRST(); ok {
		return c.RSTs[i], true
	}
	return RST{}, false
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
