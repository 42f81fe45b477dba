package preamble

import (
	"bytes"
	"testing"
)

// TestPreambleScan: the start of a ClientHello is found after another protocol's bytes wherever
// it falls, also split over segments, and not past MaxLen; look-alikes are not taken.
func TestPreambleScan(t *testing.T) {
	hello := []byte{0x16, 3, 1, 0, 0xf6, 1, 0, 0, 0xf2, 3, 3, 0xaa, 0xbb} // record, ClientHello, TLS 1.2
	sslRequest := []byte{0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f}                 // PostgreSQL (0x16 in it)
	cases := []struct {
		name     string
		segments [][]byte
		server   bool
		seg, at  int // the segment and the index in it where the hello begins; seg -1: none
	}{
		{"after a binary request, same segment", [][]byte{append(append([]byte{}, sslRequest...), hello...)}, false, 0, 8},
		{"in its own segment", [][]byte{sslRequest, hello}, false, 1, 0},
		{"split 3 bytes into the hello", [][]byte{append(append([]byte{}, sslRequest...), hello[:3]...), hello[3:]}, false, 1, -3},
		{"split over three segments", [][]byte{sslRequest, hello[:2], hello[2:5], hello[5:]}, false, 3, -5},
		{"a ServerHello is not a ClientHello", [][]byte{sslRequest, {0x16, 3, 3, 0, 0x5a, 2, 0, 0, 0x56, 3, 3}}, false, -1, 0},
		{"a ServerHello from the server", [][]byte{{'S'}, {0x16, 3, 3, 0, 0x5a, 2, 0, 0, 0x56, 3, 3}}, true, 1, 0},
		{"record too short for a hello", [][]byte{sslRequest, {0x16, 3, 1, 0, 0x10, 1, 0, 0, 0x0c, 3, 3}}, false, -1, 0},
		{"past MaxLen", [][]byte{bytes.Repeat([]byte{'x'}, MaxLen), hello}, false, -1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ps Scan
			var off int64
			seg, at := -1, 0
			for i, b := range tc.segments {
				if a, ok := ps.Find(b, off, tc.server); ok {
					seg, at = i, a
					start := b[max(a, 0):]
					if a < 0 {
						start = append(append([]byte{}, ps.Carried(-a)...), b...)
					}
					if !tc.server && !bytes.HasPrefix(start, hello[:helloHeaderLen]) {
						t.Errorf("the start found, % x, is not the hello's", start)
					}
					break
				}
				off += int64(len(b))
			}
			if seg != tc.seg || seg >= 0 && at != tc.at {
				t.Errorf("found in segment %d at %d, want segment %d at %d", seg, at, tc.seg, tc.at)
			}
		})
	}
}

// FuzzPreambleScan: wherever a stream is split into segments, the scan finds the start of TLS
// at the same stream offset as in the stream whole, and never past MaxLen.
func FuzzPreambleScan(f *testing.F) {
	f.Add([]byte{0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f, 0x16, 3, 1, 0, 0xf6, 1, 0, 0, 0xf2, 3, 3}, uint8(3), uint8(7), false)
	f.Add([]byte("220 mail ESMTP\r\n\x16\x03\x03\x00\x5a\x02\x00\x00\x56\x03\x03"), uint8(16), uint8(1), true)
	f.Fuzz(func(t *testing.T, stream []byte, cut1, cut2 uint8, server bool) {
		offsetOf := func(segs [][]byte) int64 {
			var ps Scan
			var off int64
			for _, b := range segs {
				if at, ok := ps.Find(b, off, server); ok {
					return off + int64(at)
				}
				off += int64(len(b))
			}
			return -1
		}
		whole := offsetOf([][]byte{stream})
		a := min(int(cut1), len(stream))
		b := min(a+int(cut2), len(stream))
		split := offsetOf([][]byte{stream[:a], stream[a:b], stream[b:]})
		if whole != split {
			t.Fatalf("start at %d in the whole stream, at %d split at %d and %d", whole, split, a, b)
		}
		if whole >= MaxLen || whole >= 0 && !plausibleHello(stream[whole:], server) {
			t.Fatalf("start at %d: past the bound or not a hello", whole)
		}
	})
}
