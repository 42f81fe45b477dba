package analyze

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// TestLatePacketAfterLingerByItsOwnClose replays a refused connection (closed-port.pcap: no
// handshake round trip, so it waits all of the grace period before it is a tomb), a TLS
// connection that closes 100 ms later with a round trip of microseconds (a tomb after a tenth of
// it), a third connection 5.03 s after the refusal (whose packets sweep), and then, 5.06 s after
// the refusal, a copy of its reset. The refusal was closed for more than DefaultClosedLinger by
// the sweep, so it has ended and the copy is a connection of its own: five connections, the last
// one incomplete. Whether it has ended must not depend on the round trip of the connection that
// closed after it (a single queue of tombs held the refusal behind that one: four connections).
func TestLatePacketAfterLingerByItsOwnClose(t *testing.T) {
	a := New(Options{})
	feed := func(name string, shift time.Duration, only int) (first, last time.Time) {
		t.Helper()
		r, err := pcapfile.Open(filepath.Join("..", "testdata", "captures", name))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var p capture.Packet
		for r.Next(&p) == nil {
			if only > 0 && p.Index != only {
				continue
			}
			if first.IsZero() {
				first = p.Time
			}
			last = p.Time
			p.Time = p.Time.Add(shift)
			a.Packet(&p)
		}
		return first, last
	}
	scan := func(name string) (first, last time.Time) {
		r, err := pcapfile.Open(filepath.Join("..", "testdata", "captures", name))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var p capture.Packet
		for r.Next(&p) == nil {
			if first.IsZero() {
				first = p.Time
			}
			last = p.Time
		}
		return first, last
	}
	_, refusedAt := feed("closed-port.pcap", 0, 0) // its last frame, 6, is the second refusal's reset
	_, okLast := scan("tls12-ok.pcap")
	feed("tls12-ok.pcap", refusedAt.Add(100*time.Millisecond).Sub(okLast), 0)
	tls13First, _ := scan("tls13-ok.pcap")
	feed("tls13-ok.pcap", refusedAt.Add(5030*time.Millisecond).Sub(tls13First), 0)
	feed("closed-port.pcap", 5060*time.Millisecond, 6)
	res := a.Finish(result.Input{})
	if n := res.Flows.Len(); n != 5 {
		t.Fatalf("%d connections, want 5 (the reset copied %v after the refusal, past ClosedLinger %v, one of its own)",
			n, 5060*time.Millisecond, DefaultClosedLinger)
	}
	if f := res.Flows.At(4); f.Verdict != result.VerdictIncomplete {
		t.Errorf("connection 5: %s, want incomplete (a reset alone)", f.Verdict)
	}
}
