package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// frameSource is what captureFrames reads: a frame at a time, with its capture info and link type.
type frameSource interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// captureFrames returns the frames of a capture file (pcap or pcapng, gzip-compressed or not) with
// their link types and lengths, up to the first error.
func captureFrames(t *testing.T, path string) (frames [][]byte, links []layers.LinkType, wire []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, nil, nil
		}
		if b, err = io.ReadAll(zr); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, nil
		}
	}
	var src frameSource
	linkOf := func(gopacket.CaptureInfo) layers.LinkType { return 0 }
	if len(b) >= 4 && binary.LittleEndian.Uint32(b) == 0x0A0D0D0A {
		r, err := pcapgo.NewNgReader(bytes.NewReader(b), pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, nil, nil
		}
		src = r
		linkOf = func(ci gopacket.CaptureInfo) layers.LinkType {
			if iface, err := r.Interface(ci.InterfaceIndex); err == nil {
				return iface.LinkType
			}
			return 0xffff
		}
	} else {
		r, err := pcapgo.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, nil, nil
		}
		src = r
		linkOf = func(gopacket.CaptureInfo) layers.LinkType { return r.LinkType() }
	}
	for {
		data, ci, err := src.ReadPacketData()
		if err != nil {
			return frames, links, wire
		}
		frames = append(frames, data)
		links = append(links, linkOf(ci))
		wire = append(wire, max(ci.Length, len(data)))
	}
}

// decodeBoth decodes frames in order with a decoder that takes the hand-written path
// (ethernetIPv4TCP) and one that leaves every frame to the parsers, and fails t at the first
// frame they decode differently: packet, verdict, reason, late damage or offload count.
func decodeBoth(t *testing.T, what string, frames [][]byte, links []layers.LinkType, wire []int) (hand int) {
	t.Helper()
	fast, slow := newDecoder(), newDecoder()
	slow.parserOnly = true
	for i, data := range frames {
		var pf, ps Packet
		for _, p := range []*Packet{&pf, &ps} {
			*p = Packet{Index: i + 1, CapLen: len(data), WireLen: wire[i]}
			p.Truncated = p.CapLen < p.WireLen
		}
		lk := LinkOf(links[i])
		if lk.kind == linkEthernet && fast.ethernetIPv4TCP(data) {
			hand++
		}
		okf := fast.decode(data, lk.kind, &pf)
		oks := slow.decode(data, lk.kind, &ps)
		if okf != oks || !reflect.DeepEqual(pf, ps) || fast.reason != slow.reason || !reflect.DeepEqual(fast.late, slow.late) ||
			fast.offloaded != slow.offloaded || fast.panics != 0 || slow.panics != 0 {
			t.Fatalf("%s: frame %d decodes otherwise by hand (%v, %+v, reason %v, late %v, offloaded %d, panics %d) than by the parsers (%v, %+v, reason %v, late %v, offloaded %d, panics %d)",
				what, i+1, okf, pf, fast.reason, fast.late, fast.offloaded, fast.panics, oks, ps, slow.reason, slow.late, slow.offloaded, slow.panics)
		}
	}
	return hand
}

// Every frame of the project's captures and of the shared captures decodes by hand exactly as
// the parsers decode it (the packet, its damage, the reasons and late damage), and most of the
// TCP frames are taken by hand.
func TestEthernetIPv4TCPAsParsers(t *testing.T) {
	var files []string
	for _, glob := range []string{"testdata/*.pcap*", "../testdata/captures/*.pcap*", "../testdata/captures/*/*.pcap*", "../../shared/captures/*/*.pcap*"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 60 {
		t.Fatalf("found %d captures", len(files))
	}
	frames, hand := 0, 0
	for _, path := range files {
		if strings.HasSuffix(path, ".tsv") {
			continue
		}
		f, l, w := captureFrames(t, path)
		frames += len(f)
		hand += decodeBoth(t, path, f, l, w)
	}
	t.Logf("%d frames of %d files, %d by hand", frames, len(files), hand)
	if frames < 8000 || hand < frames/2 {
		t.Errorf("%d frames, %d of them by hand", frames, hand)
	}
}

// The frames the hand-written path stops short of (options, fragments, cut or overlong lengths,
// a TCP header past the packet, a tag) and those just inside its bounds decode as the parsers
// decode them.
func TestEthernetIPv4TCPEdges(t *testing.T) {
	var base []byte
	for _, f := range realFrames(t) {
		if binary.BigEndian.Uint16(f[12:14]) == etIPv4 && f[14+9] == protoTCP && len(f) > 14+20+20+10 {
			base = f
			break
		}
	}
	if base == nil {
		t.Fatal("no IPv4 TCP frame with a payload in tls-veth-nano.pcap")
	}
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte{}, base...)) }
	ipLen := int(binary.BigEndian.Uint16(base[16:18]))
	cases := map[string][]byte{
		"as captured":              base,
		"Ethernet trailer":         append(append([]byte{}, base...), 0, 0, 0, 0, 0, 0),
		"cut by 1":                 base[:len(base)-1],
		"cut in the TCP header":    base[:14+20+19],
		"cut in the IP header":     base[:14+19],
		"total length 0":           edit(func(b []byte) []byte { binary.BigEndian.PutUint16(b[16:], 0); return b }),
		"total length 39":          edit(func(b []byte) []byte { binary.BigEndian.PutUint16(b[16:], 39); return b }),
		"total length 40":          edit(func(b []byte) []byte { binary.BigEndian.PutUint16(b[16:], 40); return b }),
		"total length one over":    edit(func(b []byte) []byte { binary.BigEndian.PutUint16(b[16:], uint16(ipLen+1)); return b }),
		"IHL 6":                    edit(func(b []byte) []byte { b[14] = 0x46; return b }),
		"IHL 4":                    edit(func(b []byte) []byte { b[14] = 0x44; return b }),
		"version 6":                edit(func(b []byte) []byte { b[14] = 0x65; return b }),
		"more fragments":           edit(func(b []byte) []byte { b[14+6] |= 0x20; return b }),
		"fragment offset":          edit(func(b []byte) []byte { b[14+7] = 1; return b }),
		"don't fragment":           edit(func(b []byte) []byte { b[14+6] = 0x40; return b }),
		"reserved flag":            edit(func(b []byte) []byte { b[14+6] = 0x80; return b }),
		"UDP":                      edit(func(b []byte) []byte { b[14+9] = 17; return b }),
		"data offset 4":            edit(func(b []byte) []byte { b[14+20+12] = 0x40; return b }),
		"data offset 15":           edit(func(b []byte) []byte { b[14+20+12] = 0xf0; return b }),
		"data offset to the end":   edit(func(b []byte) []byte { b[14+20+12] = byte((ipLen-20)/4) << 4; return b[:14+20+(ipLen-20)/4*4] }),
		"802.3 length":             edit(func(b []byte) []byte { binary.BigEndian.PutUint16(b[12:], 100); return b }),
		"VLAN tag":                 append(append(append([]byte{}, base[:12]...), 0x81, 0, 0, 5), base[12:]...),
		"IPv4 header checksum bad": edit(func(b []byte) []byte { b[14+10] ^= 1; return b }),
		"TCP checksum bad":         edit(func(b []byte) []byte { b[14+20+16] ^= 1; return b }),
	}
	for name, f := range cases {
		for _, wire := range []int{len(f), len(f) + 10} {
			decodeBoth(t, fmt.Sprintf("%s, %d on the wire", name, wire), [][]byte{f, f, base}, []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeEthernet, layers.LinkTypeEthernet}, []int{wire, wire, len(base)})
		}
	}
}

// FuzzEthernetIPv4TCP decodes arbitrary Ethernet frames by hand and by the parsers: the packets,
// verdicts and reasons must be the same.
func FuzzEthernetIPv4TCP(f *testing.F) {
	for i, fr := range realFrames(f) {
		if i < 40 {
			f.Add(fr, uint16(0))
		}
	}
	f.Fuzz(func(t *testing.T, frame []byte, extra uint16) {
		decodeBoth(t, "fuzzed", [][]byte{frame, frame}, []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeEthernet},
			[]int{len(frame) + int(extra%3), len(frame)})
	})
}
