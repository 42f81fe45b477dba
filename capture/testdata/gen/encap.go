package main

// The encapsulated captures of capture/testdata/encap (encap/make-captures.sh runs this with
// -encap): every frame of the real inner.pcap (Linux TCP and OpenSSL 3 traffic captured on a VXLAN
// device) is wrapped in one encapsulation per output file, with gopacket's serializer for every
// layer gopacket can write, and written with the same timestamp: one output frame per input
// frame, so that frame numbers and times stay those of inner.pcap. Frames an encapsulation cannot
// carry (ARP in an IP tunnel, IPv4 in Teredo) are written as they are. erspan-vxlan.pcap wraps the
// frames of the real vxlan.pcap instead: a SPAN of the underlay.

import (
	"encoding/binary"
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Addresses of the made-up tunnel endpoints and links (documentation ranges are not used so that
// no address looks like one of the captured hosts'; none leaves the test).
var (
	tunMACA       = net.HardwareAddr{0x02, 0, 0, 0, 0xc0, 0x01}
	tunMACB       = net.HardwareAddr{0x02, 0, 0, 0, 0xc0, 0x02}
	tunA          = net.IP{10, 202, 0, 1}
	tunB          = net.IP{10, 202, 0, 2}
	tun6A         = net.ParseIP("fd00:202::1")
	tun6B         = net.ParseIP("fd00:202::2")
	overlayClient = net.IP{192, 168, 201, 1}
)

func runEncap() error {
	inner, err := readPcap("inner.pcap")
	if err != nil {
		return err
	}
	outer, err := readPcap("vxlan.pcap")
	if err != nil {
		return err
	}
	files := []struct {
		name string
		recs []record
		wrap func(frame []byte, n int) ([]byte, error)
	}{
		{"mpls.pcap", inner, mplsIP},
		{"mpls-pw.pcap", inner, mplsPW},
		{"pppoe.pcap", inner, pppoe},
		{"geneve.pcap", inner, geneve},
		{"gre.pcap", inner, gre},
		{"pptp.pcap", inner, pptp},
		{"erspan2.pcap", inner, erspan2},
		{"erspan3.pcap", inner, erspan3},
		{"gtpu.pcap", inner, gtpu},
		{"fabricpath.pcap", inner, fabricPath},
		{"vntag.pcap", inner, vnTag},
		{"etag.pcap", inner, eTag},
		{"teredo.pcap", inner, teredo},
		{"ipip.pcap", inner, ipInIPv4},
		{"ip6ip6.pcap", inner, ipInIPv6},
		{"erspan-vxlan.pcap", outer, erspan2},
	}
	for _, f := range files {
		out := make([]record, len(f.recs))
		for i, r := range f.recs {
			d, err := f.wrap(r.data, i)
			if err != nil {
				return fmt.Errorf("%s frame %d: %w", f.name, i+1, err)
			}
			if d == nil {
				d = r.data // not carried by this encapsulation: as captured
			}
			ci := r.ci
			ci.Length += len(d) - len(r.data)
			ci.CaptureLength = len(d)
			out[i] = record{ci, d}
		}
		if err := writePcap(f.name, layers.LinkTypeEthernet, out, binary.LittleEndian, false); err != nil {
			return err
		}
		fmt.Println("made", f.name)
	}
	return nil
}

// fromClient reports whether an inner IP packet comes from the client side (192.168.201.1 or
// fd00:201::1): the tunnel's outer header then goes from A to B.
func fromClient(ip []byte, v int) bool {
	if v == 4 {
		return net.IP(ip[12:16]).Equal(overlayClient)
	}
	return ip[8+15] == 1
}

func tunEth(typ layers.EthernetType, aToB bool) *layers.Ethernet {
	if aToB {
		return &layers.Ethernet{SrcMAC: tunMACA, DstMAC: tunMACB, EthernetType: typ}
	}
	return &layers.Ethernet{SrcMAC: tunMACB, DstMAC: tunMACA, EthernetType: typ}
}

// outer4 is the outer IPv4 header of a tunnel packet, numbered by the frame.
func outer4(proto layers.IPProtocol, aToB bool, n int) *layers.IPv4 {
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: uint16(1000 + n), Flags: layers.IPv4DontFragment, Protocol: proto, SrcIP: tunA, DstIP: tunB}
	if !aToB {
		ip.SrcIP, ip.DstIP = tunB, tunA
	}
	return ip
}

// udp4 is an outer IPv4 and UDP header, with the UDP checksum computed over the tunnel payload.
func udp4(sport, dport uint16, aToB bool, n int) (*layers.IPv4, *layers.UDP) {
	ip := outer4(layers.IPProtocolUDP, aToB, n)
	u := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	u.SetNetworkLayerForChecksum(ip)
	return ip, u
}

// mplsIP carries the IP packet under two labels (RFC 3032), as an LSR in the core sees it.
func mplsIP(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil, nil
	}
	return serialize(tunEth(layers.EthernetTypeMPLSUnicast, fromClient(ip, v)),
		&layers.MPLS{Label: 1001, TTL: 63}, &layers.MPLS{Label: 2002, StackBottom: true, TTL: 63}, gopacket.Payload(ip))
}

// mplsPW carries the whole Ethernet frame in an Ethernet pseudowire with a control word (RFC 4448).
func mplsPW(frame []byte, n int) ([]byte, error) {
	return serialize(tunEth(layers.EthernetTypeMPLSUnicast, true), &layers.MPLS{Label: 3003, StackBottom: true, TTL: 255},
		gopacket.Payload(append([]byte{0, 0, 0, byte(n)}, frame...)))
}

// pppoe carries the IP packet in a PPPoE session (RFC 2516), as a DSL access line does.
func pppoe(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil, nil
	}
	proto := layers.PPPTypeIPv4
	if v == 6 {
		proto = layers.PPPTypeIPv6
	}
	return serialize(tunEth(layers.EthernetTypePPPoESession, fromClient(ip, v)),
		&layers.PPPoE{Version: 1, Type: 1, Code: layers.PPPoECodeSession, SessionId: 0x2a}, &layers.PPP{PPPType: proto}, gopacket.Payload(ip))
}

// geneve carries the Ethernet frame in Geneve (RFC 8926) with one option, as OVN sends it.
func geneve(frame []byte, n int) ([]byte, error) {
	aToB := true
	if ip, v := ipOf(frame); v != 0 {
		aToB = fromClient(ip, v)
	}
	ip, u := udp4(uint16(50000+n), 6081, aToB, n)
	g := &layers.Geneve{VNI: 0x1234, Protocol: layers.EthernetTypeTransparentEthernetBridging,
		Options: []*layers.GeneveOption{{Class: 0x0102, Type: 0x80, Data: []byte{0, 0, 0, 7}}}}
	return serialize(tunEth(layers.EthernetTypeIPv4, aToB), ip, u, g, gopacket.Payload(frame))
}

// gre carries the IP packet in GRE with a key (RFC 2890), as a GRE tunnel between routers does.
func gre(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil, nil
	}
	aToB := fromClient(ip, v)
	proto := layers.EthernetTypeIPv4
	if v == 6 {
		proto = layers.EthernetTypeIPv6
	}
	return serialize(tunEth(layers.EthernetTypeIPv4, aToB), outer4(layers.IPProtocolGRE, aToB, n),
		&layers.GRE{KeyPresent: true, Key: 77, Protocol: proto}, gopacket.Payload(ip))
}

// pptp carries the IPv4 packet in PPTP's enhanced GRE (RFC 2637: version 1, key = payload length
// and call ID, sequence number) and PPP with address and control bytes.
func pptp(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v != 4 {
		return nil, nil
	}
	aToB := fromClient(ip, v)
	payload := append([]byte{0xff, 0x03, 0x00, 0x21}, ip...)
	hdr := make([]byte, 12)
	hdr[0], hdr[1] = 0x30, 0x01 // K and S set, version 1
	binary.BigEndian.PutUint16(hdr[2:], 0x880b)
	binary.BigEndian.PutUint16(hdr[4:], uint16(len(payload)))
	binary.BigEndian.PutUint16(hdr[6:], 0x4000) // call ID
	binary.BigEndian.PutUint32(hdr[8:], uint32(n))
	return serialize(tunEth(layers.EthernetTypeIPv4, aToB), outer4(layers.IPProtocolGRE, aToB, n), gopacket.Payload(append(hdr, payload...)))
}

// erspan2 mirrors the Ethernet frame in ERSPAN type II (GRE with a sequence number), as a Cisco
// switch's monitor session sends it to an analyzer.
func erspan2(frame []byte, n int) ([]byte, error) {
	return serialize(tunEth(layers.EthernetTypeIPv4, true), outer4(layers.IPProtocolGRE, true, n),
		&layers.GRE{SeqPresent: true, Seq: uint32(n), Protocol: layers.EthernetTypeERSPAN},
		&layers.ERSPANII{Version: layers.ERSPANIIVersion, SessionID: 17, Index: uint32(n)}, gopacket.Payload(frame))
}

// erspan3 mirrors the Ethernet frame in ERSPAN type III with its platform-specific subheader
// (draft-foschiano-erspan-03, Section 4.3), which gopacket cannot write: its 20 bytes are built here.
func erspan3(frame []byte, n int) ([]byte, error) {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], 2<<12|10) // version 2, VLAN 10
	binary.BigEndian.PutUint16(h[2:], 17)       // session 17
	binary.BigEndian.PutUint32(h[4:], uint32(n)*1000)
	h[10] = 0 << 2 // P 0, frame type 0: Ethernet
	h[11] = 1      // O: the platform-specific subheader follows
	h[12] = 3 << 2 // platform ID 3
	return serialize(tunEth(layers.EthernetTypeIPv4, true), outer4(layers.IPProtocolGRE, true, n),
		&layers.GRE{SeqPresent: true, Seq: uint32(n), Protocol: 0x22eb}, gopacket.Payload(append(h, frame...)))
}

// gtpu carries the IP packet in a GTP-U G-PDU with a PDU session container extension header
// (3GPP TS 29.281 and 38.415), as between a 5G base station and its UPF.
func gtpu(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil, nil
	}
	aToB := fromClient(ip, v)
	o, u := udp4(2152, 2152, aToB, n)
	g := &layers.GTPv1U{Version: 1, ProtocolType: 1, MessageType: 255, TEID: 0x1000 + uint32(n%2),
		GTPExtensionHeaders: []layers.GTPExtensionHeader{{Type: 0x85, Content: []byte{0x10, 0x09}}}}
	return serialize(tunEth(layers.EthernetTypeIPv4, aToB), o, u, g, gopacket.Payload(ip))
}

// fabricPath puts the frame behind a Cisco FabricPath header: outer addresses, EtherType 0x8903,
// FTag and TTL.
func fabricPath(frame []byte, n int) ([]byte, error) {
	h := append(append(append([]byte{}, tunMACB...), tunMACA...), 0x89, 0x03, 0x04, 0x3f)
	return append(h, frame...), nil
}

// vnTag inserts a Cisco VN-Tag (EtherType 0x8926, 32 bits of tag) after the frame's addresses.
func vnTag(frame []byte, n int) ([]byte, error) {
	tag := []byte{0x89, 0x26, 0x80, 0x05, 0x00, 0x01}
	return append(append(append([]byte{}, frame[:12]...), tag...), frame[12:]...), nil
}

// eTag inserts an IEEE 802.1BR E-Tag (EtherType 0x893f, 48 bits of tag) after the addresses.
func eTag(frame []byte, n int) ([]byte, error) {
	tag := []byte{0x89, 0x3f, 0x00, 0x00, 0x10, 0x05, 0x00, 0x00}
	return append(append(append([]byte{}, frame[:12]...), tag...), frame[12:]...), nil
}

// teredo carries the IPv6 packets in Teredo (RFC 4380): UDP between the client's port and the
// relay's port 3544; the relay's packets carry an origin indication, as relays send them.
func teredo(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v != 6 {
		return nil, nil
	}
	aToB := fromClient(ip, v)
	sport, dport := uint16(40001), uint16(3544)
	payload := ip
	if !aToB {
		sport, dport = 3544, 40001
		origin := []byte{0, 0, ^byte(40001 >> 8), ^byte(40001 & 0xff), ^tunA[0], ^tunA[1], ^tunA[2], ^tunA[3]}
		payload = append(origin, ip...)
	}
	o, u := udp4(sport, dport, aToB, n)
	return serialize(tunEth(layers.EthernetTypeIPv4, aToB), o, u, gopacket.Payload(payload))
}

// ipInIPv4 carries the IP packet directly in IPv4: IP-in-IP (4) or 6in4 (41).
func ipInIPv4(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil, nil
	}
	proto := layers.IPProtocolIPv4
	if v == 6 {
		proto = layers.IPProtocolIPv6
	}
	aToB := fromClient(ip, v)
	return serialize(tunEth(layers.EthernetTypeIPv4, aToB), outer4(proto, aToB, n), gopacket.Payload(ip))
}

// ipInIPv6 carries the IP packet directly in IPv6: 4in6 (4) or 6in6 (41).
func ipInIPv6(frame []byte, n int) ([]byte, error) {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil, nil
	}
	next := layers.IPProtocolIPv4
	if v == 6 {
		next = layers.IPProtocolIPv6
	}
	aToB := fromClient(ip, v)
	o := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: tun6A, DstIP: tun6B}
	if !aToB {
		o.SrcIP, o.DstIP = tun6B, tun6A
	}
	return serialize(tunEth(layers.EthernetTypeIPv6, aToB), o, gopacket.Payload(ip))
}
