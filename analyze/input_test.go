package analyze

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// realFrames returns the frames of capture/testdata/tls-veth-nano.pcap (real Linux TCP and
// OpenSSL 3 traffic, captured on the sending host) with their pcap record headers.
func realFrames(t *testing.T) (head []byte, recs [][]byte) {
	t.Helper()
	b, err := os.ReadFile("../capture/testdata/tls-veth-nano.pcap")
	if err != nil {
		t.Fatal(err)
	}
	for off := 24; off < len(b); {
		l := int(binary.LittleEndian.Uint32(b[off+8:]))
		recs = append(recs, append([]byte(nil), b[off:off+16+l]...))
		off += 16 + l
	}
	return b[:24], recs
}

// record rewrites a pcap record around new frame bytes.
func record(rec, frame []byte) []byte {
	h := append([]byte(nil), rec[:16]...)
	binary.LittleEndian.PutUint32(h[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(h[12:], uint32(len(frame)))
	return append(h, frame...)
}

func analyzeBytes(t *testing.T, b []byte) *result.Result {
	t.Helper()
	r, err := pcapfile.NewReader(bytes.NewReader(b), "t.pcap")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Reader(r, "t.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// warningsOf returns the warnings of the given codes.
func warningsOf(res *result.Result, codes ...string) []wordedWarning {
	var out []wordedWarning
	for _, w := range res.Warnings {
		for _, c := range codes {
			if w.Code == c {
				out = append(out, wordedWarning{Code: w.Code, Offset: w.Offset, Frame: w.Frame, Message: say(w.Message)})
			}
		}
	}
	return out
}

// wordedWarning is a warning with its message worded in English, for exact comparison.
type wordedWarning struct {
	Code    string
	Offset  int64
	Frame   int
	Message string
}

// Frames that cannot be decoded are warned about once per reason, with the first frames of each;
// a packet with a wrong checksum that offload does not explain is warned about with its frame.
func TestUndecodableAndDamagedWarnings(t *testing.T) {
	head, recs := realFrames(t)
	var b []byte
	b = append(b, head...)
	for i, rec := range recs {
		frame := rec[16:]
		switch {
		case i+1 >= 44 && i+1 <= 50: // the IPv6 flows' last frames in 802.1ah (PBB), which connscope does not decode
			f := append(append([]byte(nil), frame[:12]...), 0x88, 0xe7, 0, 0, 0, 1)
			frame = append(f, frame...)
		case i+1 == 5: // an EtherType hit by corruption
			frame = append([]byte(nil), frame...)
			frame[12], frame[13] = 0x08, 0x80
		}
		b = append(b, record(rec, frame)...)
	}
	res := analyzeBytes(t, b)
	want := []wordedWarning{
		{Code: "undecodable-frames", Frame: 5, Message: "1 frame could not be decoded, as it carries EtherType 0x0880, which connscope does not decode (a protocol it cannot look into, or a type hit by corruption), and was skipped (frame 5)"},
		{Code: "undecodable-frames", Frame: 44, Message: "7 frames could not be decoded, as they carry EtherType 0x88e7, which connscope does not decode (a protocol it cannot look into, or a type hit by corruption), and were skipped (frames 44, 45, 46, 47, 48, ...)"},
	}
	if got := warningsOf(res, "undecodable-frames", "damaged-packets"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}

	// every IPv4 TCP checksum set right, as off the hosts; then a payload byte of frame 6 (the
	// server's first flight) changed
	b = append([]byte(nil), head...)
	for i, rec := range recs {
		frame := append([]byte(nil), rec[16:]...)
		if binary.BigEndian.Uint16(frame[12:]) == 0x0800 && frame[14+9] == 6 {
			seg := frame[14+20:]
			seg[16], seg[17] = 0, 0
			binary.BigEndian.PutUint16(seg[16:], ^sum16(frame[14+12:14+20], []byte{0, 6, byte(len(seg) >> 8), byte(len(seg))}, seg))
			if i+1 == 6 {
				seg[32+100] ^= 0x40
			}
		}
		b = append(b, record(rec, frame)...)
	}
	res = analyzeBytes(t, b)
	want = []wordedWarning{{Code: "damaged-packets", Frame: 6, Message: "1 packet has a wrong TCP checksum that checksum offload does not explain (frame 6): it was damaged on its way, and the receiver dropped it; look for a faulty link, NIC or middlebox between the hosts"}}
	if got := warningsOf(res, "undecodable-frames", "damaged-packets"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}
}

// sum16 is the RFC 1071 sum of the concatenated parts, folded to 16 bits.
func sum16(parts ...[]byte) uint16 {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	var s uint32
	for i := 0; i < len(b); i += 2 {
		w := uint32(b[i]) << 8
		if i+1 < len(b) {
			w |= uint32(b[i+1])
		}
		s += w
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// Packets cut by different snaplens are warned about with the snaplen of the pcapng interface
// each was captured on, not the largest of the file.
func TestSnaplenPerInterfaceWarning(t *testing.T) {
	_, recs := realFrames(t)
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 96}, pcapgo.NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddInterface(pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 128}); err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		frame := rec[16:]
		snap := []int{96, 128}[i%2]
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, int64(i)*1000), Length: len(frame), CaptureLength: min(len(frame), snap), InterfaceIndex: i % 2}
		if err := w.WritePacket(ci, frame[:ci.CaptureLength]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	res := analyzeBytes(t, buf.Bytes())
	want := []wordedWarning{{Code: "snaplen-cut", Message: "15 packets were cut by the snaplen of the interface they were captured on (10 by a snaplen of 128 bytes, 5 by a snaplen of 96 bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0, dumpcap -s 0)"}}
	if got := warningsOf(res, "snaplen-cut"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}
}

// analyzeRotatedSet writes the real frames as a rotated set x.pcap, x.pcap1 (frames 20-40, passed
// through damage first) and x.pcap2 in a new folder, and analyses the folder.
func analyzeRotatedSet(t *testing.T, damage func([]byte) []byte) (recs [][]byte, dir string, res *result.Result) {
	t.Helper()
	recs, dir = rotatedSetFiles(t, damage)
	r, err := pcapfile.OpenInputs([]pcapfile.Input{{Path: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res, err = Reader(r, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	return recs, dir, res
}

// rotatedSetFiles writes the real frames as a rotated set x.pcap (frames 1-19), x.pcap1 (frames
// 20-40, passed through damage first) and x.pcap2 (the rest) in a new folder.
func rotatedSetFiles(t *testing.T, damage func([]byte) []byte) (recs [][]byte, dir string) {
	t.Helper()
	head, recs := realFrames(t)
	dir = t.TempDir()
	part := func(name string, from, to int, damage func([]byte) []byte) {
		b := append([]byte(nil), head...)
		for _, r := range recs[from:to] {
			b = append(b, r...)
		}
		if err := os.WriteFile(filepath.Join(dir, name), damage(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	same := func(b []byte) []byte { return b }
	part("x.pcap", 0, 19, same)
	part("x.pcap1", 19, 40, damage)
	part("x.pcap2", 40, len(recs), same)
	return recs, dir
}

// A file cut in the middle of a rotated set is warned about by name, and the files after it are
// read; the input lists each file and says which is incomplete.
func TestRotatedSetCutWarning(t *testing.T) {
	recs, dir, res := analyzeRotatedSet(t, func(b []byte) []byte { return b[:len(b)-10] })
	cut := filepath.Join(dir, "x.pcap1")
	warns := warningsOf(res, "truncated-file", "corrupt-file")
	if len(warns) != 1 || !strings.HasPrefix(warns[0].Message, `capture "`+cut+`" is truncated at byte `) ||
		!strings.HasSuffix(warns[0].Message, "; frames 1-20 of the file were read, the rest of it is lost; the files after it were read") {
		t.Errorf("warnings %+v", warns)
	}
	in := res.Input
	if in.Complete || in.Frames != len(recs)-1 || string(in.File) != filepath.Join(dir, "x.pcap") || len(in.Points) != 1 || len(in.Points[0].Files) != 3 {
		t.Fatalf("input %+v", in)
	}
	f := in.Points[0].Files[1]
	if string(f.Name) != cut || f.Complete || f.Frames != 20 || !strings.Contains(string(f.Error), "is truncated at byte") || !in.Points[0].Files[2].Complete {
		t.Errorf("files %+v", in.Points[0].Files)
	}
}

// A file of a rotated set whose header is damaged is skipped with a warning that names it and
// says so, the other files are analysed, and the input is not complete.
func TestDamagedFileSkippedWarning(t *testing.T) {
	recs, dir, res := analyzeRotatedSet(t, func(b []byte) []byte {
		b[4], b[5] = 'A', 'A' // the pcap header's major version: 0x4141 in either byte order
		return b
	})
	want := `capture "` + filepath.Join(dir, "x.pcap1") + `" is corrupt at byte 0: the pcap header gives version 16705.4; only 2.4, which every tool writes, is known; the file was skipped`
	warns := warningsOf(res, "truncated-file", "corrupt-file")
	if len(warns) != 1 || warns[0].Code != "corrupt-file" || warns[0].Message != want {
		t.Errorf("warnings %+v\nwant one corrupt-file: %s", warns, want)
	}
	if in := res.Input; in.Complete || in.Frames != 19+(len(recs)-40) || len(in.Points) != 1 || len(in.Points[0].Files) != 2 {
		t.Errorf("input %+v", in)
	}
}

// unixSocketAt puts a Unix domain socket at path: a file no one can open as a capture, not even
// root (open fails with ENXIO), unlike a file without read permission.
func unixSocketAt(t *testing.T, path string) {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

// copyCapture copies a capture of testdata to path.
func copyCapture(t *testing.T, name, path string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ownCaptures, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A file among several that the system will not let be read (here a socket where a capture
// was named: open fails, as root too) is skipped with unreadable-file, which says what failed
// and what to do, not corrupt-file: nothing in it is damaged. The other file is analysed.
func TestUnreadableFileSkippedWarning(t *testing.T) {
	dir := t.TempDir()
	good, sock := filepath.Join(dir, "agent.pcap"), filepath.Join(dir, "server.pcap")
	copyCapture(t, "tls12-ok.pcap", good)
	unixSocketAt(t, sock)
	r, err := pcapfile.OpenInputs([]pcapfile.Input{{Path: good}, {Path: sock}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := Reader(r, good, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []wordedWarning{{Code: "unreadable-file", Message: `capture "` + sock + `" could not be read (open: no such device or address): it was skipped, and nothing it holds is in this report; check that the path names a capture file you may read (not a folder, a socket or a device), then analyse it again`}}
	if got := warningsOf(res, "unreadable-file", "corrupt-file", "truncated-file"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}
	if in := res.Input; in.Complete || in.Frames != 19 || len(res.Flows.Slice()) != 1 {
		t.Errorf("input %+v, %d flows; want incomplete, the 19 frames of tls12-ok.pcap, 1 flow", in, len(res.Flows.Slice()))
	}
}

// A file of a rotated set that could be opened when the set was opened, but not when its turn
// came (replaced meanwhile by a socket), is unreadable-file too; the files before it were read.
func TestUnreadableFileAtItsTurn(t *testing.T) {
	recs, dir := rotatedSetFiles(t, func(b []byte) []byte { return b })
	r, err := pcapfile.OpenInputs([]pcapfile.Input{{Path: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	last := filepath.Join(dir, "x.pcap2")
	if err := os.Remove(last); err != nil {
		t.Fatal(err)
	}
	unixSocketAt(t, last)
	res, err := Reader(r, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []wordedWarning{{Code: "unreadable-file", Message: `capture "` + last + `" could not be read (open: no such device or address): it was skipped, and nothing it holds is in this report; check that the path names a capture file you may read (not a folder, a socket or a device), then analyse it again`}}
	if got := warningsOf(res, "unreadable-file", "corrupt-file", "truncated-file"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}
	if in := res.Input; in.Complete || in.Frames != 40 || len(recs) <= 40 {
		t.Errorf("input %+v; want incomplete, the first 40 of %d frames", in, len(recs))
	}
}
