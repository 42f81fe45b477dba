package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connscope/connscope/report/escape"
)

// markerCaptures are the captures made by testdata/make-captures-markers.sh, each with the
// markers its report shows without --redact: the analysis reads them from the capture (SNI,
// ALPN, certificate names, subject attributes and serial numbers, DNS questions, HTTP targets,
// Host headers and status lines, banners, bytes a client sent).
var markerCaptures = map[string][]string{
	"markers-tls.pcap": {"mkrsni-a.markers.test", "mkrsni-b.markers.test", "mkrsan1.markers.test", "mkrsan2.markers.test",
		"mkrcn-a.markers.test", `mkrcnb<x>|y`, "mkrcaname Root CA", "mkrcaorg", "mkrcaunit", "mkrorg", "mkrunit",
		"mkrcity", "mkrstate", "mkralpn1", "mkralpn2", "6d6b7273657269616c", "6d6b726d61696c"},
	"markers-dns.pcap": {"mkrname-a.markers.test", "mkrany.markers.test", "mkrsni-nx.markers.test",
		"mkrnx-other.markers.test", "mkrnx-other2.markers.test", "mkrcname.markers.test"},
	"markers-http.pcap": {"/mkrpath/a", "mkrquery=1", "/mkrcurlpath/x?mkrq=1", "mkrhost.markers.test",
		"mkrhost2.markers.test", "mkrreason phrase", "/mkrtlspath/a", "mkrtlshost.markers.test"},
	"markers-banner.pcap": {"SSH-2.0-mkrbanner_9.9 mkrcomment", "mkrsmtp.markers.test ESMTP mkrsoft", "mkrehlo.markers.test",
		"mkrsni-ssh.markers.test", "mkrsni-smtp.markers.test", "6d 6b 72 62 69 6e 61 72 79"},
	"unicode-sni.pcap": {`mkr\u200bzw\ufeffbom`},
}

// markerLeak matches what no redacted report or export may hold: any marker (in any case, as
// text or as the hex a report shows of bytes), the capture's addresses (10.93.1.0/24) and
// its file name (which starts with a marker too).
var markerLeak = regexp.MustCompile(`(?i)mkr|6d6b72|6d 6b 72|10\.93\.|markers\.test`)

// TestRedactedMarkers: captures from real stacks full of unique markers, in every field the
// analysis reads, under a file name that is itself a marker: every report format and listing mode
// (and every language the command offers) made with --redact holds no marker, no original
// address, no original file name; nor does the redacted export (--redact --export), whose
// connections still re-analyse to the same verdicts. Without --redact each report shows the markers, so the test
// sees them.
func TestRedactedMarkers(t *testing.T) {
	toRoot(t)
	dir := t.TempDir()
	langs := [][]string{nil}
	if _, usage, _ := runCLI("analyze", "--help"); strings.Contains(usage, "--lang") {
		langs = append(langs, []string{"--lang", "ja"})
	}
	for name, shown := range markerCaptures {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/captures/markers", name))
			if err != nil {
				t.Fatalf("%v: make it with testdata/make-captures-markers.sh", err)
			}
			path := filepath.Join(dir, "mkrfile-"+name)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, plain, _ := runCLI("analyze", path, "-f", "json", "-v")
			var doc any
			if err := json.Unmarshal([]byte(plain), &doc); err != nil {
				t.Fatalf("the JSON report is not JSON: %v", err)
			}
			decoded, _ := json.Marshal(doc) // the text of every string, escapes undone
			text := plain + string(decoded)
			for _, m := range append(shown, "mkrfile-"+name) {
				if !strings.Contains(text, m) && !strings.Contains(text, strings.ReplaceAll(m, `\`, `\\`)) {
					t.Errorf("the report without --redact does not show %q: the capture does not carry it to the report", m)
				}
			}
			for _, lang := range langs {
				for _, format := range []string{"table", "json", "ndjson", "markdown", "html"} {
					for _, mode := range [][]string{nil, {"-v"}, {"--list"}, {"--failed"}, {"--profile", "apexone"}} {
						args := append(append([]string{"analyze", path, "--redact", "-f", format}, lang...), mode...)
						code, out, stderr := runCLI(args...)
						if code > 1 {
							t.Fatalf("%v: exit %d: %s", args, code, stderr)
						}
						if loc := markerLeak.FindStringIndex(out); loc != nil {
							t.Errorf("%v: an original is left: ...%s...", args[2:], out[max(0, loc[0]-100):min(len(out), loc[1]+60)])
						}
					}
				}
			}
			export := filepath.Join(dir, "export-"+name+"ng")
			if code, _, stderr := runCLI("analyze", path, "--redact", "--export", export, "--export-all", "-q"); code > 1 {
				t.Fatalf("--export: exit %d: %s", code, stderr)
			}
			x, err := os.ReadFile(export)
			if err != nil {
				t.Fatal(err)
			}
			if loc := markerLeak.FindIndex(x); loc != nil {
				t.Errorf("the redacted export holds an original: %q", x[max(0, loc[0]-40):min(len(x), loc[1]+40)])
			}
			for _, last := range []byte{1, 2, 3, 53} {
				if bytes.Contains(x, []byte{10, 93, 1, last}) {
					t.Errorf("the redacted export holds the address 10.93.1.%d", last)
				}
			}
			if got, want := markerVerdicts(t, export), markerVerdicts(t, path); got != want {
				t.Errorf("the redacted export re-analyses to\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// markerVerdicts lists the verdict of every flow of a capture's analysis (a redacted export
// keeps no DNS payload, so its names are not analysed again).
func markerVerdicts(t *testing.T, path string) string {
	t.Helper()
	_, js, stderr := runCLI("analyze", path, "-f", "json")
	var doc struct {
		Flows []struct{ Verdict, Server string } `json:"flows"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("%s: %v (%s)", path, err, stderr)
	}
	var out []string
	for _, f := range doc.Flows {
		_, port, _ := strings.Cut(f.Server, ":")
		out = append(out, f.Verdict+" :"+port)
	}
	return strings.Join(out, "\n")
}

// TestUnicodeEscaped: a real ClientHello whose server name holds Unicode format and separator
// characters (U+200B, U+FEFF, U+2028, U+2029, U+202E, U+2066; testdata/captures/markers/
// unicode-sni.pcap) is shown with each of them escaped in every format and mode: none reaches the
// output as itself, and JSON and NDJSON stay valid JSON that gives the name back as sent.
func TestUnicodeEscaped(t *testing.T) {
	toRoot(t)
	const path = "testdata/captures/markers/unicode-sni.pcap"
	const sni = "mkr\u200bzw\ufeffbom\u2028ls\u2029ps\u202eevil\u2066iso.markers.test"
	for _, format := range []string{"table", "json", "ndjson", "markdown", "html"} {
		for _, mode := range [][]string{nil, {"-v"}, {"--list"}} {
			args := append([]string{"analyze", path, "-f", format}, mode...)
			code, out, stderr := runCLI(args...)
			if code != 1 {
				t.Fatalf("%v: exit %d: %s", args, code, stderr)
			}
			for i, r := range out {
				if r != '\n' && escape.Invisible(r) {
					t.Errorf("%v: %U printed as itself: ...%q...", args[2:], r, out[max(0, i-40):min(len(out), i+20)])
					break
				}
			}
			shown := `mkr\u200bzw\ufeffbom\u2028ls\u2029ps\u202eevil\u2066iso`
			if format == "markdown" {
				shown = strings.ReplaceAll(shown, `\`, `\\`) // a backslash escaped, so that it renders as one
			}
			if !strings.Contains(out, shown) {
				t.Errorf("%v: the name is not shown with its characters escaped", args[2:])
			}
			var lines []string
			switch format {
			case "json":
				lines = []string{out}
			case "ndjson":
				lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			}
			for _, l := range lines {
				var doc any
				if err := json.Unmarshal([]byte(l), &doc); err != nil {
					t.Fatalf("%v: not JSON: %v", args[2:], err)
				}
			}
			if format == "json" {
				var doc struct {
					Flows []struct {
						TLS struct {
							ClientHello struct{ SNI string } `json:"client_hello"`
						}
					}
				}
				if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Flows) != 1 || doc.Flows[0].TLS.ClientHello.SNI != sni {
					t.Errorf("json gives the name back as %+v (%v), want %q", doc.Flows, err, sni)
				}
			}
		}
	}
}
