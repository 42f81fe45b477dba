// Package capture decodes packets: the link, IP, TCP, ICMP and UDP headers that connscope needs,
// through the tunnels they may be in, with their checksums checked and the reason a frame cannot be
// decoded, without allocating per packet. It does not read them: its sub-packages do, pcapfile
// from capture files and live from a network interface, each decoding its frames with a Decoder.
package capture

import (
	"net/netip"
	"time"
)

// Kind says which transport a decoded Packet carries.
type Kind uint8

const (
	// KindOther is a packet connscope does not analyse (UDP, ARP, a non-first IP fragment, ...).
	KindOther Kind = iota
	// KindTCP is a TCP segment; Packet.TCP is valid.
	KindTCP
	// KindICMPError is an ICMP or ICMPv6 error that quotes a TCP packet; Packet.ICMP is valid.
	KindICMPError
	// KindDNS is a UDP datagram to or from port 53 (DNSPort); Packet.UDP is valid.
	KindDNS
)

// TCP flag bits as they appear in the TCP header's flags byte.
const (
	FlagFIN uint8 = 0x01
	FlagSYN uint8 = 0x02
	FlagRST uint8 = 0x04
	FlagPSH uint8 = 0x08
	FlagACK uint8 = 0x10
	FlagURG uint8 = 0x20
	FlagECE uint8 = 0x40
	FlagCWR uint8 = 0x80
)

// TCPHeader holds the fields of a TCP segment that the analyzer uses.
type TCPHeader struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8 // FlagFIN | FlagSYN | ...
	Window           uint16
	// Payload is the captured part of the segment's payload. It borrows the reader's buffer and is
	// valid only until the next call to Next: copy what must be kept.
	Payload []byte
	// PayloadLen is the payload length on the wire, from the IP header's length fields. It is larger
	// than len(Payload) when the capture's snaplen cut the packet.
	PayloadLen int
}

// ICMPError is an ICMP destination-unreachable, time-exceeded or (ICMPv6) packet-too-big message
// together with the IP and TCP header fields of the packet it quotes.
type ICMPError struct {
	V6   bool  // ICMPv6 rather than ICMP
	Type uint8 // e.g. 3 destination unreachable (ICMP), 1 (ICMPv6)
	Code uint8
	// MTU is the next-hop MTU of "fragmentation needed" (ICMP 3/4) or "packet too big" (ICMPv6 2).
	MTU uint32
	// The quoted packet: the original sender is QuotedSrc.
	QuotedSrc, QuotedDst         netip.Addr
	QuotedSrcPort, QuotedDstPort uint16
	QuotedSeq                    uint32
	QuotedHasSeq                 bool // the quote was long enough to hold the sequence number
}

// Packet is one decoded packet. Reuse one Packet value across calls to Next: its slices borrow the
// reader's buffers.
type Packet struct {
	// Index is the 1-based frame number within the packet's capture point, as Wireshark numbers
	// the frames of its file; for a capture point of several files (a rotated set), frames are
	// numbered on across them in reading order, as in the files merged into one.
	Index int
	// Point is the capture point the packet was read from: an index into pcapfile.Reader.Points
	// (0 when there is one).
	Point int
	// File is the file of that capture point the packet was read from: an index into its Files.
	File int
	// FileFrame is the packet's frame number within that file, as Wireshark numbers it when it
	// opens the file alone (Index when the capture point is one file).
	FileFrame int
	// Vantage is where the packet was captured: an index into pcapfile.Reader.Vantages (0 when
	// the capture is one file of one interface). Two vantages may hold a copy of the same packet.
	Vantage uint16
	Time    time.Time // capture timestamp
	CapLen  int       // bytes captured
	WireLen int       // bytes on the wire
	// Truncated is true when the capture's snaplen cut this packet (CapLen < WireLen) or the
	// captured bytes end before the IP header says the packet ends.
	Truncated bool
	// LengthOverrun is true when the IP header claims more bytes than the frame holds although
	// the capture did not cut the frame (CapLen == WireLen): the header is wrong, and the packet
	// is taken as the bytes captured (no payload is imagined beyond them).
	LengthOverrun bool
	Kind          Kind
	// Corrupt is not 0 when a checksum of the packet is wrong and checksum offload on the
	// capturing host does not explain it (see Damage, and pcapfile.Reader.Tallies for the
	// frames).
	Corrupt Damage
	// Encap lists the encapsulations (VXLAN, GRE, MPLS, ...) taken off to reach the packet; 0 for
	// a plain one. Every field below is the innermost packet's: its addresses, TTL and ports.
	Encap Encap

	SrcIP, DstIP netip.Addr
	TTL          uint8  // IPv4 TTL or IPv6 hop limit
	IPID         uint16 // IPv4 identification (0 for IPv6)

	TCP  TCPHeader // valid when Kind == KindTCP
	ICMP ICMPError // valid when Kind == KindICMPError
	UDP  UDPHeader // valid when Kind == KindDNS
}
