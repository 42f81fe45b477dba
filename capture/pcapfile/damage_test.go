package pcapfile

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// frameAt returns frame n (1-based) of a pcap file's bytes, to be changed in place.
func frameAt(b []byte, n int) []byte {
	off := pcapRecordStarts(b)[n-1]
	l := int(binary.LittleEndian.Uint32(b[off+8:]))
	return b[off+16 : off+16+l]
}

// readBytes reads a pcap from memory to its end.
func readBytes(t *testing.T, b []byte) ([]capture.Packet, *Reader) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), "t.pcap")
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	return pkts, r
}

// Damage is told from checksum offload by each source's pattern. tls-veth-nano.pcap was captured
// on the host that sent it, so its TCP checksums hold the pseudo-header sum (offload). With every
// IPv4 TCP checksum set right (as a capture off the hosts holds them), a payload byte changed in
// frame 6 (10.99.0.2's ServerHello flight; its SYN-ACK's checksums were right) is damage, and so
// is a wrong IPv4 header checksum in frame 15 (its FIN); in the capture as taken, a changed payload
// byte, and a wrong value in the checksum field of a host whose checksums were all left to
// offload, are not. Every whole TCP segment is checked. A wrong
// TCP checksum in frame 1 (10.99.0.1's first packet: no history) is judged late, when that
// host's next checked packets prove right: counted and named, though not in frame 1's Corrupt.
func TestChecksumDamage(t *testing.T) {
	fixed := fixTCPChecksums(mustRead(t, "tls-veth-nano.pcap"))
	frameAt(fixed, 6)[14+20+32+100] ^= 0x40
	frameAt(fixed, 15)[14+10] ^= 0x01
	frameAt(fixed, 1)[14+20+16] ^= 0x10
	pkts, r := readBytes(t, fixed)
	for _, p := range pkts {
		want := capture.Damage(0)
		switch p.Index {
		case 6:
			want = capture.DamageTCP
		case 15:
			want = capture.DamageIPv4Header
		}
		if p.Corrupt != want {
			t.Errorf("frame %d: Corrupt %b, want %b", p.Index, p.Corrupt, want)
		}
	}
	wantTallies := []capture.Tally{
		{Reason: capture.Reason{Code: capture.ReasonTCPChecksum}, Frames: 2, First: []capture.FrameRef{{Point: 0, Frame: 1}, {Point: 0, Frame: 6}}},
		{Reason: capture.Reason{Code: capture.ReasonIPv4Checksum}, Frames: 1, First: []capture.FrameRef{{Point: 0, Frame: 15}}},
	}
	if got := r.Tallies(); !reflect.DeepEqual(got, wantTallies) {
		t.Errorf("Tallies %+v, want %+v", got, wantTallies)
	}
	// the 24 IPv6 segments keep their offloaded checksums (of the capture's 45)
	if st := r.Stats(); st.Corrupt != 3 || st.ChecksumOffload != 24 || st.Undecodable != 0 || st.TCP != 46 {
		t.Errorf("Stats %+v", st)
	}

	taken := append([]byte(nil), mustRead(t, "tls-veth-nano.pcap")...)
	frameAt(taken, 6)[14+20+32+100] ^= 0x40                           // still the pseudo-header sum: offload
	binary.BigEndian.PutUint16(frameAt(taken, 15)[14+20+16:], 0x1234) // 10.99.0.2: two offloaded before
	binary.BigEndian.PutUint16(frameAt(taken, 1)[14+20+16:], 0x4321)  // the first packet: no history
	pkts, r = readBytes(t, taken)
	for _, p := range pkts {
		if p.Corrupt != 0 {
			t.Errorf("frame %d: Corrupt %b in a capture with offload", p.Index, p.Corrupt)
		}
	}
	// frames 1 and 15 no longer hold the pseudo-header sum: 43 of the 45 offloaded ones are left
	if st := r.Stats(); st.Corrupt != 0 || st.ChecksumOffload != 43 || len(r.Tallies()) != 0 {
		t.Errorf("Stats %+v, Tallies %+v", st, r.Tallies())
	}
}

// An IPv6 packet with any number of extension headers is decoded; a chain that runs past the end
// of the packet is undecodable, and one cut by the snaplen is a cut packet.
func TestIPv6ExtensionChains(t *testing.T) {
	b := mustRead(t, "tls-veth-nano.pcap")
	syn6 := append([]byte(nil), frameAt(b, 17)...) // the client's IPv6 SYN
	chain := func(n int) []byte {
		ip := append([]byte(nil), syn6[14:54]...)
		var ext []byte
		for i := range n {
			next := byte(layers.IPProtocolIPv6Destination)
			if i == n-1 {
				next = ip[6]
			}
			ext = append(ext, next, 0, 1, 4, 0, 0, 0, 0) // PadN of 4 bytes
		}
		payload := append(ext, syn6[54:]...)
		binary.BigEndian.PutUint16(ip[4:], uint16(len(payload)))
		ip[6] = byte(layers.IPProtocolIPv6Destination)
		return append(append(append([]byte(nil), syn6[:14]...), ip...), payload...)
	}
	long := chain(40)
	broken := chain(3)[:14+40+20] // the packet ends inside the chain, without the snaplen saying so
	binary.BigEndian.PutUint16(broken[14+4:], 20)
	for _, tc := range []struct {
		name      string
		frame     []byte
		kind      capture.Kind
		truncated bool
		why       capture.Reason
	}{
		{"40 destination-options headers", long, capture.KindTCP, false, capture.Reason{}},
		{"a chain running past the packet", broken, capture.KindOther, false, capture.Reason{Code: capture.ReasonIPv6Extension, Value: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := capture.NewDecoder()
			p := capture.Packet{WireLen: len(tc.frame), CapLen: len(tc.frame)}
			d.Decode(tc.frame, capture.LinkOf(layers.LinkTypeEthernet), &p)
			if p.Kind != tc.kind || p.Truncated != tc.truncated || d.Reason() != tc.why {
				t.Fatalf("Kind %d Truncated %v reason %v", p.Kind, p.Truncated, d.Reason())
			}
			if tc.kind == capture.KindTCP && (p.TCP.SrcPort != 37570 || p.TCP.Flags != capture.FlagSYN || p.DstIP.String() != "fd00:99::2") {
				t.Errorf("TCP %+v to %v", p.TCP, p.DstIP)
			}
		})
	}
	// cut by the snaplen inside the chain: a cut packet, not an undecodable one
	cut := snapCut(chain(3), 14+40+12)
	pkts, st, _ := decodeFrames(t, layers.LinkTypeEthernet, cut)
	if pkts[0].Kind != capture.KindOther || !pkts[0].Truncated || st.Undecodable != 0 {
		t.Errorf("cut chain: %+v, %+v", pkts[0], st)
	}
}

// Each packet cut by the snaplen is counted under the snaplen of the pcapng interface it was
// captured on. The frames of tls-veth-nano.pcap are dealt to two interfaces in turn, with snaplens
// 96 and 128, and cut as a capture with those snaplens cuts them.
func TestSnaplenPerInterface(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 96}, pcapgo.NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddInterface(pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 128}); err != nil {
		t.Fatal(err)
	}
	b := mustRead(t, "tls-veth-nano.pcap")
	starts := pcapRecordStarts(b)
	for i, off := range starts[:len(starts)-1] {
		l := int(binary.LittleEndian.Uint32(b[off+8:]))
		snap := []int{96, 128}[i%2]
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, int64(i)), Length: l, CaptureLength: min(l, snap), InterfaceIndex: i % 2}
		if err := w.WritePacket(ci, b[off+16:off+16+ci.CaptureLength]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&buf, "two-snaplens.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, r); err != nil {
		t.Fatal(err)
	}
	want := []SnaplenCut{{128, 10, capture.FrameRef{Point: 0, Frame: 4}, 128}, {96, 5, capture.FrameRef{Point: 0, Frame: 11}, 96}}
	if got := r.SnaplenCuts(); !reflect.DeepEqual(got, want) {
		t.Errorf("SnaplenCuts %+v, want %+v", got, want)
	}
	if st := r.Stats(); st.Truncated != 15 || r.Snaplen() != 128 {
		t.Errorf("Stats %+v, Snaplen %d", st, r.Snaplen())
	}
}

// A damaged TCP data offset, an EtherType hit so that it reads as an 802.3 length that does not
// fit its frame, and an unknown EtherType that gopacket maps to a layer (0xffff) make the frame
// undecodable with its reason, not a frame of another kind or a link header cut short; a
// real 802.3 frame (its length fits) and a TCP header the snaplen cut are neither.
func TestDamagedHeadersUndecodable(t *testing.T) {
	b := mustRead(t, "tls-veth-nano.pcap")
	syn := frameAt(b, 1) // Ethernet, IPv4, TCP SYN with options
	with := func(change func(f []byte)) []byte {
		f := append([]byte(nil), syn...)
		change(f)
		return f
	}
	llc := make([]byte, 60) // an 802.3 frame of 46 bytes of LLC data (padded to the minimum)
	binary.BigEndian.PutUint16(llc[12:], 46)
	for _, tc := range []struct {
		name      string
		frame     []byte
		wire      int
		kind      capture.Kind
		truncated bool
		why       capture.Reason
	}{
		{"data offset 12 bytes", with(func(f []byte) { f[14+20+12] = 3 << 4 }), len(syn), capture.KindOther, false, capture.Reason{Code: capture.ReasonTCPHeader, Value: 12}},
		{"data offset past the packet", with(func(f []byte) { f[14+20+12] = 15 << 4 }), len(syn), capture.KindOther, false, capture.Reason{Code: capture.ReasonTCPHeader, Value: 60}},
		{"EtherType hit: length 0x0500", with(func(f []byte) { f[12], f[13] = 0x05, 0x00 }), len(syn), capture.KindOther, false, capture.Reason{Code: capture.ReasonEtherType, Value: 0x0500}},
		{"EtherType hit: length 0x0008", with(func(f []byte) { f[12], f[13] = 0x00, 0x08 }), len(syn), capture.KindOther, false, capture.Reason{Code: capture.ReasonEtherType, Value: 0x0008}},
		// the IPv4 total length read as the type after the tag
		{"EtherType hit: 0x9100, a VLAN tag", with(func(f []byte) { f[12], f[13] = 0x91, 0x00 }), len(syn), capture.KindOther, false, capture.Reason{Code: capture.ReasonEtherType, Value: 0x003c}},
		// what QA's 0xff over a record gave: gopacket takes 0xffff for raw IPv4, whose header
		// fails; the link header is whole, the EtherType unknown (as Wireshark says)
		{"EtherType 0xffff over bytes of 0xff", with(func(f []byte) {
			for i := 12; i < len(f); i++ {
				f[i] = 0xff
			}
		}), len(syn), capture.KindOther, false, capture.Reason{Code: capture.ReasonEtherType, Value: 0xffff}},
		// a valid IPv4 packet after EtherType 0xffff, which IEEE reserves: gopacket decodes it
		// as raw IPv4; Wireshark (tshark 4.0.17 -V) shows "Type: Unknown (0xffff)" and then
		// data, no IP, and so does connscope
		{"EtherType 0xffff before a valid IPv4 TCP SYN", with(func(f []byte) { f[12], f[13] = 0xff, 0xff }), len(syn), capture.KindOther, false,
			capture.Reason{Code: capture.ReasonEtherType, Value: 0xffff}},
		{"EtherType 0xffff before a valid IPv4 header of UDP", with(func(f []byte) {
			f[12], f[13], f[14+9] = 0xff, 0xff, 17
			binary.BigEndian.PutUint16(f[14+10:], 0)
			binary.BigEndian.PutUint16(f[14+10:], ^ipSum(f[14:14+20]))
		}), len(syn), capture.KindOther, false, capture.Reason{Code: capture.ReasonEtherType, Value: 0xffff}},
		{"EtherType 0xffff after a VLAN tag, before a valid IPv4 TCP SYN", tagged(syn, 0xffff), len(syn) + 4, capture.KindOther, false,
			capture.Reason{Code: capture.ReasonEtherType, Value: 0xffff}},
		{"EtherType 0x0800 after a VLAN tag", tagged(syn, 0x0800), len(syn) + 4, capture.KindTCP, false, capture.Reason{}},
		{"a VLAN tag cut short", with(func(f []byte) { f[12], f[13] = 0x81, 0x00 })[:16:16], len(syn), capture.KindOther, true, capture.Reason{Code: capture.ReasonLinkHeader, Value: 1}},
		{"an 802.3 frame whose length fits", llc, len(llc), capture.KindOther, false, capture.Reason{}},
		{"options cut by the snaplen", syn[:14+20+24], len(syn), capture.KindTCP, true, capture.Reason{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := capture.NewDecoder()
			p := capture.Packet{WireLen: tc.wire, CapLen: len(tc.frame), Truncated: len(tc.frame) < tc.wire}
			d.Decode(tc.frame, capture.LinkOf(layers.LinkTypeEthernet), &p)
			if p.Kind != tc.kind || p.Truncated != tc.truncated || d.Reason() != tc.why {
				t.Fatalf("Kind %d Truncated %v reason %v, want %d %v %v", p.Kind, p.Truncated, d.Reason(), tc.kind, tc.truncated, tc.why)
			}
		})
	}
}

// tagged is an Ethernet frame with a VLAN tag (VLAN 7) inserted after its addresses, whose
// EtherType after the tag is et.
func tagged(frame []byte, et uint16) []byte {
	out := append([]byte(nil), frame[:12]...)
	out = binary.BigEndian.AppendUint16(out, 0x8100)
	out = binary.BigEndian.AppendUint16(out, 7)
	out = binary.BigEndian.AppendUint16(out, et)
	return append(out, frame[14:]...)
}

// ipSum is the ones' complement sum of an IPv4 header's 16-bit words (its checksum field is
// the complement of the sum with that field 0).
func ipSum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// In a pcapng, an Enhanced Packet Block whose original length no snaplen cut explains is damage,
// read as the bytes it holds: with the interface's snaplen 96, a SYN of tls-veth-nano.pcap
// holding 96 bytes of 500 is a packet the snaplen cut; one holding 60 bytes of 500, or its whole
// 74 bytes of 300000 (longer than any link carries), is not.
func TestDamagedRecordLengthPcapng(t *testing.T) {
	syn := frameAt(mustRead(t, "tls-veth-nano.pcap"), 1)
	syn = append(append([]byte(nil), syn...), make([]byte, 96-len(syn))...) // padded to 96
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 96}, pcapgo.NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range []struct{ capLen, wire int }{{96, 500}, {60, 500}, {74, 300000}, {96, 300000}} {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, int64(i)*1000), CaptureLength: rec.capLen, Length: rec.wire}
		if err := w.WritePacket(ci, syn[:rec.capLen]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	pkts, r := readBytes(t, buf.Bytes())
	type got struct {
		capLen, wire int
		truncated    bool
	}
	var gots []got
	for _, p := range pkts {
		gots = append(gots, got{p.CapLen, p.WireLen, p.Truncated})
	}
	// The last one holds the snaplen of a packet longer than 262,144 bytes (Linux BIG TCP, up to
	// 512 KiB): a cut, not damage (review).
	if want := []got{{96, 500, true}, {60, 60, false}, {74, 74, false}, {96, 300000, true}}; !reflect.DeepEqual(gots, want) {
		t.Errorf("packets %+v, want %+v", gots, want)
	}
	want := DamagedLengths{Frames: 2, First: []capture.FrameRef{{Point: 0, Frame: 2}, {Point: 0, Frame: 3}}, CapLen: 60, WireLen: 500, Snaplen: 96}
	if l := r.DamagedLengths(); !reflect.DeepEqual(l, want) {
		t.Errorf("DamagedLengths %+v, want %+v", l, want)
	}
	if cuts := r.SnaplenCuts(); len(cuts) != 1 || cuts[0].Packets != 2 || cuts[0].Snaplen != 96 || r.Stats().Truncated != 2 {
		t.Errorf("SnaplenCuts %+v, Stats %+v", cuts, r.Stats())
	}
}
