package pcapfile

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// readFile reads a capture of testdata to its end: its packets (copied) and the reader.
func readFile(t *testing.T, name string) ([]capture.Packet, *Reader) {
	t.Helper()
	return openInputs(t, []Input{{Path: filepath.Join("../testdata", name)}}, nil)
}

// innerFacts is what the analysis sees of a packet: everything but the frame's own lengths and
// its encapsulation.
func innerFacts(p capture.Packet) capture.Packet {
	p.CapLen, p.WireLen, p.Encap = 0, 0, 0
	return p
}

// Every frame of the encapsulated captures (encap/make-captures.sh: real TLS traffic captured
// on a VXLAN device, each frame wrapped by gen) decodes to the packet its unwrapped frame decodes
// to: the same addresses, ports, TTL, IP ID, TCP header and payload bytes, time and frame number,
// with the encapsulations named. erspan-vxlan.pcap wraps the real underlay capture vxlan.pcap.
func TestEncapsulatedCaptures(t *testing.T) {
	cases := []struct {
		file, base string
		encap      capture.Encap
		wrapped    int // frames in the encapsulation (the others are as captured)
	}{
		{"mpls.pcap", "inner.pcap", capture.EncapMPLS, 70},
		{"mpls-pw.pcap", "inner.pcap", capture.EncapMPLS, 70},
		{"pppoe.pcap", "inner.pcap", capture.EncapPPPoE, 70},
		{"geneve.pcap", "inner.pcap", capture.EncapGeneve, 70},
		{"gre.pcap", "inner.pcap", capture.EncapGRE, 70},
		{"pptp.pcap", "inner.pcap", capture.EncapGRE, 50}, // IPv4 only
		{"erspan2.pcap", "inner.pcap", capture.EncapGRE | capture.EncapERSPAN, 70},
		{"erspan3.pcap", "inner.pcap", capture.EncapGRE | capture.EncapERSPAN, 70},
		{"gtpu.pcap", "inner.pcap", capture.EncapGTPU, 70},
		{"fabricpath.pcap", "inner.pcap", capture.EncapFabricPath, 70},
		{"vntag.pcap", "inner.pcap", capture.EncapVNTag, 70},
		{"etag.pcap", "inner.pcap", capture.EncapETag, 70},
		{"teredo.pcap", "inner.pcap", capture.EncapTeredo, 20}, // IPv6 only
		{"ipip.pcap", "inner.pcap", capture.EncapIPinIP, 70},
		{"ip6ip6.pcap", "inner.pcap", capture.EncapIPinIP, 70},
		{"erspan-vxlan.pcap", "vxlan.pcap", capture.EncapGRE | capture.EncapERSPAN, 78},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			base, br := readFile(t, "encap/"+tc.base)
			got, r := readFile(t, "encap/"+tc.file)
			if len(got) != len(base) {
				t.Fatalf("%d packets, want %d", len(got), len(base))
			}
			wrapped, encapsulated := 0, 0
			for i := range got {
				if got[i].Encap != 0 {
					encapsulated++
				}
				want := base[i].Encap
				if got[i].CapLen != base[i].CapLen {
					want |= tc.encap
					wrapped++
				}
				if got[i].Encap != want {
					t.Errorf("frame %d: Encap %v, want %v", i+1, got[i].Encap, want)
				}
				if g, w := innerFacts(got[i]), innerFacts(base[i]); !reflect.DeepEqual(g, w) {
					t.Fatalf("frame %d:\n got %+v\nwant %+v", i+1, g, w)
				}
			}
			if wrapped != tc.wrapped {
				t.Errorf("%d frames wrapped, want %d", wrapped, tc.wrapped)
			}
			st, bst := r.Stats(), br.Stats()
			if st.Encapsulated != encapsulated {
				t.Errorf("Stats.Encapsulated %d, want %d", st.Encapsulated, encapsulated)
			}
			st.Bytes, st.Encapsulated, bst.Bytes, bst.Encapsulated = 0, 0, 0, 0
			if st != bst {
				t.Errorf("Stats %+v, want %+v", st, bst)
			}
			if tl := r.Tallies(); len(tl) != 0 {
				t.Errorf("Tallies %+v, want none", tl)
			}
		})
	}
}

// The real VXLAN capture of the underlay holds the packets the capture of the VXLAN device holds:
// every TCP segment, with the inner addresses, ports, TTL, IP ID and payload. The two captures ran
// at two points of the stack, so segments crossing each other may be seen in either order: they
// are matched by their headers.
func TestVXLANRealCapture(t *testing.T) {
	inner, _ := readFile(t, "encap/inner.pcap")
	outer, r := readFile(t, "encap/vxlan.pcap")
	tcpOf := func(pkts []capture.Packet) []capture.Packet {
		var out []capture.Packet
		for _, p := range pkts {
			if p.Kind == capture.KindTCP {
				p.Index, p.FileFrame, p.CapLen, p.WireLen, p.Encap = 0, 0, 0, 0, 0
				out = append(out, p)
			}
		}
		return out
	}
	a, b := tcpOf(inner), tcpOf(outer)
	if len(a) != 65 || len(b) != 65 {
		t.Fatalf("%d and %d TCP segments, want 65", len(a), len(b))
	}
	key := func(p capture.Packet) string {
		return fmt.Sprint(p.SrcIP, p.TCP.SrcPort, p.TCP.Seq, p.TCP.Ack, p.TCP.Flags, p.TCP.PayloadLen, p.IPID)
	}
	for _, l := range [][]capture.Packet{a, b} {
		sort.SliceStable(l, func(i, j int) bool { return key(l[i]) < key(l[j]) })
	}
	for i := range a {
		// both captures ran on the client: the VXLAN device sees a packet before the underlay
		// when it leaves, after it when it arrives; tens of microseconds apart
		if d := b[i].Time.Sub(a[i].Time); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("segment %d seen %v apart", i+1, d)
		}
		a[i].Time, b[i].Time = time.Time{}, time.Time{}
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("segment %d:\nunderlay %+v\n  device %+v", i+1, b[i], a[i])
		}
	}
	// the underlay's own multicast listener reports (6) are the frames not in VXLAN
	if st := r.Stats(); st.Frames != 78 || st.Encapsulated != 72 || st.Undecodable != 0 {
		t.Errorf("Stats %+v", st)
	}
	first := outer[0]
	for _, p := range outer {
		if p.Kind == capture.KindTCP {
			first = p
			break
		}
	}
	if first.Encap != capture.EncapVXLAN || first.SrcIP != netip.MustParseAddr("192.168.201.1") || first.TCP.DstPort != 4343 || first.TCP.Flags != capture.FlagSYN {
		t.Errorf("first TCP packet %+v", first)
	}
}

// frameWith builds an Ethernet frame of the given EtherType around payload.
func frameWith(et uint16, payload ...[]byte) []byte {
	f := append(append([]byte{}, macB...), macA...)
	f = append(f, byte(et>>8), byte(et))
	for _, p := range payload {
		f = append(f, p...)
	}
	return f
}

// A real IPv4 packet of tls-veth-nano.pcap: the client's SYN.
func realIPv4(t *testing.T) []byte {
	t.Helper()
	b := mustRead(t, "tls-veth-nano.pcap")
	off := pcapRecordStarts(b)[0]
	n := int(b[off+8]) | int(b[off+9])<<8
	return append([]byte(nil), b[off+16+14:off+16+n]...)
}

// Tunnels and tags, broken or not, on hand-built frames around a real packet: what decodes, and
// why what does not is undecodable. A tunnel port whose header is not that tunnel's is plain UDP.
func TestEncapCases(t *testing.T) {
	ip := realIPv4(t)
	udp := func(sport, dport uint16, payload []byte) []byte {
		u := []byte{byte(sport >> 8), byte(sport), byte(dport >> 8), byte(dport), byte((8 + len(payload)) >> 8), byte(8 + len(payload)), 0, 0}
		return ipv4Around(17, append(u, payload...))
	}
	gre := func(proto uint16, rest []byte) []byte {
		return ipv4Around(47, append([]byte{0, 0, byte(proto >> 8), byte(proto)}, rest...))
	}
	vnTags := func(n int) []byte {
		f := frameWith(0x0800, ip)
		for range n {
			f = append(append(append([]byte{}, f[:12]...), 0x89, 0x26, 0, 0, 0, 1), f[12:]...)
		}
		return f
	}
	frag := gre(0x0800, ip)
	frag[6] |= 0x20 // more fragments
	cases := []struct {
		name  string
		frame []byte
		kind  capture.Kind
		encap capture.Encap
		why   capture.Reason
	}{
		{"legacy QinQ 0x9100", frameWith(0x9100, []byte{0, 10, 0x81, 0}, []byte{0, 20, 0x08, 0}, ip), capture.KindTCP, 0, capture.Reason{}},
		{"VXLAN without its I flag is UDP", frameWith(0x0800, udp(40000, 4789, append(make([]byte, 8), frameWith(0x0800, ip)...))), capture.KindOther, 0, capture.Reason{}},
		{"VXLAN on Linux's port 8472", frameWith(0x0800, udp(40000, 8472, append([]byte{8, 0, 0, 0, 0, 0, 1, 0}, frameWith(0x0800, ip)...))), capture.KindTCP, capture.EncapVXLAN, capture.Reason{}},
		{"Geneve version 1 is UDP", frameWith(0x0800, udp(40000, 6081, append([]byte{0x40, 0, 0x65, 0x58, 0, 0, 1, 0}, frameWith(0x0800, ip)...))), capture.KindOther, 0, capture.Reason{}},
		{"Geneve carrying IPv4", frameWith(0x0800, udp(40000, 6081, append([]byte{0, 0, 0x08, 0, 0, 0, 1, 0}, ip...))), capture.KindTCP, capture.EncapGeneve, capture.Reason{}},
		{"Geneve options cut", frameWith(0x0800, udp(40000, 6081, []byte{0x02, 0, 0x65, 0x58, 0, 0, 1, 0, 1, 2})), capture.KindOther, 0, capture.Reason{Code: capture.ReasonTunnel, Value: uint32(capture.EncapGeneve)}},
		{"GTP-U echo request", frameWith(0x0800, udp(2152, 2152, []byte{0x32, 1, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0})), capture.KindOther, capture.EncapGTPU, capture.Reason{}},
		{"GTP-U extension header of length 0", frameWith(0x0800, udp(2152, 2152, append([]byte{0x34, 255, 0, 44, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0}, ip[:32]...))), capture.KindOther, 0, capture.Reason{Code: capture.ReasonTunnel, Value: uint32(capture.EncapGTPU)}},
		{"Teredo with an authentication indication", frameWith(0x0800, udp(3544, 40001, append([]byte{0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0}, ipv6Around(6, ip[20:])...))), capture.KindTCP, capture.EncapTeredo, capture.Reason{}},
		{"GRE carrying an unknown protocol", frameWith(0x0800, gre(0x1234, ip)), capture.KindOther, capture.EncapGRE, capture.Reason{Code: capture.ReasonTunnelProtocol, Value: 0x1234}},
		{"GRE cut short", frameWith(0x0800, ipv4Around(47, []byte{0, 0, 8})), capture.KindOther, 0, capture.Reason{Code: capture.ReasonTunnel, Value: uint32(capture.EncapGRE)}},
		{"GRE version 2", frameWith(0x0800, ipv4Around(47, append([]byte{0, 2, 8, 0}, ip...))), capture.KindOther, 0, capture.Reason{Code: capture.ReasonTunnel, Value: uint32(capture.EncapGRE)}},
		{"GRE in a first IP fragment", frameWith(0x0800, frag), capture.KindOther, capture.EncapGRE, capture.Reason{Code: capture.ReasonTunnelFragment, Value: uint32(capture.EncapGRE)}},
		{"ERSPAN type I (no GRE sequence number)", frameWith(0x0800, gre(0x88be, frameWith(0x0800, ip))), capture.KindTCP, capture.EncapGRE | capture.EncapERSPAN, capture.Reason{}},
		{"ERSPAN III carrying IP", frameWith(0x0800, gre(0x22eb, append([]byte{0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2 << 2, 0}, ip...))), capture.KindTCP, capture.EncapGRE | capture.EncapERSPAN, capture.Reason{}},
		{"ERSPAN III frame type 5", frameWith(0x0800, gre(0x22eb, append([]byte{0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5 << 2, 0}, ip...))), capture.KindOther, capture.EncapGRE | capture.EncapERSPAN, capture.Reason{Code: capture.ReasonTunnelProtocol, Value: 5}},
		{"PPP LCP in PPPoE", frameWith(0x8864, []byte{0x11, 0, 0, 1, 0, 6, 0xc0, 0x21, 1, 1, 0, 4}), capture.KindOther, capture.EncapPPPoE, capture.Reason{}},
		{"PPP compressed datagram in PPPoE", frameWith(0x8864, []byte{0x11, 0, 0, 1, 0, 6, 0x00, 0xfd, 1, 1, 0, 4}), capture.KindOther, capture.EncapPPPoE, capture.Reason{Code: capture.ReasonTunnelProtocol, Value: 0xfd}},
		{"PPPoE with protocol field compression", frameWith(0x8864, []byte{0x11, 0, 0, 1, byte((len(ip) + 1) >> 8), byte(len(ip) + 1), 0x21}, ip), capture.KindTCP, capture.EncapPPPoE, capture.Reason{}},
		{"MPLS stack without a bottom label", frameWith(0x8847, []byte{0, 1, 0, 64, 0, 2, 0, 64}), capture.KindOther, 0, capture.Reason{Code: capture.ReasonTunnel, Value: uint32(capture.EncapMPLS)}},
		{"MPLS explicit null carrying IPv4", frameWith(0x8847, []byte{0, 0, 1, 64}, ip), capture.KindTCP, capture.EncapMPLS, capture.Reason{}},
		{"MPLS-in-UDP is plain UDP", frameWith(0x0800, udp(40000, 6635, append([]byte{0, 0, 1, 64}, ip...))), capture.KindOther, 0, capture.Reason{}},
		{"802.1ah PBB", frameWith(0x88e7, []byte{0, 0, 0, 1}, frameWith(0x0800, ip)), capture.KindOther, 0, capture.Reason{Code: capture.ReasonEtherType, Value: 0x88e7}},
		{"MACsec", frameWith(0x88e5, []byte{0x2c, 0, 0, 0, 0, 1}, ip), capture.KindOther, 0, capture.Reason{Code: capture.ReasonEtherType, Value: 0x88e5}},
		{"EtherType hit by corruption", frameWith(0x0880, ip), capture.KindOther, 0, capture.Reason{Code: capture.ReasonEtherType, Value: 0x0880}},
		{"LLDP", frameWith(0x88cc, []byte{2, 7, 4, 2, 0, 0, 0, 0, 1}), capture.KindOther, 0, capture.Reason{}},
		{"IPv4 version 5", frameWith(0x0800, append([]byte{0x55}, ip[1:]...)), capture.KindOther, 0, capture.Reason{Code: capture.ReasonIPVersion, Value: 5}},
		{"IPv4 header length 3", frameWith(0x0800, append([]byte{0x43}, ip[1:]...)), capture.KindOther, 0, capture.Reason{Code: capture.ReasonIPHeader, Value: 4}},
		{"IPv6 header with version 4", frameWith(0x86dd, ip, make([]byte, 20)), capture.KindOther, 0, capture.Reason{Code: capture.ReasonIPVersion, Value: 4}},
		{"Ethernet frame cut short", frameWith(0x0800)[:10], capture.KindOther, 0, capture.Reason{Code: capture.ReasonLinkHeader, Value: 1}},
		{"FabricPath cut short", frameWith(0x8903, []byte{4, 1}, macA), capture.KindOther, 0, capture.Reason{Code: capture.ReasonTunnel, Value: uint32(capture.EncapFabricPath)}},
		{"tags nested as deep as allowed", vnTags(capture.MaxEncapDepth), capture.KindTCP, capture.EncapVNTag, capture.Reason{}},
		{"tags nested too deep", vnTags(capture.MaxEncapDepth + 1), capture.KindOther, capture.EncapVNTag, capture.Reason{Code: capture.ReasonTunnelDepth, Value: capture.MaxEncapDepth}},
		{"IP-in-IP in IPv6", frameWith(0x86dd, ipv6Around(4, ip)), capture.KindTCP, capture.EncapIPinIP, capture.Reason{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := capture.NewDecoder()
			var p capture.Packet
			ok := d.Decode(tc.frame, capture.LinkOf(layers.LinkTypeEthernet), &p)
			if p.Kind != tc.kind || p.Encap != tc.encap || d.Reason() != tc.why || ok != (tc.why == capture.Reason{}) {
				t.Fatalf("Kind %d Encap %v reason %v ok %v, want %d %v %v", p.Kind, p.Encap, d.Reason(), ok, tc.kind, tc.encap, tc.why)
			}
			src := p.SrcIP.String()
			if tc.kind == capture.KindTCP && (p.TCP.SrcPort != 41390 || p.TCP.DstPort != 4343 || p.TCP.Flags != capture.FlagSYN || src != "10.99.0.1" && src != "fd00:202::1") {
				t.Errorf("inner packet %+v", p.TCP)
			}
		})
	}
}

// ipv4Around puts an IPv4 header (10.202.0.1 -> 10.202.0.2, right checksum) around a payload.
func ipv4Around(proto uint8, payload []byte) []byte {
	h := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 202, 0, 1, 10, 202, 0, 2}
	n := 20 + len(payload)
	h[2], h[3] = byte(n>>8), byte(n)
	c := gopacket.FoldChecksum(gopacket.ComputeChecksum(h, 0))
	h[10], h[11] = byte(c>>8), byte(c)
	return append(h, payload...)
}

// ipv6Around puts an IPv6 header (fd00:202::1 -> fd00:202::2) around a payload.
func ipv6Around(next uint8, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	h[4], h[5] = byte(len(payload)>>8), byte(len(payload))
	h[6], h[7] = next, 64
	copy(h[8:], netip.MustParseAddr("fd00:202::1").AsSlice())
	copy(h[24:], netip.MustParseAddr("fd00:202::2").AsSlice())
	return append(h, payload...)
}

// Undecodable frames are counted per reason, with their frame numbers, in the order the reasons
// first occur; the decoded ones around them are not.
func TestTallies(t *testing.T) {
	ip := realIPv4(t)
	pbb := frameWith(0x88e7, []byte{0, 0, 0, 1}, frameWith(0x0800, ip))
	bad := frameWith(0x0880, ip)
	good := frameWith(0x0800, ip)
	frames := [][]byte{good, pbb, good, bad, pbb, pbb, good, pbb, pbb, pbb, pbb}
	r, err := NewReader(bytes.NewReader(pcapBytes(1, frames...)), "t.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, r); err != nil {
		t.Fatal(err)
	}
	want := []capture.Tally{
		{Reason: capture.Reason{Code: capture.ReasonEtherType, Value: 0x88e7}, Frames: 7, First: []capture.FrameRef{{Point: 0, Frame: 2}, {Point: 0, Frame: 5}, {Point: 0, Frame: 6}, {Point: 0, Frame: 8}, {Point: 0, Frame: 9}}},
		{Reason: capture.Reason{Code: capture.ReasonEtherType, Value: 0x0880}, Frames: 1, First: []capture.FrameRef{{Point: 0, Frame: 4}}},
	}
	if got := r.Tallies(); !reflect.DeepEqual(got, want) {
		t.Errorf("Tallies %+v\nwant %+v", got, want)
	}
	if st := r.Stats(); st.Undecodable != 8 || st.TCP != 3 || st.Other != 8 {
		t.Errorf("Stats %+v", st)
	}
	if s := (capture.Reason{Code: capture.ReasonEtherType, Value: 0x88e7}).String(); s != "EtherType 0x88e7" {
		t.Errorf("String %q", s)
	}
	var p capture.Packet
	if err := r.Next(&p); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
}
