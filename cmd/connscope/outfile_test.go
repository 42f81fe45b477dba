package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// dirEntries lists the names in dir, to show that no temporary file was left behind.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestOutputIsInputRefused: an -o or --export path that is the capture being read — by the same
// name, through a symbolic link, a hard link, /dev/fd/N or /proc/self/fd/N — or that is the other
// output, is refused with exit 2 and a message naming both, before anything is read or written:
// the capture stays as it was and no file appears.
func TestOutputIsInputRefused(t *testing.T) {
	toRoot(t)
	orig, err := os.ReadFile("testdata/captures/seed-reset-fleet.pcap")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	if err := os.WriteFile(in, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("in.pcap", filepath.Join(dir, "symlink.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(in, filepath.Join(dir, "hardlink.json")); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := strconv.Itoa(int(f.Fd()))
	out := filepath.Join(dir, "report.json")
	same := func(flag, path string) string {
		return "connscope: error: " + flag + " " + path + " is the same file as the capture " + in + ": connscope never writes to what it reads; give another file name\n"
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-o", in}, same("--output", in)},
		{[]string{"-o", filepath.Join(dir, "symlink.json")}, same("--output", filepath.Join(dir, "symlink.json"))},
		{[]string{"-o", filepath.Join(dir, "hardlink.json")}, same("--output", filepath.Join(dir, "hardlink.json"))},
		{[]string{"-o", filepath.Join(dir, ".", "..", filepath.Base(dir), "in.pcap")}, same("--output", filepath.Join(dir, ".", "..", filepath.Base(dir), "in.pcap"))},
		{[]string{"-o", "/dev/fd/" + fd}, same("--output", "/dev/fd/"+fd)},
		{[]string{"-o", "/proc/self/fd/" + fd}, same("--output", "/proc/self/fd/"+fd)},
		{[]string{"--export", in}, same("--export", in)},
		{[]string{"--export", filepath.Join(dir, "symlink.json"), "-o", out}, same("--export", filepath.Join(dir, "symlink.json"))},
		{[]string{"--export", out, "-o", out}, "connscope: error: --output and --export are both " + out + ": give each its own file name\n"},
	}
	for _, tc := range cases {
		if strings.HasPrefix(tc.args[1], "/proc/") || strings.HasPrefix(tc.args[1], "/dev/fd/") {
			if _, err := os.Stat(tc.args[1]); err != nil {
				t.Logf("%s: %v; case skipped on this system", tc.args[1], err)
				continue
			}
		}
		args := append([]string{"analyze", in, "-p", "4343"}, tc.args...)
		code, stdout, stderr := runCLI(args...)
		if code != exitUsage || stdout != "" || stderr != tc.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, stdout, stderr, tc.want)
		}
		if b, _ := os.ReadFile(in); !bytes.Equal(b, orig) {
			t.Fatalf("%q changed the capture", args)
		}
		if names := dirEntries(t, dir); !slices.Equal(names, []string{"hardlink.json", "in.pcap", "symlink.json"}) {
			t.Fatalf("%q left files behind: %v", args, names)
		}
	}
	// The capture named through a link, the report to its real name.
	code, _, stderr := runCLI("analyze", filepath.Join(dir, "symlink.json"), "-o", in)
	if want := "connscope: error: --output " + in + " is the same file as the capture " + filepath.Join(dir, "symlink.json") + ": connscope never writes to what it reads; give another file name\n"; code != exitUsage || stderr != want {
		t.Errorf("analyze through a link onto its target: exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
}

// TestStdoutIsInputRefused runs the binary with its standard output appended to the capture it
// reads (connscope analyze in.pcap >> in.pcap): refused, the capture unchanged.
func TestStdoutIsInputRefused(t *testing.T) {
	bin := buildBinary(t)
	orig, err := os.ReadFile("../../testdata/captures/tls12-ok.pcap")
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "in.pcap")
	if err := os.WriteFile(in, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bin, "analyze", in)
	cmd.Stdout = f
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Run()
	want := "connscope: error: standard output is the capture " + in + ": connscope never writes to what it reads; write the report elsewhere (-o FILE)\n"
	if code := cmd.ProcessState.ExitCode(); code != exitUsage || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), want)
	}
	if b, _ := os.ReadFile(in); !bytes.Equal(b, orig) {
		t.Errorf("the capture changed: %d bytes, was %d", len(b), len(orig))
	}
}

// TestOutputReplacedWhole: -o over an earlier report replaces it whole, through a symbolic link
// (the link stays, its target gets the report) and keeping the earlier file's mode; no
// temporary file is left.
func TestOutputReplacedWhole(t *testing.T) {
	toRoot(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "report.md")
	if err := os.WriteFile(target, []byte("the earlier report\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.md")
	if err := os.Symlink("report.md", link); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "4343", "-f", "markdown", "-o", link)
	if code != exitFailed || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	_, want, _ := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "4343", "-f", "markdown")
	if got, _ := os.ReadFile(target); string(got) != want {
		t.Errorf("the link's target holds %d bytes, not the report (%d bytes)", len(got), len(want))
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("the report's mode is %v, the earlier file's was 0640", fi.Mode().Perm())
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"latest.md", "report.md"}) {
		t.Errorf("files in the directory: %v", names)
	}
}

func mustSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestExportNothing: --export when no flow failed writes no file (an earlier one stays), says so
// on stderr, and the report and exit status are as without --export.
func TestExportNothing(t *testing.T) {
	toRoot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "failing.pcapng")
	_, plain, _ := runCLI("analyze", "testdata/captures/tls12-ok.pcap")
	code, stdout, stderr := runCLI("analyze", "testdata/captures/tls12-ok.pcap", "--export", out)
	want := "connscope: nothing to export: no connection failed and no lookup of a server's name failed (--export-all exports every connection); no file was written to " + out + "\n"
	if code != exitOK || stdout != plain || stderr != want {
		t.Errorf("exit %d, stderr %q; want 0, the plain report and %q", code, stderr, want)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("files written: %v", names)
	}
	if err := os.WriteFile(out, []byte("earlier"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI("analyze", "testdata/captures/tls12-ok.pcap", "--export", out, "-q")
	want = "connscope: nothing to export: no connection failed and no lookup of a server's name failed (--export-all exports every connection); the earlier " + out + " is left as it was\n"
	if code != exitOK || stderr != want {
		t.Errorf("over an earlier file: exit %d, stderr %q; want 0 and %q", code, stderr, want)
	}
	if b, _ := os.ReadFile(out); string(b) != "earlier" {
		t.Errorf("the earlier file holds %q", b)
	}
	code, _, stderr = runCLI("analyze", "testdata/captures/tls12-ok.pcap", "-p", "9", "--export", filepath.Join(dir, "all.pcapng"), "--export-all")
	want = "connscope: nothing to export: the analysis lists no connection and no name lookup; no file was written to " + filepath.Join(dir, "all.pcapng") + "\n"
	if code != exitNothing || stderr != want {
		t.Errorf("--export-all with no flow: exit %d, stderr %q; want 3 (nothing to analyse) and %q", code, stderr, want)
	}
}

// TestOutputUnwritable: an -o that cannot be created (no such directory, a directory) fails at
// once with exit 2, before any analysis, and says why.
func TestOutputUnwritable(t *testing.T) {
	toRoot(t)
	dir := t.TempDir()
	cases := []struct{ out, want string }{
		{filepath.Join(dir, "missing", "r.json"), "connscope: error: cannot write the report: cannot create r.json in " + filepath.Join(dir, "missing") + "/: no such file or directory\n"},
		{dir, "connscope: error: cannot write the report: " + dir + " is a directory: give a file name\n"},
	}
	for _, tc := range cases {
		code, stdout, stderr := runCLI("analyze", "testdata/captures/tls12-ok.pcap", "-o", tc.out)
		if code != exitUsage || stdout != "" || stderr != tc.want {
			t.Errorf("-o %s: exit %d, stdout %q, stderr %q; want 2 and %q", tc.out, code, stdout, stderr, tc.want)
		}
	}
}
