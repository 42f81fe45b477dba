package track

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/tls/fingerprint"
)

// clientStream reads the client bytes of a tls/testdata capture ("C hex" lines, one per segment).
func clientStream(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open("../tls/testdata/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if h, ok := strings.CutPrefix(sc.Text(), "C "); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
	}
	return out
}

type rseg struct {
	off  int
	data []byte
}

// deliverFunc lets a function take a streamStart's in-order bytes.
type deliverFunc func(b []byte, frame int, t time.Time)

func (d deliverFunc) deliver(b []byte, frame int, t time.Time) { d(b, frame, t) }

func (d deliverFunc) cut(int64, []byte, int, int, time.Time) {}

// reassemble delivers segs through a streamStart whose stream starts at sequence number base and
// returns the bytes delivered in order.
func reassemble(segs []rseg, base uint32, limit int64) ([]byte, *streamStart) {
	s := &streamStart{limit: limit}
	s.setBase(base)
	var out []byte
	for i, sg := range segs {
		s.segment(base+uint32(sg.off), sg.data, len(sg.data), i+1, time.Unix(int64(i), 0),
			deliverFunc(func(b []byte, _ int, _ time.Time) { out = append(out, b...) }))
	}
	return out, s
}

// firstClientHello parses stream with a tls.Stream and returns its first ClientHello.
func firstClientHello(stream []byte) *tls.ClientHello {
	st := tls.NewStream(0)
	for _, ev := range st.Feed(stream) {
		if ev.ClientHello != nil {
			return ev.ClientHello
		}
	}
	return nil
}

// TestReassemblyClientHello cuts the start of a real client stream (Go's ~1.5 kB post-quantum
// ClientHello, then its Finished and data) into segments at random byte positions, sends them in
// random order with retransmissions that repeat, overlap the edge of, or extend what was sent,
// and checks that exactly the original bytes come out in order and that the ClientHello parses
// to the same fingerprint as the unsplit stream. The sequence numbers wrap around mid-stream.
func TestReassemblyClientHello(t *testing.T) {
	stream := clientStream(t, "lo_tls13_go")
	if len(stream) > 4000 {
		stream = stream[:4000]
	}
	want := firstClientHello(stream)
	if want == nil || len(want.KeyShareGroups) < 2 {
		t.Fatalf("no post-quantum ClientHello at the start of lo_tls13_go: %+v", want)
	}
	rng := rand.New(rand.NewPCG(3, 33))
	for trial := range 200 {
		var segs []rseg
		for off := 0; off < len(stream); {
			n := 1 + rng.IntN(700)
			if trial%4 == 0 {
				n = 1 + rng.IntN(8) // records split at any byte
			}
			end := min(off+n, len(stream))
			segs = append(segs, rseg{off, stream[off:end]})
			off = end
		}
		// Retransmissions: the same segment, one overlapping two segments, one starting earlier.
		for range 1 + rng.IntN(6) {
			a := rng.IntN(len(stream))
			b := min(len(stream), a+1+rng.IntN(900))
			segs = append(segs, rseg{a, stream[a:b]})
		}
		rng.Shuffle(len(segs), func(i, j int) { segs[i], segs[j] = segs[j], segs[i] })
		if len(segs) > maxPendingSegments {
			// At most maxPendingSegments are held out of order: send the first ones in order
			// so that a shuffle never needs more than that.
			segs = nearlyOrdered(segs, rng)
		}
		base := uint32(0xffffffff - rng.IntN(3000))
		got, s := reassemble(segs, base, 65536)
		if !bytes.Equal(got, stream) {
			t.Fatalf("trial %d: %d bytes delivered, want the %d of the stream (first difference at %d)", trial, len(got), len(stream), firstDiff(got, stream))
		}
		if s.missing() {
			t.Fatalf("trial %d: segments still held", trial)
		}
		ch := firstClientHello(got)
		if ch == nil || fingerprint.JA4(ch) != fingerprint.JA4(want) || fingerprint.JA3(ch) != fingerprint.JA3(want) {
			t.Fatalf("trial %d: ClientHello %v", trial, ch)
		}
	}
}

// nearlyOrdered sorts segs by offset and then swaps neighbours, so that few are out of order.
func nearlyOrdered(segs []rseg, rng *rand.Rand) []rseg {
	out := append([]rseg(nil), segs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].off < out[j-1].off; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	for i := 0; i+1 < len(out); i += 2 {
		if rng.IntN(2) == 0 {
			out[i], out[i+1] = out[i+1], out[i]
		}
	}
	return out
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestReassemblyBounds: segments past the limit are not held, at most maxPendingSegments are
// held behind a hole, and delivery stops at the limit.
func TestReassemblyBounds(t *testing.T) {
	data := bytes.Repeat([]byte{0x16}, 100)
	var segs []rseg
	for i := 1; i <= 2*maxPendingSegments; i++ {
		segs = append(segs, rseg{i * 100, data}) // all behind the hole at 0..100
	}
	segs = append(segs, rseg{1 << 20, data}) // far past the limit
	_, s := reassemble(segs, 1000, 8192)
	if len(s.pending) != maxPendingSegments {
		t.Errorf("%d segments held, want at most %d", len(s.pending), maxPendingSegments)
	}
	got, s := reassemble(append([]rseg{{0, data}}, segs...), 1000, 1000)
	if len(got) != 1000 || !s.stopped {
		t.Errorf("delivered %d bytes with a 1000-byte limit (stopped %v)", len(got), s.stopped)
	}
}
