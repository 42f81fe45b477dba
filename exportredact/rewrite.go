// Package exportredact redacts the frames of a capture export (connscope analyze --export
// --redact) to match a redacted report. Per frame, in capture order:
//
//   - MAC addresses (Ethernet, SLL, SLL2) and IP addresses, in the frame's headers and in the
//     packet an ICMP or ICMPv6 error quotes, become the pseudonyms the report uses (the Redactor
//     hands out new ones for addresses the report does not hold); IPv4 options and IPv6
//     option and routing headers become padding.
//   - Of each TCP direction (followed from its SYN) only the plaintext TLS handshake is kept:
//     the ClientHello's server name is overwritten with a stand-in of the same length (so that
//     the hello still parses), and so are the ALPN protocol names of the ClientHello and the
//     ServerHello that are not registered ones ("h2", "http/1.1" stay); the bodies of
//     Certificate, CertificateRequest, CertificateStatus and the like (they hold names) and of
//     the first zeroRecords application_data records (TLS 1.3's encrypted handshake, which the
//     analysis needs to see complete) become zeros, headers and lengths intact; from the next
//     application_data record on, and after the fixed opening of a stream that is not TLS
//     ("GET ", "SSH-2.0-"; else its first byte), the stream is cut, as a snaplen cuts (the
//     frame's length on the wire stays). A stream whose SYN is not in the export keeps no
//     payload.
//   - UDP payloads (DNS: names) are cut after the UDP header; other protocols after the IP
//     header.
//   - IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums are recomputed; a cut packet's transport
//     checksum as if the cut bytes were zeros (it cannot be verified, as after any snaplen cut).
//
// The work per frame is bounded by its length (and, for a ClientHello in pieces, by
// maxHelloTries searches of at most one record), the memory by maxStreams and maxHelloBytes.
//
// It sits beside analyze.Export, which calls it through ExportOptions.Rewrite, and takes its
// pseudonyms from a redact.Redactor that has already redacted the result: redact stays free of
// packets, tls of everything but bytes.
package exportredact

import (
	"encoding/binary"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket/layers"

	"github.com/connscope/connscope/redact"
	"github.com/connscope/connscope/result"
)

// maxStreams bounds the TCP directions a Rewriter follows; a direction beyond it keeps no payload.
const maxStreams = 1 << 14

// Rewriter redacts frames one at a time, in capture order. It follows every TCP direction it
// sees to know where TLS records begin. A Rewriter is not safe for concurrent use.
type Rewriter struct {
	names   *redact.Redactor
	streams map[streamKey]*stream
	// helloBytes counts the bytes buffered to find server names, against maxHelloBytes.
	helloBytes int
}

// maxHelloBytes bounds the ClientHello bytes buffered over all streams.
const maxHelloBytes = 8 << 20

// New returns a Rewriter that takes its pseudonyms from r. r must have redacted the result the
// export is made from (Redactor.Result), so that the frames get the report's pseudonyms.
func New(r *redact.Redactor) *Rewriter {
	return &Rewriter{names: r, streams: map[streamKey]*stream{}}
}

// Name redacts the DNS name a frame's comment in the export gives: its pseudonym in the report.
func (w *Rewriter) Name(n string) string { return w.names.Value(result.KindName, n) }

// Frame redacts one frame in place and returns what to write: data, possibly shortened (cut:
// its length on the wire, the second result, stays wireLen), or nil for a frame it cannot read
// (an unknown link type or network protocol: nothing of it is written).
func (w *Rewriter) Frame(data []byte, lt layers.LinkType, wireLen int) ([]byte, int) {
	off, ok := w.link(data, lt)
	if !ok {
		return nil, 0
	}
	keep, ok := w.ip(data[off:], true)
	if !ok {
		return nil, 0
	}
	if n := ipLen(data[off:]); keep == n && n > 0 {
		// The whole IP packet is kept: what follows it (an Ethernet frame's padding, which
		// may hold stale memory) is kept as zeros, so that the frame is not shown cut.
		clear(data[off+keep:])
		return data, wireLen
	}
	return data[:off+keep], wireLen
}

// ipLen is an IP packet's length on the wire, from its header; 0 when b holds no header.
func ipLen(b []byte) int {
	switch {
	case len(b) >= 20 && b[0]>>4 == 4:
		return int(binary.BigEndian.Uint16(b[2:4]))
	case len(b) >= 40 && b[0]>>4 == 6:
		return 40 + int(binary.BigEndian.Uint16(b[4:6]))
	}
	return 0
}

// link rewrites the link-layer addresses and returns the offset of the IP header.
func (w *Rewriter) link(b []byte, lt layers.LinkType) (int, bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		if len(b) < 14 {
			return 0, false
		}
		w.mac(b[0:6])
		w.mac(b[6:12])
		off := 12
		for range 4 { // VLAN tags (802.1Q, 802.1ad, the old QinQ type)
			switch binary.BigEndian.Uint16(b[off:]) {
			case 0x8100, 0x88a8, 0x9100:
				off += 4
				if len(b) < off+2 {
					return 0, false
				}
				continue
			}
			break
		}
		return off + 2, true
	case layers.LinkTypeLinuxSLL: // type, ARPHRD, address length, address (8), protocol
		if len(b) < 16 {
			return 0, false
		}
		if binary.BigEndian.Uint16(b[4:6]) == 6 {
			w.mac(b[6:12])
		}
		return 16, true
	case layers.LinkTypeLinuxSLL2: // protocol, reserved, ifindex, ARPHRD, type, address length, address (8)
		if len(b) < 20 {
			return 0, false
		}
		if b[11] == 6 {
			w.mac(b[12:18])
		}
		return 20, true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return 4, len(b) >= 4
	case layers.LinkTypeRaw, 12, 14, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
		return 0, true
	}
	return 0, false
}

// mac replaces a unicast MAC address with its pseudonym; broadcast and multicast addresses
// and the loopback interface's zeros identify nobody and stay.
func (w *Rewriter) mac(b []byte) {
	if b[0]&1 != 0 || b[0]|b[1]|b[2]|b[3]|b[4]|b[5] == 0 {
		return
	}
	p, _ := w.names.MAC(net.HardwareAddr(b))
	copy(b, p)
}

// addr replaces the address in b (4 or 16 bytes) with its pseudonym.
func (w *Rewriter) addr(b []byte) {
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return
	}
	p, _ := w.names.Addr(a)
	if a.Is4() {
		p4 := p.As4()
		copy(b, p4[:])
	} else {
		p16 := p.As16()
		copy(b, p16[:])
	}
}

// ip rewrites an IP packet (top says it is the frame's own, not one an ICMP error quotes) and
// returns how many of its bytes to keep. A packet that is neither IPv4 nor IPv6 is not kept.
func (w *Rewriter) ip(b []byte, top bool) (int, bool) {
	if len(b) < 1 {
		return 0, false
	}
	switch b[0] >> 4 {
	case 4:
		return w.ipv4(b, top)
	case 6:
		return w.ipv6(b, top)
	}
	return 0, false
}

func (w *Rewriter) ipv4(b []byte, top bool) (int, bool) {
	if len(b) < 20 {
		if len(b) >= 16 {
			w.addr(b[12:16])
		}
		return len(b), true // a quote cut inside the header
	}
	hl := int(b[0]&0x0f) * 4
	if hl < 20 || len(b) < hl {
		w.addr(b[12:16])
		w.addr(b[16:20])
		return min(len(b), 20), true
	}
	src, dst := b[12:16], b[16:20]
	w.addr(src)
	w.addr(dst)
	clear(b[20:hl]) // options (record route, timestamps) may hold addresses: zeros are End of Options
	b[10], b[11] = 0, 0
	binary.BigEndian.PutUint16(b[10:12], checksum(0, b[:hl]))
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if total < hl {
		return hl, true
	}
	frag := binary.BigEndian.Uint16(b[6:8])
	if frag&0x3fff != 0 { // a fragment: its payload is part of a datagram that cannot be read here
		return hl, true
	}
	pseudo := pseudoSum(src, dst, b[9], total-hl)
	return hl + w.transport(b[hl:], b[9], total-hl, pseudo, src, dst, false, top), true
}

func (w *Rewriter) ipv6(b []byte, top bool) (int, bool) {
	if len(b) < 40 {
		if len(b) >= 24 {
			w.addr(b[8:24])
		}
		if len(b) >= 40 {
			w.addr(b[24:40])
		}
		return len(b), true
	}
	src, dst := b[8:24], b[24:40]
	w.addr(src)
	w.addr(dst)
	next, off := b[6], 40
	payloadLen := int(binary.BigEndian.Uint16(b[4:6]))
	for range 8 { // extension headers: hop-by-hop, routing, destination options
		switch next {
		case 0, 43, 60:
			if len(b) < off+8 {
				return min(len(b), off), true
			}
			cur, end := next, off+8+int(b[off+1])*8
			next = b[off]
			// Options and routing addresses may identify hosts: options become Pad1s, a routing
			// header keeps its type and segments left.
			from := off + 2
			if cur == 43 {
				from = off + 4
			}
			clear(b[from:min(end, len(b))])
			off = end
			continue
		}
		break
	}
	if off > len(b) || next == 44 { // a fragment, or headers beyond the capture
		return min(off, len(b)), true
	}
	length := payloadLen - (off - 40)
	if length < 0 {
		return off, true
	}
	pseudo := pseudoSum(src, dst, next, length)
	return off + w.transport(b[off:], next, length, pseudo, src, dst, true, top), true
}

// transport rewrites a TCP, UDP, ICMP or ICMPv6 packet: b is what the capture holds of it,
// length its length on the wire; pseudo is the checksum sum of the IP pseudo-header. It returns
// how many bytes of b to keep and sets the checksum of what is kept (as if the cut bytes were
// zeros: a cut packet's checksum cannot be verified, as after any snaplen cut). A quoted packet
// (top false) keeps its transport header (ports and sequence number) and loses the rest; its
// checksum, the original packet's, is left alone.
func (w *Rewriter) transport(b []byte, proto byte, length int, pseudo uint32, src, dst []byte, v6, top bool) int {
	switch proto {
	case 6: // TCP
		if len(b) < 20 {
			return len(b)
		}
		hl := int(b[12]>>4) * 4
		if !top {
			return min(len(b), max(hl, 20))
		}
		if hl < 20 || len(b) < hl || length < hl {
			return min(len(b), max(hl, 20))
		}
		payload := b[hl:min(len(b), length)]
		keep := w.tcpPayload(src, dst, b, payload, length-hl)
		b = b[:hl+keep]
		b[16], b[17] = 0, 0
		binary.BigEndian.PutUint16(b[16:18], checksum(pseudo, b))
		return len(b)
	case 17: // UDP: DNS (and anything else) loses its payload, which holds names
		if len(b) < 8 {
			return len(b)
		}
		if !top {
			return 8
		}
		b = b[:8]
		if v6 || b[6] != 0 || b[7] != 0 { // an IPv4 checksum of zero means none
			b[6], b[7] = 0, 0
			c := checksum(pseudo, b)
			if c == 0 {
				c = 0xffff
			}
			binary.BigEndian.PutUint16(b[6:8], c)
		}
		return 8
	case 1, 58: // ICMP, ICMPv6
		if len(b) < 8 {
			return len(b)
		}
		if !top {
			return 8
		}
		n := min(len(b), length)
		if n < 8 {
			return n // shorter on the wire than its own header
		}
		if isICMPError(proto, b[0]) {
			q := b[8:n]
			keep, ok := w.ip(q, false)
			if !ok {
				keep = 0
			}
			clear(q[keep:]) // the rest of the quoted packet: its payload
		} else {
			clear(b[8:n]) // echo data and the rest: nothing the diagnosis needs
		}
		b[2], b[3] = 0, 0
		var c uint16
		if proto == 58 {
			c = checksum(pseudo, b[:n])
		} else {
			c = checksum(0, b[:n])
		}
		binary.BigEndian.PutUint16(b[2:4], c)
		return n
	}
	return 0 // another protocol: only the IP header is kept
}

// isICMPError reports whether an ICMP (proto 1) or ICMPv6 (58) type quotes a packet.
func isICMPError(proto, typ byte) bool {
	if proto == 1 {
		return typ == 3 || typ == 4 || typ == 5 || typ == 11 || typ == 12
	}
	return typ >= 1 && typ <= 4
}

// pseudoSum is the unfolded sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 793, RFC 8200).
func pseudoSum(src, dst []byte, proto byte, length int) uint32 {
	s := sum(0, src)
	s = sum(s, dst)
	s += uint32(proto)
	s += uint32(length>>16) + uint32(length&0xffff)
	return s
}

// sum adds b to s as big-endian 16-bit words (RFC 1071), an odd last byte padded with zero.
func sum(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// checksum is the Internet checksum of b with the partial sum s.
func checksum(s uint32, b []byte) uint16 {
	s = sum(s, b)
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// SectionComment is the pcapng section comment of a redacted export.
const SectionComment = "the packets of the selected flows, redacted by connscope analyze --redact: " +
	"MAC and IP addresses replaced by the report's pseudonyms, the ClientHello's server name by a stand-in of the same length, " +
	"certificates and the first application data records zeroed (headers and lengths kept), " +
	"payload beyond them (application data, plain HTTP, DNS) cut as a snaplen cuts; " +
	"checksums recomputed (a cut packet's as if the cut bytes were zeros)"
