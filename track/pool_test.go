package track

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// TestPoolsChangeNoRecord replays every testdata capture five times over with a short grace and
// linger: twice right after itself, with a pause after its third frame (so that a connection
// comes back on the same endpoints while its closed flow still waits in the queue, the flow is
// reused at once for the new one, which then idles past the grace period),
// then 1.5 s later, twice (so that closed connections become tombs, end, and their tombs'
// slots and record arena chunks are reused). It checks that every record equals the one a tracker that reuses nothing makes.
func TestPoolsChangeNoRecord(t *testing.T) {
	var names []string
	for _, dir := range []string{".", "accuracy"} {
		ents, err := os.ReadDir(filepath.Join("..", "testdata", "captures", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".pcap") || strings.HasSuffix(e.Name(), ".pcapng") {
				names = append(names, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(names) < 50 {
		t.Fatalf("only %d captures found", len(names))
	}
	var reused [3]int // flows, tomb slots, arena chunks
	for _, name := range names {
		run := func(pooled bool) (recs []*facts.Conn, reused [3]int) {
			cfg := Config{StreamLimit: 1 << 16, IdleTimeout: 3 * time.Second, ClosedLinger: 2 * time.Second, MaxActiveFlows: 1000}
			a := New(cfg, func(c *facts.Conn) bool { recs = append(recs, c); return true })
			a.pool.Off, a.tombSlots.NoReuse, a.tombRecs.NoReuse = !pooled, !pooled, !pooled
			a.grace = 200 * time.Millisecond
			frames := countFrames(t, name)
			var shift time.Duration
			for round := range 5 {
				first := time.Time{}
				last := feedCapture(t, a, name, 0, shift, round*frames, func(p *capture.Packet) {
					if first.IsZero() {
						first = p.Time
					}
					// In the quick replays, a pause longer than the grace period after the third
					// frame: a connection is open and idle while its endpoints' last one would
					// have become a tomb.
					if round > 0 && round < 3 && p.Index-round*frames > 3 {
						p.Time = p.Time.Add(600 * time.Millisecond)
						if p.Index-round*frames == 4 {
							a.Tick(p.Time.Add(-time.Millisecond)) // as a live capture's clock does
						}
					}
					// New sequence numbers, the same in both directions: a replayed SYN begins a
					// new connection rather than retransmitting the last one's.
					if p.Kind == capture.KindTCP {
						p.TCP.Seq += uint32(round) << 24
						if p.TCP.Flags&capture.FlagACK != 0 {
							p.TCP.Ack += uint32(round) << 24
						}
					}
				})
				if round < 2 {
					shift += last.Sub(first) + 20*time.Millisecond
				} else {
					shift += last.Sub(first) + 1500*time.Millisecond
				}
			}
			reused = [3]int{a.pool.Reused, a.tombSlots.Reused, a.tombRecs.Reused}
			a.Flush()
			return recs, reused
		}
		want, _ := run(false)
		got, n := run(true)
		for i := range n {
			reused[i] += n[i]
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d records with pools, %d without", name, len(got), len(want))
			continue
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: record %d with pools:\n %+v\nwithout:\n %+v", name, i, got[i], want[i])
			}
		}
	}
	for i, what := range []string{"flow", "tomb slot", "record arena chunk"} {
		if reused[i] == 0 {
			t.Errorf("no %s was reused: the test shows nothing of its reuse", what)
		}
	}
}
