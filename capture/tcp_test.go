package capture

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// realFrames returns the frames of tls-veth-nano.pcap (Ethernet; IPv4 and IPv6, taken on the host
// that sent them).
func realFrames(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open("testdata/tls-veth-nano.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	for {
		frame, _, err := r.ReadPacketData()
		if err == io.EOF {
			return frames
		}
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, frame)
	}
}

// realSegments returns the TCP segments (header and payload) of the IPv4 frames of
// tls-veth-nano.pcap: SYNs with options, data, FINs, RSTs.
func realSegments(t testing.TB) [][]byte {
	var segs [][]byte
	for _, frame := range realFrames(t) {
		if len(frame) > 14+20 && frame[12] == 0x08 && frame[13] == 0x00 && frame[14+9] == protoTCP {
			segs = append(segs, frame[14+int(frame[14]&0x0f)*4:])
		}
	}
	return segs
}

// sameAsGopacket fails t when tcpHeader decodes seg otherwise than gopacket's layers.TCP: it
// fails where layers.TCP fails, and gives the same fields, header and payload.
func sameAsGopacket(t *testing.T, seg []byte) {
	t.Helper()
	var want layers.TCP
	var got tcpHeader
	wantDF, gotDF := new(truncFeedback), new(truncFeedback)
	wantErr := want.DecodeFromBytes(seg, wantDF)
	gotErr := got.DecodeFromBytes(seg, gotDF)
	if (gotErr != nil) != (wantErr != nil) || *gotDF != *wantDF {
		t.Fatalf("segment %x: error %v (truncated %v), layers.TCP %v (truncated %v)", seg, gotErr, *gotDF, wantErr, *wantDF)
	}
	if wantErr != nil {
		return
	}
	if got.srcPort != uint16(want.SrcPort) || got.dstPort != uint16(want.DstPort) || got.seq != want.Seq || got.ack != want.Ack ||
		got.window != want.Window || !bytes.Equal(got.Contents, want.Contents) || !bytes.Equal(got.Payload, want.Payload) ||
		len(got.Contents) != len(want.Contents) || got.NextLayerType() == layers.LayerTypeIPv4 {
		t.Fatalf("segment %x: %+v, layers.TCP %+v", seg, got, want)
	}
}

type truncFeedback bool

func (f *truncFeedback) SetTruncated() { *f = true }

var _ gopacket.DecodeFeedback = (*truncFeedback)(nil)

// The parsers' TCP layer reads every real segment, and every segment cut short or with its data
// offset changed, as gopacket's layers.TCP does.
func TestTCPHeaderAsGopacket(t *testing.T) {
	segs := realSegments(t)
	if len(segs) < 20 {
		t.Fatalf("%d segments", len(segs))
	}
	for _, seg := range segs {
		for cut := 0; cut <= len(seg); cut++ {
			sameAsGopacket(t, seg[:cut])
		}
		for off := range 16 {
			b := append([]byte{}, seg...)
			b[12] = byte(off)<<4 | b[12]&0x0f
			sameAsGopacket(t, b)
		}
	}
}

// FuzzTCPHeader compares the parsers' TCP layer with gopacket's layers.TCP on arbitrary segments.
func FuzzTCPHeader(f *testing.F) {
	for _, seg := range realSegments(f)[:6] {
		f.Add(seg)
	}
	f.Fuzz(func(t *testing.T, seg []byte) { sameAsGopacket(t, seg) })
}
