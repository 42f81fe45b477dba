package pcapfile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connscope/connscope/capture"
)

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Input that is no capture, or whose file header is cut, fails at NewReader with a message that
// says what the file is and what to do.
func TestOpenErrors(t *testing.T) {
	pcap := mustRead(t, "tls-veth-nano.pcap")
	ng := mustRead(t, "dumpcap-3if.pcapng")
	badVersion := append([]byte{}, pcap[:24]...)
	binary.LittleEndian.PutUint16(badVersion[4:], 3)
	cases := []struct {
		name      string
		data      []byte
		is        error
		truncated bool // a *FileError with Truncated at offset 0
		text      string
	}{
		{"empty", nil, ErrEmpty, false, `"x" is empty: it holds no capture; check that tcpdump or Wireshark wrote it and was stopped cleanly`},
		{"http", []byte("HTTP/1.1 200 OK\r\n\r\n"), ErrNotCapture, false,
			`"x" is not a capture file (it starts with 48 54 54 50 "HTTP"): give a pcap or pcapng file, as tcpdump -w or Wireshark writes`},
		{"binary", []byte{0x7f, 'E', 'L', 'F', 2, 1}, ErrNotCapture, false,
			`"x" is not a capture file (it starts with 7f 45 4c 46): give a pcap or pcapng file, as tcpdump -w or Wireshark writes`},
		{"gzipped text", gz(t, []byte("hello world")), ErrNotCapture, false,
			`"x" is not a capture file inside its gzip compression (it starts with 68 65 6c 6c "hell"): give a pcap or pcapng file, as tcpdump -w or Wireshark writes`},
		{"empty gzip", gz(t, nil), ErrEmpty, false, `"x" is gzip-compressed but holds nothing: it holds no capture`},
		{"pcap magic only", pcap[:3], io.ErrUnexpectedEOF, true,
			`capture "x" is truncated at byte 0: the file ends after 3 bytes, inside the file header: it was cut while being written or copied`},
		{"pcap header cut", pcap[:10], io.ErrUnexpectedEOF, true,
			`capture "x" is truncated at byte 0: the file header is incomplete (10 of 24 bytes): the file was cut while being written or copied`},
		{"gzipped pcap header cut", gz(t, pcap[:10]), io.ErrUnexpectedEOF, true,
			`capture "x" is truncated at byte 0: the file header is incomplete (10 of 24 bytes): the file was cut while being written or copied`},
		{"gzip header cut", gz(t, pcap)[:5], io.ErrUnexpectedEOF, true, `capture "x" is truncated at byte 0: the gzip header is incomplete`},
		// Nothing decompressed: nothing was analysed before the damage.
		{"gzip stream cut at once", gz(t, pcap)[:11], io.ErrUnexpectedEOF, true,
			`capture "x" is truncated at byte 0: the gzip stream ends early (nothing could be read)`},
		{"gzip data damaged at once", append(gz(t, nil)[:10], 0xff, 0xff, 0xff, 0xff), nil, false,
			`capture "x" is corrupt at byte 0: the gzip data is damaged (flate: corrupt input before offset 1); nothing could be read`},
		{"pcap version 3", badVersion, nil, false,
			`capture "x" is corrupt at byte 0: the pcap header gives version 3.4; only 2.4, which every tool writes, is known`},
		{"pcapng section header cut", ng[:20], io.ErrUnexpectedEOF, true,
			`capture "x" is truncated at byte 0: the section header block is incomplete: the file was cut while being written or copied`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.data), "x")
			if err == nil {
				t.Fatalf("NewReader accepted it (%s)", r.Format())
			}
			if err.Error() != tc.text {
				t.Errorf("error\n  %s\nwant\n  %s", err, tc.text)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(err, %v) is false", tc.is)
			}
			var fe *FileError
			if errors.As(err, &fe) && (fe.Truncated != tc.truncated || fe.Offset != 0) {
				t.Errorf("FileError %+v", fe)
			}
		})
	}
	if _, err := Open("../testdata/no-such-file.pcap"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file: %v", err)
	}
}

// pcapRecordStarts returns the offset of every record of a little-endian pcap file, and its length.
func pcapRecordStarts(b []byte) []int {
	var starts []int
	for off := 24; off < len(b); off += 16 + int(binary.LittleEndian.Uint32(b[off+8:])) {
		starts = append(starts, off)
	}
	return append(starts, len(b))
}

// ngBlockStarts returns the offset of every block of a little-endian pcapng file, the number of
// packet blocks before each, and the file length.
func ngBlockStarts(b []byte) (starts, packetsBefore []int) {
	n := 0
	for off := 0; off < len(b); off += int(binary.LittleEndian.Uint32(b[off+4:])) {
		starts = append(starts, off)
		packetsBefore = append(packetsBefore, n)
		if binary.LittleEndian.Uint32(b[off:]) == ngEnhancedPacket {
			n++
		}
	}
	return append(starts, len(b)), append(packetsBefore, n)
}

// Cutting a capture at every byte gives a clean end at record boundaries, and elsewhere every packet
// before the cut and then a truncation error at the exact start of the cut record.
func TestCutEverywhere(t *testing.T) {
	t.Run("pcap", func(t *testing.T) {
		b := mustRead(t, "tls-veth-nano.pcap")
		starts := pcapRecordStarts(b)
		for cut := 24; cut <= len(b); cut++ {
			rec := 0
			for starts[rec+1] <= cut {
				rec++
				if rec == len(starts)-1 {
					break
				}
			}
			checkCut(t, b[:cut], cut, rec, int64(starts[min(rec, len(starts)-1)]), cut == starts[min(rec, len(starts)-1)])
		}
	})
	t.Run("pcapng", func(t *testing.T) {
		b := mustRead(t, "dumpcap-3if.pcapng")
		starts, before := ngBlockStarts(b)
		// every byte of the header fields the walker reads, then a few points in each block's body
		for blk := 1; blk < len(starts)-1; blk++ {
			start, end := starts[blk], starts[blk+1]
			for _, cut := range []int{start, start + 1, start + 4, start + 7, start + 8, start + 11, start + 12, start + 20,
				start + 27, start + 28, (start + end) / 2, end - 5, end - 4, end - 1} {
				if cut < end {
					checkCut(t, b[:cut], cut, before[blk], int64(start), cut == start)
				}
			}
		}
		checkCut(t, b, len(b), before[len(before)-1], 0, true)
	})
}

func checkCut(t *testing.T, data []byte, cut, wantPackets int, wantOffset int64, clean bool) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "cut")
	if err != nil {
		t.Fatalf("cut at %d: %v", cut, err)
	}
	var p capture.Packet
	n := 0
	for err = r.Next(&p); err == nil; err = r.Next(&p) {
		n++
	}
	var fe *FileError
	switch {
	case n != wantPackets:
		t.Fatalf("cut at %d: read %d packets, want %d (%v)", cut, n, wantPackets, err)
	case clean && err != io.EOF:
		t.Fatalf("cut at %d, a record boundary: %v, want io.EOF", cut, err)
	case !clean && (!errors.As(err, &fe) || !fe.Truncated || fe.Offset != wantOffset):
		t.Fatalf("cut at %d: %v, want truncation at %d", cut, err, wantOffset)
	}
}

// Damaged pcapng framing is reported at the start of the bad block.
func TestPcapngCorrupt(t *testing.T) {
	orig := mustRead(t, "dumpcap-3if.pcapng")
	starts, before := ngBlockStarts(orig)
	epb := 0 // the 5th packet block
	for i, s := range starts[:len(starts)-1] {
		if binary.LittleEndian.Uint32(orig[s:]) == ngEnhancedPacket && before[i] == 4 {
			epb = i
			break
		}
	}
	off := starts[epb]
	blockLen := int(binary.LittleEndian.Uint32(orig[off+4:]))
	cases := []struct {
		name   string
		change func(b []byte)
		text   string
	}{
		{"trailing length differs", func(b []byte) { binary.LittleEndian.PutUint32(b[off+blockLen-4:], 4) },
			"the block's length fields disagree (%d at its start, 4 at its end)"},
		{"length not a multiple of 4", func(b []byte) { binary.LittleEndian.PutUint32(b[off+4:], 30) },
			"block length 30 is impossible"},
		{"length below the minimum", func(b []byte) { binary.LittleEndian.PutUint32(b[off+4:], 8) },
			"block length 8 is impossible"},
		{"packet longer than its block", func(b []byte) { binary.LittleEndian.PutUint32(b[off+20:], 5000) },
			"packet length 5000 does not fit in its block (%d bytes of room)"},
		{"unknown interface", func(b []byte) { binary.LittleEndian.PutUint32(b[off+8:], 7) },
			"a packet block names interface 7, but the section declares 3"},
		{"block type 0", func(b []byte) { binary.LittleEndian.PutUint32(b[off:], 0) },
			"block type 0 is reserved and never written"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte{}, orig...)
			tc.change(b)
			r, err := NewReader(bytes.NewReader(b), "x.pcapng")
			if err != nil {
				t.Fatal(err)
			}
			pkts, err := readAll(t, r)
			var fe *FileError
			if !errors.As(err, &fe) || fe.Truncated || fe.Offset != int64(off) || len(pkts) != 4 {
				t.Fatalf("%d packets, then %v; want 4 and corruption at %d", len(pkts), err, off)
			}
			want := tc.text
			switch {
			case strings.Contains(want, "room"):
				want = fmt.Sprintf(want, blockLen-32)
			case strings.Contains(want, "%d"):
				want = fmt.Sprintf(want, blockLen)
			}
			if got := fe.Err.Error(); got != want {
				t.Errorf("error text %q, want %q", got, want)
			}
		})
	}
}

// A damaged or cut gzip stream ends the capture with a FileError, after every packet before it.
func TestGzipDamage(t *testing.T) {
	z := mustRead(t, "tls-veth-nano.pcap.gz")
	t.Run("cut", func(t *testing.T) {
		r, err := NewReader(bytes.NewReader(z[:len(z)/2]), "x.pcap.gz")
		if err != nil {
			t.Fatal(err)
		}
		pkts, err := readAll(t, r)
		var fe *FileError
		if !errors.As(err, &fe) || !fe.Truncated || len(pkts) == 0 || !strings.Contains(err.Error(), "the gzip stream ends early") {
			t.Fatalf("%d packets, then %v", len(pkts), err)
		}
	})
	t.Run("damaged", func(t *testing.T) {
		b := append([]byte{}, z...)
		for i := len(b) / 2; i < len(b)/2+64; i++ {
			b[i] ^= 0x55
		}
		r, err := NewReader(bytes.NewReader(b), "x.pcap.gz")
		if err != nil {
			t.Fatal(err)
		}
		pkts, err := readAll(t, r)
		var fe *FileError
		if !errors.As(err, &fe) || len(pkts) >= 52 {
			t.Fatalf("%d packets, then %v", len(pkts), err)
		}
	})
}

// A pcap record whose captured length exceeds its length on the wire is corrupt.
func TestPcapCaptureLongerThanWire(t *testing.T) {
	b := append([]byte{}, mustRead(t, "tls-veth-nano.pcap")...)
	off := pcapRecordStarts(b)[2]
	binary.LittleEndian.PutUint32(b[off+12:], 10)
	r, err := NewReader(bytes.NewReader(b), "x.pcap")
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, r)
	want := fmt.Sprintf(`capture "x.pcap" is corrupt at byte %d: packet record length %d exceeds the packet's length on the wire (10)`,
		off, binary.LittleEndian.Uint32(b[off+8:]))
	if len(pkts) != 2 || err == nil || err.Error() != want {
		t.Fatalf("%d packets, then %v (record at %d)", len(pkts), err, off)
	}
}

// TestInputErrorFields: an input that cannot be opened as a capture at all gives an *InputError
// whose fields say what failed (Problem), which input (Path) and, for no capture, how it starts:
// what a program reads to word the error itself.
func TestInputErrorFields(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("HTTP/1.1 200 OK\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "readme"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pcap")
	cases := []struct {
		name   string
		inputs []Input
		want   InputError
		is     error
	}{
		{"missing", []Input{{Path: missing}}, InputError{Problem: ProblemUnreadable, Path: missing}, os.ErrNotExist},
		{"not a capture", []Input{{Path: text}}, InputError{Problem: ProblemNotCapture, Path: text, Starts: `48 54 54 50 "HTTP"`}, ErrNotCapture},
		{"gzipped text", []Input{{Path: Stdin}}, InputError{Problem: ProblemNotCaptureGzip, Path: Stdin, Starts: `68 65 6c 6c "hell"`}, ErrNotCapture},
		{"folder without captures", []Input{{Path: empty}}, InputError{Problem: ProblemNoCaptures, Path: empty}, nil},
		{"given twice", []Input{{Path: text}, {Path: text}}, InputError{Problem: ProblemTwice, Path: text}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := OpenInputs(tc.inputs, bytes.NewReader(gz(t, []byte("hello world"))))
			if err == nil {
				r.Close()
				t.Fatal("OpenInputs accepted it")
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Problem != tc.want.Problem || ie.Path != tc.want.Path || ie.Starts != tc.want.Starts {
				t.Fatalf("error %#v (%v), want Problem %q, Path %q, Starts %q", err, err, tc.want.Problem, tc.want.Path, tc.want.Starts)
			}
			if (tc.is == nil) != (ie.Err == nil) || tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("cause %v, want %v", ie.Err, tc.is)
			}
		})
	}
}
