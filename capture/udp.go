package capture

import "encoding/binary"

// DNSPort is the UDP port of DNS (RFC 1035, Section 4.2.1). UDP datagrams to or from it are
// passed up as KindDNS; other UDP stays KindOther.
const DNSPort = 53

// protoUDP is UDP's IP protocol number.
const protoUDP = 17

// UDPHeader holds the fields of a UDP datagram that the analyzer uses.
type UDPHeader struct {
	SrcPort, DstPort uint16
	// Payload is the captured part of the datagram's payload. It borrows the reader's buffer and is
	// valid only until the next call to Next: copy what must be kept.
	Payload []byte
	// PayloadLen is the payload length on the wire (from the UDP length field, bounded by the IP
	// packet); larger than len(Payload) when the snaplen cut the datagram.
	PayloadLen int
}

// fromUDP reads a UDP header (RFC 768) of a datagram whose IP payload is wireLen bytes on the wire,
// of which seg was captured. Only DNS is passed up: anything else, or a header cut short, stays
// KindOther. IP fragments are not reassembled: a first fragment gives what it carries.
//
//	 0      7 8     15 16    23 24    31
//	| source port     | destination port|
//	| length          | checksum        |
func (d *decoder) fromUDP(p *Packet, seg []byte, wireLen int) {
	if len(seg) < 8 {
		if len(seg) < wireLen {
			p.Truncated = true
		}
		return
	}
	src, dst := binary.BigEndian.Uint16(seg[0:2]), binary.BigEndian.Uint16(seg[2:4])
	if src != DNSPort && dst != DNSPort {
		return
	}
	n := int(binary.BigEndian.Uint16(seg[4:6]))
	if n < 8 {
		return // a broken length (or a jumbogram's 0): not a datagram we can use
	}
	n = min(n, wireLen) - 8
	if n < 0 {
		return
	}
	payload := seg[8:]
	if len(payload) > n {
		payload = payload[:n]
	}
	if len(payload) < n {
		p.Truncated = true
	}
	p.Kind = KindDNS
	p.UDP = UDPHeader{SrcPort: src, DstPort: dst, Payload: payload, PayloadLen: n}
}
