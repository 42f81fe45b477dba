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
// their quotes, TCP headers cut by the snaplen), is read by hand with bounds checks.
type decoder struct {
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	sll   layers.LinuxSLL
	sll2  layers.LinuxSLL2
	loop  layers.Loopback
	ip4   layers.IPv4
	ip6   ipv6Header
	tcp   layers.TCP

	parsers [numLinkKinds]*gopacket.DecodingLayerParser
	ip4P    *gopacket.DecodingLayerParser
	ip6P    *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
	panics  int // frames whose decoding panicked (a bug: the fuzz tests require 0)
}

func newDecoder() *decoder {
	d := &decoder{decoded: make([]gopacket.LayerType, 0, 8)}
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
	d.parsers[linkEthernet] = mk(layers.LayerTypeEthernet)
	d.parsers[linkSLL] = mk(layers.LayerTypeLinuxSLL)
	d.parsers[linkSLL2] = mk(layers.LayerTypeLinuxSLL2)
	d.parsers[linkLoopback] = mk(layers.LayerTypeLoopback)
	d.ip4P = mk(layers.LayerTypeIPv4)
	d.ip6P = mk(layers.LayerTypeIPv6)
	d.parsers[linkIPv4] = d.ip4P
	d.parsers[linkIPv6] = d.ip6P
	return d
}

// decode fills p's Kind, addresses and TCP or ICMP fields from a frame, and sets p.Truncated when
// the IP header says the packet goes on beyond the captured bytes. It reports false when the frame's
// link or IP header could not be decoded.
func (d *decoder) decode(data []byte, lk linkKind, p *Packet) (ok bool) {
	defer func() {
		// The hand-written parts check every bound; this only keeps a bug in them or in a gopacket
		// layer from ending the analysis: the frame counts as undecodable.
		if recover() != nil {
			d.panics++
			p.Kind = KindOther
			ok = false
		}
	}()
	parser := d.parsers[lk]
	if lk == linkRawIP {
		parser = nil
		if len(data) > 0 {
			switch data[0] >> 4 {
			case 4:
				parser = d.ip4P
			case 6:
				parser = d.ip6P
			}
		}
	}
	if parser == nil {
		return false
	}
	err := parser.DecodeLayers(data, &d.decoded)
	var network gopacket.LayerType
	tcpDone := false
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
			network = t
		case layers.LayerTypeTCP:
			tcpDone = true
		}
	}
	switch network {
	case layers.LayerTypeIPv4:
		d.fromIPv4(p, tcpDone)
	case layers.LayerTypeIPv6:
		d.fromIPv6(p, tcpDone)
	default:
		// A link layer that carries something else (ARP, LLC, ...) is a frame like any other; an
		// error means the link layer or the IP header after it is broken (or cut by the snaplen).
		return err == nil
	}
	return true
}

func (d *decoder) fromIPv4(p *Packet, tcpDone bool) {
	ip := &d.ip4
	hdrLen := len(ip.Contents)
	p.SrcIP = netip.AddrFrom4([4]byte(ip.SrcIP))
	p.DstIP = netip.AddrFrom4([4]byte(ip.DstIP))
	p.TTL = ip.TTL
	p.IPID = ip.Id
	// gopacket has already cut ip.Payload at the total length (dropping an Ethernet trailer); a
	// total length of 0 is a TCP segmentation offload capture, whose packet is what was captured.
	payloadLen := int(binary.BigEndian.Uint16(ip.Contents[2:4])) - hdrLen
	if binary.BigEndian.Uint16(ip.Contents[2:4]) == 0 {
		payloadLen = len(ip.Payload)
	}
	if len(ip.Payload) < payloadLen {
		payloadLen = p.claimedBeyondFrame(len(ip.Payload), payloadLen)
	}
	if ip.FragOffset != 0 {
		return // a later fragment: no transport header
	}
	firstFragment := ip.Flags&layers.IPv4MoreFragments != 0
	switch ip.Protocol {
	case protoTCP:
		d.fromTCP(p, tcpDone && !firstFragment, ip.Payload, payloadLen)
	case protoICMP:
		if !firstFragment {
			d.fromICMPv4(p, ip.Payload)
		}
	case protoUDP:
		d.fromUDP(p, ip.Payload, payloadLen)
	}
}

func (d *decoder) fromIPv6(p *Packet, tcpDone bool) {
	ip := &d.ip6
	p.SrcIP = netip.AddrFrom16(ip.src)
	p.DstIP = netip.AddrFrom16(ip.dst)
	p.TTL = ip.hopLimit
	remaining := int(ip.length)
	if ip.length == 0 { // a jumbogram, or a BIG TCP / TSO packet on the sending host: what was captured
		remaining = len(ip.Payload)
	}
	if len(ip.Payload) < remaining {
		remaining = p.claimedBeyondFrame(len(ip.Payload), remaining)
	}
	ext, ok := skipIPv6Extensions(ip.next, ip.Payload)
	if !ok || ext.later {
		return // extension headers cut by the snaplen, or a later fragment
	}
	remaining -= ext.headerBytes
	if remaining < 0 {
		return
	}
	switch ext.next {
	case protoTCP:
		d.fromTCP(p, tcpDone && ext.headerBytes == 0, ext.rest, remaining)
	case protoICMPv6:
		if !ext.first {
			d.fromICMPv6(p, ext.rest)
		}
	case protoUDP:
		d.fromUDP(p, ext.rest, remaining)
	}
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

// ipv6Ext is what skipIPv6Extensions found after the extension headers.
type ipv6Ext struct {
	next        uint8  // the protocol after the extension headers
	rest        []byte // the bytes after them
	headerBytes int    // their length
	first       bool   // a fragment header marks the first fragment of several
	later       bool   // a fragment header marks a later fragment (no transport header follows)
}

// skipIPv6Extensions steps over hop-by-hop, routing, destination-options, authentication and
// fragment headers (RFC 8200, Section 4; RFC 4302). It reports false when a header is cut off.
func skipIPv6Extensions(next uint8, b []byte) (ipv6Ext, bool) {
	e := ipv6Ext{next: next, rest: b}
	for range 16 { // a real chain is short; the bound stops a crafted loop
		var n int
		switch e.next {
		case protoHopByHop, protoRouting, protoDstOpts:
			if len(e.rest) < 2 {
				return e, false
			}
			n = (int(e.rest[1]) + 1) * 8
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
		if e.later {
			return e, true
		}
	}
	return e, false
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
// segment as missing bytes, which is what they are to it.
func (d *decoder) fromTCP(p *Packet, done bool, seg []byte, wireLen int) {
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
	p.TCP = TCPHeader{
		SrcPort:    uint16(t.SrcPort),
		DstPort:    uint16(t.DstPort),
		Seq:        t.Seq,
		Ack:        t.Ack,
		Flags:      t.Contents[13],
		Window:     t.Window,
		Payload:    payload,
		PayloadLen: payloadLen,
	}
}

// fromCutTCP reads the fixed TCP header of a segment whose options the snaplen cut off (gopacket
// refuses such a header). Without the fixed 20 bytes the packet stays KindOther.
func (d *decoder) fromCutTCP(p *Packet, seg []byte, wireLen int) {
	if len(seg) < 20 {
		if len(seg) < wireLen {
			p.Truncated = true
		}
		return
	}
	hdrLen := int(seg[12]>>4) * 4
	if hdrLen < 20 || hdrLen <= len(seg) || hdrLen > wireLen {
		return // a broken header, not a cut one
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
