package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/connscope/connscope/result"
)

// fleetOf returns a result of n connections made as they are listed, as an analysis hands them
// out: every tenth fails, from one of 200 agents.
func fleetOf(n int) *result.Result {
	ok, bad := okFlow(1), mismatchFlow(2)
	advise(&ok)
	advise(&bad)
	r := build(ok, bad)
	r.Flows = result.NewFlowList(n, func(i int, into *result.Flow) {
		if i%10 == 9 {
			*into = bad
		} else {
			*into = ok
		}
		into.ID = i + 1
		into.Client = result.HostPort(fmt.Sprintf("10.1.%d.%d:%d", i%200/250, i%200, 40000+i%20000))
	})
	r.Summary.Flows, r.Summary.Failed = n, n/10
	r.Summary.Verdicts = []result.VerdictCount{{Verdict: result.VerdictOK, Count: n - n/10}, {Verdict: result.VerdictTLSVersionMismatch, Count: n / 10}}
	return r
}

// heapWriter discards what it is given and notes the most heap in use between writes.
type heapWriter struct {
	writes int
	peak   uint64
	lines  int
}

func (h *heapWriter) Write(p []byte) (int, error) {
	h.writes++
	h.lines += bytes.Count(p, []byte("\n"))
	if h.writes%8 == 0 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.peak = max(h.peak, m.HeapAlloc)
	}
	return len(p), nil
}

// TestNDJSONStreams: the NDJSON report is written as the connections are made: the heap in use
// while writing 200,000 lines is no larger than while writing 20,000, give or take 4 MiB; the
// lines come out in 64 KiB writes, not as one document.
func TestNDJSONStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 220,000 lines")
	}
	peak := func(n int) *heapWriter {
		h := &heapWriter{}
		if err := Write(h, fleetOf(n), FormatNDJSON, Options{}); err != nil {
			t.Fatal(err)
		}
		if h.lines != n+1 {
			t.Fatalf("%d lines for %d connections", h.lines, n)
		}
		return h
	}
	small, large := peak(20_000), peak(200_000)
	if large.peak > small.peak+4<<20 {
		t.Errorf("heap in use: %d MiB writing 200,000 lines, %d MiB writing 20,000", large.peak>>20, small.peak>>20)
	}
	if large.writes < 100 {
		t.Errorf("200,000 lines in %d writes: the report is held before it is written", large.writes)
	}
}

// TestNDJSONLines: each line is one JSON object, Filebeat-style; the summary line's groups are
// the findings every format shows.
func TestNDJSONLines(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, all(), FormatNDJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", len(lines)+1, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 7 {
		t.Fatalf("%d lines, want 6 connections and a summary", len(lines))
	}
	groups := lines[6]["connscope"].(map[string]any)["groups"].([]any)
	var got []string
	for _, g := range groups {
		m := g.(map[string]any)
		got = append(got, fmt.Sprint(m["verdict"], " ", m["server"], " ", m["connections"]))
	}
	want := []string{"tls-version-mismatch 10.0.0.1:4343 2", "refused 10.0.0.2:4343 1", "tls-certificate-rejected 10.0.0.3:4343 1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("groups %q, want %q", got, want)
	}
}
