package capture

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// linkKind says how the decoder starts on a frame of one link type.
type linkKind uint8

const (
	linkUnknown  linkKind = iota
	linkEthernet          // DLT_EN10MB (1), with 802.1Q and 802.1ad tags
	linkSLL               // Linux cooked capture v1 (113)
	linkSLL2              // Linux cooked capture v2 (276)
	linkLoopback          // BSD NULL (0, family in host byte order) and OpenBSD LOOP (108, network order)
	linkRawIP             // raw IPv4 or IPv6, told apart by the version nibble (101; DLT_RAW 12 and 14)
	linkIPv4              // LINKTYPE_IPV4 (228)
	linkIPv6              // LINKTYPE_IPV6 (229)
	numLinkKinds
)

func linkKindOf(lt layers.LinkType) linkKind {
	switch lt {
	case layers.LinkTypeEthernet:
		return linkEthernet
	case layers.LinkTypeLinuxSLL:
		return linkSLL
	case layers.LinkTypeLinuxSLL2:
		return linkSLL2
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return linkLoopback
	case layers.LinkTypeRaw, 12, 14:
		return linkRawIP
	case layers.LinkTypeIPv4:
		return linkIPv4
	case layers.LinkTypeIPv6:
		return linkIPv6
	}
	return linkUnknown
}

// IP protocol numbers and IPv6 extension headers (RFC 8200, Section 4).
const (
	protoHopByHop = 0
	protoICMP     = 1
	protoTCP      = 6
	protoRouting  = 43
	protoFragment = 44
	protoAH       = 51
	protoICMPv6   = 58
	protoDstOpts  = 60
)

// decoder decodes frames into Packets without allocating: one DecodingLayerParser per first layer,
// all sharing one set of preallocated layers, and a reused decoded slice. The parsers take the
// common path (link layer, VLAN tags, IPv4/IPv6, TCP); what gopacket does not decode into a
// DecodingLayer, or decodes with allocations (IPv6 extension headers, IP fragments, ICMP errors and
// their quotes, TCP headers cut by the snaplen), is read by hand with bounds checks. Tunnels are
// taken off one header at a time (peel, encap.go) until the packet inside is reached.
type decoder struct {
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	sll   layers.LinuxSLL
	sll2  layers.LinuxSLL2
	loop  layers.Loopback
	ip4   ipv4Header
	ip6   ipv6Header
	tcp   tcpHeader

	// tunnel layers gopacket decodes without allocating (encap.go reads the others by hand)
	greL    layers.GRE
	erspan2 layers.ERSPANII
	vxlan   layers.VXLAN

	parsers [numLinkKinds]*gopacket.DecodingLayerParser
	ip4P    *gopacket.DecodingLayerParser
	ip6P    *gopacket.DecodingLayerParser
	ethP    *gopacket.DecodingLayerParser
	dot1qP  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
	panics  int // frames whose decoding panicked (a bug: the fuzz tests require 0)
	// parserOnly leaves every frame to the parsers (tests compare ethernetIPv4TCP with them)
	parserOnly bool

	// reason says why the last frame decode reported false; ReasonNone when it was decoded.
	reason Reason
	// sums tells checksum offload from damage per source (checksum.go); l4 and l4Bit are the
	// check of what the IP header being decoded carries, judged with the header's.
	sums  *sourceSums
	l4    checksumResult
	l4Bit Damage
	// offloaded counts packets with a wrong checksum put down to checksum offload.
	offloaded int
	// late is the earlier packets that the last frame decoded showed to be damaged (a source's
	// first packet, judged by the source's later ones).
	late []LateDamage
}

func newDecoder() *decoder {
	d := &decoder{decoded: make([]gopacket.LayerType, 0, 8), sums: new(sourceSums)}
	// The sparse container finds a layer by indexing a slice (the fastest of gopacket's three); the
	// parsers differ only in their first layer and share it.
	var layerSet gopacket.DecodingLayerContainer = gopacket.DecodingLayerSparse(nil)
	for _, l := range []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.ip4, &d.ip6, &d.tcp} {
		layerSet = layerSet.Put(l)
	}
	mk := func(first gopacket.LayerType) *gopacket.DecodingLayerParser {
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(layerSet)
		p.IgnoreUnsupported = true
		return p
	}
	d.ethP = mk(layers.LayerTypeEthernet)
	d.parsers[linkEthernet] = d.ethP
	d.parsers[linkSLL] = mk(layers.LayerTypeLinuxSLL)
	d.parsers[linkSLL2] = mk(layers.LayerTypeLinuxSLL2)
	d.parsers[linkLoopback] = mk(layers.LayerTypeLoopback)
	d.ip4P = mk(layers.LayerTypeIPv4)
	d.ip6P = mk(layers.LayerTypeIPv6)
	d.dot1qP = mk(layers.LayerTypeDot1Q)
	d.parsers[linkIPv4] = d.ip4P
	d.parsers[linkIPv6] = d.ip6P
	return d
}

// firstLayers is the first layer of each link kind's parser.
var firstLayers = [numLinkKinds]gopacket.LayerType{
	linkEthernet: layers.LayerTypeEthernet,
	linkSLL:      layers.LayerTypeLinuxSLL,
	linkSLL2:     layers.LayerTypeLinuxSLL2,
	linkLoopback: layers.LayerTypeLoopback,
	linkIPv4:     layers.LayerTypeIPv4,
	linkIPv6:     layers.LayerTypeIPv6,
}

// decode fills p's Kind, addresses and TCP, ICMP or UDP fields from a frame, taking off the
// tunnels it is in (p.Encap), and sets p.Truncated when an IP header says the packet goes on
// beyond the captured bytes and p.Corrupt when a checksum is damaged. It reports false when the
// frame's link or network header, or a tunnel's, could not be decoded; d.reason says why.
func (d *decoder) decode(data []byte, lk linkKind, p *Packet) (ok bool) {
	d.reason = Reason{}
	d.late = d.late[:0]
	defer func() {
		// The hand-written parts check every bound; this only keeps a bug in them or in a gopacket
		// layer from ending the analysis: the frame counts as undecodable.
		if recover() != nil {
			d.panics++
			p.Kind = KindOther
			d.reason = Reason{Code: ReasonInternal}
			ok = false
		}
	}()
	var in inner
	switch lk {
	case linkUnknown:
		d.reason = Reason{Code: ReasonLinkType}
	case linkRawIP:
		in = inner{start: startIP, b: data}
	case linkEthernet:
		if !d.parserOnly && d.ethernetIPv4TCP(data) {
			d.fromIPv4(p, true)
			break
		}
		fallthrough
	default:
		if (lk == linkSLL || lk == linkSLL2) && d.cookedBroken(lk, data) {
			break
		}
		err := d.parsers[lk].DecodeLayers(data, &d.decoded)
		if n := len(d.decoded); n >= 2 && d.decoded[n-1] == layers.LayerTypeTCP {
			// the common case, TCP right after the link layer's IP header: nothing to peel
			if d.decoded[n-2] == layers.LayerTypeIPv4 {
				if d.rawEtherType(n - 2) {
					break
				}
				d.fromIPv4(p, true)
			} else {
				d.fromIPv6(p, true)
			}
		} else {
			in = d.took(firstLayers[lk], data, err, p)
		}
	}
	if in.start != startNone || in.encap != 0 {
		d.peel(in, p)
	}
	if d.reason.Code != ReasonNone {
		p.Kind = KindOther
		return false
	}
	return true
}

// ethernetIPv4TCP decodes the commonest frame by hand, into d.ip4 and d.tcp as the Ethernet
// parser does: an Ethernet frame (no tag) of an IPv4 header without options, captured whole, not
// a fragment, carrying a TCP header that fits in the packet. It reports false, having decoded
// nothing, for any other frame, which the parser decodes. gopacket's Ethernet and IPv4 layers and
// the parser's steps from layer to layer cost 15% of the reading goroutine's time on the fleet
// benchmark; this, a third of that.
func (d *decoder) ethernetIPv4TCP(data []byte) bool {
	if len(data) < 14+20+20 || binary.BigEndian.Uint16(data[12:14]) != etIPv4 {
		return false
	}
	ip := data[14:]
	length := int(binary.BigEndian.Uint16(ip[2:4]))
	flagsFrag := binary.BigEndian.Uint16(ip[6:8])
	if ip[0] != 0x45 || length < 20+20 || length > len(ip) || flagsFrag&0x3fff != 0 || ip[9] != protoTCP {
		return false
	}
	seg := ip[20:length]
	offset := int(seg[12]>>4) * 4
	if offset < 20 || offset > len(seg) {
		return false
	}
	h := &d.ip4.IPv4
	h.Version, h.IHL, h.TOS, h.Length = 4, 5, ip[1], uint16(length)
	h.Id, h.Flags, h.FragOffset = binary.BigEndian.Uint16(ip[4:6]), layers.IPv4Flag(flagsFrag>>13), 0
	h.TTL, h.Protocol, h.Checksum = ip[8], layers.IPProtocolTCP, binary.BigEndian.Uint16(ip[10:12])
	h.SrcIP, h.DstIP = ip[12:16], ip[16:20]
	h.Options, h.Padding = h.Options[:0], nil
	h.Contents, h.Payload = ip[:20], seg
	t := &d.tcp
	t.srcPort, t.dstPort = binary.BigEndian.Uint16(seg[0:2]), binary.BigEndian.Uint16(seg[2:4])
	t.seq, t.ack = binary.BigEndian.Uint32(seg[4:8]), binary.BigEndian.Uint32(seg[8:12])
	t.window = binary.BigEndian.Uint16(seg[14:16])
	t.Contents, t.Payload = seg[:offset], seg[offset:]
	return true
}

// peel decodes what follows a header, header after header, until the packet inside is reached or
// nothing decodable follows.
func (d *decoder) peel(in inner, p *Packet) {
	for depth, steps := 0, 0; ; steps++ {
		if in.encap != 0 {
			depth++
		}
		p.Encap |= in.encap
		if in.start == startNone {
			return
		}
		// every step takes bytes off: steps stay below the frame's length, and their bound only
		// backs up the depth's
		if depth > MaxEncapDepth || steps > 4*MaxEncapDepth {
			d.reason = Reason{ReasonTunnelDepth, MaxEncapDepth}
			return
		}
		switch in.start {
		case startEthernet:
			in = d.layers(d.ethP, layers.LayerTypeEthernet, in.b, p)
		case startIP:
			switch {
			case len(in.b) == 0:
				d.reason = Reason{ReasonIPHeader, 0}
				return
			case in.b[0]>>4 == 4:
				in = d.layers(d.ip4P, layers.LayerTypeIPv4, in.b, p)
			case in.b[0]>>4 == 6:
				in = d.layers(d.ip6P, layers.LayerTypeIPv6, in.b, p)
			default:
				d.reason = Reason{ReasonIPVersion, uint32(in.b[0] >> 4)}
				return
			}
		case startEtherType:
			switch in.et {
			case etIPv4:
				in = d.layers(d.ip4P, layers.LayerTypeIPv4, in.b, p)
			case etIPv6:
				in = d.layers(d.ip6P, layers.LayerTypeIPv6, in.b, p)
			case etDot1Q, etQinQ, etQinQOld, etQinQOld2:
				in = d.layers(d.dot1qP, layers.LayerTypeDot1Q, in.b, p)
			case etBridging:
				in = d.layers(d.ethP, layers.LayerTypeEthernet, in.b, p)
			default:
				in = d.etherType(in.et, in.b)
			}
		}
	}
}

// layers runs a parser over data and takes what it decoded into p. It returns where decoding
// goes on: done for a packet reached (or a frame that carries no IP), else the next header.
func (d *decoder) layers(parser *gopacket.DecodingLayerParser, first gopacket.LayerType, data []byte, p *Packet) inner {
	return d.took(first, data, parser.DecodeLayers(data, &d.decoded), p)
}

// took takes into p what a parser whose first layer is first decoded from data (d.decoded, and
// err, the error it stopped with), and returns where decoding goes on.
func (d *decoder) took(first gopacket.LayerType, data []byte, err error, p *Packet) inner {
	n := len(d.decoded)
	if n == 0 {
		d.failed(first, data)
		return done
	}
	switch d.decoded[n-1] {
	case layers.LayerTypeTCP: // the common case: TCP follows IPv4 or IPv6 directly
		if d.decoded[n-2] == layers.LayerTypeIPv4 {
			if d.rawEtherType(n - 2) {
				return done
			}
			d.fromIPv4(p, true)
		} else {
			d.fromIPv6(p, true)
		}
		return done
	case layers.LayerTypeIPv4:
		if d.rawEtherType(n - 1) {
			return done
		}
		return d.fromIPv4(p, false) // an error here is the TCP header's: fromTCP reads what it can
	case layers.LayerTypeIPv6:
		return d.fromIPv6(p, false)
	}
	if n == 1 && d.decoded[0] == layers.LayerTypeEthernet && d.eth.EthernetType == layers.EthernetTypeLLC &&
		!lengthFitsFrame(d.eth.Length, data[min(len(d.eth.Contents), len(data)):]) {
		// an 802.3 length that does not fit its frame (gopacket cuts the payload to it): an
		// EtherType hit by damage
		d.reason = Reason{ReasonEtherType, uint32(d.eth.Length)}
		return done
	}
	return d.afterLink(d.decoded[n-1], err)
}

// rawEtherType reports whether the parser reached the IPv4 header it decoded at d.decoded[i]
// through EtherType 0xffff, which gopacket maps to raw IPv4 (layers.EthernetTypeRaw) and IEEE
// reserves; it then records the frame undecodable by that EtherType, as the frames whose IPv4
// header gopacket could not decode there are (afterLink): Wireshark decodes no protocol after
// it either ("Type: Unknown (0xffff)", then data).
func (d *decoder) rawEtherType(i int) bool {
	if i == 0 {
		return false
	}
	var et layers.EthernetType
	switch d.decoded[i-1] {
	case layers.LayerTypeEthernet:
		et = d.eth.EthernetType
	case layers.LayerTypeDot1Q: // the last tag decoded, the one before the IPv4 header
		et = d.dot1q.Type
	case layers.LayerTypeLinuxSLL:
		et = d.sll.EthernetType
	case layers.LayerTypeLinuxSLL2:
		et = d.sll2.ProtocolType
	}
	if et != layers.EthernetTypeRaw {
		return false
	}
	d.reason = Reason{ReasonEtherType, uint32(et)}
	return true
}

// afterLink goes on after a link layer or VLAN tag that the parser decoded last: either the layer
// after it failed (err), or it names an EtherType that none of the parsers' layers takes.
func (d *decoder) afterLink(last gopacket.LayerType, err error) inner {
	var et uint16
	var b []byte
	switch last {
	case layers.LayerTypeEthernet:
		et, b = uint16(d.eth.EthernetType), d.eth.Payload
	case layers.LayerTypeDot1Q:
		et, b = uint16(d.dot1q.Type), d.dot1q.Payload
	case layers.LayerTypeLinuxSLL:
		et, b = uint16(d.sll.EthernetType), d.sll.Payload
	case layers.LayerTypeLinuxSLL2:
		et, b = uint16(d.sll2.ProtocolType), d.sll2.Payload
	case layers.LayerTypeLoopback:
		b = d.loop.Payload
		switch d.loop.NextLayerType() {
		case layers.LayerTypeIPv4:
			et = etIPv4
		case layers.LayerTypeIPv6:
			et = etIPv6
		default:
			d.reason = Reason{ReasonLinkProtocol, uint32(d.loop.Family)}
			return done
		}
	}
	if last == layers.LayerTypeDot1Q && et < 0x0600 && !lengthFitsFrame(et, b) {
		// an 802.3 length after a VLAN tag that does not fit its frame: a type (or a tag's
		// EtherType before it) hit by damage
		d.reason = Reason{ReasonEtherType, uint32(et)}
		return done
	}
	if err == nil {
		return inner{start: startEtherType, et: et, b: b}
	}
	switch et {
	case etIPv4:
		d.failed(layers.LayerTypeIPv4, b)
	case etIPv6:
		d.failed(layers.LayerTypeIPv6, b)
	case etDot1Q, etQinQ, etQinQOld, etQinQOld2: // a VLAN tag cut short
		d.reason = Reason{ReasonLinkHeader, uint32(layers.LinkTypeEthernet)}
	default:
		// an EtherType that gopacket maps to a layer of the parser whose decoding failed, though
		// it is not that layer's own type: 0xffff, which gopacket takes for raw IPv4 and
		// Wireshark for no protocol it knows; the link header before it is whole
		return inner{start: startEtherType, et: et, b: b}
	}
	return done
}

// failed records why the first layer of a parser could not be decoded from data.
func (d *decoder) failed(first gopacket.LayerType, data []byte) {
	switch first {
	case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
		v := byte(4)
		if first == layers.LayerTypeIPv6 {
			v = 6
		}
		if len(data) > 0 && data[0]>>4 != v {
			d.reason = Reason{ReasonIPVersion, uint32(data[0] >> 4)}
		} else {
			d.reason = Reason{ReasonIPHeader, uint32(v)}
		}
	case layers.LayerTypeLinuxSLL:
		d.reason = Reason{ReasonLinkHeader, uint32(layers.LinkTypeLinuxSLL)}
	case layers.LayerTypeLinuxSLL2:
		d.reason = Reason{ReasonLinkHeader, uint32(layers.LinkTypeLinuxSLL2)}
	case layers.LayerTypeLoopback:
		if len(data) < 4 {
			d.reason = Reason{ReasonLinkHeader, uint32(layers.LinkTypeNull)}
			break
		}
		// a whole header whose family gopacket refuses (above 255): a family no system has,
		// read in the byte order gopacket reads it in
		family := binary.LittleEndian.Uint32(data)
		if data[0] == 0 && data[1] == 0 {
			family = binary.BigEndian.Uint32(data)
		}
		d.reason = Reason{ReasonLinkProtocol, family}
	default: // Ethernet, or a VLAN tag after an EtherType
		d.reason = Reason{ReasonLinkHeader, uint32(layers.LinkTypeEthernet)}
	}
}

// cookedBroken reports whether a Linux cooked header (SLL, or SLL2 for lk linkSLL2) that data
// holds whole gives a packet type or an address length no such header has (Linux's packet types
// are 0-7, the address field holds 8 bytes), or SLL2's reserved bytes not zero, and records the
// frame undecodable for that: its bytes are not a cooked header, whatever the file's link type
// says (editcap -T).
func (d *decoder) cookedBroken(lk linkKind, data []byte) bool {
	lt, broken := layers.LinkTypeLinuxSLL, false
	switch {
	case lk == linkSLL && len(data) >= 16:
		broken = binary.BigEndian.Uint16(data[0:2]) > 7 || binary.BigEndian.Uint16(data[4:6]) > 8
	case lk == linkSLL2 && len(data) >= 20:
		lt, broken = layers.LinkTypeLinuxSLL2, data[2] != 0 || data[3] != 0 || data[10] > 7 || data[11] > 8
	}
	if broken {
		d.reason = Reason{ReasonLinkHeaderBroken, uint32(lt)}
	}
	return broken
}

// ipv4Header is gopacket's IPv4 layer, which goes on to TCP only: anything else after the IPv4
// header (UDP, ICMP, tunnels, fragments) is read by hand, so that the parser never decodes an
// inner IPv4 header of IP-in-IP into the layer the outer one is in.
type ipv4Header struct{ layers.IPv4 }

// NextLayerType names TCP for an unfragmented TCP packet and nothing else.
func (ip *ipv4Header) NextLayerType() gopacket.LayerType {
	if ip.Protocol == layers.IPProtocolTCP && ip.FragOffset == 0 && ip.Flags&layers.IPv4MoreFragments == 0 {
		return layers.LayerTypeTCP
	}
	return gopacket.LayerTypeZero
}

func (d *decoder) fromIPv4(p *Packet, tcpDone bool) inner {
	ip := &d.ip4.IPv4
	if ip.Version != 4 {
		d.reason = Reason{ReasonIPVersion, uint32(ip.Version)}
		return done
	}
	hdr := ip.Contents
	hdrLen := len(hdr)
	p.SrcIP = netip.AddrFrom4([4]byte(hdr[12:16]))
	p.DstIP = netip.AddrFrom4([4]byte(hdr[16:20]))
	p.TTL = ip.TTL
	p.IPID = ip.Id
	// gopacket has already cut ip.Payload at the total length (dropping an Ethernet trailer); a
	// total length of 0 is a TCP segmentation offload capture, whose packet is what was captured.
	payloadLen := int(binary.BigEndian.Uint16(hdr[2:4])) - hdrLen
	if binary.BigEndian.Uint16(hdr[2:4]) == 0 {
		payloadLen = len(ip.Payload)
	}
	if len(ip.Payload) < payloadLen {
		payloadLen = p.claimedBeyondFrame(len(ip.Payload), payloadLen)
	}
	d.l4 = checksumNone
	in := done
	if ip.FragOffset == 0 { // else a later fragment: no transport header
		firstFragment := ip.Flags&layers.IPv4MoreFragments != 0
		addrs := hdr[12:20]
		switch ip.Protocol {
		case protoTCP:
			d.fromTCP(p, tcpDone && !firstFragment, ip.Payload, payloadLen, addrs, !firstFragment)
		case protoICMP:
			if !firstFragment {
				d.fromICMPv4(p, ip.Payload, payloadLen)
			}
		case protoUDP:
			in = d.fromUDP(p, ip.Payload, payloadLen, addrs, firstFragment)
		case protoIPv4inIP, protoIPv6inIP, protoGRE:
			in = d.ipTunnel(uint8(ip.Protocol), ip.Payload, firstFragment)
		}
	}
	// Every IPv4 header is checked (twenty bytes: a damaged address would put the packet on
	// another connection); a TCP segment's own checksum in fromTCP.
	d.judge(p, hdr[12:16], verifyIPv4(hdr))
	return in
}

// ipTunnel goes on into what an IP packet of protocol proto (IP-in-IP or GRE) carries.
func (d *decoder) ipTunnel(proto uint8, b []byte, fragment bool) inner {
	e := EncapIPinIP
	if proto == protoGRE {
		e = EncapGRE
	}
	if fragment {
		d.reason = Reason{ReasonTunnelFragment, uint32(e)}
		return inner{encap: e}
	}
	switch proto {
	case protoIPv4inIP:
		return inner{start: startEtherType, et: etIPv4, b: b, encap: e}
	case protoIPv6inIP:
		return inner{start: startEtherType, et: etIPv6, b: b, encap: e}
	}
	return d.gre(b)
}

func (d *decoder) fromIPv6(p *Packet, tcpDone bool) inner {
	ip := &d.ip6
	p.SrcIP = netip.AddrFrom16(ip.src)
	p.DstIP = netip.AddrFrom16(ip.dst)
	p.TTL = ip.hopLimit
	p.IPID = 0 // an outer IPv4 header's is not this packet's
	d.l4 = checksumNone
	in := d.ipv6Payload(p, tcpDone)
	if d.l4 != checksumNone {
		d.judge(p, ip.Contents[8:24], checksumNone)
	}
	return in
}

// ipv6Payload goes on after the fixed IPv6 header: over the extension headers to what they carry.
func (d *decoder) ipv6Payload(p *Packet, tcpDone bool) inner {
	ip := &d.ip6
	remaining := int(ip.length)
	if ip.length == 0 { // a jumbogram, or a BIG TCP / TSO packet on the sending host: what was captured
		remaining = len(ip.Payload)
	}
	if len(ip.Payload) < remaining {
		remaining = p.claimedBeyondFrame(len(ip.Payload), remaining)
	}
	ext, ok := skipIPv6Extensions(ip.next, ip.Payload)
	if !ok {
		if len(ip.Payload) >= remaining { // not the snaplen: the chain is broken
			d.reason = Reason{ReasonIPv6Extension, uint32(ext.count)}
		}
		return done
	}
	if ext.later {
		return done // a later fragment
	}
	remaining -= ext.headerBytes
	if remaining < 0 {
		d.reason = Reason{ReasonIPv6Extension, uint32(ext.count)}
		return done
	}
	addrs := ip.Contents[8:40]
	// A routing header puts the final destination, which the pseudo-header holds, elsewhere:
	// such packets' checksums are not judged.
	verify := !ext.first && !ext.routing
	switch ext.next {
	case protoTCP:
		d.fromTCP(p, tcpDone && ext.headerBytes == 0, ext.rest, remaining, addrs, verify)
	case protoICMPv6:
		if !ext.first {
			d.fromICMPv6(p, ext.rest, remaining, addrs, verify)
		}
	case protoUDP:
		return d.fromUDP(p, ext.rest, remaining, addrs, ext.first)
	case protoIPv4inIP, protoIPv6inIP, protoGRE:
		b := ext.rest
		if len(b) > remaining {
			b = b[:remaining]
		}
		return d.ipTunnel(ext.next, b, ext.first)
	}
	return done
}

// judge judges an IP header's checksum (ip) and that of what it carries (d.l4, a d.l4Bit fault)
// by the pattern of their source's checksums (checksum.go).
func (d *decoder) judge(p *Packet, src []byte, ip checksumResult) {
	if ip == checksumOffload || d.l4 == checksumOffload {
		d.offloaded++
	}
	dm, late := d.sums.judge(src, p.Index, ip, d.l4, d.l4Bit)
	p.Corrupt |= dm
	if late.What != 0 {
		d.late = append(d.late, late)
	}
}

// checked notes the checksum of what an IP header carries, to be judged with the header's.
func (d *decoder) checked(r checksumResult, bit Damage) {
	d.l4, d.l4Bit = r, bit
}

// ipv6Header is a DecodingLayer for the fixed IPv6 header (RFC 8200, Section 3). It replaces
// gopacket's layers.IPv6, which decodes a hop-by-hop header's options into newly allocated values
// on every packet that has one (MLD reports, router alerts, jumbograms) and rejects a payload length
// of 0 that a capture of BIG TCP on the sending host shows. Extension headers are left to
// skipIPv6Extensions.
type ipv6Header struct {
	layers.BaseLayer
	next     uint8
	hopLimit uint8
	length   uint16
	src, dst [16]byte
}

var (
	errIPv6Short   = errors.New("IPv6 header cut short")
	errIPv6Version = errors.New("IPv6 header without version 6")
)

func (h *ipv6Header) LayerType() gopacket.LayerType  { return layers.LayerTypeIPv6 }
func (h *ipv6Header) CanDecode() gopacket.LayerClass { return layers.LayerTypeIPv6 }

// NextLayerType names TCP when it follows the fixed header directly; anything else ends the parser.
func (h *ipv6Header) NextLayerType() gopacket.LayerType {
	if h.next == protoTCP {
		return layers.LayerTypeTCP
	}
	return gopacket.LayerTypeZero
}

func (h *ipv6Header) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 40 {
		df.SetTruncated()
		return errIPv6Short
	}
	if data[0]>>4 != 6 {
		return errIPv6Version
	}
	h.length = binary.BigEndian.Uint16(data[4:6])
	h.next = data[6]
	h.hopLimit = data[7]
	h.src = [16]byte(data[8:24])
	h.dst = [16]byte(data[24:40])
	payload := data[40:]
	if h.length != 0 && int(h.length) < len(payload) {
		payload = payload[:h.length] // drop an Ethernet trailer
	}
	h.Contents, h.Payload = data[:40], payload
	return nil
}

// tcpHeader is the parsers' TCP layer: the fixed header, and the options' length from the data
// offset, with the checks (and so the failures) of gopacket's layers.TCP, without its decoding of
// the options, which connscope does not read: layers.TCP appends a value of some 150 bytes for
// each option of every segment (and allocates for MPTCP's), a third of decoding's time on a
// capture of TLS connections.
type tcpHeader struct {
	layers.BaseLayer
	srcPort, dstPort uint16
	seq, ack         uint32
	window           uint16
}

var (
	errTCPShort      = errors.New("TCP header cut short")
	errTCPOffset     = errors.New("TCP data offset below 5")
	errTCPPastPacket = errors.New("TCP data offset greater than packet length")
)

func (h *tcpHeader) LayerType() gopacket.LayerType  { return layers.LayerTypeTCP }
func (h *tcpHeader) CanDecode() gopacket.LayerClass { return layers.LayerTypeTCP }

// NextLayerType ends the parser: what a segment carries is the tracker's to read.
func (h *tcpHeader) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

func (h *tcpHeader) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 20 {
		df.SetTruncated()
		return errTCPShort
	}
	h.srcPort = binary.BigEndian.Uint16(data[0:2])
	h.dstPort = binary.BigEndian.Uint16(data[2:4])
	h.seq = binary.BigEndian.Uint32(data[4:8])
	h.ack = binary.BigEndian.Uint32(data[8:12])
	h.window = binary.BigEndian.Uint16(data[14:16])
	offset := int(data[12]>>4) * 4
	if offset < 20 {
		return errTCPOffset
	}
	if offset > len(data) {
		df.SetTruncated()
		h.Contents, h.Payload = data, nil
		return errTCPPastPacket
	}
	h.Contents, h.Payload = data[:offset], data[offset:]
	return nil
}

// ipv6Ext is what skipIPv6Extensions found after the extension headers.
type ipv6Ext struct {
	next        uint8  // the protocol after the extension headers
	rest        []byte // the bytes after them
	headerBytes int    // their length
	count       int    // how many there were
	first       bool   // a fragment header marks the first fragment of several
	later       bool   // a fragment header marks a later fragment (no transport header follows)
	routing     bool   // a routing header is among them
}

// skipIPv6Extensions steps over hop-by-hop, routing, destination-options, authentication and
// fragment headers (RFC 8200, Section 4; RFC 4302), however many there are: each is at least 8
// bytes, so the packet's length bounds the chain. It reports false when a header is cut off.
func skipIPv6Extensions(next uint8, b []byte) (ipv6Ext, bool) {
	e := ipv6Ext{next: next, rest: b}
	for {
		var n int
		switch e.next {
		case protoHopByHop, protoRouting, protoDstOpts:
			if len(e.rest) < 2 {
				return e, false
			}
			n = (int(e.rest[1]) + 1) * 8
			e.routing = e.routing || e.next == protoRouting
		case protoAH:
			if len(e.rest) < 2 {
				return e, false
			}
			n = (int(e.rest[1]) + 2) * 4
		case protoFragment:
			if len(e.rest) < 8 {
				return e, false
			}
			n = 8
			if binary.BigEndian.Uint16(e.rest[2:4])>>3 != 0 {
				e.later = true
			} else if e.rest[3]&1 != 0 {
				e.first = true
			}
		default:
			return e, true
		}
		if len(e.rest) < n {
			return e, false
		}
		e.next = e.rest[0]
		e.rest = e.rest[n:]
		e.headerBytes += n
		e.count++
		if e.later {
			return e, true
		}
	}
}

// claimedBeyondFrame is the length to take for an IP payload whose header claims more bytes
// (claimed) than the frame holds (have): what the header claims when the capture's snaplen cut
// the frame (the rest is missing: Truncated), else what the frame holds, since then the header
// is wrong (LengthOverrun).
func (p *Packet) claimedBeyondFrame(have, claimed int) int {
	if p.CapLen < p.WireLen {
		p.Truncated = true
		return claimed
	}
	p.LengthOverrun = true
	return have
}

// fromTCP fills p.TCP from a segment whose IP payload is wireLen bytes on the wire, of which seg
// was captured. done says the parser has already decoded seg into d.tcp. IP fragments are not
// reassembled: a first fragment gives its TCP header and the part of the payload it carries
// (PayloadLen counts that part), later fragments are KindOther; the analyzer sees the rest of the
// segment as missing bytes, which is what they are to it. With verify, the checksum of a segment
// captured whole is checked against the pseudo-header of addrs (source and destination).
func (d *decoder) fromTCP(p *Packet, done bool, seg []byte, wireLen int, addrs []byte, verify bool) {
	t := &d.tcp
	if !done {
		if err := t.DecodeFromBytes(seg, gopacket.NilDecodeFeedback); err != nil {
			d.fromCutTCP(p, seg, wireLen)
			return
		}
	}
	hdrLen := len(t.Contents)
	payloadLen := wireLen - hdrLen
	if payloadLen < 0 {
		return // data offset beyond the IP packet: not a TCP header we can use
	}
	payload := t.Payload
	if len(payload) > payloadLen {
		payload = payload[:payloadLen] // Ethernet trailer after an IPv6 packet, or padding
	}
	if len(payload) < payloadLen {
		p.Truncated = true
	}
	p.Kind = KindTCP
	// every field set one by one: a TCPHeader built on the stack and copied (64 bytes) stalls on
	// the stores just made
	h := &p.TCP
	h.SrcPort, h.DstPort, h.Seq, h.Ack = t.srcPort, t.dstPort, t.seq, t.ack
	h.Flags, h.Window, h.Payload, h.PayloadLen = t.Contents[13], t.window, payload, payloadLen
	// Every whole segment is checked: damage anywhere in one can alter a verdict (a port, a flag,
	// an acknowledgment number, a TLS record header inside application data). Summing costs
	// nothing on the capturing host's own packets (offload is told without summing) and, off the
	// hosts, a quarter of decoding's time (BenchmarkBestPass, right-checksums/decode: 63 -> 80 µs
	// for 609 frames), a sixth of reading's.
	if verify && len(seg) >= wireLen {
		d.checked(verifyL4(addrs, protoTCP, seg[:wireLen], 16), DamageTCP)
	}
}

// fromCutTCP reads the fixed TCP header of a segment whose options the snaplen cut off (gopacket
// refuses such a header). Without the fixed 20 bytes the packet stays KindOther.
func (d *decoder) fromCutTCP(p *Packet, seg []byte, wireLen int) {
	if len(seg) < 20 {
		if len(seg) < wireLen {
			p.Truncated = true
		} else {
			d.reason = Reason{ReasonTCPHeader, uint32(len(seg))} // the IP header leaves it less
		}
		return
	}
	hdrLen := int(seg[12]>>4) * 4
	if hdrLen < 20 || hdrLen <= len(seg) || hdrLen > wireLen {
		d.reason = Reason{ReasonTCPHeader, uint32(hdrLen)} // a broken header, not a cut one
		return
	}
	p.Truncated = true
	p.Kind = KindTCP
	p.TCP = TCPHeader{
		SrcPort:    binary.BigEndian.Uint16(seg[0:2]),
		DstPort:    binary.BigEndian.Uint16(seg[2:4]),
		Seq:        binary.BigEndian.Uint32(seg[4:8]),
		Ack:        binary.BigEndian.Uint32(seg[8:12]),
		Flags:      seg[13],
		Window:     binary.BigEndian.Uint16(seg[14:16]),
		PayloadLen: wireLen - hdrLen,
	}
}
