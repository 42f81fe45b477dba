package capture

import (
	"encoding/binary"
	"strings"

	"github.com/gopacket/gopacket"
)

// Encap is a set of encapsulations the decoder took off a frame to reach the packet inside.
type Encap uint16

// Encapsulations decoded. Packet.Encap holds those a packet was found in.
const (
	EncapMPLS       Encap = 1 << iota // MPLS label stack (RFC 3032), with or without a pseudowire control word
	EncapPPPoE                        // PPPoE session (RFC 2516) and the PPP header in it
	EncapVXLAN                        // VXLAN (RFC 7348), UDP 4789 (and 8472, Linux's and flannel's default)
	EncapGeneve                       // Geneve (RFC 8926), UDP 6081
	EncapGRE                          // GRE (RFC 2784, 2890; PPTP's enhanced GRE, RFC 2637)
	EncapERSPAN                       // ERSPAN type I, II or III over GRE
	EncapGTPU                         // GTP-U (3GPP TS 29.281), UDP 2152
	EncapFabricPath                   // Cisco FabricPath (EtherType 0x8903)
	EncapVNTag                        // Cisco VN-Tag (EtherType 0x8926)
	EncapETag                         // IEEE 802.1BR E-Tag (EtherType 0x893f)
	EncapTeredo                       // Teredo (RFC 4380), UDP 3544
	EncapIPinIP                       // IP directly in IP: IP-in-IP (4), 6in4 (41), 4in6, 6in6
	numEncaps       = iota
)

var encapNames = [numEncaps]string{"MPLS", "PPPoE", "VXLAN", "Geneve", "GRE", "ERSPAN", "GTP-U", "FabricPath", "VN-Tag", "E-Tag", "Teredo", "IP-in-IP"}

// String names the encapsulations, outermost kinds first in the order of the constants, joined
// by "+", e.g. "GRE+ERSPAN"; "" for none.
func (e Encap) String() string {
	var names []string
	for i := range numEncaps {
		if e&(1<<i) != 0 {
			names = append(names, encapNames[i])
		}
	}
	return strings.Join(names, "+")
}

// MaxEncapDepth bounds the encapsulations (tunnels, tags, label stacks: each counted once) the
// decoder takes off one frame to reach its packet; a frame nested deeper is undecodable
// (ReasonTunnelDepth), never cut short silently. Real frames need one to three.
const MaxEncapDepth = 16

// EtherTypes and ports of the encapsulations (IANA registries; vendor documentation for
// FabricPath and VN-Tag).
const (
	etIPv4          = 0x0800
	etIPv6          = 0x86dd
	etDot1Q         = 0x8100
	etQinQ          = 0x88a8
	etQinQOld       = 0x9100 // pre-802.1ad S-tags; 0x9200 too
	etQinQOld2      = 0x9200
	etBridging      = 0x6558 // transparent Ethernet bridging: an Ethernet frame follows
	etMPLS          = 0x8847
	etMPLSMulticast = 0x8848
	etPPPoESession  = 0x8864
	etPPP           = 0x880b
	etERSPAN2       = 0x88be // ERSPAN type II, or type I when the GRE header has no sequence number
	etERSPAN3       = 0x22eb
	etFabricPath    = 0x8903
	etVNTag         = 0x8926
	etETag          = 0x893f

	portVXLAN      = 4789
	portVXLANLinux = 8472
	portGeneve     = 6081
	portGTPU       = 2152
	portTeredo     = 3544

	protoIPv4inIP = 4
	protoIPv6inIP = 41
	protoGRE      = 47
)

// start says how the next header after a tunnel is decoded.
type start uint8

const (
	startNone      start = iota // nothing follows to decode (see decoder.reason)
	startEthernet               // an Ethernet frame
	startIP                     // an IPv4 or IPv6 packet, by its version nibble
	startEtherType              // what an EtherType (inner.et) names
)

// inner is where decoding goes on after a header: what comes next, its bytes, and the
// encapsulation the header belonged to (0 for a plain header such as a VLAN tag).
type inner struct {
	start start
	et    uint16
	b     []byte
	encap Encap
}

// done is the inner of a header after which nothing is decoded.
var done = inner{}

// nonIPEtherType reports EtherTypes of protocols that carry no IP, which are frames like any
// other rather than undecodable ones (802.3 length fields, below 0x0600, included).
func nonIPEtherType(et uint16) bool {
	if et < 0x0600 {
		return true // 802.3 length: LLC (STP, CDP, ...), or a Linux SLL pseudo-type
	}
	switch et {
	case 0x0806, // ARP
		0x8035, // RARP
		0x0842, // Wake-on-LAN
		0x22f0, // AVTP
		0x22f3, // TRILL
		0x6002, // DEC MOP
		0x809b, // AppleTalk
		0x80f3, // AARP
		0x8137, // IPX
		0x8808, // Ethernet flow control (PAUSE)
		0x8809, // slow protocols (LACP, OAM)
		0x8863, // PPPoE discovery
		0x886d, // Intel ANS probe
		0x8870, // jumbo LLC
		0x887b, // HomePlug 1.0 MME
		0x888e, // 802.1X (EAPOL)
		0x8892, // PROFINET
		0x88a4, // EtherCAT
		0x88b5, // local experimental
		0x88b6, // local experimental
		0x88b7, // OUI-extended
		0x88c7, // 802.11i pre-authentication
		0x88cc, // LLDP
		0x88e1, // HomePlug AV MME
		0x88f7, // PTP
		0x88fb, // PRP
		0x8902, // CFM (802.1ag / Y.1731)
		0x8906, // FCoE
		0x890d, // 802.11 TDLS
		0x8914, // FCoE initialization (FIP)
		0x892f, // HSR
		0x9000: // loopback (configuration test protocol)
		return true
	}
	return false
}

// etherType decodes what follows an EtherType that none of the parsers' layers takes: MPLS,
// PPPoE, FabricPath, VN-Tag and E-Tag; frames of protocols without IP are done, anything else is
// undecodable by its EtherType.
func (d *decoder) etherType(et uint16, b []byte) inner {
	switch et {
	case etMPLS, etMPLSMulticast:
		return d.mpls(b)
	case etPPPoESession:
		return d.pppoe(b)
	case etPPP:
		return d.ppp(b, 0)
	case etFabricPath:
		// FabricPath: the outer addresses and this EtherType are followed by the 16-bit FTag and
		// TTL, then by the classical Ethernet frame.
		if len(b) < 2+14 {
			return d.broken(EncapFabricPath)
		}
		return inner{start: startEthernet, b: b[2:], encap: EncapFabricPath}
	case etVNTag:
		// VN-Tag: 32 bits of tag, then the EtherType of what follows, as in a VLAN tag.
		if len(b) < 6 {
			return d.broken(EncapVNTag)
		}
		return inner{start: startEtherType, et: binary.BigEndian.Uint16(b[4:6]), b: b[6:], encap: EncapVNTag}
	case etETag:
		// 802.1BR E-Tag: 48 bits of tag, then an EtherType.
		if len(b) < 8 {
			return d.broken(EncapETag)
		}
		return inner{start: startEtherType, et: binary.BigEndian.Uint16(b[6:8]), b: b[8:], encap: EncapETag}
	}
	if !nonIPEtherType(et) || !lengthFits(et, b) {
		d.reason = Reason{ReasonEtherType, uint32(et)}
	}
	return done
}

// lengthFits reports whether an 802.3 length field (an EtherType below 0x0600) fits the frame it
// heads (lengthFitsFrame). Values below 0x0100 are left alone: Linux cooked captures put
// protocol numbers there. A length that does not fit is a type hit by corruption.
func lengthFits(et uint16, b []byte) bool {
	return et < 0x0100 || et >= 0x0600 || lengthFitsFrame(et, b)
}

// lengthFitsFrame reports whether an 802.3 length n fits b, the bytes after it: at most 1500,
// and b that many, or a minimum frame's 46 padded, or four more (a frame check sequence kept).
func lengthFitsFrame(n uint16, b []byte) bool {
	l := int(n)
	return l <= 1500 && (len(b) == l || len(b) == l+4 || l < 46 && len(b) <= 50)
}

// broken records a tunnel header that is cut short or malformed.
func (d *decoder) broken(e Encap) inner {
	d.reason = Reason{ReasonTunnel, uint32(e)}
	return done
}

// mpls steps over an MPLS label stack (RFC 3032) to the bottom label and decides what it carries,
// as MPLS itself says nothing of it: IPv4 or IPv6 by the version nibble, an Ethernet pseudowire
// after a control word (RFC 4385: first nibble 0), else an Ethernet pseudowire without one
// (Wireshark's default heuristics). The associated channel (first nibble 1) carries no packets.
//
//	| label (20) | TC (3) | S (1) | TTL (8) |  ... until S is set
func (d *decoder) mpls(b []byte) inner {
	for {
		if len(b) < 4 {
			return d.broken(EncapMPLS)
		}
		bottom := b[2]&1 != 0
		b = b[4:]
		if bottom {
			break
		}
	}
	if len(b) == 0 {
		return d.broken(EncapMPLS)
	}
	switch b[0] >> 4 {
	case 4, 6:
		return inner{start: startIP, b: b, encap: EncapMPLS}
	case 0:
		if len(b) < 4 {
			return d.broken(EncapMPLS)
		}
		return inner{start: startEthernet, b: b[4:], encap: EncapMPLS}
	case 1:
		return inner{encap: EncapMPLS} // pseudowire associated channel (OAM): no packet
	}
	return inner{start: startEthernet, b: b, encap: EncapMPLS}
}

// pppoe takes off a PPPoE session header (RFC 2516, Section 4) and the PPP header after it.
//
//	| ver 1 | type 1 | code 0 | session id (16) | length (16) | PPP protocol | ...
func (d *decoder) pppoe(b []byte) inner {
	if len(b) < 6 || b[0] != 0x11 {
		return d.broken(EncapPPPoE)
	}
	n := int(binary.BigEndian.Uint16(b[4:6]))
	b = b[6:]
	if n < len(b) {
		b = b[:n] // Ethernet padding after a short PPP frame
	}
	return d.ppp(b, EncapPPPoE)
}

// PPP protocol numbers (RFC 1661; IANA PPP DLL protocol numbers).
const (
	pppIPv4 = 0x0021
	pppIPv6 = 0x0057
)

// ppp takes off a PPP header (RFC 1661): the address and control bytes when present (PPTP's GRE
// carries them), and a one- or two-byte protocol. IPv4 and IPv6 are decoded; control protocols
// (0x8000 and up) carry no packets; anything else (compressed or encrypted datagrams) cannot be
// decoded.
func (d *decoder) ppp(b []byte, e Encap) inner {
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0x03 {
		b = b[2:]
	}
	if len(b) == 0 {
		return d.broken(EncapPPPoE)
	}
	var proto uint16
	if b[0]&1 != 0 {
		proto, b = uint16(b[0]), b[1:] // protocol field compression
	} else {
		if len(b) < 2 {
			return d.broken(EncapPPPoE)
		}
		proto, b = binary.BigEndian.Uint16(b[:2]), b[2:]
	}
	switch {
	case proto == pppIPv4:
		return inner{start: startEtherType, et: etIPv4, b: b, encap: e}
	case proto == pppIPv6:
		return inner{start: startEtherType, et: etIPv6, b: b, encap: e}
	case proto >= 0x8000:
		return inner{encap: e} // LCP, IPCP, authentication, ...: no packet
	}
	d.reason = Reason{ReasonTunnelProtocol, uint32(proto)}
	return inner{encap: e}
}

// gre takes off a GRE header with gopacket's layers.GRE (version 0, and PPTP's version 1) and
// what follows it by its protocol type: IP, Ethernet (transparent bridging, NVGRE), ERSPAN
// (type II and III headers; type I has none), MPLS and PPP.
func (d *decoder) gre(b []byte) inner {
	g := &d.greL
	if err := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil || g.Version > 1 {
		return d.broken(EncapGRE)
	}
	rest := g.Payload
	switch uint16(g.Protocol) {
	case etERSPAN2:
		if !g.SeqPresent {
			return inner{start: startEthernet, b: rest, encap: EncapGRE | EncapERSPAN} // type I
		}
		if err := d.erspan2.DecodeFromBytes(rest, gopacket.NilDecodeFeedback); err != nil {
			return d.broken(EncapERSPAN)
		}
		return inner{start: startEthernet, b: d.erspan2.Payload, encap: EncapGRE | EncapERSPAN}
	case etERSPAN3:
		return d.erspan3(rest)
	case etBridging:
		return inner{start: startEthernet, b: rest, encap: EncapGRE}
	case etIPv4, etIPv6, etMPLS, etMPLSMulticast, etPPP:
		return inner{start: startEtherType, et: uint16(g.Protocol), b: rest, encap: EncapGRE}
	}
	d.reason = Reason{ReasonTunnelProtocol, uint32(g.Protocol)}
	return inner{encap: EncapGRE}
}

// erspan3 takes off an ERSPAN type III header (draft-foschiano-erspan-03, Section 4.3), which
// gopacket has no layer for, and the optional platform-specific subheader.
//
//	| ver 2 (4) | VLAN (12) | COS (3) | BSO (2) | T (1) | session (10) |
//	| timestamp (32)                                                    |
//	| SGT (16) | P (1) | FT (5) | HW ID (6) | D (1) | Gra (2) | O (1)   |
//	| platform-specific subheader (64), when O is set                   |
func (d *decoder) erspan3(b []byte) inner {
	const e = EncapGRE | EncapERSPAN
	if len(b) < 12 || b[0]>>4 != 2 {
		return d.broken(EncapERSPAN)
	}
	n := 12
	if b[11]&1 != 0 {
		n += 8
	}
	if len(b) < n {
		return d.broken(EncapERSPAN)
	}
	switch ft := (b[10] >> 2) & 0x1f; ft {
	case 0:
		return inner{start: startEthernet, b: b[n:], encap: e}
	case 2:
		return inner{start: startIP, b: b[n:], encap: e}
	default:
		d.reason = Reason{ReasonTunnelProtocol, uint32(ft)}
		return inner{encap: e}
	}
}

// udpTunnel recognizes a tunnel in a UDP datagram's payload by its port and header. A datagram
// on a tunnel's port whose header is not that tunnel's is not a tunnel (ok false): plain UDP.
func (d *decoder) udpTunnel(src, dst uint16, b []byte) (in inner, ok bool) {
	switch {
	case dst == portVXLAN || dst == portVXLANLinux:
		// VXLAN with gopacket's layer: the I flag must be set (RFC 7348, Section 5).
		if d.vxlan.DecodeFromBytes(b, gopacket.NilDecodeFeedback) != nil || !d.vxlan.ValidIDFlag {
			return done, false
		}
		return inner{start: startEthernet, b: d.vxlan.Payload, encap: EncapVXLAN}, true
	case dst == portGeneve:
		return d.geneve(b)
	case dst == portGTPU || src == portGTPU:
		return d.gtpu(b)
	case dst == portTeredo || src == portTeredo:
		return teredo(b)
	}
	return done, false
}

// geneve takes off a Geneve header (RFC 8926, Section 3.4) and its options. gopacket's
// layers.Geneve allocates every option it decodes, and Geneve deployments (OVN) send options on
// every packet: the header is read here, the options stepped over.
//
//	| ver (2) | opt len (6) | O | C | rsvd (6) | protocol type (16) |
//	| VNI (24)                               | reserved (8)       |
//	| options (opt len * 4 bytes)                                  |
func (d *decoder) geneve(b []byte) (inner, bool) {
	if len(b) < 8 || b[0]>>6 != 0 {
		return done, false
	}
	n := 8 + int(b[0]&0x3f)*4
	if len(b) < n {
		return d.broken(EncapGeneve), true
	}
	proto := binary.BigEndian.Uint16(b[2:4])
	if proto == etBridging {
		return inner{start: startEthernet, b: b[n:], encap: EncapGeneve}, true
	}
	return inner{start: startEtherType, et: proto, b: b[n:], encap: EncapGeneve}, true
}

// gtpu takes off a GTP-U header (3GPP TS 29.281, Section 5) and its extension headers. gopacket's
// layers.GTPv1U appends every extension header to a slice it has just reset, so it allocates on
// the 5G packets that all carry a PDU session container: read here. Only G-PDUs (message type 255)
// carry a user packet; echo, error indication and end marker messages carry none.
//
//	| ver 1 (3) | PT 1 | * | E | S | PN | message type | length (16) |
//	| TEID (32)                                                     |
//	| sequence (16) | N-PDU (8) | next extension type (8) |   when E, S or PN
func (d *decoder) gtpu(b []byte) (inner, bool) {
	if len(b) < 8 || b[0]>>5 != 1 || b[0]&0x10 == 0 {
		return done, false
	}
	if b[1] != 255 {
		return inner{encap: EncapGTPU}, true
	}
	end := 8 + int(binary.BigEndian.Uint16(b[2:4]))
	off := 8
	if b[0]&0x07 != 0 {
		if len(b) < 12 {
			return d.broken(EncapGTPU), true
		}
		off = 12
		for next := b[11]; next != 0; {
			if len(b) < off+1 || b[off] == 0 || len(b) < off+int(b[off])*4 {
				return d.broken(EncapGTPU), true
			}
			n := int(b[off]) * 4
			next = b[off+n-1]
			off += n
		}
	}
	if end < off {
		return d.broken(EncapGTPU), true
	}
	b = b[off:]
	if len(b) > end-off {
		b = b[:end-off]
	}
	return inner{start: startIP, b: b, encap: EncapGTPU}, true
}

// teredo takes off Teredo's optional authentication and origin indications (RFC 4380, Section
// 5.1.1) before the IPv6 packet. A datagram on the Teredo port that holds no IPv6 packet after
// them is not Teredo.
func teredo(b []byte) (inner, bool) {
	if len(b) >= 4 && b[0] == 0 && b[1] == 1 { // authentication: id and value lengths, nonce, confirmation
		n := 4 + int(b[2]) + int(b[3]) + 8 + 1
		if len(b) < n {
			return done, false
		}
		b = b[n:]
	}
	if len(b) >= 8 && b[0] == 0 && b[1] == 0 { // origin indication: port and address
		b = b[8:]
	}
	if len(b) < 40 || b[0]>>4 != 6 {
		return done, false
	}
	return inner{start: startIP, b: b, encap: EncapTeredo}, true
}
