package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/internal/synth"
)

// fleetTemplates are captures of one connection each, made by real stacks, that fleetCapture
// repeats into a fleet: a TLS 1.2 handshake that works, a closed port, a TLS 1.0 agent against a
// TLS 1.2 server, no shared cipher, plain HTTP to the TLS port, dropped SYNs and an expired
// certificate.
var fleetTemplates = []string{"tls12-ok", "closed-port", "seed-tls10-vs-tls12", "no-shared-cipher", "plain-http-to-tls",
	"dropped-syns", "expired-cert"}

// fleetCapture writes a capture of 2,591 connections (21,697 packets) made of copies of the
// fleet templates, each copy from its own agent address (package synth), and returns its path.
// It is the big capture of the tests: more connections than a screen holds, six failing groups.
func fleetCapture(t *testing.T) string {
	t.Helper()
	var templates []string
	for _, n := range fleetTemplates {
		templates = append(templates, "testdata/captures/"+n+".pcap")
	}
	path := filepath.Join(t.TempDir(), "fleet.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if _, _, err := synth.Write(w, templates, 20000, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBigCaptureTerminal: on a capture of more connections than a screen holds, the default
// table leads with the answer and the failing groups (one row per group and a block with one
// example each), in under 100 lines, and lists no connection; --failed lists exactly the failing
// connections, --list every one. The default report is pinned whole (testdata/golden/fleet.txt).
func TestBigCaptureTerminal(t *testing.T) {
	toRoot(t)
	path := fleetCapture(t)
	code, js, _ := runCLI("analyze", path, "-f", "json")
	var doc jsonFindings
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	var flows struct{ Summary struct{ Flows, Failed int } }
	if err := json.Unmarshal([]byte(js), &flows); err != nil || flows.Summary.Flows < 2000 {
		t.Fatalf("the fleet has %d connections: %v", flows.Summary.Flows, err)
	}
	verdicts, _ := doc.failing()
	if code != 1 || len(verdicts) < 6 {
		t.Fatalf("exit %d, failing verdicts %q", code, verdicts)
	}

	c, out, stderr := runCLI("analyze", path)
	if c != 1 || stderr != "" {
		t.Errorf("exit %d, stderr %q", c, stderr)
	}
	if n := strings.Count(out, "\n"); n > 100 {
		t.Errorf("the default report of %d connections is %d lines, want at most 100", flows.Summary.Flows, n)
	}
	for _, v := range verdicts {
		if !regexp.MustCompile(`(?m)^\|\s+\d+ \| ` + regexp.QuoteMeta(v) + ` `).MatchString(out) {
			t.Errorf("no group row for %s", v)
		}
	}
	if strings.Contains(out, "| TIME ") || strings.Count(out, "\ngroup ") != 5 || !strings.Contains(out, "--list lists them all") {
		t.Errorf("want no connection rows, 5 group blocks and the hint to --list:\n%s", out)
	}
	checkGolden(t, "fleet.txt", out)

	rows := func(out string) (all, failed int) {
		for _, l := range strings.Split(out, "\n") {
			if !regexp.MustCompile(`^\|\s+\d+ \| \d{4}-`).MatchString(l) {
				continue
			}
			all++
			if !strings.HasSuffix(strings.TrimSpace(l), "| ok |") && !strings.Contains(l, "| ok ") {
				failed++
			}
		}
		return all, failed
	}
	_, out, _ = runCLI("analyze", path, "--failed")
	if all, failed := rows(out); all != flows.Summary.Failed || failed != all {
		t.Errorf("--failed lists %d connections (%d failing), want the %d failing ones", all, failed, flows.Summary.Failed)
	}
	_, out, _ = runCLI("analyze", path, "--list")
	if all, _ := rows(out); all != flows.Summary.Flows {
		t.Errorf("--list lists %d connections, want %d", all, flows.Summary.Flows)
	}
}

// TestReadmeTerminalExamples: the README's terminal examples are what connscope prints: the
// seed's fleet, a port the capture does not hold, the head of a two-point analysis, and (between its markers) the capture of the
// big bench capture's pane that scripts/screenshots.sh made, docs/terminal-fleet.txt.
func TestReadmeTerminalExamples(t *testing.T) {
	toRoot(t)
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, args := range [][]string{
		{"analyze", "testdata/captures/seed-reset-fleet.pcap", "--port", "4343"},
		{"analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "443"},
	} {
		_, out, _ := runCLI(args...)
		if !strings.Contains(readme, "```\n"+out+"```\n") {
			t.Errorf("README.md does not show the output of connscope %s; paste it in:\n%s", strings.Join(args, " "), out)
		}
	}
	// The two-point example shows the head of its report, through the connection's filter line.
	twoPoint := []string{"analyze", "--port", "4343", "--vantage", "agent=testdata/captures/twopoint/mtu-blackhole-agent.pcap",
		"--vantage", "server=testdata/captures/twopoint/mtu-blackhole-server.pcap"}
	_, out, _ := runCLI(twoPoint...)
	head, _, found := strings.Cut(out, "\n  filter: ")
	filter, _, _ := strings.Cut(strings.TrimPrefix(out, head+"\n"), "\n")
	if !found || !strings.Contains(readme, "```\n"+head+"\n"+filter+"\n...\n```\n") {
		t.Errorf("README.md does not show the head of connscope %s (through its filter line); paste it in:\n%s", strings.Join(twoPoint, " "), out)
	}
	pane, err := os.ReadFile("docs/terminal-fleet.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readme, "<!-- terminal-fleet: docs/terminal-fleet.txt -->\n```\n"+string(pane)+"```\n<!-- /terminal-fleet -->") {
		t.Error("README.md does not hold docs/terminal-fleet.txt between its terminal-fleet markers (scripts/screenshots.sh pastes it)")
	}
	if n := strings.Count(string(pane), "\n") - 3; n > 100 { // the command line, the exit status and the time
		t.Errorf("docs/terminal-fleet.txt: the default report of the big capture is %d lines", n)
	}
}
