package track

import (
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
)

// TestTombEndsAfterLingerWhateverItsGrace closes a connection with no round trip seen (it waits
// all of tombGrace) and, 100 ms later, one with a round trip of microseconds (a tenth of it):
// the first is buried after the second but was idle longer. Each must still end at the first
// sweep after it was idle for ClosedLinger, as its record's End and its diagnosis read that
// time; the order of the tombs' queue must not hold the first back behind the second.
func TestTombEndsAfterLingerWhateverItsGrace(t *testing.T) {
	cfg := Config{Ports: []uint16{4343, 443, 8443, 4433, 80, 8080}, StreamLimit: 1 << 16,
		IdleTimeout: 5 * time.Minute, ClosedLinger: 10 * time.Second, MaxActiveFlows: 1000}
	// The last frame's time of tls12-ok.pcap, unshifted.
	lastOK := feedCapture(t, New(cfg, func(*facts.Conn) bool { return true }), "tls12-ok.pcap", 0, 0, 0, nil)

	var ended []*facts.Conn
	a := New(cfg, func(c *facts.Conn) bool { ended = append(ended, c); return true })
	lastRefused := feedCapture(t, a, "closed-port.pcap", 0, 0, 0, nil)
	refused := a.flows.Len() + a.tombs.Len()
	if refused == 0 || len(ended) != 0 {
		t.Fatalf("closed-port.pcap: %d connections open, %d ended; want them all open", refused, len(ended))
	}
	feedCapture(t, a, "tls12-ok.pcap", 0, lastRefused.Add(100*time.Millisecond).Sub(lastOK), 1000, nil)
	a.Tick(lastRefused.Add(tombGrace + 200*time.Millisecond)) // both buried by now
	if a.flows.Len() != 0 {
		t.Fatalf("%v after the refusal: %d flows still whole", tombGrace+200*time.Millisecond, a.flows.Len())
	}
	ended = ended[:0] // the connections of tls12-ok.pcap before its last, ended when it reused their ports
	// After ClosedLinger of idleness for the refused connection(s), not yet for the last TLS one.
	at := lastRefused.Add(cfg.ClosedLinger + 50*time.Millisecond)
	a.Tick(at)
	if len(ended) != refused {
		t.Fatalf("a sweep %v after the refusal's last packet (ClosedLinger %v) ended %d connections, want %d (those refused); %d tombs left",
			at.Sub(lastRefused), cfg.ClosedLinger, len(ended), refused, a.tombs.Len())
	}
	for _, c := range ended {
		if c.End.Time() != at {
			t.Errorf("connection %d ended at %v, want %v", c.ID, c.End.Time(), at)
		}
	}
}
