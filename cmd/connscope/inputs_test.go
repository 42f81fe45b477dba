package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runWithStdin runs the command line with standard input reading in.
func runWithStdin(t *testing.T, in []byte, args ...string) (int, string, string) {
	t.Helper()
	old := stdin
	stdin = bytes.NewReader(in)
	defer func() { stdin = old }()
	return runCLI(args...)
}

// A capture piped into "connscope analyze -" gives, byte for byte, the report of the file: the
// table and the verbose table; the JSON report differs only in the file's name ("-").
func TestAnalyzeStdin(t *testing.T) {
	toRoot(t)
	for _, f := range []string{"testdata/captures/seed-tls10-vs-tls12.pcap", "testdata/captures/many-agents.pcap",
		"capture/testdata/dumpcap-3if.pcapng.gz", "capture/testdata/encap/gtpu.pcap"} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, extra := range [][]string{nil, {"-v"}, {"-f", "json"}} {
				wc, wout, werr := runCLI(append([]string{"analyze", f}, extra...)...)
				gc, gout, gerr := runWithStdin(t, b, append([]string{"analyze", "-"}, extra...)...)
				if len(extra) == 2 {
					gout = strings.Replace(gout, `"file": "-"`, `"file": "`+f+`"`, 1)
				}
				if gc != wc || gout != wout || gerr != werr {
					t.Errorf("%v: exit %d, want %d; stderr %q, want %q; report:\n%s", extra, gc, wc, gerr, werr, diffLines(wout, gout))
				}
			}
		})
	}
}

// The real thing: cat FILE | connscope analyze -, through a pipe that cannot seek.
func TestAnalyzeStdinPipe(t *testing.T) {
	bin := buildBinary(t)
	const f = "../../testdata/captures/seed-tls10-vs-tls12.pcap"
	want, err := exec.Command(bin, "analyze", f).Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "cat "+f+" | "+bin+" analyze -")
	got, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1 (a flow failed)", err)
	}
	if !bytes.Equal(got, want) || len(want) == 0 {
		t.Errorf("piped:\n%s\nwant:\n%s", got, want)
	}
	out, err := exec.Command(bin, "analyze", "-").CombinedOutput() // stdin is /dev/null: empty
	if !strings.Contains(string(out), `"-" is empty: it holds no capture`) || err == nil {
		t.Errorf("empty stdin: %v %s", err, out)
	}
}

// A folder gives the report its files give when listed, in any order: here the rotated set that
// real tcpdump -C wrote (capture/testdata/rotated/set), in every format.
func TestAnalyzeFolder(t *testing.T) {
	toRoot(t)
	const dir = "capture/testdata/rotated/set"
	for _, format := range []string{"table", "json", "markdown"} {
		wc, want, _ := runCLI("analyze", "-f", format, dir)
		for _, files := range [][]string{{"x.pcap", "x.pcap1", "x.pcap2"}, {"x.pcap2", "x.pcap1", "x.pcap"}} {
			args := []string{"analyze", "-f", format}
			for _, f := range files {
				args = append(args, filepath.Join(dir, f))
			}
			gc, got, gerr := runCLI(args...)
			if gc != wc || got != want || gerr != "" {
				t.Errorf("%s %v: exit %d (want %d), stderr %q:\n%s", format, files, gc, wc, gerr, diffLines(want, got))
			}
		}
		if wc != exitFailed || !strings.Contains(want, "tls-version-mismatch") {
			t.Errorf("%s: exit %d, report:\n%s", format, wc, want)
		}
	}
	_, js, _ := runCLI("analyze", "-f", "json", dir)
	var res struct {
		Input struct {
			File   string `json:"file"`
			Frames int    `json:"frames"`
			Points []struct {
				Name  string `json:"name"`
				Files []struct {
					Name     string `json:"name"`
					Frames   int    `json:"frames"`
					Complete bool   `json:"complete"`
				} `json:"files"`
			} `json:"points"`
		} `json:"input"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	in := res.Input
	if in.File != dir+"/x.pcap" || len(in.Points) != 1 || in.Points[0].Name != dir+"/x.pcap" || len(in.Points[0].Files) != 3 ||
		in.Points[0].Files[2].Name != dir+"/x.pcap2" || in.Points[0].Files[0].Frames+in.Points[0].Files[1].Frames+in.Points[0].Files[2].Frames != in.Frames {
		t.Errorf("input %+v", in)
	}
}

// --vantage names a capture point and gathers files into it; --export with more than one file
// is refused with a message that says why. (Several capture points: twopoint_test.go.)
func TestAnalyzeVantage(t *testing.T) {
	toRoot(t)
	const dir = "capture/testdata/rotated/set/"
	code, js, stderr := runCLI("analyze", "-f", "json", "--vantage", "server="+dir+"x.pcap1", "--vantage", "server="+dir+"x.pcap", "--vantage", "server="+dir+"x.pcap2")
	var res struct {
		Input struct {
			File   string `json:"file"`
			Points []struct {
				Name  string `json:"name"`
				Files []struct {
					Name string `json:"name"`
				} `json:"files"`
			} `json:"points"`
		} `json:"input"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil || code != exitFailed {
		t.Fatalf("exit %d, %v, stderr %s", code, err, stderr)
	}
	if p := res.Input.Points; res.Input.File != "server" || len(p) != 1 || p[0].Name != "server" || len(p[0].Files) != 3 || p[0].Files[0].Name != dir+"x.pcap" {
		t.Errorf("input %+v", res.Input)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", "--vantage", "server"}, `--vantage "server" is not NAME=FILE`},
		{[]string{"analyze", "--export", "/tmp/x.pcapng", dir}, "--export reads the capture a second time: give it one capture file"},
		{[]string{"analyze"}, "analyze needs a capture: a file, a folder, or - for standard input"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}
