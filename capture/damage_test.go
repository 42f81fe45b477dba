package capture

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
	"time"

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
func readBytes(t *testing.T, b []byte) ([]Packet, *Reader) {
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
		want := Damage(0)
		switch p.Index {
		case 6:
			want = DamageTCP
		case 15:
			want = DamageIPv4Header
		}
		if p.Corrupt != want {
			t.Errorf("frame %d: Corrupt %b, want %b", p.Index, p.Corrupt, want)
		}
	}
	wantTallies := []Tally{
		{Reason{Code: ReasonTCPChecksum}, 2, []FrameRef{{0, 1}, {0, 6}}},
		{Reason{Code: ReasonIPv4Checksum}, 1, []FrameRef{{0, 15}}},
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

// The checks themselves, on exact values: an IPv4 header (RFC 1071's example words would do as
// well), and a TCP segment right, offloaded, empty, and wrong.
func TestVerifyChecksums(t *testing.T) {
	syn := append([]byte(nil), realIPv4(t)...)
	if r := verifyIPv4(syn[:20]); r != checksumGood {
		t.Errorf("the real SYN's IPv4 header: %d", r)
	}
	hdr := append([]byte(nil), syn[:20]...)
	hdr[10], hdr[11] = 0, 0
	if r := verifyIPv4(hdr); r != checksumOffload {
		t.Errorf("IPv4 checksum 0: %d", r)
	}
	hdr[11] = 1
	if r := verifyIPv4(hdr); r != checksumBad {
		t.Errorf("IPv4 checksum 1: %d", r)
	}
	seg := syn[20:]
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumOffload {
		t.Errorf("the real SYN as sent (pseudo-header sum): %d", r)
	}
	if r := offloaded(pseudoSum(syn[12:20], protoTCP, len(seg)), seg, 16); r != checksumOffload {
		t.Errorf("the real SYN, not summed: %d", r)
	}
	right := ^fold(onesSum(pseudoSum(syn[12:20], protoTCP, len(seg)), append(append([]byte(nil), seg[:16]...), append([]byte{0, 0}, seg[18:]...)...)))
	binary.BigEndian.PutUint16(seg[16:], right)
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumGood {
		t.Errorf("the SYN with its right checksum %#04x: %d", right, r)
	}
	binary.BigEndian.PutUint16(seg[16:], 0)
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumOffload {
		t.Errorf("checksum 0: %d", r)
	}
	binary.BigEndian.PutUint16(seg[16:], right^0x0100)
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumBad {
		t.Errorf("a wrong checksum: %d", r)
	}
	if r := offloaded(pseudoSum(syn[12:20], protoTCP, len(seg)), seg, 16); r != checksumNone {
		t.Errorf("a wrong checksum, not summed: %d", r)
	}
	// odd lengths are padded with a zero byte
	if s := fold(onesSum(0, []byte{0x01, 0x02, 0x03})); s != 0x0402 {
		t.Errorf("sum of 01 02 03: %#04x, want 0x0402", s)
	}
	long := bytes.Repeat([]byte{0xff, 0xfe, 0x01}, 100)
	var slow uint32
	for i := 0; i < len(long); i += 2 {
		w := uint32(long[i]) << 8
		if i+1 < len(long) {
			w |= uint32(long[i+1])
		}
		slow += w
	}
	for slow>>16 != 0 {
		slow = slow&0xffff + slow>>16
	}
	if s := fold(onesSum(0, long)); uint32(s) != slow {
		t.Errorf("300 bytes: %#04x, want %#04x", s, slow)
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
			next := byte(protoDstOpts)
			if i == n-1 {
				next = ip[6]
			}
			ext = append(ext, next, 0, 1, 4, 0, 0, 0, 0) // PadN of 4 bytes
		}
		payload := append(ext, syn6[54:]...)
		binary.BigEndian.PutUint16(ip[4:], uint16(len(payload)))
		ip[6] = protoDstOpts
		return append(append(append([]byte(nil), syn6[:14]...), ip...), payload...)
	}
	long := chain(40)
	broken := chain(3)[:14+40+20] // the packet ends inside the chain, without the snaplen saying so
	binary.BigEndian.PutUint16(broken[14+4:], 20)
	for _, tc := range []struct {
		name      string
		frame     []byte
		kind      Kind
		truncated bool
		why       Reason
	}{
		{"40 destination-options headers", long, KindTCP, false, Reason{}},
		{"a chain running past the packet", broken, KindOther, false, Reason{ReasonIPv6Extension, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			p := Packet{WireLen: len(tc.frame), CapLen: len(tc.frame)}
			d.decode(tc.frame, linkEthernet, &p)
			if p.Kind != tc.kind || p.Truncated != tc.truncated || d.reason != tc.why {
				t.Fatalf("Kind %d Truncated %v reason %v", p.Kind, p.Truncated, d.reason)
			}
			if tc.kind == KindTCP && (p.TCP.SrcPort != 37570 || p.TCP.Flags != FlagSYN || p.DstIP.String() != "fd00:99::2") {
				t.Errorf("TCP %+v to %v", p.TCP, p.DstIP)
			}
		})
	}
	// cut by the snaplen inside the chain: a cut packet, not an undecodable one
	cut := snapCut(chain(3), 14+40+12)
	pkts, st, _ := decodeFrames(t, layers.LinkTypeEthernet, cut)
	if pkts[0].Kind != KindOther || !pkts[0].Truncated || st.Undecodable != 0 {
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
	want := []SnaplenCut{{128, 10, FrameRef{0, 4}}, {96, 5, FrameRef{0, 11}}}
	if got := r.SnaplenCuts(); !reflect.DeepEqual(got, want) {
		t.Errorf("SnaplenCuts %+v, want %+v", got, want)
	}
	if st := r.Stats(); st.Truncated != 15 || r.Snaplen() != 128 {
		t.Errorf("Stats %+v, Snaplen %d", st, r.Snaplen())
	}
}

// The 20-byte IPv4 header's checksum, summed in 64-bit words, agrees with onesSum on headers whose
// words make every carry happen.
func TestVerifyIPv4Carries(t *testing.T) {
	for _, fill := range []byte{0x00, 0x7f, 0x80, 0xfe, 0xff} {
		hdr := bytes.Repeat([]byte{fill}, 20)
		hdr[0] = 0x45
		hdr[10], hdr[11] = 0, 0
		c := ^fold(onesSum(0, hdr))
		binary.BigEndian.PutUint16(hdr[10:], c)
		if c != 0 && verifyIPv4(hdr) != checksumGood {
			t.Errorf("fill %#x: the right checksum %#04x is not right", fill, c)
		}
		hdr[11] ^= 1
		if verifyIPv4(hdr) != checksumBad && binary.BigEndian.Uint16(hdr[10:]) != 0 {
			t.Errorf("fill %#x: a wrong checksum is not wrong", fill)
		}
	}
}

// A damaged TCP data offset, and an EtherType hit so that it reads as an 802.3 length that does
// not fit its frame, make the frame undecodable with its reason, not a frame of another kind; a
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
		kind      Kind
		truncated bool
		why       Reason
	}{
		{"data offset 12 bytes", with(func(f []byte) { f[14+20+12] = 3 << 4 }), KindOther, false, Reason{ReasonTCPHeader, 12}},
		{"data offset past the packet", with(func(f []byte) { f[14+20+12] = 15 << 4 }), KindOther, false, Reason{ReasonTCPHeader, 60}},
		{"EtherType hit: length 0x0500", with(func(f []byte) { f[12], f[13] = 0x05, 0x00 }), KindOther, false, Reason{ReasonEtherType, 0x0500}},
		{"EtherType hit: length 0x0008", with(func(f []byte) { f[12], f[13] = 0x00, 0x08 }), KindOther, false, Reason{ReasonEtherType, 0x0008}},
		{"EtherType hit: 0x9100, a VLAN tag", with(func(f []byte) { f[12], f[13] = 0x91, 0x00 }), KindOther, false, Reason{ReasonEtherType, 0x003c}}, // the IPv4 total length read as one
		{"an 802.3 frame whose length fits", llc, KindOther, false, Reason{}},
		{"options cut by the snaplen", syn[:14+20+24], KindTCP, true, Reason{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			p := Packet{WireLen: len(syn), CapLen: len(tc.frame)}
			if tc.name == "an 802.3 frame whose length fits" {
				p.WireLen = len(tc.frame)
			}
			d.decode(tc.frame, linkEthernet, &p)
			if p.Kind != tc.kind || p.Truncated != tc.truncated || d.reason != tc.why {
				t.Fatalf("Kind %d Truncated %v reason %v, want %d %v %v", p.Kind, p.Truncated, d.reason, tc.kind, tc.truncated, tc.why)
			}
		})
	}
}
