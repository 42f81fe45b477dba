package track

import (
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// TestOneFarFrameStopsNoExpiry: a capture file is untrusted, and one damaged timestamp can put
// a frame in the year 11103 (analyze's TestRecordCodecFarTimes) between frames of today. After
// it, the connections that come and go at today's times must still be buried, and end once
// closed for ClosedLinger, as they do without it: the far frame may change its own connection,
// not hold back the expiry of every other. Each case puts the far time on one packet of a
// capture of refused connections (a SYN and a reset, one every 500 ms for a minute), and
// checks that the connections closed well before the last packet ended by then, as they do when
// that packet stays at today's time, each by the same sweep but for the sweeps' phase, which
// the far time may shift (less than their second apart).
func TestOneFarFrameStopsNoExpiry(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	far := time.Date(11103, 5, 1, 2, 3, 4, 0, time.UTC)
	for _, tc := range []struct {
		name string
		// farFrame is the frame whose time is far; skip, the connections (client ports) whose
		// records it may change.
		farFrame int
		skip     []uint16
	}{
		{"a packet of an open connection", 5, []uint16{40000, 40001}},     // the sweep at the far time ends the tomb (40000)
		{"a late packet of a tomb", 4, []uint16{40000}},                   // the tomb's last packet is far
		{"the reset that closes a connection", 6, []uint16{40000, 40001}}, // it closes at the far time
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(farFrame int) (ended map[uint16]time.Time, open int) {
				cfg := Config{Ports: []uint16{443}, StreamLimit: 1 << 16,
					IdleTimeout: 5 * time.Minute, ClosedLinger: 10 * time.Second, MaxActiveFlows: 1000}
				ended = map[uint16]time.Time{}
				a := New(cfg, func(c *facts.Conn) bool { ended[c.Client.Port()] = c.End.Time(); return true })
				frame := 0
				send := func(at time.Time, port uint16, fromClient bool, flags uint8) {
					frame++
					if frame == farFrame {
						at = far
					}
					a.Packet(refusedPacket(frame, at, port, fromClient, flags))
				}
				// Port 40000, refused, a tomb from frame 3 (a SYN of port 39999, never answered),
				// then a late ACK (frame 4).
				send(base, 40000, true, capture.FlagSYN)
				send(base.Add(time.Millisecond), 40000, false, capture.FlagRST|capture.FlagACK)
				send(base.Add(time.Second), 39999, true, capture.FlagSYN)
				send(base.Add(2*time.Second), 40000, true, capture.FlagACK)
				// Port 40001, refused (frames 5 and 6), then one every 500 ms for a minute.
				at := base.Add(2500 * time.Millisecond)
				for port := uint16(40001); port <= 40121; port++ {
					send(at, port, true, capture.FlagSYN)
					send(at.Add(time.Millisecond), port, false, capture.FlagRST|capture.FlagACK)
					at = at.Add(500 * time.Millisecond)
				}
				return ended, a.Open()
			}
			want, wantOpen := run(0)
			got, gotOpen := run(tc.farFrame)
			// The ports whose connections closed ClosedLinger and more than two sweeps before
			// the last packet: every one ended, in both.
			for port := uint16(40000); port <= 40090; port++ {
				if slices.Contains(tc.skip, port) {
					continue
				}
				w, wok := want[port]
				g, gok := got[port]
				if !wok {
					t.Fatalf("port %d: no end without a far frame", port)
				}
				if !gok || g.Sub(w).Abs() >= time.Second {
					t.Errorf("port %d: with frame %d in the year %d, ended %v at %v; without, at %v (%d open, %d without)",
						port, tc.farFrame, far.Year(), gok, g, w, gotOpen, wantOpen)
				}
			}
		})
	}
}
