package filing

import (
	"bytes"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/synth"
	"github.com/connscope/connscope/track"
)

// filed is what the test notes of a record as it is filed.
type filed struct {
	id    int32
	first diagnose.First
	ended facts.Ref
}

// TestPipelineFilesInOrder tracks a capture of many connections (real ones repeated, most
// still lingering closed at its end, so that the tracker's Flush hands thousands over at once),
// filing them through a Pipeline that spreads before the Flush, as the engine's Finish does,
// and in line: every record must be filed once, in the same order, decoded alike, and the
// prepared diagnosis must be the one made in line.
func TestPipelineFilesInOrder(t *testing.T) {
	path := synthCapture(t, 40000)
	cfg := func() track.Config {
		return track.Config{TLSPorts: []uint16{443, 4433, 8443}, StreamLimit: 64 << 10, IdleTimeout: 5 * time.Minute,
			ClosedLinger: 5 * time.Second, MaxActiveFlows: 1 << 18, LadderUnneeded: diagnose.CertainlyOK}
	}
	dcfg := &diagnose.Config{TLSPort: func(p uint16) bool { return p == 443 || p == 4433 || p == 8443 }}
	firstOf := func(c *facts.Conn) diagnose.First { return diagnose.FirstOf(c, dcfg) }

	var want []filed
	inLine := track.New(cfg(), func(c *facts.Conn) bool {
		want = append(want, filed{c.ID, firstOf(c), c.End})
		return false
	})
	feed(t, path, inLine)
	inLine.Flush()

	// Once the pipeline spreads, the filing goroutine waits (at its first record) until the
	// preparing one has diagnosed whole batches ahead of it, so that both ways are taken.
	var spread atomic.Bool
	var firsts atomic.Int64
	gate := make(chan struct{})
	go func() {
		for end := time.Now().Add(10 * time.Second); firsts.Load() < preparedBatches*batchSize && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		close(gate)
	}()
	var got []filed
	prepared := 0
	var scratch facts.Scratch
	p := New(func(r *Record) {
		if spread.Load() {
			<-gate
		}
		c := r.Scratch(&scratch)
		d, ok := r.First()
		if ok {
			prepared++
		} else {
			d = firstOf(c)
		}
		got = append(got, filed{c.ID, d, c.End})
	})
	c := cfg()
	c.OwnLadders, c.EndedSink = true, p.TakeEnded
	tr := track.New(c, p.Take)
	feed(t, path, tr)
	spread.Store(true)
	p.Spread(func(c *facts.Conn) diagnose.First {
		firsts.Add(1)
		return firstOf(c)
	})
	tr.Flush()
	p.Settle()

	if len(got) != len(want) {
		t.Fatalf("%d records filed through the pipeline, %d in line", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d filed through the pipeline: %+v; in line: %+v", i, got[i], want[i])
		}
	}
	t.Logf("%d records, %d prepared", len(got), prepared)
	if prepared < preparedBatches*batchSize || prepared == len(got) {
		t.Errorf("%d of %d records prepared: the test must file whole batches both ways", prepared, len(got))
	}
}

// feed gives tr every packet of the capture at path.
func feed(t *testing.T, path string, tr *track.Tracker) {
	r, err := pcapfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var p capture.Packet
	for r.Next(&p) == nil {
		tr.Packet(&p)
	}
}

// synthCapture writes a capture of at least packets packets that repeats real connections
// (package synth), one copy every 200 µs.
func synthCapture(t *testing.T, packets int) string {
	var templates []string
	for _, f := range []string{"tls12-ok.pcap", "tls13-ok.pcap", "seed-tls10-vs-tls12.pcap", "closed-port.pcap", "no-shared-cipher.pcap"} {
		templates = append(templates, filepath.Join("../../testdata/captures", f))
	}
	var b bytes.Buffer
	if _, _, err := synth.Write(&b, templates, packets, 200*time.Microsecond); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "synth.pcap")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
