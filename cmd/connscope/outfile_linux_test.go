package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestFailedWriteKeepsEarlier fills a small tmpfs (mounted by the test; root only): a report and
// an export that do not fit fail with exit 2 and say so, the earlier files of those names keep
// their bytes, and no temporary file is left.
func TestFailedWriteKeepsEarlier(t *testing.T) {
	needTools(t, "mount", "umount")
	toRoot(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "cli-full", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	report, export := filepath.Join(dir, "report.html"), filepath.Join(dir, "failing.pcapng")
	earlier := []byte("the earlier report, which must survive\n")
	for _, p := range []string{report, export} {
		if err := os.WriteFile(p, earlier, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Fill the rest of the file system but for a few KiB.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := filler.Write(chunk); err != nil {
			break
		}
	}
	filler.Close()
	os.Truncate(filepath.Join(dir, "filler"), mustSize(t, filepath.Join(dir, "filler"))-8192)

	code, stdout, stderr := runCLI("analyze", "testdata/captures/many-agents.pcap", "-f", "html", "-o", report)
	want := "connscope: error: cannot write the report to " + report + ": no space left on device; the earlier " + report + " is left as it was\n"
	if code != exitUsage || stdout != "" || stderr != want {
		t.Errorf("report: exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, want)
	}
	code, stdout, stderr = runCLI("analyze", "testdata/captures/many-agents.pcap", "--export", export, "--export-all")
	want = "connscope: error: cannot write the export to " + export + ": no space left on device; the earlier " + export + " is left as it was\n"
	if code != exitUsage || stdout != "" || stderr != want {
		t.Errorf("export: exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, want)
	}
	for _, p := range []string{report, export} {
		if b, _ := os.ReadFile(p); !bytes.Equal(b, earlier) {
			t.Errorf("%s holds %q, not the earlier file", p, b)
		}
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"failing.pcapng", "filler", "report.html"}) {
		t.Errorf("files left in the full file system: %v", names)
	}
}
