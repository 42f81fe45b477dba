package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// htmlGoldenCaptures get an HTML golden report as well; every capture gets a Markdown one.
var htmlGoldenCaptures = []string{"seed-reset-fleet", "seed-close-fleet", "no-shared-cipher", "plain-http-to-tls", "dropped-syns", "tls12-ok"}

// TestTicketGoldenReports renders every capture in testdata/captures as Markdown (and some as
// HTML) and compares each report whole with its golden file, with the exit status the verdicts
// call for.
func TestTicketGoldenReports(t *testing.T) {
	toRoot(t)
	captures, err := filepath.Glob("testdata/captures/*.pcap")
	if err != nil || len(captures) < 20 {
		t.Fatalf("found %d captures under testdata/captures: %v", len(captures), err)
	}
	verdicts := manifestVerdicts(t)
	namesFailed := failingNames(t)
	for _, path := range captures {
		name := strings.TrimSuffix(filepath.Base(path), ".pcap")
		t.Run(name, func(t *testing.T) {
			want := expectedExit(filepath.Base(path), verdicts, namesFailed)
			code, md, stderr := runCLI("analyze", path, "--port", "4343,8080", "--format", "markdown")
			if code != want || stderr != "" {
				t.Errorf("markdown: exit %d, want %d; stderr %q", code, want, stderr)
			}
			checkGolden(t, name+".md", md)
			for _, h := range htmlGoldenCaptures {
				if h != name {
					continue
				}
				code, page, stderr := runCLI("analyze", path, "--port", "4343,8080", "--format", "html")
				if code != want || stderr != "" {
					t.Errorf("html: exit %d, want %d; stderr %q", code, want, stderr)
				}
				checkGolden(t, name+".html", withoutStyle(page))
			}
		})
	}
}

// withoutStyle replaces the page's style sheet, the same in every report and pinned by the
// report package's golden files, with a marker, so that each golden file here holds only what
// its capture decides.
func withoutStyle(page string) string {
	i, j := strings.Index(page, "<style>"), strings.Index(page, "</style>")
	if i < 0 || j < i {
		return page
	}
	return page[:i] + "<style>/* the report package's style sheet */" + page[j:]
}

// TestRedactedGoldenReports pins the redacted Markdown of the seed's fleet (several agents, one
// server) and of the plain-HTTP capture (an HTTP path), and checks that --redact keeps the exit
// status.
func TestRedactedGoldenReports(t *testing.T) {
	toRoot(t)
	for _, name := range []string{"seed-reset-fleet", "plain-http-to-tls", "ipv6-tls12-ok"} {
		t.Run(name, func(t *testing.T) {
			want := 1
			if name == "ipv6-tls12-ok" {
				want = 0
			}
			code, md, stderr := runCLI("analyze", "testdata/captures/"+name+".pcap", "-p", "4343", "--redact", "-f", "markdown")
			if code != want || stderr != "" {
				t.Errorf("exit %d, want %d; stderr %q", code, want, stderr)
			}
			checkGolden(t, name+".redacted.md", md)
		})
	}
}

// TestFormatsSameFacts: for the seed's failing case and the many-agents capture, every format
// states the same facts for each flow — client, server, verdict, offered and chosen versions —
// and the Wireshark filter of each failing flow.
func TestFormatsSameFacts(t *testing.T) {
	toRoot(t)
	for _, name := range []string{"seed-tls10-vs-tls12", "seed-reset-fleet", "seed-close-fleet"} {
		t.Run(name, func(t *testing.T) {
			path := "testdata/captures/" + name + ".pcap"
			_, js, _ := runCLI("analyze", path, "-p", "4343", "-f", "json")
			var doc struct {
				Flows []struct {
					Client, Server, Verdict string
					Offered                 []string `json:"offered_versions"`
					Chosen                  *string  `json:"chosen_version"`
					Failed                  bool
					Filter                  string `json:"wireshark_filter"`
				}
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil || len(doc.Flows) == 0 {
				t.Fatalf("json: %v (%d flows)", err, len(doc.Flows))
			}
			for _, format := range []string{"table", "markdown", "html"} {
				_, out, _ := runCLI("analyze", path, "-p", "4343", "-f", format)
				if format == "html" {
					out = strings.ReplaceAll(out, "&amp;", "&")
				}
				for _, f := range doc.Flows {
					facts := []string{f.Client, f.Server, f.Verdict}
					switch n := len(f.Offered); {
					case n == 1:
						facts = append(facts, f.Offered[0])
					case n > 1: // "TLS 1.0–1.2", as every human format writes a range
						facts = append(facts, f.Offered[0]+"–"+strings.TrimPrefix(f.Offered[n-1], "TLS "))
					}
					if f.Chosen != nil {
						facts = append(facts, *f.Chosen)
					}
					if f.Failed {
						facts = append(facts, f.Filter)
					}
					for _, want := range facts {
						if !strings.Contains(out, want) {
							t.Errorf("%s: flow %s lacks %q", format, f.Client, want)
						}
					}
				}
			}
		})
	}
}

// TestReadmeMarkdownExample: the README's Markdown excerpt is the head of the real redacted
// report it says it is.
func TestReadmeMarkdownExample(t *testing.T) {
	toRoot(t)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, md, _ := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "4343", "-f", "markdown", "--redact")
	lines := strings.SplitAfter(md, "\n")
	if len(lines) < 22 {
		t.Fatalf("the report has %d lines", len(lines))
	}
	excerpt := "```markdown\n" + strings.Join(lines[:22], "") + "```\n"
	if !strings.Contains(string(readme), excerpt) {
		t.Errorf("README.md does not hold the first 22 lines of the redacted Markdown report of seed-reset-fleet.pcap; paste them in:\n%s", excerpt)
	}
}
