package live

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// replaySource plays the frames of a real capture as a live source would: each read returns the
// next frame, then ErrTimeout once the frames run out.
type replaySource struct {
	frames [][]byte
	cis    []gopacket.CaptureInfo
	next   int
	closed bool
}

func (s *replaySource) read() ([]byte, gopacket.CaptureInfo, error) {
	if s.closed {
		return nil, gopacket.CaptureInfo{}, errors.New("read after close")
	}
	if s.next >= len(s.frames) {
		return nil, gopacket.CaptureInfo{}, ErrTimeout
	}
	s.next++
	ci := s.cis[s.next-1]
	ci.InterfaceIndex = 7 // as AF_PACKET gives it: the interface's index, not the file's
	return s.frames[s.next-1], ci, nil
}

func (s *replaySource) stats() (KernelStats, error) {
	return KernelStats{Received: uint64(s.next), Dropped: 3}, nil
}
func (s *replaySource) linkType() layers.LinkType { return layers.LinkTypeEthernet }
func (s *replaySource) method() string            { return "replay" }
func (s *replaySource) close() error              { s.closed = true; return nil }

func newReplay(t *testing.T, path string) *replaySource {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	s := &replaySource{}
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return s
		}
		if err != nil {
			t.Fatal(err)
		}
		s.frames = append(s.frames, data)
		s.cis = append(s.cis, ci)
	}
}

// TestLiveWriteCompleteAfterStop stops a capture part-way (as Ctrl-C or --count does) and requires
// the --write file to be a complete pcapng: every frame returned so far, byte for byte with its
// timestamp, no truncation, and the kernel's counts in an interface statistics block. Before the
// first frame the file is already a valid, empty capture.
func TestLiveWriteCompleteAfterStop(t *testing.T) {
	src := newReplay(t, filepath.Join("../testdata", "tls-veth.pcap"))
	const stopAfter = 100
	out := filepath.Join(t.TempDir(), "live.pcapng")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := &Capture{opts: Options{Interface: "replay0", Filter: Filter{Ports: []uint16{4343}}, Write: f}, src: src, dec: capture.NewDecoder(), link: capture.LinkOf(layers.LinkTypeEthernet)}
	if err := l.startWriter(); err != nil {
		t.Fatal(err)
	}
	if r, err := pcapfile.Open(out); err != nil {
		t.Fatalf("the file before the first frame: %v", err)
	} else {
		var p capture.Packet
		if err := r.Next(&p); err != io.EOF {
			t.Fatalf("the file before the first frame: Next = %v, want io.EOF", err)
		}
		r.Close()
	}
	var p capture.Packet
	tcp := 0
	for range stopAfter {
		if err := l.Next(&p); err != nil {
			t.Fatal(err)
		}
		if p.Kind == capture.KindTCP {
			tcp++
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Next(&p); err == nil {
		t.Fatal("Next after Close returned no error")
	}
	if !src.closed {
		t.Fatal("Close did not close the source")
	}
	if st := l.Stats(); st.Frames != stopAfter || st.TCP != tcp {
		t.Fatalf("stats %+v, want %d frames, %d TCP", st, stopAfter, tcp)
	}

	// Read it back with gopacket's reader (frames and times) and ours (no error, same decode).
	rf, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	ng, err := pcapgo.NewNgReader(rf, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		data, ci, err := ng.ReadPacketData()
		if err == io.EOF {
			if i != stopAfter {
				t.Fatalf("the file holds %d frames, want %d", i, stopAfter)
			}
			break
		}
		if err != nil {
			t.Fatalf("frame %d: %v", i+1, err)
		}
		if !bytes.Equal(data, src.frames[i]) || !ci.Timestamp.Equal(src.cis[i].Timestamp) || ci.Length != src.cis[i].Length {
			t.Fatalf("frame %d differs from the frame captured", i+1)
		}
	}
	if ng.NInterfaces() != 1 {
		t.Fatalf("%d interfaces in the file, want 1", ng.NInterfaces())
	}
	intf, _ := ng.Interface(0)
	if intf.Name != "replay0" || intf.LinkType != layers.LinkTypeEthernet || intf.Filter != (Filter{Ports: []uint16{4343}}).Expression() {
		t.Errorf("interface block %+v", intf)
	}
	if intf.Statistics.PacketsReceived != stopAfter || intf.Statistics.PacketsDropped != 3 {
		t.Errorf("interface statistics %+v, want %d received, 3 dropped", intf.Statistics, stopAfter)
	}
	r, err := pcapfile.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, rtcp := 0, 0
	for {
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("connscope's reader: %v", err)
		}
		n++
		if p.Kind == capture.KindTCP {
			rtcp++
		}
	}
	if n != stopAfter || rtcp != tcp {
		t.Fatalf("connscope's reader: %d frames, %d TCP; want %d, %d", n, rtcp, stopAfter, tcp)
	}
}

// TestLiveTimeout checks that Next reports ErrTimeout when nothing arrives, and goes on after it.
func TestLiveTimeout(t *testing.T) {
	src := &replaySource{frames: [][]byte{{1, 2, 3}}, cis: []gopacket.CaptureInfo{{Timestamp: time.Unix(1, 0), CaptureLength: 3, Length: 3}}}
	l := &Capture{opts: Options{Interface: "replay0"}, src: src, dec: capture.NewDecoder(), link: capture.LinkOf(layers.LinkTypeEthernet)}
	var p capture.Packet
	if err := l.Next(&p); err != nil || p.Index != 1 || p.Kind != capture.KindOther {
		t.Fatalf("first Next: %v, %+v", err, p)
	}
	for range 2 {
		if err := l.Next(&p); err != ErrTimeout {
			t.Fatalf("Next with nothing to read = %v, want ErrTimeout", err)
		}
	}
	if st := l.Stats(); st.Frames != 1 || st.Undecodable != 1 {
		t.Fatalf("stats %+v", st)
	}
}
