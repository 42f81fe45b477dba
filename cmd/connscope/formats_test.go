package main

import (
	"bufio"
	"encoding/json"
	"html"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// sharedCaptures are the third-party captures beside the repository (../shared/captures).
func sharedCaptures(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"../shared/captures/*/*.pcap", "../shared/captures/*/*.pcapng"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 15 {
		t.Fatalf("found %d captures under ../shared/captures: the tests need them beside the repository", len(out))
	}
	return out
}

// jsonFindings is what the JSON report says is wrong: the failing verdicts (from the summary,
// which counts every connection, listed or not), the failing names, and the findings' groups.
type jsonFindings struct {
	Summary struct {
		Verdicts []struct {
			Verdict string
			Count   int
		}
	}
	Names []struct {
		Name   string
		Failed bool
	}
	Findings struct {
		Answer string
		Groups []struct {
			Verdict, Server string
			Connections     int
		}
		NamesFailed []string `json:"names_failed"`
	}
}

// failing is the failing verdicts and names of a JSON report.
func (j *jsonFindings) failing() (verdicts, names []string) {
	for _, v := range j.Summary.Verdicts {
		if result.Verdict(v.Verdict).Failed() { // not ok, incomplete, client-aborted, port-scan, heartbleed-probe
			verdicts = append(verdicts, v.Verdict)
		}
	}
	for _, n := range j.Names {
		if n.Failed {
			names = append(names, n.Name)
		}
	}
	return verdicts, names
}

// mdUnescape undoes the Markdown report's escaping of text.
var mdEscape = regexp.MustCompile("\\\\([\\\\`*\\[\\]|~_#])")

func mdUnescape(s string) string {
	return html.UnescapeString(mdEscape.ReplaceAllString(s, "$1"))
}

// TestEveryFormatCarriesTheFindings runs every capture in testdata/captures and
// ../shared/captures through every format and checks that each failing verdict and each failed
// DNS name the JSON report finds appears in each of them, where that format shows a verdict
// (a table cell, a code span, a verdict badge, an NDJSON group), and that the JSON report's
// findings group every failing connection. With --max-flows 1 too, so that failures past the
// listing limit are seen to be grouped and counted, not hidden.
func TestEveryFormatCarriesTheFindings(t *testing.T) {
	toRoot(t)
	captures, err := filepath.Glob("testdata/captures/*.pcap")
	if err != nil || len(captures) < 20 {
		t.Fatalf("found %d captures under testdata/captures: %v", len(captures), err)
	}
	shared := sharedCaptures(t)
	seen := map[string]bool{}
	for _, path := range append(captures, shared...) {
		args := []string{"analyze", path}
		if !slices.Contains(shared, path) {
			args = append(args, "-p", "4343,8080", "--profile", "apexone", "--server-name", "apexone.connscope.test")
		}
		for _, limit := range []string{"", "1"} {
			a := args
			if limit != "" {
				a = append(slices.Clone(args), "--max-flows", limit)
			}
			name := filepath.Base(path)
			if limit != "" {
				name += "/max-flows=" + limit
			}
			t.Run(name, func(t *testing.T) {
				code, js, stderr := runCLI(append(a, "-f", "json")...)
				if code == exitUsage || stderr != "" {
					t.Fatalf("json: exit %d, stderr %q", code, stderr)
				}
				var doc jsonFindings
				if err := json.Unmarshal([]byte(js), &doc); err != nil {
					t.Fatal(err)
				}
				verdicts, names := doc.failing()
				for _, v := range verdicts {
					seen[v] = true
				}
				if len(names) > 0 {
					seen["name:"+names[0]] = true
				}
				checkJSONFindings(t, &doc, verdicts, names)
				outputs := map[string]string{}
				for _, f := range []string{"table", "markdown", "html", "ndjson"} {
					c, out, stderr := runCLI(append(a, "-f", f)...)
					if c != code || stderr != "" {
						t.Errorf("%s: exit %d, json's %d; stderr %q", f, c, code, stderr)
					}
					outputs[f] = out
				}
				md, page := mdUnescape(outputs["markdown"]), html.UnescapeString(outputs["html"])
				groups := ndjsonGroups(t, outputs["ndjson"])
				for _, v := range verdicts {
					if !regexp.MustCompile(`\| ` + regexp.QuoteMeta(v) + `(\s| \()`).MatchString(outputs["table"]) {
						t.Errorf("table: no cell holds the failing verdict %s", v)
					}
					if !strings.Contains(md, "`"+v+"`") {
						t.Errorf("markdown: no code span holds the failing verdict %s", v)
					}
					if !strings.Contains(page, `<span class="verdict bad">`+v) {
						t.Errorf("html: no badge holds the failing verdict %s", v)
					}
					if !groups[v] {
						t.Errorf("ndjson: no group of the summary line has the failing verdict %s", v)
					}
				}
				for _, n := range names {
					for f, out := range map[string]string{"table": outputs["table"], "markdown": md, "html": page, "ndjson": outputs["ndjson"]} {
						if !strings.Contains(out, n) {
							t.Errorf("%s: the failed name %s is missing", f, n)
						}
					}
					for f, out := range map[string]string{"markdown": md, "html": page, "table": outputs["table"]} {
						if strings.Contains(out, "No connection failed:") {
							t.Errorf("%s: says no connection failed and stops there, while the name %s failed", f, n)
						}
					}
				}
			})
		}
	}
	// The captures hold the failures this test is about: it would prove nothing without them.
	for _, want := range []string{"tls-version-mismatch", "refused", "syn-timeout", "tls-certificate-rejected", "not-tls",
		"http-error", "firewall-reject", "name:apexone.connscope.test"} {
		if !seen[want] {
			t.Errorf("no capture has %s", want)
		}
	}
}

// checkJSONFindings: the JSON report's findings group every failing connection the summary
// counts, and name every failing name.
func checkJSONFindings(t *testing.T, doc *jsonFindings, verdicts, names []string) {
	t.Helper()
	grouped := map[string]int{}
	for _, g := range doc.Findings.Groups {
		grouped[g.Verdict] += g.Connections
	}
	for _, v := range doc.Summary.Verdicts {
		if slices.Contains(verdicts, v.Verdict) && grouped[v.Verdict] != v.Count {
			t.Errorf("json: findings group %d %s connections, the summary counts %d", grouped[v.Verdict], v.Verdict, v.Count)
		}
	}
	if !slices.Equal(doc.Findings.NamesFailed, names) && (len(names) > 0 || len(doc.Findings.NamesFailed) > 0) {
		t.Errorf("json: findings name %q, the failing names are %q", doc.Findings.NamesFailed, names)
	}
	if doc.Findings.Answer == "" {
		t.Error("json: findings have no answer")
	}
}

// ndjsonGroups parses an NDJSON report line by line, as Filebeat's ndjson parser does, and
// returns the verdicts of its summary line's groups.
func ndjsonGroups(t *testing.T, out string) map[string]bool {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	var last map[string]any
	for sc.Scan() {
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("ndjson: a line is not one JSON object: %v\n%s", err, sc.Text())
		}
	}
	cs, _ := last["connscope"].(map[string]any)
	gs, _ := cs["groups"].([]any)
	verdicts := map[string]bool{}
	for _, g := range gs {
		if m, ok := g.(map[string]any); ok {
			verdicts[m["verdict"].(string)] = true
		}
	}
	return verdicts
}
