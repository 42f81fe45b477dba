package track

import (
	"reflect"
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
)

// TestGraceStep checks which step of the grace period a closed flow waits for the round trip
// its handshake showed: graceRTTs of them, rounded up to a tenth, a third or all of tombGrace.
func TestGraceStep(t *testing.T) {
	for _, tc := range []struct {
		rtt  time.Duration
		want int
	}{
		{0, 2}, // no handshake seen: the whole grace period
		{18 * time.Microsecond, 0},
		{6 * time.Millisecond, 0}, // 48 ms
		{6250 * time.Microsecond, 0},
		{7 * time.Millisecond, 1}, // 56 ms
		{20 * time.Millisecond, 1},
		{21 * time.Millisecond, 2}, // 168 ms
		{300 * time.Millisecond, 2},
		{40 * 365 * 24 * time.Hour, 2}, // a SYN-ACK's time off by decades: graceRTTs of them overflow
	} {
		if got := graceStep(tc.rtt, tombGrace); got != tc.want {
			t.Errorf("rtt %v: step %d (%v), want %d (%v)", tc.rtt, got, tombGrace/graceSteps[got], tc.want, tombGrace/graceSteps[tc.want])
		}
	}
}

// TestGraceByRoundTrip closes real connections and checks when they become tombs: one whose
// handshake showed a round trip of microseconds (a local capture) is a tomb a tenth of
// tombGrace after its last packet; one refused by a reset, with no round trip seen, is still a
// whole flow then, and a tomb after tombGrace. Their records are those the connections make
// when they stay whole flows until the end.
func TestGraceByRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		capture string
		early   bool // a tomb after a tenth of tombGrace
	}{
		{"tls12-ok.pcap", true},
		{"tls13-ok.pcap", true},
		{"closed-port.pcap", false},
	} {
		t.Run(tc.capture, func(t *testing.T) {
			cfg := Config{Ports: []uint16{4343, 443, 8443, 4433, 80, 8080}, StreamLimit: 1 << 16,
				IdleTimeout: 5 * time.Minute, ClosedLinger: 10 * time.Second, MaxActiveFlows: 1000}
			run := func(grace time.Duration, ticks func(a *Tracker, last time.Time)) []*facts.Conn {
				var recs []*facts.Conn
				a := New(cfg, func(c *facts.Conn) bool { recs = append(recs, c); return true })
				a.grace = grace
				last := feedCapture(t, a, tc.capture, 0, 0, 0, nil)
				ticks(a, last)
				a.Flush()
				return recs
			}
			got := run(tombGrace, func(a *Tracker, last time.Time) {
				open, buried := a.flows.Len(), a.tombs.Len()
				if open != 1 {
					t.Fatalf("after the capture: %d flows, %d tombs; want 1 flow (its last connection)", open, buried)
				}
				a.Tick(last.Add(tombGrace/graceSteps[0] + time.Millisecond))
				if early := a.flows.Len() == 0; early != tc.early || a.tombs.Len()+a.flows.Len() != open+buried {
					t.Fatalf("%v after the last packet: %d flows, %d tombs; want the flow a tomb: %v",
						tombGrace/graceSteps[0]+time.Millisecond, a.flows.Len(), a.tombs.Len(), tc.early)
				}
				a.Tick(last.Add(tombGrace + time.Millisecond))
				if a.flows.Len() != 0 || a.tombs.Len() != open+buried {
					t.Fatalf("%v after the last packet: %d flows, %d tombs; want %d tombs", tombGrace+time.Millisecond,
						a.flows.Len(), a.tombs.Len(), open+buried)
				}
			})
			want := run(time.Hour, func(*Tracker, time.Time) {})
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("%d records as tombs, %d as flows", len(got), len(want))
			}
			for i := range got {
				g, w := lateView(got[i]), lateView(want[i])
				g.End, w.End = facts.Ref{}, facts.Ref{} // the end is when it was finished: at the ticks, or at the capture's end
				if !reflect.DeepEqual(g, w) {
					t.Errorf("record %d as a tomb:\n%+v\nas a flow:\n%+v", i, g, w)
				}
			}
		})
	}
}
