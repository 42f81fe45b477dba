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
	if code != 1 || stderr != "connscope: exported 27 packets of 3 flow(s) (1 of them as context the evidence cites) and 0 name(s) to "+out+"\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if want, _ := os.ReadFile(filepath.Join(goldenDir, "seed-reset-fleet.txt")); table != string(want) {
		t.Errorf("--export changed the report")
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
	if code, _, stderr := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "--export", all, "--export-all"); code != 1 || !strings.Contains(stderr, "exported 62 packets of 5 flow(s)") {
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
