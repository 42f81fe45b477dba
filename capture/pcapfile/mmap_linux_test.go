//go:build linux

package pcapfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/connscope/connscope/capture"
)

// withMapWindow makes the windows of mapped files n bytes long until the test ends.
func withMapWindow(t testing.TB, n int) {
	old := mapWindowBytes
	mapWindowBytes = n
	t.Cleanup(func() { mapWindowBytes = old })
}

// withoutMap makes files be read with read(2) until the test ends.
func withoutMap(t testing.TB) {
	useMap = false
	t.Cleanup(func() { useMap = true })
}

// openMapped writes b to t.pcap in the test's folder (the current one) and opens it, checking
// that it is mapped. The caller closes the reader (before t.pcap is written again: the reader's
// lease would hold the writer up).
func openMapped(t *testing.T, b []byte) *fileReader {
	t.Helper()
	if err := os.WriteFile("t.pcap", b, 0o644); err != nil {
		t.Fatal(err)
	}
	fr, err := openFile("t.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if fr.pcap == nil || fr.pcap.mm == nil {
		fr.close()
		t.Fatal("t.pcap is not mapped")
	}
	return fr
}

// mappedOutcome writes b to t.pcap in the test's folder (the current one) and reads it as
// recordsOutcome does, through a mapping, checking that it is mapped and that each frame is a
// slice of the window the reader holds.
func mappedOutcome(t *testing.T, b []byte) readOutcome {
	t.Helper()
	fr := openMapped(t, b)
	defer fr.close()
	var out readOutcome
	for range maxOutcomeFrames {
		data, err := fr.read()
		if err != nil {
			out.end = endOf(err)
			return out
		}
		if c := fr.chunk(); c.mapped == nil || !inside(data, c.buf) {
			t.Fatalf("frame %d is not in the reader's window", len(out.frames)+1)
		}
		out.frames = append(out.frames, readFrame{append([]byte{}, data...), fr.raw.ci})
	}
	out.end = "limit"
	return out
}

// A mapped pcap file read through windows of every length from one page on (records cut by
// every window end, windows shorter than a record), and cut at every byte around window ends,
// gives the frames and the end (clean, or the truncation and its offset and words) that pcapgo
// gives.
func TestMappedCutEverywhere(t *testing.T) {
	b := firstRecords(mustRead(t, "tls-veth.pcap"), 5*pageSize)
	t.Chdir(t.TempDir())
	if len(b) < 3*pageSize {
		t.Fatalf("the first records of tls-veth.pcap have %d bytes: too few for windows of a page", len(b))
	}
	for _, window := range []int{pageSize, pageSize + 1, 3 * pageSize, 1 << 20} {
		withMapWindow(t, window)
		diffOutcomes(t, fmt.Sprintf("windows of %d, whole file", window), mappedOutcome(t, b), pcapgoOutcome(t, b, false))
	}
	withMapWindow(t, pageSize)
	for _, around := range []int{pageSize, 2 * pageSize} {
		for cut := around - 40; cut <= around+700; cut++ {
			diffOutcomes(t, fmt.Sprintf("windows of a page, cut at %d", cut), mappedOutcome(t, b[:cut]), pcapgoOutcome(t, b[:cut], false))
		}
	}
}

// A record longer than a window gets a window of its own that ends after it; one whose length is
// corrupt gives the error pcapgo gives, at every record of a mapped file.
func TestMappedLongAndCorruptRecords(t *testing.T) {
	orig := mustRead(t, "tls-veth-nano.pcap")
	t.Chdir(t.TempDir())
	withMapWindow(t, pageSize)
	long := append([]byte{}, orig[:pcapHeaderLen]...)
	binary.LittleEndian.PutUint32(long[16:], 65535)
	for _, n := range []int{3*pageSize + 5, 40, 2 * pageSize, 9000} {
		rec := make([]byte, pcapRecordLen+n)
		binary.LittleEndian.PutUint32(rec[0:], 1700000000)
		binary.LittleEndian.PutUint32(rec[8:], uint32(n))
		binary.LittleEndian.PutUint32(rec[12:], uint32(n))
		for i := pcapRecordLen; i < len(rec); i++ {
			rec[i] = byte(i * 7)
		}
		long = append(long, rec...)
	}
	got := mappedOutcome(t, long)
	if len(got.frames) != 4 || got.end != "EOF" || len(got.frames[0].data) != 3*pageSize+5 {
		t.Fatalf("long records: %d frames, then %s", len(got.frames), got.end)
	}
	diffOutcomes(t, "long records", got, pcapgoOutcome(t, long, false))

	starts := pcapRecordStarts(orig)
	for rec, off := range starts[:len(starts)-1] {
		for _, lens := range [][2]uint32{{maxPacketLength + 1, maxPacketLength + 1}, {maxPacketLength, maxPacketLength}, {100, 99}} {
			b := append([]byte{}, orig...)
			binary.LittleEndian.PutUint32(b[off+8:], lens[0])
			binary.LittleEndian.PutUint32(b[off+12:], lens[1])
			diffOutcomes(t, fmt.Sprintf("record %d given lengths %v", rec+1, lens), mappedOutcome(t, b), pcapgoOutcome(t, b, false))
		}
	}
}

// A truncated capture read through a mapping ends with the FileError read(2) gives, word for word.
func TestMappedTruncatedFileError(t *testing.T) {
	b := mustRead(t, "cut-mid-record.pcap")
	t.Chdir(t.TempDir())
	got := mappedOutcome(t, b)
	want := `FileError{Offset: 1946, Truncated: true, unexpected EOF: true}: capture "t.pcap" is truncated at byte 1946: the last packet record is incomplete (analysed everything before it)`
	if got.end != want || len(got.frames) != 9 {
		t.Errorf("cut-mid-record.pcap mapped: %d frames, then\n%s\nwant\n%s", len(got.frames), got.end, want)
	}
	withoutMap(t)
	if rd, _, _ := recordsOutcome(t, b); rd.end != want || len(rd.frames) != len(got.frames) {
		t.Errorf("cut-mid-record.pcap read: %d frames, then %s", len(rd.frames), rd.end)
	}
}

// readMapped reads a capture with Reader.ReadBatch, keeping every packet with its payloads copied,
// and says how it ended and what the reader counted.
func readMapped(t *testing.T, path string) (pkts []capture.Packet, end string, mapped bool) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		return nil, "open: " + err.Error(), false
	}
	defer r.Close()
	fr := r.one.files[0].fr
	mapped = fr.pcap != nil && fr.pcap.mm != nil
	var b Batch
	for {
		err := r.ReadBatch(&b, 7)
		pkts = append(pkts, copyPackets(b.Packets)...)
		if err != nil {
			end = endOf(err)
			break
		}
	}
	b.Release()
	end += fmt.Sprintf("\nstats %+v\ntallies %+v\ncuts %+v\nlengths %+v\nformat %s %v %d\npoints %+v",
		r.Stats(), r.Tallies(), r.SnaplenCuts(), r.DamagedLengths(), r.Format(), r.LinkTypes(), r.Snaplen(), r.Points())
	return pkts, end, mapped
}

// Every capture of the project and of the shared captures gives the same packets (every field,
// payloads included), the same end and the same counts read through a mapping, with windows of a
// page or of the default length, as read with read(2); the uncompressed pcap files are mapped.
func TestMappedSamePackets(t *testing.T) {
	var files []string
	for _, glob := range []string{"../testdata/*.pcap*", "../../testdata/captures/*.pcap*", "../../testdata/captures/*/*.pcap*",
		"../../../shared/captures/*/*.pcap*"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 60 {
		t.Fatalf("found %d captures", len(files))
	}
	mappedFiles := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".tsv") {
			continue
		}
		useMap = false
		want, wantEnd, _ := readMapped(t, path)
		useMap = true
		for _, window := range []int{pageSize, 1 << 20} {
			withMapWindow(t, window)
			got, gotEnd, mapped := readMapped(t, path)
			head, _ := os.ReadFile(path)
			plain := len(head) >= 4 && isPcapMagic(head[:4])
			if mapped != plain {
				t.Errorf("%s: mapped %v, want %v", path, mapped, plain)
			}
			if mapped && window == pageSize {
				mappedFiles++
			}
			if gotEnd != wantEnd {
				t.Errorf("%s, windows of %d: ends\n%s\nread(2):\n%s", path, window, gotEnd, wantEnd)
			}
			if len(got) != len(want) {
				t.Errorf("%s, windows of %d: %d packets, read(2) %d", path, window, len(got), len(want))
				continue
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("%s, windows of %d: packet %d is\n%+v\nread(2):\n%+v", path, window, i+1, got[i], want[i])
					break
				}
			}
		}
	}
	useMap = true
	if mappedFiles < 50 {
		t.Errorf("only %d files were mapped", mappedFiles)
	}
}

// A file open for writing elsewhere is not mapped (it may be cut at any time): read(2) reads it.
func TestMappedNotWhileWritten(t *testing.T) {
	b := mustRead(t, "tls-veth-nano.pcap")
	t.Chdir(t.TempDir())
	if err := os.WriteFile("t.pcap", b, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile("t.pcap", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := openFile("t.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if fr.pcap.mm != nil {
		t.Error("a file open for writing is mapped")
	}
	fr.close()
	w.Close()
	if fr, err = openFile("t.pcap"); err != nil || fr.pcap.mm == nil {
		t.Fatalf("the file closed by its writer is not mapped (%v)", err)
	}
	fr.close()
}

// Another process that cuts a mapped file while it is read (a tcpdump rotating into it) waits
// until the reader has gone over to read(2) and no batch points into the mapping; the reader then
// reads what is left of the file as read(2) does: the same packets and FileError as reading the
// cut file from the start.
func TestMappedFileCutWhileRead(t *testing.T) {
	b := mustRead(t, "tls-veth.pcap")
	t.Chdir(t.TempDir())
	withMapWindow(t, pageSize)
	withChunkBytes(t, 64) // read(2) reads no further than the record it needs
	starts := pcapRecordStarts(b)
	cut := starts[len(starts)/2] + 30 // inside a record, in the second half of the file
	if err := os.WriteFile("t.pcap", b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open("t.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := r.one.files[0].fr.pcap.mm
	if m == nil {
		t.Fatal("t.pcap is not mapped")
	}
	var held Batch // a batch that still points into the mapping when the lease breaks
	if err := r.ReadBatch(&held, 3); err != nil {
		t.Fatal(err)
	}
	got := copyPackets(held.Packets)
	// truncate(2) from another process, as the test binary's TestTruncateHelper
	cmd := exec.Command(os.Args[0], "-test.run=^TestTruncateHelper$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("PCAPFILE_TRUNCATE=t.pcap:%d", cut))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); !m.guard.leaseBroken(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no SIGIO: the lease was not broken")
		}
	}
	// the reader reads on to the end of its window, then goes over to read(2); truncate waits
	var p capture.Packet
	var b2 Batch
	for r.one.fr.pcap.mm != nil {
		if err := r.ReadBatch(&b2, 1); err != nil {
			t.Fatal(err)
		}
		got = append(got, copyPackets(b2.Packets)...)
	}
	select {
	case err := <-done:
		t.Fatalf("truncate ended (%v) while a batch still pointed into the mapping", err)
	case <-time.After(100 * time.Millisecond):
	}
	readBefore := len(got)
	held.Release()
	b2.Release()
	if err := <-done; err != nil {
		t.Fatalf("truncate: %v", err)
	}
	for err = r.Next(&p); err == nil; err = r.Next(&p) {
		got = append(got, copyPackets([]capture.Packet{p})...)
	}
	useMap = false
	defer func() { useMap = true }()
	want, wantEnd, _ := readMapped(t, "t.pcap")
	wantEnd, _, _ = strings.Cut(wantEnd, "\n")
	if endOf(err) != wantEnd || !strings.Contains(wantEnd, fmt.Sprintf("truncated at byte %d", starts[len(starts)/2])) {
		t.Errorf("the cut file read on ends with %s, want %s", endOf(err), wantEnd)
	}
	if len(got) != len(want) || readBefore >= len(want) {
		t.Fatalf("%d packets (%d before the cut), want %d", len(got), readBefore, len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("packet %d is\n%+v\nwant\n%+v", i+1, got[i], want[i])
		}
	}
}

func copyPackets(ps []capture.Packet) []capture.Packet {
	out := make([]capture.Packet, len(ps))
	for i, p := range ps {
		p.TCP.Payload = append([]byte(nil), p.TCP.Payload...)
		p.UDP.Payload = append([]byte(nil), p.UDP.Payload...)
		out[i] = p
	}
	return out
}

// TestTruncateHelper cuts a file as PCAPFILE_TRUNCATE (path:size) says, for
// TestMappedFileCutWhileRead, which runs it in another process; without it, it does nothing.
func TestTruncateHelper(t *testing.T) {
	path, size, ok := strings.Cut(os.Getenv("PCAPFILE_TRUNCATE"), ":")
	if !ok {
		return
	}
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, n); err != nil {
		t.Fatal(err)
	}
}

// FuzzMappedRecords reads arbitrary bytes after a valid pcap file header through a mapping with
// windows of one to four pages: the frames and the end must be those pcapgo gives.
func FuzzMappedRecords(f *testing.F) {
	for _, name := range []string{"icmp-synth.pcap", "corrupt-length.pcap", "cut-mid-record.pcap", "tls-veth-nano.pcap"} {
		b := mustRead(f, name)
		f.Add(b, uint8(1))
		f.Add(bigEndianPcap(b[:min(len(b), 600)]), uint8(2))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, pages uint8) {
		if _, ok, gzipped := recordsOutcome(t, data); !ok || gzipped {
			return // not pcap, or gzip-compressed: not mapped
		}
		t.Chdir(dir)
		withMapWindow(t, (int(pages)%4+1)*pageSize)
		diffOutcomes(t, "fuzzed", mappedOutcome(t, data), pcapgoOutcome(t, data, false))
	})
}

// A frame read through the mapping may be rewritten in place, as one read with read(2) may
// (exportredact does): the process's copy changes, the file does not.
func TestMappedFrameWritable(t *testing.T) {
	b := mustRead(t, "tls-veth-nano.pcap")
	t.Chdir(t.TempDir())
	if err := os.WriteFile("t.pcap", b, 0o644); err != nil {
		t.Fatal(err)
	}
	fr, err := openFile("t.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer fr.close()
	if fr.pcap.mm == nil {
		t.Fatal("t.pcap is not mapped")
	}
	data, err := fr.read()
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 0xee
	}
	if data[0] != 0xee {
		t.Fatal("the frame did not change")
	}
	if after, err := os.ReadFile("t.pcap"); err != nil || !bytes.Equal(after, b) {
		t.Fatalf("the file changed (%v)", err)
	}
}

// TestMappedOnlyAlone: a file is read in place when its capture point is the only one; a point
// that waits its turn in a merge of several reads with read(2), so that its lease never makes a
// writer of the file wait while the point waits.
func TestMappedOnlyAlone(t *testing.T) {
	b := mustRead(t, "tls-veth-nano.pcap")
	t.Chdir(t.TempDir())
	for _, name := range []string{"a.pcap", "b.pcap"} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mapped := func(r *Reader) []bool {
		var p capture.Packet
		if err := r.Next(&p); err != nil {
			t.Fatal(err)
		}
		var out []bool
		for _, pt := range r.points {
			out = append(out, pt.fr != nil && pt.fr.pcap != nil && pt.fr.pcap.mm != nil)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		inputs []Input
		want   []bool
	}{
		{"one point", []Input{{Path: "a.pcap"}}, []bool{true}},
		{"two points", []Input{{Path: "a.pcap", Point: "agent"}, {Path: "b.pcap", Point: "server"}}, []bool{false, false}},
	} {
		r, err := OpenInputs(tc.inputs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := mapped(r); !slices.Equal(got, tc.want) {
			t.Errorf("%s: mapped %v; want %v", tc.name, got, tc.want)
		}
		r.Close()
	}
}

// A window that is let go leaves in memory the pages the next window shares with it (the page of
// the record it cut): a frame of the next window written in place there (exportredact) keeps its
// bytes, which dropping the page of the private mapping would turn back into the file's.
func TestMappedSharedPageKept(t *testing.T) {
	b := firstRecords(mustRead(t, "tls-veth.pcap"), 8*pageSize)
	t.Chdir(t.TempDir())
	withMapWindow(t, pageSize)
	fr := openMapped(t, b)
	defer fr.close()
	var held *chunk // the window before, held as a batch would hold it
	shared := 0
	for {
		data, err := fr.read()
		if err != nil {
			break
		}
		c := fr.chunk()
		if c == held {
			continue
		}
		if held != nil {
			// the frame's file offset; the window before ends at held.off+len(held.buf)
			at := c.off + int64(uintptr(unsafe.Pointer(unsafe.SliceData(data)))-uintptr(unsafe.Pointer(unsafe.SliceData(c.buf))))
			inShared := len(data) > 0 && at < held.off+int64(len(held.buf))
			for i := range data {
				data[i] = 0xee
			}
			held.release() // its last reference: the window is let go
			if inShared {
				shared++
				if n := bytes.Count(data, []byte{0xee}); n != len(data) {
					t.Errorf("frame at byte %d, in a page the window before shared: %d of its %d bytes went back to the file's", at, len(data)-n, len(data))
				}
			}
		}
		c.retain()
		held = c
	}
	if held != nil {
		held.release()
	}
	if shared == 0 {
		t.Fatal("no frame began in a page two windows share: the test checks nothing")
	}
}
