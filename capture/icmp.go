package capture

import (
	"encoding/binary"
	"net/netip"
)

// ICMP error types that quote the packet that caused them.
const (
	icmpDestUnreachable = 3  // RFC 792; code 4 "fragmentation needed" carries the next-hop MTU (RFC 1191)
	icmpTimeExceeded    = 11 // RFC 792
	icmpParamProblem    = 12 // RFC 792

	icmp6DestUnreachable = 1 // RFC 4443, Section 3.1
	icmp6PacketTooBig    = 2 // RFC 4443, Section 3.2: carries the MTU
	icmp6TimeExceeded    = 3 // RFC 4443, Section 3.3
	icmp6ParamProblem    = 4 // RFC 4443, Section 3.4
)

// fromICMPv4 reads an ICMP error and the IPv4 and TCP header fields it quotes. The quote is often
// short (RFC 792 asks only for the IP header and 8 bytes), so every field is bounds-checked; an
// error whose quote does not reach the TCP ports, or quotes something other than TCP, stays
// KindOther. The checksum of an error captured whole (wireLen bytes) is checked.
//
//	 0      7 8     15 16            31
//	| type   | code   | checksum       |
//	| unused / next-hop MTU (3/4)      |
//	| quoted IPv4 header + TCP ...     |
func (d *decoder) fromICMPv4(p *Packet, b []byte, wireLen int) {
	if len(b) < 8 {
		return
	}
	typ, code := b[0], b[1]
	switch typ {
	case icmpDestUnreachable, icmpTimeExceeded, icmpParamProblem:
	default:
		return
	}
	var mtu uint32
	if typ == icmpDestUnreachable && code == 4 {
		mtu = uint32(binary.BigEndian.Uint16(b[6:8]))
	}
	q := b[8:]
	if len(q) < 20 || q[0]>>4 != 4 {
		return
	}
	hdrLen := int(q[0]&0x0f) * 4
	if hdrLen < 20 || len(q) < hdrLen || q[9] != protoTCP || binary.BigEndian.Uint16(q[6:8])&0x1fff != 0 {
		return
	}
	src := netip.AddrFrom4([4]byte(q[12:16]))
	dst := netip.AddrFrom4([4]byte(q[16:20]))
	quotedTCP(p, false, typ, code, mtu, src, dst, q[hdrLen:])
	if p.Kind == KindICMPError && len(b) >= wireLen {
		r := checksumGood
		if fold(onesSum(0, b[:wireLen])) != 0xffff {
			r = checksumBad // ICMP has no checksum offload
		}
		d.checked(r, DamageICMP)
	}
}

// fromICMPv6 reads an ICMPv6 error (RFC 4443) and the IPv6 and TCP header fields it quotes, stepping
// over the quoted packet's extension headers. With verify, the checksum of an error captured whole
// (wireLen bytes) is checked against the pseudo-header of addrs.
func (d *decoder) fromICMPv6(p *Packet, b []byte, wireLen int, addrs []byte, verify bool) {
	if len(b) < 8 {
		return
	}
	typ, code := b[0], b[1]
	switch typ {
	case icmp6DestUnreachable, icmp6PacketTooBig, icmp6TimeExceeded, icmp6ParamProblem:
	default:
		return
	}
	var mtu uint32
	if typ == icmp6PacketTooBig {
		mtu = binary.BigEndian.Uint32(b[4:8])
	}
	q := b[8:]
	if len(q) < 40 || q[0]>>4 != 6 {
		return
	}
	ext, ok := skipIPv6Extensions(q[6], q[40:])
	if !ok || ext.later || ext.next != protoTCP {
		return
	}
	src := netip.AddrFrom16([16]byte(q[8:24]))
	dst := netip.AddrFrom16([16]byte(q[24:40]))
	quotedTCP(p, true, typ, code, mtu, src, dst, ext.rest)
	if verify && p.Kind == KindICMPError && len(b) >= wireLen {
		d.checked(verifyL4(addrs, protoICMPv6, b[:wireLen], 2), DamageICMP)
	}
}

// quotedTCP fills p.ICMP when the quote reaches the TCP ports.
func quotedTCP(p *Packet, v6 bool, typ, code uint8, mtu uint32, src, dst netip.Addr, tcp []byte) {
	if len(tcp) < 4 {
		return
	}
	p.Kind = KindICMPError
	p.ICMP = ICMPError{
		V6:            v6,
		Type:          typ,
		Code:          code,
		MTU:           mtu,
		QuotedSrc:     src,
		QuotedDst:     dst,
		QuotedSrcPort: binary.BigEndian.Uint16(tcp[0:2]),
		QuotedDstPort: binary.BigEndian.Uint16(tcp[2:4]),
	}
	if len(tcp) >= 8 {
		p.ICMP.QuotedSeq = binary.BigEndian.Uint32(tcp[4:8])
		p.ICMP.QuotedHasSeq = true
	}
}
