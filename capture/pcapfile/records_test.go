package pcapfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"
	"unsafe"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// readFrame is a frame a reader gave, copied, with its capture info.
type readFrame struct {
	data []byte
	ci   gopacket.CaptureInfo
}

// readOutcome is what reading a pcap file gave: its frames, then how it ended.
type readOutcome struct {
	frames []readFrame
	end    string // "EOF", or the error in full (a *FileError's fields and words)
}

// maxOutcomeFrames bounds the frames read of a fuzzed file.
const maxOutcomeFrames = 20000

func endOf(err error) string {
	var fe *FileError
	switch {
	case err == io.EOF:
		return "EOF"
	case errors.As(err, &fe):
		return fmt.Sprintf("FileError{Offset: %d, Truncated: %v, unexpected EOF: %v}: %v", fe.Offset, fe.Truncated, errors.Is(err, io.ErrUnexpectedEOF), err)
	}
	return fmt.Sprintf("%T: %v", err, err)
}

// pcapgoOutcome reads a pcap file (gzip-compressed when gz is set) as fileReader read pcap before
// pcapRecords: the decompressed stream through a bufio.Reader of bufferBytes, pcapgo.Reader
// over it with its snaplen limited to maxPacketLength, and its errors turned by pcapError. The
// file header must be a valid one.
func pcapgoOutcome(t testing.TB, b []byte, gz bool) readOutcome {
	t.Helper()
	var src io.Reader = bytes.NewReader(b)
	var gzs *gzSource
	if gz {
		zr, err := gzip.NewReader(bufio.NewReaderSize(src, bufferBytes))
		if err != nil {
			t.Fatal(err)
		}
		gzs = &gzSource{zr: zr}
		src = gzs
	}
	pr, err := pcapgo.NewReader(bufio.NewReaderSize(src, bufferBytes))
	if err != nil {
		t.Fatalf("pcapgo: %v", err)
	}
	if pr.Snaplen() > maxPacketLength {
		pr.SetSnaplen(maxPacketLength)
	}
	var out readOutcome
	off := int64(pcapHeaderLen)
	for range maxOutcomeFrames {
		data, ci, err := pr.ZeroCopyReadPacketData()
		if err != nil {
			out.end = endOf(pcapError("t.pcap", off, gzs, err, ci))
			return out
		}
		out.frames = append(out.frames, readFrame{append([]byte{}, data...), ci})
		off += pcapRecordLen + int64(ci.CaptureLength)
	}
	out.end = "limit"
	return out
}

// recordsOutcome reads a pcap file with fileReader (pcapRecords), checking that each frame is a
// slice of the reader's chunk; ok is false when the file is not one pcapRecords reads (not pcap,
// or a header error), gzipped when it is gzip-compressed.
func recordsOutcome(t testing.TB, b []byte) (out readOutcome, ok, gzipped bool) {
	t.Helper()
	fr, err := newFileReader(bytes.NewReader(b), "t.pcap")
	if err != nil || fr.pcap == nil {
		return out, false, false
	}
	gzipped = fr.gz != nil
	defer fr.close()
	for range maxOutcomeFrames {
		data, err := fr.read()
		if err != nil {
			out.end = endOf(err)
			return out, true, gzipped
		}
		if !inside(data, fr.chunk().buf) {
			t.Fatalf("frame %d is not in the reader's chunk", len(out.frames)+1)
		}
		out.frames = append(out.frames, readFrame{append([]byte{}, data...), fr.raw.ci})
	}
	out.end = "limit"
	return out, true, gzipped
}

// inside reports whether b is a slice of buf.
func inside(b, buf []byte) bool {
	start, end := uintptr(unsafe.Pointer(unsafe.SliceData(buf))), uintptr(unsafe.Pointer(unsafe.SliceData(buf)))+uintptr(len(buf))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return cap(b) == 0 || at >= start && at+uintptr(cap(b)) <= end
}

// sameOutcome fails t when pcapRecords read b otherwise than pcapgo does.
func sameOutcome(t testing.TB, what string, b []byte, gz bool) {
	t.Helper()
	got, ok, _ := recordsOutcome(t, b)
	if !ok {
		t.Fatalf("%s: not read as pcap", what)
	}
	want := pcapgoOutcome(t, b, gz)
	diffOutcomes(t, what, got, want)
}

func diffOutcomes(t testing.TB, what string, got, want readOutcome) {
	t.Helper()
	for i := range min(len(got.frames), len(want.frames)) {
		g, w := got.frames[i].ci, want.frames[i].ci
		if !bytes.Equal(got.frames[i].data, want.frames[i].data) || g.Timestamp != w.Timestamp || g.CaptureLength != w.CaptureLength ||
			g.Length != w.Length || g.InterfaceIndex != w.InterfaceIndex || len(g.AncillaryData) != 0 || len(w.AncillaryData) != 0 {
			t.Fatalf("%s: frame %d differs: %+v %x, pcapgo %+v %x", what, i+1, got.frames[i].ci, got.frames[i].data, want.frames[i].ci, want.frames[i].data)
		}
	}
	if len(got.frames) != len(want.frames) || got.end != want.end {
		t.Fatalf("%s: %d frames, then %s; pcapgo: %d frames, then %s", what, len(got.frames), got.end, len(want.frames), want.end)
	}
}

// withChunkBytes makes the chunks n bytes long until the test ends, and the buffers files are
// opened through 4 KiB (each opening then costs little).
func withChunkBytes(t testing.TB, n int) {
	oldChunk, oldBuffer := chunkBytes, bufferBytes
	chunkBytes, bufferBytes = n, 4096
	t.Cleanup(func() { chunkBytes, bufferBytes = oldChunk, oldBuffer })
}

// bigEndianPcap rewrites a little-endian pcap file in big-endian byte order, as a big-endian host
// writes it.
func bigEndianPcap(b []byte) []byte {
	out := append([]byte{}, b...)
	swap32 := func(at int) { binary.BigEndian.PutUint32(out[at:], binary.LittleEndian.Uint32(b[at:])) }
	swap16 := func(at int) { binary.BigEndian.PutUint16(out[at:], binary.LittleEndian.Uint16(b[at:])) }
	swap32(0)
	swap16(4)
	swap16(6)
	for at := 8; at < 24; at += 4 {
		swap32(at)
	}
	for _, off := range pcapRecordStarts(b)[:len(pcapRecordStarts(b))-1] {
		for at := off; at < off+16; at += 4 {
			swap32(at)
		}
	}
	return out
}

// firstRecords returns the file header and the records of a little-endian pcap that end within
// its first n bytes.
func firstRecords(b []byte, n int) []byte {
	end := pcapHeaderLen
	for _, off := range pcapRecordStarts(b) {
		if off > n {
			break
		}
		end = off
	}
	return b[:end]
}

// chunkSizes are the chunk lengths the tests read with: shorter than a record header, than most
// frames, and a few frames long.
var chunkSizes = []int{16, 17, 64, 333, 1500, 4096}

// The records of real captures, micro- and nanosecond, either byte order, read through chunks of
// every length, and cut at every byte: every frame and every end (clean, or the truncation and its
// offset and words) are those pcapgo gives, wherever the chunks end.
func TestPcapRecordsCutEverywhere(t *testing.T) {
	// the records that end within the first 2,600 bytes: every cut of 6 files at 6 chunk lengths
	// costs a few seconds
	nano := firstRecords(mustRead(t, "tls-veth-nano.pcap"), 2600)
	micro := firstRecords(mustRead(t, "icmp-synth.pcap"), 2600)
	files := []struct {
		name string
		b    []byte
	}{
		{"nanosecond", nano},
		{"microsecond", micro},
		{"big-endian nanosecond", bigEndianPcap(nano)},
		{"big-endian microsecond", bigEndianPcap(micro)},
		{"corrupt-length.pcap", firstRecords(mustRead(t, "corrupt-length.pcap"), 2600)}, // corrupt at byte 1946
		{"cut-mid-record.pcap", mustRead(t, "cut-mid-record.pcap")},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			withChunkBytes(t, chunkBytes)
			wants := make([]readOutcome, len(f.b)+1)
			for cut := pcapHeaderLen; cut <= len(f.b); cut++ {
				wants[cut] = pcapgoOutcome(t, f.b[:cut], false)
			}
			for _, size := range chunkSizes {
				withChunkBytes(t, size)
				for cut := pcapHeaderLen; cut <= len(f.b); cut++ {
					got, ok, _ := recordsOutcome(t, f.b[:cut])
					if !ok {
						t.Fatalf("cut at %d: not read as pcap", cut)
					}
					diffOutcomes(t, fmt.Sprintf("chunks of %d, cut at %d", size, cut), got, wants[cut])
				}
			}
		})
	}
}

// A record header that gives an impossible length, a captured length above the length on the wire,
// or a length a little off (reading goes astray from there), at any record and so at any place in
// a chunk, gives the frames and the error pcapgo gives.
func TestPcapRecordsCorrupt(t *testing.T) {
	orig := mustRead(t, "tls-veth-nano.pcap")
	starts := pcapRecordStarts(orig)
	lengths := []struct {
		name string
		set  func(capLen, wireLen uint32) (uint32, uint32)
	}{
		{"captured above the wire length", func(c, w uint32) (uint32, uint32) { return w + 1, w }},
		{"one above libpcap's maximum", func(c, w uint32) (uint32, uint32) { return maxPacketLength + 1, maxPacketLength + 1 }},
		{"libpcap's maximum (cut by the end of the file)", func(c, w uint32) (uint32, uint32) { return maxPacketLength, maxPacketLength }},
		{"all ones", func(c, w uint32) (uint32, uint32) { return 0xffffffff, 0xffffffff }},
		{"one more", func(c, w uint32) (uint32, uint32) { return c + 1, w + 1 }},
		{"one less", func(c, w uint32) (uint32, uint32) { return c - 1, w }},
		{"empty", func(c, w uint32) (uint32, uint32) { return 0, w }},
	}
	for _, l := range lengths {
		t.Run(l.name, func(t *testing.T) {
			withChunkBytes(t, chunkBytes)
			for rec, off := range starts[:len(starts)-1] {
				b := append([]byte{}, orig...)
				c, w := l.set(binary.LittleEndian.Uint32(b[off+8:]), binary.LittleEndian.Uint32(b[off+12:]))
				binary.LittleEndian.PutUint32(b[off+8:], c)
				binary.LittleEndian.PutUint32(b[off+12:], w)
				want := pcapgoOutcome(t, b, false)
				for _, size := range chunkSizes {
					withChunkBytes(t, size)
					got, _, _ := recordsOutcome(t, b)
					diffOutcomes(t, fmt.Sprintf("record %d, chunks of %d", rec+1, size), got, want)
				}
			}
		})
	}
}

// A gzip-compressed pcap cut anywhere ends where pcapgo's reading of it ends, with the same words.
func TestPcapRecordsGzipCut(t *testing.T) {
	z := gz(t, firstRecords(mustRead(t, "tls-veth-nano.pcap"), 2600))
	for _, size := range []int{16, 333, 4096} {
		withChunkBytes(t, size)
		for cut := 40; cut <= len(z); cut++ {
			if _, err := newFileReader(bytes.NewReader(z[:cut]), "t.pcap"); err != nil {
				continue // the gzip or pcap header is cut
			}
			sameOutcome(t, fmt.Sprintf("chunks of %d, gzip cut at %d", size, cut), z[:cut], true)
		}
	}
}

// FuzzPcapRecords reads arbitrary bytes after a valid pcap file header through chunks of any
// length: pcapRecords must give the frames and the end that pcapgo gives.
func FuzzPcapRecords(f *testing.F) {
	for _, name := range []string{"icmp-synth.pcap", "ipfrag.pcap", "corrupt-length.pcap", "cut-mid-record.pcap", "tls-veth-nano.pcap"} {
		b := mustRead(f, name)
		f.Add(b, uint16(64))
		f.Add(bigEndianPcap(b[:min(len(b), 600)]), uint16(17))
	}
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		withChunkBytes(t, int(size)%5000+1)
		got, ok, gzipped := recordsOutcome(t, data)
		if !ok || gzipped {
			return // not pcap; or gzip-compressed, which TestPcapRecordsGzipCut covers
		}
		diffOutcomes(t, "fuzzed", got, pcapgoOutcome(t, data, false))
	})
}
