//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptLeavesNoPartialFile interrupts the binary (SIGINT, as Ctrl-C) while it waits for
// its capture (a FIFO nobody writes to), after it started its -o and --export files: it exits
// with 130 and says so, the temporary files are gone, and the earlier report is as it was.
func TestInterruptLeavesNoPartialFile(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "capture.pcap")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	out := filepath.Join(dir, "report.json")
	if err := os.WriteFile(out, []byte("the earlier report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "analyze", fifo, "-f", "json", "-o", out, "--export", filepath.Join(dir, "failing.pcapng"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if !waitFor(10*time.Second, func() bool { return len(dirEntries(t, dir)) == 4 }) {
		t.Fatalf("the output files were not started within 10 s: %v", dirEntries(t, dir))
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	want := "\nconnscope: interrupt: stopped before the report was complete; no partial file is left\n"
	if code := cmd.ProcessState.ExitCode(); code != 130 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 130 and %q", code, stderr.String(), want)
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"capture.pcap", "report.json"}) {
		t.Errorf("files left: %v", names)
	}
	if b, _ := os.ReadFile(out); string(b) != "the earlier report\n" {
		t.Errorf("the earlier report holds %q", b)
	}
}
