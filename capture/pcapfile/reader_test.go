package pcapfile

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/connscope/connscope/capture"
)

// readAll reads a capture to its end and returns every packet (copied), and the error Next ended with
// (nil for a clean end).
func readAll(t testing.TB, r *Reader) ([]capture.Packet, error) {
	t.Helper()
	var out []capture.Packet
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			// the error is sticky
			if err2 := r.Next(&p); err2 != err {
				t.Errorf("Next after %v returned %v", err, err2)
			}
			return out, err
		}
		c := p
		c.TCP.Payload = append([]byte(nil), p.TCP.Payload...)
		c.UDP.Payload = append([]byte(nil), p.UDP.Payload...)
		out = append(out, c)
	}
}

type tcpSummary struct {
	index            int
	src, dst         string
	srcPort, dstPort uint16
	flags            uint8
	seq              uint32
	payloadLen       int
}

func summarize(p *capture.Packet) tcpSummary {
	return tcpSummary{p.Index, p.SrcIP.String(), p.DstIP.String(), p.TCP.SrcPort, p.TCP.DstPort, p.TCP.Flags, p.TCP.Seq, p.TCP.PayloadLen}
}

// The real captures of testdata, and what connscope must read from each. Per-packet fields are also
// checked against tshark in TestAgainstTshark; this table pins the file-level facts. The captures
// were made on the host whose veth carried the packets: every TCP segment's checksum is left to
// offload, but for the RSTs the kernel writes itself. ChecksumOffload is tshark's count (with
// tcp.check_checksum:TRUE) of bad checksums among the segments connscope checks (every one the
// snaplen did not cut), and none is damage.
func TestFiles(t *testing.T) {
	nanoStats := capture.Stats{Frames: 52, Bytes: 7746, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}
	nanoFirst := tcpSummary{1, "10.99.0.1", "10.99.0.2", 41390, 4343, capture.FlagSYN, 3849988263, 0}
	nanoICMP := capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
		QuotedSrcPort: 53300, QuotedDstPort: 4444, QuotedSeq: 3080504474, QuotedHasSeq: true}
	ngFirst := tcpSummary{1, "10.99.0.1", "10.99.0.2", 42860, 4343, capture.FlagSYN, 3629370460, 0}
	ethSLL2 := []string{"Ethernet", "Linux SLL2"}
	cases := []struct {
		file      string
		format    string
		linkTypes []string
		snaplen   int
		stats     capture.Stats
		first     tcpSummary
		icmpIndex int // first ICMP error (0: none)
		icmp      capture.ICMPError
		errOffset int64 // -1: clean end
		truncated bool
		errText   string
	}{
		{file: "tls-veth.pcap", format: "pcap", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats:     capture.Stats{Frames: 609, Bytes: 251820, TCP: 590, ICMPErrors: 6, Other: 13, ChecksumOffload: 589},
			first:     tcpSummary{5, "10.99.0.1", "10.99.0.2", 41382, 4343, capture.FlagSYN, 2490430943, 0},
			icmpIndex: 43, icmp: capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
				QuotedSrcPort: 53294, QuotedDstPort: 4444, QuotedSeq: 2831574527, QuotedHasSeq: true}, errOffset: -1},
		{file: "tls-veth-nano.pcap", format: "pcap (nanosecond)", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: nanoStats, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "tls-veth-nano.pcap.gz", format: "pcap (nanosecond, gzip)", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: nanoStats, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "tls-veth-be.pcap", format: "pcap", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: nanoStats, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "tls-any-sll2.pcap", format: "pcap", linkTypes: []string{"Linux SLL2"}, snaplen: 262144,
			stats: capture.Stats{Frames: 68, Bytes: 10949, TCP: 62, ICMPErrors: 6, ChecksumOffload: 61},
			first: tcpSummary{1, "10.99.0.1", "10.99.0.2", 40574, 4343, capture.FlagSYN, 826436282, 0}, icmpIndex: 36,
			icmp: capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
				QuotedSrcPort: 46814, QuotedDstPort: 4444, QuotedSeq: 617529190, QuotedHasSeq: true}, errOffset: -1},
		{file: "tls-any-sll2.pcap.gz", format: "pcap (gzip)", linkTypes: []string{"Linux SLL2"}, snaplen: 262144,
			stats: capture.Stats{Frames: 68, Bytes: 10949, TCP: 62, ICMPErrors: 6, ChecksumOffload: 61},
			first: tcpSummary{1, "10.99.0.1", "10.99.0.2", 40574, 4343, capture.FlagSYN, 826436282, 0}, icmpIndex: 36,
			icmp: capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
				QuotedSrcPort: 46814, QuotedDstPort: 4444, QuotedSeq: 617529190, QuotedHasSeq: true}, errOffset: -1},
		{file: "tls-any-sll.pcap", format: "pcap", linkTypes: []string{"Linux SLL"}, snaplen: 262144,
			stats: capture.Stats{Frames: 66, Bytes: 10503, TCP: 60, ICMPErrors: 6, ChecksumOffload: 59},
			first: tcpSummary{1, "10.99.0.1", "10.99.0.2", 40584, 4343, capture.FlagSYN, 4143801778, 0}, icmpIndex: 34,
			icmp: capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
				QuotedSrcPort: 46828, QuotedDstPort: 4444, QuotedSeq: 1694491308, QuotedHasSeq: true}, errOffset: -1},
		// tcpdump -s 96: 21 packets cut; the ICMPv6 errors' quotes are cut inside the quoted IPv6 header
		{file: "tls-snaplen96.pcap", format: "pcap", linkTypes: []string{"Ethernet"}, snaplen: 96,
			stats: capture.Stats{Frames: 51, Bytes: 4403, TCP: 45, ICMPErrors: 4, Other: 2, Truncated: 21, ChecksumOffload: 29},
			first: tcpSummary{1, "10.99.0.1", "10.99.0.2", 42846, 4343, capture.FlagSYN, 2323276315, 0}, icmpIndex: 35,
			icmp: capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
				QuotedSrcPort: 54782, QuotedDstPort: 4444, QuotedSeq: 2512506581, QuotedHasSeq: true}, errOffset: -1},
		{file: "dumpcap-3if.pcapng", format: "pcapng", linkTypes: ethSLL2, snaplen: 262144,
			stats: capture.Stats{Frames: 132, Bytes: 21134, TCP: 120, ICMPErrors: 12, ChecksumOffload: 118}, first: ngFirst, icmpIndex: 34,
			icmp: capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
				QuotedSrcPort: 54790, QuotedDstPort: 4444, QuotedSeq: 4161804127, QuotedHasSeq: true}, errOffset: -1},
		{file: "dumpcap-3if.pcapng.gz", format: "pcapng (gzip)", linkTypes: ethSLL2, snaplen: 262144,
			stats: capture.Stats{Frames: 132, Bytes: 21134, TCP: 120, ICMPErrors: 12, ChecksumOffload: 118}, first: ngFirst, icmpIndex: 34,
			icmp: capture.ICMPError{Type: 3, Code: 3, QuotedSrc: netip.MustParseAddr("10.99.0.1"), QuotedDst: netip.MustParseAddr("10.99.0.2"),
				QuotedSrcPort: 54790, QuotedDstPort: 4444, QuotedSeq: 4161804127, QuotedHasSeq: true}, errOffset: -1},
		{file: "raw-ip.pcap", format: "pcap", linkTypes: []string{"Raw IP"}, snaplen: 262144,
			stats: capture.Stats{Frames: 52, Bytes: 7018, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "null.pcap", format: "pcap", linkTypes: []string{"BSD loopback (NULL)"}, snaplen: 262144,
			stats: capture.Stats{Frames: 52, Bytes: 7226, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "loop.pcap", format: "pcap", linkTypes: []string{"OpenBSD loopback (LOOP)"}, snaplen: 262144,
			stats: capture.Stats{Frames: 52, Bytes: 7226, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "vlan.pcap", format: "pcap", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: capture.Stats{Frames: 52, Bytes: 7954, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "qinq.pcap", format: "pcap", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: capture.Stats{Frames: 52, Bytes: 8162, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "eth-padded.pcap", format: "pcap", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: capture.Stats{Frames: 52, Bytes: 7752, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "linktypes.pcapng", format: "pcapng", snaplen: 262144,
			linkTypes: []string{"Ethernet", "Raw IP", "Raw IPv4", "Raw IPv6", "BSD loopback (NULL)", "OpenBSD loopback (LOOP)"},
			stats:     capture.Stats{Frames: 52, Bytes: 7172, TCP: 46, ICMPErrors: 6, ChecksumOffload: 45}, first: nanoFirst, icmpIndex: 36, icmp: nanoICMP, errOffset: -1},
		{file: "cut-mid-record.pcap", format: "pcap (nanosecond)", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: capture.Stats{Frames: 9, Bytes: 1778, TCP: 9, ChecksumOffload: 9}, first: nanoFirst, errOffset: 1946, truncated: true,
			errText: `capture "../testdata/cut-mid-record.pcap" is truncated at byte 1946: the last packet record is incomplete (analysed everything before it)`},
		{file: "corrupt-length.pcap", format: "pcap (nanosecond)", linkTypes: []string{"Ethernet"}, snaplen: 262144,
			stats: capture.Stats{Frames: 9, Bytes: 1778, TCP: 9, ChecksumOffload: 9}, first: nanoFirst, errOffset: 1946,
			errText: `capture "../testdata/corrupt-length.pcap" is corrupt at byte 1946: packet record length 2147483632 is impossible (the largest a capture holds is 262144 bytes)`},
		{file: "cut-mid-block.pcapng", format: "pcapng", linkTypes: ethSLL2, snaplen: 262144,
			stats: capture.Stats{Frames: 11, Bytes: 2420, TCP: 11, ChecksumOffload: 11}, first: ngFirst, errOffset: 3176, truncated: true,
			errText: `capture "../testdata/cut-mid-block.pcapng" is truncated at byte 3176: the last block is incomplete (analysed everything before it)`},
		{file: "corrupt-block.pcapng", format: "pcapng", linkTypes: ethSLL2, snaplen: 262144,
			stats: capture.Stats{Frames: 11, Bytes: 2420, TCP: 11, ChecksumOffload: 11}, first: ngFirst, errOffset: 3176,
			errText: `capture "../testdata/corrupt-block.pcapng" is corrupt at byte 3176: block length 4294967295 is impossible`},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			r, err := Open("../testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			pkts, err := readAll(t, r)
			if r.Format() != tc.format {
				t.Errorf("Format() = %q, want %q", r.Format(), tc.format)
			}
			if got := r.LinkTypes(); !equalStrings(got, tc.linkTypes) {
				t.Errorf("LinkTypes() = %q, want %q", got, tc.linkTypes)
			}
			if r.Snaplen() != tc.snaplen {
				t.Errorf("Snaplen() = %d, want %d", r.Snaplen(), tc.snaplen)
			}
			if r.Stats() != tc.stats {
				t.Errorf("Stats() = %+v\n                 want %+v", r.Stats(), tc.stats)
			}
			if len(pkts) != tc.stats.Frames {
				t.Errorf("read %d packets, Stats says %d", len(pkts), tc.stats.Frames)
			}
			for i, p := range pkts {
				if p.Index != i+1 {
					t.Fatalf("packet %d has Index %d", i+1, p.Index)
				}
			}
			var first *capture.Packet
			for i := range pkts {
				if pkts[i].Kind == capture.KindTCP {
					first = &pkts[i]
					break
				}
			}
			if first == nil || summarize(first) != tc.first {
				t.Errorf("first TCP packet %+v, want %+v", first, tc.first)
			}
			if tc.icmpIndex > 0 {
				p := pkts[tc.icmpIndex-1]
				if p.Kind != capture.KindICMPError || p.ICMP != tc.icmp {
					t.Errorf("frame %d: Kind %d, ICMP %+v, want ICMP error %+v", tc.icmpIndex, p.Kind, p.ICMP, tc.icmp)
				}
			}
			if tc.errOffset < 0 {
				if err != nil {
					t.Fatalf("ended with %v, want a clean end", err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("ended with %v, want a *FileError", err)
			}
			if fe.Offset != tc.errOffset || fe.Truncated != tc.truncated || fe.Error() != tc.errText {
				t.Errorf("error %+v\n  %q\nwant offset %d truncated %v\n  %q", fe, fe.Error(), tc.errOffset, tc.truncated, tc.errText)
			}
			if fe.Truncated != errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v for Truncated %v", !fe.Truncated, fe.Truncated)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func packetAt(t *testing.T, file string, index int) capture.Packet {
	t.Helper()
	r, err := Open("../testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pkts, err := readAll(t, r)
	if err != nil || index > len(pkts) {
		t.Fatalf("%s: %d packets, %v", file, len(pkts), err)
	}
	return pkts[index-1]
}

// Packets that show one decoding rule each, from the real captures.
func TestPacketCases(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		index int
		check func(t *testing.T, p capture.Packet)
	}{
		{"TSO super-segment larger than the MTU", "tls-veth.pcap", 77, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindTCP || p.TCP.PayloadLen != 8214 || len(p.TCP.Payload) != 8214 || p.Truncated || p.CapLen != 8280 {
				t.Errorf("got Kind %d PayloadLen %d captured %d Truncated %v CapLen %d", p.Kind, p.TCP.PayloadLen, len(p.TCP.Payload), p.Truncated, p.CapLen)
			}
		}},
		{"RST padded to the 60-byte Ethernet minimum: no payload", "eth-padded.pcap", 34, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindTCP || p.CapLen != 60 || p.TCP.Flags != capture.FlagRST|capture.FlagACK || p.TCP.PayloadLen != 0 || len(p.TCP.Payload) != 0 || p.Truncated {
				t.Errorf("got %+v", p)
			}
		}},
		{"ClientHello cut by snaplen 96", "tls-snaplen96.pcap", 4, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindTCP || p.CapLen != 96 || p.WireLen != 363 || p.TCP.PayloadLen != 297 || len(p.TCP.Payload) != 30 || !p.Truncated {
				t.Errorf("got %+v", p)
			}
			if p.TCP.Payload[0] != 0x16 || p.TCP.Payload[1] != 0x03 { // a TLS handshake record
				t.Errorf("payload starts % x", p.TCP.Payload[:2])
			}
		}},
		{"IPv6 SYN behind hop-by-hop and destination options", "tls-veth-nano.pcap", 47, func(t *testing.T, p capture.Packet) {
			want := capture.TCPHeader{SrcPort: 37572, DstPort: 4343, Seq: 179855095, Flags: capture.FlagSYN, Window: 64800}
			if p.Kind != capture.KindTCP || p.TCP.SrcPort != want.SrcPort || p.TCP.DstPort != want.DstPort || p.TCP.Flags != want.Flags ||
				p.TCP.Window != want.Window || p.TCP.Seq != want.Seq || p.TCP.PayloadLen != 0 || p.TTL != 64 || p.SrcIP != netip.MustParseAddr("fd00:99::1") {
				t.Errorf("got %+v", p)
			}
		}},
		{"first IPv4 fragment of a ClientHello", "ipfrag.pcap", 1, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindTCP || p.TCP.PayloadLen != 168 || len(p.TCP.Payload) != 168 || p.Truncated || p.TCP.Flags != capture.FlagPSH|capture.FlagACK {
				t.Errorf("got %+v", p)
			}
		}},
		{"later IPv4 fragment", "ipfrag.pcap", 2, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindOther || p.SrcIP != netip.MustParseAddr("10.99.0.1") || p.Truncated {
				t.Errorf("got %+v", p)
			}
		}},
		{"first IPv6 fragment", "ipfrag.pcap", 3, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindTCP || p.TCP.PayloadLen != 168 || p.Truncated || p.TCP.DstPort != 4343 {
				t.Errorf("got %+v", p)
			}
		}},
		{"later IPv6 fragment", "ipfrag.pcap", 4, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindOther || p.SrcIP != netip.MustParseAddr("fd00:99::1") {
				t.Errorf("got %+v", p)
			}
		}},
		{"loopback packet in a Linux SLL2 capture", "tls-any-sll2.pcap", 54, func(t *testing.T, p capture.Packet) {
			if p.Kind != capture.KindTCP || p.SrcIP != netip.MustParseAddr("127.0.0.1") || p.TCP.DstPort != 4343 || p.TCP.Flags != capture.FlagSYN {
				t.Errorf("got %+v", p)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, packetAt(t, tc.file, tc.index)) })
	}
}

// icmp-synth.pcap: ICMP errors from a router quoting real packets, with quotes of every length.
func TestICMPErrors(t *testing.T) {
	a := netip.MustParseAddr
	cases := []struct {
		index int
		kind  capture.Kind
		icmp  capture.ICMPError
	}{
		{1, capture.KindICMPError, capture.ICMPError{Type: 3, Code: 4, MTU: 1400, QuotedSrc: a("10.99.0.1"), QuotedDst: a("10.99.0.2"),
			QuotedSrcPort: 41390, QuotedDstPort: 4343, QuotedSeq: 3849988264, QuotedHasSeq: true}},
		{2, capture.KindICMPError, capture.ICMPError{Type: 11, QuotedSrc: a("10.99.0.1"), QuotedDst: a("10.99.0.2"), QuotedSrcPort: 41390, QuotedDstPort: 4343}},
		{3, capture.KindOther, capture.ICMPError{}}, // the quote ends with the IP header
		{4, capture.KindOther, capture.ICMPError{}}, // quotes UDP
		{5, capture.KindICMPError, capture.ICMPError{V6: true, Type: 2, MTU: 1280, QuotedSrc: a("fd00:99::1"), QuotedDst: a("fd00:99::2"),
			QuotedSrcPort: 37570, QuotedDstPort: 4343, QuotedSeq: 1587251514, QuotedHasSeq: true}},
		{6, capture.KindICMPError, capture.ICMPError{V6: true, Type: 1, Code: 4, QuotedSrc: a("fd00:99::1"), QuotedDst: a("fd00:99::2"),
			QuotedSrcPort: 37572, QuotedDstPort: 4343, QuotedSeq: 179855095, QuotedHasSeq: true}},
		{7, capture.KindOther, capture.ICMPError{}}, // the quote ends after the quoted extension headers
	}
	r, err := Open("../testdata/icmp-synth.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pkts, err := readAll(t, r)
	if err != nil || len(pkts) != len(cases) {
		t.Fatalf("%d packets, %v", len(pkts), err)
	}
	for _, tc := range cases {
		p := pkts[tc.index-1]
		if p.Kind != tc.kind || p.ICMP != tc.icmp {
			t.Errorf("frame %d: Kind %d %+v, want Kind %d %+v", tc.index, p.Kind, p.ICMP, tc.kind, tc.icmp)
		}
		if p.SrcIP != a("10.99.0.254") && p.SrcIP != a("fd00:99::fe") {
			t.Errorf("frame %d: SrcIP %v, want the router", tc.index, p.SrcIP)
		}
	}
}

// Two pcapng files one after the other (cat a.pcapng b.pcapng) are two sections: the second
// section's interfaces replace the first's.
func TestPcapngSections(t *testing.T) {
	a, b := mustRead(t, "dumpcap-3if.pcapng"), mustRead(t, "linktypes.pcapng")
	r, err := NewReader(bytes.NewReader(append(append([]byte{}, a...), b...)), "two.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, r)
	if err != nil || len(pkts) != 132+52 {
		t.Fatalf("%d packets, %v", len(pkts), err)
	}
	st := r.Stats()
	if st.TCP != 120+46 || st.ICMPErrors != 12+6 || st.Undecodable != 0 {
		t.Errorf("Stats %+v", st)
	}
	want := []string{"Ethernet", "Linux SLL2", "Raw IP", "Raw IPv4", "Raw IPv6", "BSD loopback (NULL)", "OpenBSD loopback (LOOP)"}
	if !equalStrings(r.LinkTypes(), want) {
		t.Errorf("LinkTypes %q", r.LinkTypes())
	}
	if p := pkts[132]; p.Index != 133 || p.Kind != capture.KindTCP || summarize(&p).seq != 3849988263 {
		t.Errorf("first packet of the second section: %+v", p)
	}
}
