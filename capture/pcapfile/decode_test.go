package pcapfile

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// pcapBytes builds a pcap file of one link type from whole frames.
func pcapBytes(lt layers.LinkType, frames ...[]byte) []byte {
	var b bytes.Buffer
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h[0:], pcapMicro)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144)
	binary.LittleEndian.PutUint32(h[20:], uint32(lt))
	b.Write(h)
	for i, f := range frames {
		rh := make([]byte, 16)
		binary.LittleEndian.PutUint32(rh[0:], 1700000000)
		binary.LittleEndian.PutUint32(rh[4:], uint32(i))
		wire := len(f)
		if len(f) > 0 && snapLens[&f[0]] > 0 {
			wire = snapLens[&f[0]]
		}
		binary.LittleEndian.PutUint32(rh[8:], uint32(len(f)))
		binary.LittleEndian.PutUint32(rh[12:], uint32(wire))
		b.Write(rh)
		b.Write(f)
	}
	return b.Bytes()
}

// snapLens is the length on the wire of each frame snapCut made, by its first byte.
var snapLens = map[*byte]int{}

// snapCut is frame f as a capture whose snaplen is n holds it: pcapBytes writes its length on
// the wire as len(f).
func snapCut(f []byte, n int) []byte {
	snapLens[&f[0]] = len(f)
	return f[:n]
}

func serialize(t *testing.T, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

var (
	macA = net.HardwareAddr{2, 0, 0, 0, 0, 1}
	macB = net.HardwareAddr{2, 0, 0, 0, 0, 2}
	v4A  = net.IP{192, 0, 2, 1}
	v4B  = net.IP{192, 0, 2, 2}
	v6A  = net.ParseIP("2001:db8::1")
	v6B  = net.ParseIP("2001:db8::2")
)

func eth(typ layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: typ}
}

func ip4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 61, Id: 77, Protocol: proto, SrcIP: v4A, DstIP: v4B}
}

func ip6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 62, NextHeader: next, SrcIP: v6A, DstIP: v6B}
}

func tcpSeg(t *testing.T, nl gopacket.NetworkLayer, opts bool) *layers.TCP {
	tc := &layers.TCP{SrcPort: 50000, DstPort: 4343, Seq: 1000, Ack: 2000, ACK: true, PSH: true, Window: 512}
	if opts {
		tc.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)},
			{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop}}
	}
	if err := tc.SetNetworkLayerForChecksum(nl); err != nil {
		t.Fatal(err)
	}
	return tc
}

// decodeFrames reads frames of one link type and returns the packets and the reader's Stats.
func decodeFrames(t *testing.T, lt layers.LinkType, frames ...[]byte) ([]capture.Packet, capture.Stats, *Reader) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(pcapBytes(lt, frames...)), "test.pcap")
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	return pkts, r.Stats(), r
}

func TestDecodeCases(t *testing.T) {
	payload := bytes.Repeat([]byte{0x17}, 100)
	ipA4, ipB4 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")

	// IPv4 with a TSO total length of 0: the packet is what was captured
	l3 := ip4(layers.IPProtocolTCP)
	tso := serialize(t, eth(layers.EthernetTypeIPv4), l3, tcpSeg(t, l3, true), gopacket.Payload(bytes.Repeat([]byte{1}, 3000)))
	tso[14+2], tso[14+3] = 0, 0

	// TCP options cut by the snaplen: the fixed header is there
	l3 = ip4(layers.IPProtocolTCP)
	cutOpts := snapCut(serialize(t, eth(layers.EthernetTypeIPv4), l3, tcpSeg(t, l3, true), gopacket.Payload(payload)), 14+20+24)

	// IPv4 total length 100 bytes beyond the frame, which the capture did not cut: a wrong header
	l3 = ip4(layers.IPProtocolTCP)
	overrun := serialize(t, eth(layers.EthernetTypeIPv4), l3, tcpSeg(t, l3, false), gopacket.Payload(payload))
	binary.BigEndian.PutUint16(overrun[14+2:], binary.BigEndian.Uint16(overrun[14+2:])+100)

	// IPv4 header with options (a router alert)
	l3 = ip4(layers.IPProtocolTCP)
	l3.Options = []layers.IPv4Option{{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}}
	withOpts := serialize(t, eth(layers.EthernetTypeIPv4), l3, tcpSeg(t, l3, false), gopacket.Payload(payload))

	// IPv6 with an Ethernet trailer after it
	l6 := ip6(layers.IPProtocolTCP)
	trailer := append(serialize(t, eth(layers.EthernetTypeIPv6), l6, tcpSeg(t, l6, false), gopacket.Payload(payload[:3])), 0xde, 0xad, 0xbe, 0xef)

	// IPv6 with a routing header (segment routing, type 4) and an authentication header before TCP
	l6 = ip6(layers.IPProtocolIPv6Routing)
	tcp6 := serialize(t, l6, tcpSeg(t, l6, false), gopacket.Payload(payload))[40:]
	routing := append([]byte{51, 2, 4, 0, 0, 0, 0, 0}, make([]byte, 16)...)       // 24 bytes, next AH
	ah := append([]byte{6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}, make([]byte, 12)...) // 24 bytes, next TCP
	ext := append(append(append([]byte{}, routing...), ah...), tcp6...)
	hdr6 := serialize(t, eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Routing), gopacket.Payload(ext))

	// an IPv6 extension header cut by the snaplen
	extCut := snapCut(hdr6, 14+40+20)

	// ARP
	arp := serialize(t, eth(layers.EthernetTypeARP), &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: 1, SourceHwAddress: macA, SourceProtAddress: v4A,
		DstHwAddress: make([]byte, 6), DstProtAddress: v4B})

	// IPv4 header cut inside
	l3 = ip4(layers.IPProtocolTCP)
	ipCut := serialize(t, eth(layers.EthernetTypeIPv4), l3, tcpSeg(t, l3, false))[:14+12]

	cases := []struct {
		name        string
		frame       []byte
		kind        capture.Kind
		truncated   bool
		undecodable bool
		check       func(t *testing.T, p capture.Packet)
	}{
		{"TSO total length 0", tso, capture.KindTCP, false, false, func(t *testing.T, p capture.Packet) {
			if p.TCP.PayloadLen != 3000 || len(p.TCP.Payload) != 3000 || p.SrcIP != ipA4 {
				t.Errorf("PayloadLen %d captured %d", p.TCP.PayloadLen, len(p.TCP.Payload))
			}
		}},
		{"TCP options cut by the snaplen", cutOpts, capture.KindTCP, true, false, func(t *testing.T, p capture.Packet) {
			if p.LengthOverrun {
				t.Error("a frame the snaplen cut is not a length overrun")
			}
			want := capture.TCPHeader{SrcPort: 50000, DstPort: 4343, Seq: 1000, Ack: 2000, Flags: capture.FlagACK | capture.FlagPSH, Window: 512, PayloadLen: 100}
			if p.TCP.SrcPort != want.SrcPort || p.TCP.Seq != want.Seq || p.TCP.Ack != want.Ack || p.TCP.Flags != want.Flags ||
				p.TCP.Window != want.Window || p.TCP.PayloadLen != want.PayloadLen || len(p.TCP.Payload) != 0 {
				t.Errorf("got %+v", p.TCP)
			}
		}},
		{"IPv4 total length beyond an uncut frame", overrun, capture.KindTCP, false, false, func(t *testing.T, p capture.Packet) {
			if !p.LengthOverrun || p.TCP.PayloadLen != 100 || len(p.TCP.Payload) != 100 {
				t.Errorf("LengthOverrun %v, PayloadLen %d, captured %d; want true, 100, 100", p.LengthOverrun, p.TCP.PayloadLen, len(p.TCP.Payload))
			}
		}},
		{"IPv4 options", withOpts, capture.KindTCP, false, false, func(t *testing.T, p capture.Packet) {
			if p.TCP.PayloadLen != 100 || p.TTL != 61 || p.IPID != 77 || p.DstIP != ipB4 {
				t.Errorf("got %+v", p)
			}
		}},
		{"Ethernet trailer after IPv6", trailer, capture.KindTCP, false, false, func(t *testing.T, p capture.Packet) {
			if p.TCP.PayloadLen != 3 || !bytes.Equal(p.TCP.Payload, payload[:3]) || p.TTL != 62 {
				t.Errorf("got payload % x of %d", p.TCP.Payload, p.TCP.PayloadLen)
			}
		}},
		{"IPv6 routing and AH headers", hdr6, capture.KindTCP, false, false, func(t *testing.T, p capture.Packet) {
			if p.TCP.DstPort != 4343 || p.TCP.PayloadLen != 100 || len(p.TCP.Payload) != 100 || p.SrcIP != netip.MustParseAddr("2001:db8::1") {
				t.Errorf("got %+v", p)
			}
		}},
		{"IPv6 extension header cut", extCut, capture.KindOther, true, false, nil},
		{"ARP", arp, capture.KindOther, false, false, nil},
		{"IPv4 header cut", ipCut, capture.KindOther, false, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pkts, st, _ := decodeFrames(t, layers.LinkTypeEthernet, tc.frame)
			p := pkts[0]
			if p.Kind != tc.kind || p.Truncated != tc.truncated || (st.Undecodable == 1) != tc.undecodable {
				t.Fatalf("Kind %d Truncated %v Undecodable %d, want %d %v %v", p.Kind, p.Truncated, st.Undecodable, tc.kind, tc.truncated, tc.undecodable)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

// Frames of a link type connscope does not decode, and raw IP that is neither IPv4 nor IPv6, are
// returned as KindOther and counted as undecodable.
func TestUndecodable(t *testing.T) {
	pkts, st, r := decodeFrames(t, layers.LinkType(105), []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{9})
	if len(pkts) != 2 || st.Undecodable != 2 || st.Other != 2 || pkts[1].Index != 2 {
		t.Errorf("802.11: %d packets, %+v", len(pkts), st)
	}
	if lt := r.LinkTypes(); len(lt) != 1 || lt[0] != "link type 105 (not decoded)" {
		t.Errorf("LinkTypes %q", lt)
	}
	pkts, st, _ = decodeFrames(t, layers.LinkTypeRaw, []byte{0x50, 0, 0, 0}, nil)
	if len(pkts) != 2 || st.Undecodable != 2 || pkts[0].Kind != capture.KindOther {
		t.Errorf("raw: %d packets, %+v", len(pkts), st)
	}
}

// Time stamps keep their resolution.
func TestTimestamps(t *testing.T) {
	pkts, _, _ := decodeFrames(t, layers.LinkTypeRaw, []byte{0x45})
	if want := time.Unix(1700000000, 0).UTC(); !pkts[0].Time.Equal(want) {
		t.Errorf("Time %v, want %v", pkts[0].Time, want)
	}
}
