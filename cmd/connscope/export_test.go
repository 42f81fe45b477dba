package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportFlag: --export writes the failing flows' packets (and the flow their evidence cites)
// while the report stays what it is without it; the export re-analyses to the same failing
// verdicts. --export-all takes every flow; bad use exits 2.
func TestExportFlag(t *testing.T) {
	toRoot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "failing.pcapng")
	code, table, stderr := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "4343,8080", "-v", "--export", out)
	if code != 1 || stderr != "connscope: exported 27 packets of 3 flows (1 cited as context by the evidence) and 0 names to "+out+"\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if want, _ := os.ReadFile(filepath.Join(goldenDir, "seed-reset-fleet.txt")); table != string(want) {
		t.Errorf("--export changed the report")
	}
	// The line is worded in the table's language.
	ja := filepath.Join(dir, "failing-ja.pcapng")
	if code, _, stderr := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "4343,8080", "--lang", "ja", "--export", ja); code != 1 ||
		stderr != "connscope: 3 件のフロー（うち 1 件は根拠が文脈として参照するもの）のパケット 27 個と、0 件の名前を "+ja+" に書き出しました\n" {
		t.Errorf("--lang ja: exit %d, stderr %q", code, stderr)
	}
	verdicts := func(path string) []string {
		_, js, stderr := runCLI("analyze", path, "-f", "json")
		var doc struct {
			Flows []struct{ Client, Verdict string } `json:"flows"`
		}
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			t.Fatalf("%s: %v (%s)", path, err, stderr)
		}
		var vs []string
		for _, f := range doc.Flows {
			vs = append(vs, f.Client+" "+f.Verdict)
		}
		return vs
	}
	want := "10.77.1.1:58332 ok|10.77.1.5:34685 tls-version-mismatch|10.77.1.6:47245 tls-version-mismatch"
	if got := strings.Join(verdicts(out), "|"); got != want {
		t.Errorf("export re-analysed: %s\nwant %s", got, want)
	}

	all := filepath.Join(dir, "all.pcapng")
	if code, _, stderr := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "--export", all, "--export-all"); code != 1 || !strings.Contains(stderr, "exported 62 packets of 5 flows") {
		t.Errorf("--export-all: exit %d, stderr %q", code, stderr)
	}
	if got, want := strings.Join(verdicts(all), "|"), strings.Join(verdicts("testdata/captures/seed-reset-fleet.pcap"), "|"); got != want {
		t.Errorf("--export-all re-analysed: %s\nwant %s", got, want)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--export-all"}, "--export-all needs --export FILE"},
		{[]string{"--export", filepath.Join(dir, "no-such-dir", "x.pcapng")}, "cannot write the export"},
	} {
		code, _, stderr := runCLI(append([]string{"analyze", "testdata/captures/seed-reset-fleet.pcap"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
}

// TestExportRedactFlag: --redact with --export redacts the export too: the report is the one
// --redact gives without --export; the export holds none of the capture's addresses or names,
// says in its section comment how it was changed, and re-analyses to the failing verdicts with
// the report's pseudonyms as clients.
func TestExportRedactFlag(t *testing.T) {
	toRoot(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		capture   string
		args      []string
		stderr    string
		verdicts  string
		originals []string
	}{
		{"seed-reset-fleet.pcap", []string{"-p", "4343,8080"},
			"exported 27 packets of 3 flows (1 cited as context by the evidence) and 0 names",
			"198.18.0.1:58332 ok|198.18.0.5:34685 tls-version-mismatch|198.18.0.6:47245 tls-version-mismatch",
			[]string{"10.77.1.", "\x0a\x4d\x01\x02", "\x0a\x4d\x01\x05", "apexone", "connscope test"}},
		{"dns-nxdomain-ip-works.pcap", []string{"--profile", "apexone", "--server-name", "apexone.connscope.test"},
			"exported 21 packets of 1 flow (1 cited as context by the evidence) and 1 name",
			"198.18.0.1:38125 ok",
			[]string{"10.48.1.", "\x0a\x30\x01\x03", "\x0a\x30\x01\x02", "apexone", "connscope.test"}},
	} {
		in := "testdata/captures/" + tc.capture
		out := filepath.Join(dir, tc.capture+".pcapng")
		args := append([]string{"analyze", in, "-f", "json", "--redact"}, tc.args...)
		code, report, stderr := runCLI(append(args, "--export", out)...)
		if code != 1 || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: exit %d, stderr %q", tc.capture, code, stderr)
		}
		if _, want, _ := runCLI(args...); report != want {
			t.Errorf("%s: --export changed the redacted report", tc.capture)
		}
		file, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range tc.originals {
			if strings.Contains(strings.ToLower(string(file)), o) {
				t.Errorf("%s: the redacted export holds %q", tc.capture, o)
			}
		}
		if !strings.Contains(string(file), "redacted by connscope analyze --redact") {
			t.Errorf("%s: the section comment does not say the export is redacted", tc.capture)
		}
		_, js, _ := runCLI(append([]string{"analyze", out, "-f", "json"}, tc.args...)...)
		var doc struct {
			Flows []struct{ Client, Verdict string } `json:"flows"`
		}
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			t.Fatal(err)
		}
		var vs []string
		for _, f := range doc.Flows {
			vs = append(vs, f.Client+" "+f.Verdict)
			if !strings.Contains(report, `"`+f.Client+`"`) {
				t.Errorf("%s: the export's client %s is not in the redacted report", tc.capture, f.Client)
			}
		}
		if got := strings.Join(vs, "|"); got != tc.verdicts {
			t.Errorf("%s: the redacted export re-analysed: %s\nwant %s", tc.capture, got, tc.verdicts)
		}
	}
}
