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
// of which seg was captured. A tunnel (VXLAN, Geneve, GTP-U, Teredo) is returned to be taken off;
// of the rest only DNS is passed up: anything else, or a header cut short, stays KindOther. IP
// fragments are not reassembled: a first fragment (fragment) gives what it carries. The checksum
// of a DNS datagram captured whole is checked against the pseudo-header of addrs.
//
//	 0      7 8     15 16    23 24    31
//	| source port     | destination port|
//	| length          | checksum        |
func (d *decoder) fromUDP(p *Packet, seg []byte, wireLen int, addrs []byte, fragment bool) inner {
	if len(seg) < 8 {
		if len(seg) < wireLen {
			p.Truncated = true
		}
		return done
	}
	src, dst := binary.BigEndian.Uint16(seg[0:2]), binary.BigEndian.Uint16(seg[2:4])
	udpLen := int(binary.BigEndian.Uint16(seg[4:6]))
	n := udpLen
	if n < 8 {
		return done // a broken length (or a jumbogram's 0): not a datagram we can use
	}
	n = min(n, wireLen) - 8
	if n < 0 {
		return done
	}
	payload := seg[8:]
	if len(payload) > n {
		payload = payload[:n]
	}
	if in, ok := d.udpTunnel(src, dst, payload); ok {
		if fragment {
			d.reason = Reason{ReasonTunnelFragment, uint32(in.encap)}
			return inner{encap: in.encap}
		}
		return in
	}
	if src != DNSPort && dst != DNSPort {
		return done
	}
	if len(payload) < n {
		p.Truncated = true
	}
	p.Kind = KindDNS
	p.UDP = UDPHeader{SrcPort: src, DstPort: dst, Payload: payload, PayloadLen: n}
	if !fragment && len(payload) == n && n+8 == udpLen && binary.BigEndian.Uint16(seg[6:8]) != 0 {
		d.checked(verifyL4(addrs, protoUDP, seg[:8+n], 6), DamageUDP)
	}
	return done
}
