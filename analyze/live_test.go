package analyze

import (
	"bytes"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/internal/synth"
	"github.com/connscope/connscope/result"
)

// readAll feeds every packet of a capture file to fn.
func readAll(t *testing.T, r *pcapfile.Reader, fn func(p *capture.Packet)) {
	t.Helper()
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(&p)
	}
}

// TestTickFinishesByWallClock feeds real captures (a TLS 1.2 success that closes, and a connection
// whose SYNs are dropped) and then only tells the analyzer the time, as a live capture does when no
// packet arrives: the closed flow is announced once ClosedLinger has passed, the silent one once
// IdleTimeout has, each once, with the verdicts the whole-file analysis gives.
func TestTickFinishesByWallClock(t *testing.T) {
	var got []result.Flow
	opts := Options{Ports: []uint16{4343}, ClosedLinger: 3 * time.Second, IdleTimeout: 20 * time.Second,
		OnFlow: func(f result.Flow) { got = append(got, f) }}
	for _, tc := range []struct {
		file    string
		verdict result.Verdict
		wait    time.Duration // after the last packet, before the flow may be announced
	}{
		{"tls12-ok.pcap", result.VerdictOK, opts.ClosedLinger},
		{"dropped-syns.pcap", result.VerdictSYNTimeout, opts.IdleTimeout},
	} {
		got = nil
		path := filepath.Join("..", "testdata", "captures", tc.file)
		r, err := pcapfile.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		a := New(opts)
		var last time.Time
		readAll(t, r, func(p *capture.Packet) { a.Packet(p); last = p.Time })
		r.Close()
		a.Tick(last.Add(tc.wait - 500*time.Millisecond))
		if len(got) != 0 || a.OpenFlows() != 1 {
			t.Fatalf("%s: announced %d flow(s) before %v had passed (%d open)", tc.file, len(got), tc.wait, a.OpenFlows())
		}
		a.Tick(last.Add(tc.wait + 500*time.Millisecond))
		if len(got) != 1 || got[0].Verdict != tc.verdict || a.OpenFlows() != 0 {
			t.Fatalf("%s: after %v announced %+v (%d open), want one %s flow", tc.file, tc.wait, got, a.OpenFlows(), tc.verdict)
		}
		res := a.Finish(result.Input{})
		file, err := File(path, Options{Ports: []uint16{4343}})
		if err != nil {
			t.Fatal(err)
		}
		// The reasons agree, but for one thing a live capture knows and a file does not: no SYN
		// followed the last one while the capture went on (a file just ends).
		sameReason := say(file.Flows.At(0).Reason) == say(res.Flows.Slice()[0].Reason) || (tc.verdict == result.VerdictSYNTimeout &&
			strings.Contains(say(res.Flows.Slice()[0].Reason), "no SYN came when the next was due") && strings.Contains(say(file.Flows.At(0).Reason), "the capture holds no later packet"))
		if len(got) != 1 || res.Flows.Len() != 1 || res.Flows.Slice()[0].Verdict != tc.verdict || say(res.Flows.Slice()[0].Reason) != say(got[0].Reason) || !sameReason {
			t.Fatalf("%s: Finish gave %+v after the announcement %+v; the file analysis says %q", tc.file, res.Flows.Slice(), got, say(file.Flows.At(0).Reason))
		}
	}
}

// TestLongCaptureBounded runs hours of capture time through the analyzer as a live capture does:
// some 38,000 connections made of real TLS 1.2, refused and version-mismatch handshakes, a new one
// every 0.5 s or so (4 hours). Every connection must be announced once as it finishes, the table of open
// connections must stay small, only MaxFlows are kept for the report (the rest counted), and the
// heap must not grow between the first quarter and the end.
func TestLongCaptureBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	templates := []string{"tls12-ok.pcap", "closed-port.pcap", "seed-tls10-vs-tls12.pcap"}
	for i := range templates {
		templates[i] = filepath.Join("..", "testdata", "captures", templates[i])
	}
	var buf bytes.Buffer
	packets, _, err := synth.Write(&buf, templates, 300000, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pcapfile.NewReader(bytes.NewReader(buf.Bytes()), "synth")
	if err != nil {
		t.Fatal(err)
	}
	announced := map[int]int{}
	verdicts := map[result.Verdict]int{}
	const maxFlows = 1000
	// Every copy is a new agent: the fleet view's bound (MaxAgentKeys) is set low, as MaxFlows is.
	a := New(Options{Ports: []uint16{4343}, MaxFlows: maxFlows, MaxAgentKeys: 1000, ClosedLinger: DefaultLiveClosedLinger, IdleTimeout: DefaultLiveIdleTimeout,
		OnFlow: func(f result.Flow) { announced[f.ID]++; verdicts[f.Verdict]++ }})
	maxOpen, n := 0, 0
	var first, last time.Time
	var quarterHeap uint64
	readAll(t, r, func(p *capture.Packet) {
		if n == 0 {
			first = p.Time
		}
		n++
		last = p.Time
		a.Packet(p)
		maxOpen = max(maxOpen, a.OpenFlows())
		if n == packets/4 {
			quarterHeap = heapInUse()
		}
	})
	endHeap := heapInUse()
	runtime.KeepAlive(buf.Bytes()) // the capture itself is in both measures
	a.Tick(last.Add(time.Minute))
	res := a.Finish(result.Input{})
	total := res.Summary.Flows
	t.Logf("%d packets (%d KiB of capture, held in memory), %d connections over %v of capture time; at most %d open at once; heap %d KiB after a quarter, %d KiB at the end",
		packets, buf.Len()>>10, total, last.Sub(first).Round(time.Minute), maxOpen, quarterHeap>>10, endHeap>>10)
	if total < 20000 || last.Sub(first) < 3*time.Hour {
		t.Fatalf("only %d connections over %v", total, last.Sub(first))
	}
	if len(announced) != total {
		t.Fatalf("%d connections announced, %d in the summary", len(announced), total)
	}
	for c, k := range announced {
		if k != 1 {
			t.Fatalf("flow #%d announced %d times", c, k)
		}
	}
	// A connection lasts well under a second and is finished 3 s after it closes: with one starting
	// every 0.5 s, a dozen at most are open at once.
	if maxOpen > 12 {
		t.Errorf("up to %d connections open at once, want at most 12", maxOpen)
	}
	if res.Flows.Len() != maxFlows || res.FlowsNotListed != total-maxFlows {
		t.Errorf("%d flows listed, %d not listed; want %d and %d", res.Flows.Len(), res.FlowsNotListed, maxFlows, total-maxFlows)
	}
	for _, vc := range res.Summary.Verdicts {
		if verdicts[vc.Verdict] != vc.Count {
			t.Errorf("%s: %d announced, %d in the summary", vc.Verdict, verdicts[vc.Verdict], vc.Count)
		}
	}
	if want := []result.Verdict{result.VerdictOK, result.VerdictTLSVersionMismatch, result.VerdictRefused}; len(verdicts) != len(want) {
		t.Errorf("verdicts %v, want only %v", verdicts, want)
	}
	if endHeap > quarterHeap+4<<20 {
		t.Errorf("the heap grew from %d KiB after a quarter of the capture to %d KiB at its end", quarterHeap>>10, endHeap>>10)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
