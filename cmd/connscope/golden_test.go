package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update rewrites the golden reports: go test ./cmd/connscope -update
var update = flag.Bool("update", false, "rewrite the golden reports under testdata/golden")

// goldenDir holds the expected reports, relative to the repository root.
const goldenDir = "testdata/golden"

// toRoot makes the repository root the working directory, so that the file names printed in the
// reports are the ones the README uses.
func toRoot(t *testing.T) {
	t.Helper()
	t.Chdir("../..")
}

// runCLI runs the command line as main does and returns its exit code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// checkGolden compares got with the golden file name, or rewrites it under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden report missing (run go test ./cmd/connscope -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s (run go test ./cmd/connscope -update and review the diff):\n%s", path, diffLines(string(want), got))
	}
}

// diffLines shows the first lines where want and got differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl && shown < 8 {
			b.WriteString("line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// manifestVerdicts reads testdata/captures/MANIFEST.tsv: the verdicts expected in each capture.
func manifestVerdicts(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/captures/MANIFEST.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		out[c[0]] = append(out[c[0]], c[3])
	}
	return out
}

// expectedExit is the exit status a capture's report must give: 1 when MANIFEST.tsv lists a
// failing verdict for it or NAMES.tsv a failing name, else 0.
func expectedExit(file string, verdicts map[string][]string, namesFailed map[string]bool) int {
	for _, v := range verdicts[file] {
		if v != "ok" && v != "incomplete" {
			return 1
		}
	}
	if namesFailed[file] {
		return 1
	}
	return 0
}

// TestGoldenReports runs `connscope analyze` over every capture in testdata/captures, in the
// table format (verbose, so every flow's reason and evidence is pinned) and in JSON, and compares
// each report whole with its golden file. The exit status must follow the verdicts MANIFEST.tsv
// lists: 1 when one of them is a failure, else 0.
func TestGoldenReports(t *testing.T) {
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
			vs, ok := verdicts[filepath.Base(path)]
			if !ok {
				t.Fatalf("%s has no row in MANIFEST.tsv", path)
			}
			want := expectedExit(filepath.Base(path), verdicts, namesFailed)
			code, table, stderr := runCLI("analyze", path, "--port", "4343,8080", "--verbose")
			if code != want || stderr != "" {
				t.Errorf("table: exit %d, want %d; stderr %q", code, want, stderr)
			}
			checkGolden(t, name+".txt", table)

			code, js, stderr := runCLI("analyze", path, "-p", "4343", "-p", "8080", "--format", "json")
			if code != want || stderr != "" {
				t.Errorf("json: exit %d, want %d; stderr %q", code, want, stderr)
			}
			checkJSONKeys(t, js, len(vs))
			checkGolden(t, name+".json", js)
		})
	}
}

// checkJSONKeys checks that every flow object has the keys the JSON schema promises.
func checkJSONKeys(t *testing.T, js string, flows int) {
	t.Helper()
	var doc struct {
		Schema string                       `json:"schema"`
		Flows  []map[string]json.RawMessage `json:"flows"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("JSON report does not parse: %v", err)
	}
	if doc.Schema != "connscope.result/v1" || len(doc.Flows) != flows {
		t.Errorf("JSON: schema %q with %d flows, want connscope.result/v1 with %d", doc.Schema, len(doc.Flows), flows)
	}
	for i, fl := range doc.Flows {
		for _, k := range []string{"client", "server", "conn_state", "history", "offered_versions", "chosen_version", "alerts", "verdict"} {
			if _, ok := fl[k]; !ok {
				t.Errorf("JSON flow %d has no %q key", i+1, k)
			}
		}
	}
}

// TestDamagedCaptures: a file cut mid-record or with a corrupt record gives the report of
// everything before the damage, with a warning that says where it is; the exit status follows
// the flows, not the damage. A capture whose snaplen cut the ClientHellos says so.
func TestDamagedCaptures(t *testing.T) {
	toRoot(t)
	cases := []struct {
		file, golden string
		code         string // the first warning's code
		offset       int64
		frames       int      // frames analysed before the damage
		verdicts     []string // per flow
		exit         int
	}{
		{"capture/testdata/cut-mid-record.pcap", "damaged-cut-mid-record", "truncated-file", 1946, 9, []string{"ok"}, 0},
		{"capture/testdata/cut-mid-block.pcapng", "damaged-cut-mid-block", "truncated-file", 3176, 11, []string{"ok"}, 0},
		{"capture/testdata/corrupt-length.pcap", "damaged-corrupt-length", "corrupt-file", 1946, 9, []string{"ok"}, 0},
		{"capture/testdata/corrupt-block.pcapng", "damaged-corrupt-block", "corrupt-file", 3176, 11, []string{"ok"}, 0},
		{"capture/testdata/tls-snaplen96.pcap", "snaplen96", "snaplen-cut", 0, 51,
			[]string{"incomplete", "incomplete", "refused", "firewall-reject", "firewall-reject", "syn-timeout", "ok"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			code, table, stderr := runCLI("analyze", tc.file, "-v")
			if code != tc.exit || stderr != "" {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.exit, stderr)
			}
			if !strings.HasPrefix(table, "WARNING: ") {
				t.Errorf("the table does not start with a warning:\n%s", table)
			}
			checkGolden(t, tc.golden+".txt", table)

			_, js, _ := runCLI("analyze", tc.file, "-f", "json")
			var doc struct {
				Input struct {
					Frames   int  `json:"frames"`
					Complete bool `json:"complete"`
				} `json:"input"`
				Warnings []struct {
					Code   string `json:"code"`
					Offset int64  `json:"offset"`
				} `json:"warnings"`
				Flows []struct {
					Verdict string `json:"verdict"`
				} `json:"flows"`
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatalf("JSON report does not parse: %v", err)
			}
			if len(doc.Warnings) == 0 || doc.Warnings[0].Code != tc.code || doc.Warnings[0].Offset != tc.offset {
				t.Errorf("warnings %+v, want first %s at byte %d", doc.Warnings, tc.code, tc.offset)
			}
			if doc.Input.Frames != tc.frames || doc.Input.Complete != (tc.offset == 0) {
				t.Errorf("input: %d frames, complete=%v; want %d frames", doc.Input.Frames, doc.Input.Complete, tc.frames)
			}
			var got []string
			for _, f := range doc.Flows {
				got = append(got, f.Verdict)
			}
			if strings.Join(got, " ") != strings.Join(tc.verdicts, " ") {
				t.Errorf("verdicts %v, want %v", got, tc.verdicts)
			}
			checkGolden(t, tc.golden+".json", js)
		})
	}
}

// TestSnaplenCutClientHello: the snaplen warning names the cut ClientHellos and what to do.
func TestSnaplenCutClientHello(t *testing.T) {
	toRoot(t)
	_, table, _ := runCLI("analyze", "capture/testdata/tls-snaplen96.pcap")
	want := "WARNING: the capture's snaplen cut the ClientHello of 2 flows (the first in frame 4), so the TLS versions they offer cannot be read: capture again with the full snaplen (tcpdump -s 0) (client-hello-cut, frame 4)\n"
	if !strings.Contains(table, want) {
		t.Errorf("no client-hello-cut warning %q in:\n%s", want, table)
	}
}

// TestUsageErrors: bad usage and unreadable files exit 2 with a message that says what is wrong.
func TestUsageErrors(t *testing.T) {
	toRoot(t)
	cases := []struct {
		args []string
		want string // in stderr
	}{
		{nil, "Usage:"},
		{[]string{"analyze"}, "connscope: error: analyze needs a capture: a file, a folder, or - for standard input"},
		{[]string{"frobnicate"}, `connscope: error: unknown command "frobnicate"`},
		{[]string{"analyze", "--port", "70000", "testdata/captures/tls12-ok.pcap"}, `--port "70000" is not a port number (1-65535)`},
		{[]string{"analyze", "--host", "server.example", "testdata/captures/tls12-ok.pcap"}, `--host "server.example" is not an IP address`},
		{[]string{"analyze", "--format", "xml", "testdata/captures/tls12-ok.pcap"}, "xml"},
		{[]string{"analyze", "--no-such-flag", "testdata/captures/tls12-ok.pcap"}, "no-such-flag"},
		{[]string{"analyze", "testdata/captures/does-not-exist.pcap"}, "does-not-exist.pcap"},
		{[]string{"analyze", "README.md"}, "README.md"},
		{[]string{"analyze", "docs"}, `"docs" holds no capture file`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not say %q", stderr, tc.want)
			}
		})
	}
}

// TestOutputFile: -o writes the report to a file and keeps the exit status.
func TestOutputFile(t *testing.T) {
	toRoot(t)
	out := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := runCLI("analyze", "testdata/captures/seed-tls10-vs-tls12.pcap", "-p", "4343,8080", "-f", "json", "-o", out)
	if code != 1 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 1 and no output", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := os.ReadFile(filepath.Join(goldenDir, "seed-tls10-vs-tls12.json")); !bytes.Equal(b, want) && !*update {
		t.Errorf("-o wrote a report that differs from the golden one")
	}
}
