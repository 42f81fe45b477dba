package live

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/gopacket/gopacket/layers"
)

// fullFile is an *os.File that takes at most room bytes, as a full disk does: a write that does
// not fit writes what fits and fails with ENOSPC. Truncate reaches the file when truncatable.
type fullFile struct {
	f           *os.File
	room        int64
	truncatable bool
}

func (w *fullFile) Write(p []byte) (int, error) {
	if int64(len(p)) <= w.room {
		w.room -= int64(len(p))
		return w.f.Write(p)
	}
	n, _ := w.f.Write(p[:w.room])
	w.room = 0
	return n, &os.PathError{Op: "write", Path: w.f.Name(), Err: syscall.ENOSPC}
}

// truncFile is a fullFile that can be cut back, as an *os.File can.
type truncFile struct{ *fullFile }

func (w truncFile) Truncate(n int64) error { return w.f.Truncate(n) }

// TestLiveWriteFailureKeepsFile replays a real capture into a live capture whose file runs out of
// room part-way (in the middle of a block): the capture goes on (Next returns every frame),
// OnWriteError is called once with the number of packets the file holds, and the file, cut
// back to its last whole block, reads as a valid pcapng with exactly those packets, byte for
// byte. When the file cannot be cut back, the error says its last block is incomplete.
func TestLiveWriteFailureKeepsFile(t *testing.T) {
	src := newReplay(t, filepath.Join("../testdata", "tls-veth.pcap"))
	for _, truncatable := range []bool{true, false} {
		src.next, src.closed = 0, false
		out := filepath.Join(t.TempDir(), "live.pcapng")
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		ff := &fullFile{f: f, room: 70000}
		var w io.Writer = ff
		if truncatable {
			w = truncFile{ff}
		}
		var reported []*WriteError
		l := &Capture{opts: Options{Interface: "replay0", Write: w, OnWriteError: func(e *WriteError) { reported = append(reported, e) }},
			src: src, dec: capture.NewDecoder(), link: capture.LinkOf(layers.LinkTypeEthernet)}
		if err := l.startWriter(); err != nil {
			t.Fatal(err)
		}
		var p capture.Packet
		for i := range len(src.frames) {
			if err := l.Next(&p); err != nil {
				t.Fatalf("frame %d: Next = %v; a write error must not stop the capture", i+1, err)
			}
			if i%50 == 0 {
				l.Flush()
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if len(reported) != 1 || l.WriteErr() != reported[0] {
			t.Fatalf("truncatable %v: OnWriteError called %d times (%v), WriteErr %v", truncatable, len(reported), reported, l.WriteErr())
		}
		we := reported[0]
		if !errors.Is(we, syscall.ENOSPC) || we.Whole != truncatable || we.Packets < 10 || we.Packets >= len(src.frames) {
			t.Fatalf("truncatable %v: %+v, want ENOSPC after 10 to %d packets", truncatable, we, len(src.frames)-1)
		}
		if l.Stats().Frames != len(src.frames) {
			t.Errorf("the capture read %d frames, want all %d", l.Stats().Frames, len(src.frames))
		}
		r, err := pcapfile.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for err = r.Next(&p); err == nil; err = r.Next(&p) {
			n++
		}
		r.Close()
		if truncatable {
			if err != io.EOF || n != we.Packets {
				t.Errorf("the cut file: %d frames then %v; want %d frames and a clean end", n, err, we.Packets)
			}
			want := "writing the capture file failed after " + strconv.Itoa(we.Packets) + " packets (write " + out + ": no space left on device): it holds the " + strconv.Itoa(we.Packets) + " packets before, as a valid pcapng file"
			if we.Error() != want {
				t.Errorf("error %q\nwant  %q", we.Error(), want)
			}
		} else {
			var fe *pcapfile.FileError
			if !errors.As(err, &fe) || !fe.Truncated || n != we.Packets {
				t.Errorf("the uncut file: %d frames then %v; want %d frames and a truncation", n, err, we.Packets)
			}
			want := "writing the capture file failed after " + strconv.Itoa(we.Packets) + " packets (write " + out + ": no space left on device): it holds the " + strconv.Itoa(we.Packets) + " packets before, but could not be cut back to them: its last block is incomplete (Wireshark reads up to it)"
			if we.Error() != want {
				t.Errorf("error %q\nwant  %q", we.Error(), want)
			}
		}
	}
}
