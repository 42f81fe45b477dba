package track

import (
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// TestCaptureEndNarrowed: accuracy/narrowed-end.pcap tracked with only port 4343 (its one SYN,
// frame 1, at 0 s) still ends that connection when the capture ends, at its last frame (18, the
// HTTP connection's last ACK, 2.306 s later), not at the last analysed packet (the SYN itself).
// Frames copied to a second vantage, there only up to frame 6, end that vantage's copy at frame
// 6's time: each vantage ends when its own capture does. Stop (a live capture's end) moves every
// vantage's end to the time it was stopped.
func TestCaptureEndNarrowed(t *testing.T) {
	var syn time.Time
	cases := []struct {
		name    string
		second  bool          // copy frames 1-6 to vantage 1
		stopAt  time.Duration // Stop this long after the last frame (0: no Stop)
		want    time.Duration // each record's End after the SYN, by vantage
		want1   time.Duration
		records int
	}{
		{name: "file", want: 2306 * time.Millisecond, records: 1},
		{name: "two vantages", second: true, want: 2306 * time.Millisecond, want1: 187 * time.Millisecond, records: 2},
		{name: "live, stopped 3 s after the last frame", stopAt: 3 * time.Second, want: 5306 * time.Millisecond, records: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[uint16]*facts.Conn{}
			a := New(Config{Ports: []uint16{4343}, StreamLimit: 1 << 16, IdleTimeout: time.Minute, ClosedLinger: 3 * time.Second,
				MaxActiveFlows: 100}, func(c *facts.Conn) bool { got[c.Vantage] = c; return false })
			last := feedCapture(t, a, "accuracy/narrowed-end.pcap", 0, 0, 0, func(p *capture.Packet) {
				if p.Index == 1 {
					syn = p.Time
				}
			})
			if tc.second {
				feedCapture(t, a, "accuracy/narrowed-end.pcap", 0, 0, 0, func(p *capture.Packet) {
					p.Vantage = 1
					if p.Index > 6 {
						p.Vantage = 2 // another vantage, not this one: its packets end only vantage 2
					}
				})
			}
			if tc.stopAt > 0 {
				a.Stop(last.Add(tc.stopAt))
			}
			a.Flush()
			if len(got) != tc.records {
				t.Fatalf("%d records, want %d", len(got), tc.records)
			}
			if c := got[0]; c.End.Time().Sub(syn).Round(time.Millisecond) != tc.want {
				t.Errorf("vantage 0: End %v after the SYN, want %v", c.End.Time().Sub(syn), tc.want)
			}
			if c := got[1]; tc.second && c.End.Time().Sub(syn).Round(time.Millisecond) != tc.want1 {
				t.Errorf("vantage 1: End %v after the SYN, want %v", c.End.Time().Sub(syn), tc.want1)
			}
		})
	}
}
