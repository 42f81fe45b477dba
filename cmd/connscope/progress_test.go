package main

import (
	"bytes"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/knowledge"
)

// TestProgressText: the progress line for given counts at given times, and how it is redrawn
// over a longer one and cleared.
func TestProgressText(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		total, read    int64
		packets, flows int64
		elapsed        time.Duration
		want           string
	}{
		{2_600_000_000, 0, 0, 0, 0, "connscope: 0% of 2.6 GB, 0 packets, 0 connections"},
		{2_600_000_000, 1_092_000_000, 3_456_789, 12_345, 12 * time.Second, "connscope: 42% of 2.6 GB, 3.46M packets, 12.3k connections, 91 MB/s, 17s left"},
		{2_600_000_000, 2_600_000_000, 8_000_000, 30_000, 30 * time.Second, "connscope: 100% of 2.6 GB, 8.00M packets, 30.0k connections; diagnosing them"},
		{50_000_000_000, 1_000_000_000, 1_000_000, 9_999, 10 * time.Second, "connscope: 2% of 50 GB, 1.00M packets, 9999 connections, 100 MB/s, 8m10s left"},
		{500_000_000_000, 1_000_000_000, 950, 3, 10 * time.Second, "connscope: 0% of 500 GB, 950 packets, 3 connections, 100 MB/s, 1h23m left"},
		// A pipe: no size, so no share and no time left.
		{0, 5_500_000, 10_000, 42, 2 * time.Second, "connscope: 5.5 MB read, 10.0k packets, 42 connections, 2.8 MB/s"},
	}
	for _, tc := range cases {
		p := &progressLine{total: tc.total, read: &countingReader{}, counts: fixedCounts{tc.packets, tc.flows}, start: t0}
		p.read.n.Store(tc.read)
		if got := p.text(t0.Add(tc.elapsed)); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}

	var w bytes.Buffer
	p := &progressLine{w: &w, total: 1000, read: &countingReader{}, counts: fixedCounts{}, start: t0}
	p.read.n.Store(500)
	p.draw(t0.Add(time.Second))
	p.read.n.Store(1000)
	p.draw(t0.Add(2 * time.Second)) // shorter: padded over the longer one
	p.clear()
	p.clear() // nothing shown: nothing written
	l1 := "connscope: 50% of 1.0 kB, 0 packets, 0 connections, 500 B/s, 1s left"
	l2 := "connscope: 100% of 1.0 kB, 0 packets, 0 connections; diagnosing them"
	want := "\r" + l1 + "\r" + l2 + strings.Repeat(" ", len(l1)-len(l2)) + "\r" + strings.Repeat(" ", len(l1)) + "\r"
	if w.String() != want {
		t.Errorf("drawn %q\nwant  %q", w.String(), want)
	}
}

// fixedCounts are progress counts that stay as set.
type fixedCounts struct{ packets, flows int64 }

func (c fixedCounts) Packets() int64 { return c.packets }
func (c fixedCounts) Flows() int64   { return c.flows }

// fakeTerminal makes every writer a terminal, the clock stand at start then 2 s later, and the
// line be drawn once (a tick already waiting), for the rest of the test.
func fakeTerminal(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := 0
	oldTerm, oldClock, oldTicks := isTerminal, progressClock, progressTicks
	isTerminal = func(io.Writer) bool { return true }
	progressClock = func() time.Time {
		calls++
		if calls == 1 {
			return t0
		}
		return t0.Add(2 * time.Second)
	}
	progressTicks = func() (<-chan time.Time, func()) {
		c := make(chan time.Time, 1)
		c <- t0
		return c, func() {}
	}
	t.Cleanup(func() { isTerminal, progressClock, progressTicks = oldTerm, oldClock, oldTicks })
}

// TestProgressOnTerminal: with standard error a terminal, analyze draws the progress line (the
// file's size, packets, connections, rate) and clears it before the report; with -q, or when
// standard error is not a terminal, it writes nothing there. The report is the same.
func TestProgressOnTerminal(t *testing.T) {
	toRoot(t)
	const capture = "testdata/captures/many-agents.pcap" // 35,673 bytes
	_, plain, plainErr := runCLI("analyze", capture)
	if plainErr != "" {
		t.Fatalf("not a terminal: stderr %q, want nothing", plainErr)
	}
	fakeTerminal(t)
	code, stdout, stderr := runCLI("analyze", capture)
	line := regexp.MustCompile(`^\r(connscope: \d+% of 36 kB, \d+ packets, \d+ connections(, [\d.]+ [kM]?B/s(, \d+s left)?|; diagnosing them)?)\r( +)\r$`)
	m := line.FindStringSubmatch(stderr)
	if code != exitFailed || stdout != plain || m == nil || len(m[4]) != len(m[1]) {
		t.Fatalf("on a terminal: exit %d, stderr %q (want one progress line, then blanked), report same as plain: %v", code, stderr, stdout == plain)
	}
	t.Logf("progress line: %q", m[1])
	code, stdout, stderr = runCLI("analyze", capture, "-q")
	if code != exitFailed || stdout != plain || stderr != "" {
		t.Errorf("-q on a terminal: exit %d, stderr %q; want nothing on stderr", code, stderr)
	}
	// -o: the progress line, and nothing else, on stderr.
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr = runCLI("analyze", capture, "-f", "json", "-o", out)
	if code != exitFailed || stdout != "" || line.FindStringSubmatch(stderr) == nil {
		t.Errorf("-o on a terminal: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestProgressJapanese: the progress line in Japanese, and its redrawing padded by terminal
// columns (a Japanese character takes two).
func TestProgressJapanese(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var w bytes.Buffer
	p := &progressLine{w: &w, say: newPrinter(&w, knowledge.Japanese), total: 2_600_000_000, read: &countingReader{},
		counts: fixedCounts{3_456_789, 12_345}, start: t0}
	p.read.n.Store(1_092_000_000)
	l1 := "connscope: 2.6 GB のうち 42%、パケット 3.46M 個、接続 12.3k 件、91 MB/s、残り 17s"
	if got := p.text(t0.Add(12 * time.Second)); got != l1 {
		t.Errorf("got  %q\nwant %q", got, l1)
	}
	p.draw(t0.Add(12 * time.Second))
	p.read.n.Store(2_600_000_000)
	p.draw(t0.Add(30 * time.Second))
	l2 := "connscope: 2.6 GB のうち 100%、パケット 3.46M 個、接続 12.3k 件。診断中"
	// l1 takes 81 columns (17 of its characters are wide), l2 71: l2 is padded by 10.
	want := "\r" + l1 + "\r" + l2 + strings.Repeat(" ", 10)
	if w.String() != want {
		t.Errorf("drawn %q\nwant  %q", w.String(), want)
	}
}
