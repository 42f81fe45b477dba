//go:build linux

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/result"
)

// runningCapture is `connscope capture` running in a namespace, its output lines collected.
type runningCapture struct {
	cmd              *exec.Cmd
	out, err         lineCollector
	outDone, errDone chan struct{}
}

// startCapture runs the binary's capture command in namespace ns and waits until it says it is
// capturing.
func startCapture(t *testing.T, bin, ns, iface string, args ...string) *runningCapture {
	t.Helper()
	c := &runningCapture{outDone: make(chan struct{}), errDone: make(chan struct{})}
	c.cmd = exec.Command("ip", append([]string{"netns", "exec", ns, bin, "capture", "-i", iface}, args...)...)
	stdout, _ := c.cmd.StdoutPipe()
	stderr, _ := c.cmd.StderrPipe()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	go c.out.read(stdout, c.outDone)
	go c.err.read(stderr, c.errDone)
	if !waitFor(20*time.Second, func() bool { return c.err.count(regexp.MustCompile(`^connscope: capturing on `+iface+` `)) == 1 }) {
		t.Fatalf("the capture did not start within 20 s; stderr:\n%s", c.stderr())
	}
	return c
}

// wait waits for the capture to exit (at most d) and returns its exit status.
func (c *runningCapture) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	exited := make(chan struct{})
	go func() { <-c.outDone; <-c.errDone; c.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(d):
		t.Fatalf("the capture did not exit within %v; stderr:\n%s", d, c.stderr())
	}
	return c.cmd.ProcessState.ExitCode()
}

func (c *runningCapture) stderr() string { return strings.Join(c.err.snapshot(), "\n") }

// readReport reads a JSON report.
func readReport(t *testing.T, path string) *result.Result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r result.Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

// mountTmpfs mounts a tmpfs of the given size (e.g. "256k") with extra options on a new
// directory and unmounts it when the test ends.
func mountTmpfs(t *testing.T, size, opts string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	o := "size=" + size
	if opts != "" {
		o += "," + opts
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", o, "cli-tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount -t tmpfs -o %s: %v: %s", o, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// TestCaptureWriteDiskFull captures a 1 MiB TLS transfer (OpenSSL s_client fetching a file from
// s_server -WWW, in namespaces named cli-...) with --write into a 256 KiB tmpfs mounted by the test. The disk
// fills part-way: a warning on stderr names the error and the packets written; the capture
// goes on to its end (the live line, the final report with all the packets and a
// capture-file-error warning, exit 0); the file, as analysed offline, is a valid pcapng with
// exactly the packets the warning names and no truncation.
func TestCaptureWriteDiskFull(t *testing.T) {
	needTools(t, "ip", "openssl", "mount", "umount")
	bin := buildBinary(t)
	n := newNetnsPairNamed(t, "cli")
	full := mountTmpfs(t, "256k", "")
	dir := t.TempDir()
	pki, err := filepath.Abs("../../testdata/pki")
	if err != nil {
		t.Fatal(err)
	}
	// The server serves a 1 MiB file (-WWW: files below its working directory): about 1.1 MB
	// of frames, four times what the tmpfs holds.
	www := t.TempDir()
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	if err := os.WriteFile(filepath.Join(www, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := exec.Command("ip", "netns", "exec", n.server, "openssl", "s_server", "-accept", n.srvIP+":4343", "-naccept", "1",
		"-cert", filepath.Join(pki, "server.pem"), "-key", filepath.Join(pki, "server.key"), "-tls1_2", "-WWW")
	srv.Dir = www
	srv.Stdin = strings.NewReader("")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	n.serverProcesses = append(n.serverProcesses, srv)
	if !waitFor(20*time.Second, func() bool {
		out, _ := n.in(n.server, "cat", "/proc/net/tcp")
		return strings.Contains(out, ":10F7 00000000:0000 0A")
	}) {
		t.Fatal("openssl s_server did not listen on 4343 within 20 s")
	}
	pcapng, reportPath := filepath.Join(full, "live.pcapng"), filepath.Join(dir, "report.json")
	c := startCapture(t, bin, n.agent, n.agentIf, "--port", "4343", "--idle-timeout", "3s", "--status", "1s",
		"--write", pcapng, "--format", "json", "-o", reportPath)

	// The client asks for it and reads it to the end (-ign_eof: until the server closes).
	cl := exec.Command("ip", "netns", "exec", n.agent, "openssl", "s_client", "-connect", n.srvIP+":4343", "-tls1_2", "-ign_eof", "-quiet")
	cl.Stdin = strings.NewReader("GET /big.bin HTTP/1.0\r\n\r\n")
	got, err := cl.Output()
	if err != nil || len(got) < 1<<20 {
		t.Fatalf("the client got %d bytes (%v), want the 1 MiB file", len(got), err)
	}
	warnRe := regexp.MustCompile(`^connscope: warning: ` + regexp.QuoteMeta(pcapng) + `: writing the capture file failed after (\d+) packets \(write ` +
		regexp.QuoteMeta(pcapng) + `: no space left on device\): it holds the (\d+) packets before, as a valid pcapng file; the capture and its analysis go on without it$`)
	flowLine := regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} #1 ok ` + regexp.QuoteMeta(n.agentIP) + `:\d+ -> ` + regexp.QuoteMeta(n.srvIP) + `:4343 SF offered .* chosen TLS 1\.2 : `)
	if !waitFor(30*time.Second, func() bool { return c.out.count(flowLine) == 1 }) {
		t.Fatalf("no live line for the transfer within 30 s; stdout:\n%s\nstderr:\n%s", strings.Join(c.out.snapshot(), "\n"), c.stderr())
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	if code := c.wait(t, 10*time.Second); code != exitOK {
		t.Fatalf("exit status %d, want 0 (the flow worked); stderr:\n%s", code, c.stderr())
	}
	var written int
	for _, l := range c.err.snapshot() {
		if m := warnRe.FindStringSubmatch(l); m != nil {
			if written != 0 || m[1] != m[2] {
				t.Fatalf("a second or inconsistent warning: %q", l)
			}
			written, _ = strconv.Atoi(m[1])
		}
	}
	if written < 10 {
		t.Fatalf("no warning about the full disk on stderr:\n%s", c.stderr())
	}
	endRe := regexp.MustCompile(`^connscope: stopped \(interrupted\) after [\d.]+ s: (\d+) packets captured; kernel: \d+ received, 0 dropped; wrote the first ` +
		strconv.Itoa(written) + ` packets to ` + regexp.QuoteMeta(pcapng) + `$`)
	if c.err.count(endRe) != 1 {
		t.Errorf("no end line naming the packets written:\n%s", c.stderr())
	}

	live := readReport(t, reportPath)
	wantWarn := pcapng + ": writing the capture file failed after " + strconv.Itoa(written) + " packets (write " + pcapng +
		": no space left on device): it holds the " + strconv.Itoa(written) + " packets before, as a valid pcapng file; the capture and this report went on without it"
	if len(live.Warnings) != 1 || live.Warnings[0].Code != "capture-file-error" || say(live.Warnings[0].Message) != wantWarn {
		t.Errorf("report warnings %+v, want one capture-file-error %q", live.Warnings, wantWarn)
	}
	if live.Flows.Len() != 1 || live.Flows.At(0).Verdict != result.VerdictOK || live.Flows.At(0).TCP.ServerBytes < 1<<20 ||
		live.Input.Frames <= written || !live.Input.Complete || live.Input.Live.StoppedBy != "interrupted" {
		t.Errorf("report: input %+v, flows %+v", live.Input, live.Flows.Slice())
	}

	offline, err := analyze.File(pcapng, analyze.Options{Ports: []uint16{4343}})
	if err != nil {
		t.Fatal(err)
	}
	if offline.Input.Frames != written || !offline.Input.Complete || len(offline.Warnings) != 0 {
		t.Errorf("the written file: %d frames (want %d), complete %v, warnings %+v", offline.Input.Frames, written, offline.Input.Complete, offline.Warnings)
	}
	if fi, err := os.Stat(pcapng); err != nil || fi.Size() > 256<<10 {
		t.Errorf("the written file: %v, %v", fi, err)
	}
	t.Logf("%d of %d packets written before the disk was full", written, live.Input.Frames)
}

// TestCaptureInterfaceGone deletes the veth a capture runs on (in namespaces named cli-...),
// after a refused connection: the capture ends at once with exit 2 and "interface X went away",
// and still writes its report (the connection, the capture-error warning, input.complete
// false) and a complete --write file.
func TestCaptureInterfaceGone(t *testing.T) {
	needTools(t, "ip", "openssl")
	bin := buildBinary(t)
	n := newNetnsPairNamed(t, "cli")
	dir := t.TempDir()
	pcapng, reportPath := filepath.Join(dir, "live.pcapng"), filepath.Join(dir, "report.json")
	c := startCapture(t, bin, n.agent, n.agentIf, "--port", "4344", "--status", "0", "--write", pcapng, "--format", "json", "-o", reportPath)
	cl := exec.Command("ip", "netns", "exec", n.agent, "openssl", "s_client", "-connect", n.srvIP+":4344")
	cl.Stdin = strings.NewReader("")
	if cl.Run() == nil {
		t.Fatal("a client reached port 4344, where nothing listens")
	}
	time.Sleep(500 * time.Millisecond)
	deleted := time.Now()
	if out, err := exec.Command("ip", "-n", n.agent, "link", "del", n.agentIf).CombinedOutput(); err != nil {
		t.Fatalf("ip link del: %v: %s", err, out)
	}
	code := c.wait(t, 10*time.Second)
	t.Logf("the capture ended %.2f s after the interface was deleted", time.Since(deleted).Seconds())
	lines := c.err.snapshot()
	wantLast := "connscope: error: interface " + n.agentIf + " went away: the capture ended there; the report covers the packets captured before it"
	if code != exitUsage || len(lines) == 0 || lines[len(lines)-1] != wantLast {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and last line %q", code, c.stderr(), wantLast)
	}
	if c.err.count(regexp.MustCompile(`^connscope: stopped \(capture error\) after [\d.]+ s: 2 packets captured; kernel: \d+ received, 0 dropped; wrote `+regexp.QuoteMeta(pcapng)+`$`)) != 1 {
		t.Errorf("no end line:\n%s", c.stderr())
	}
	r := readReport(t, reportPath)
	wantWarn := "interface " + n.agentIf + " went away; the report covers the packets captured before it"
	if len(r.Warnings) != 1 || r.Warnings[0].Code != "capture-error" || say(r.Warnings[0].Message) != wantWarn {
		t.Errorf("report warnings %+v, want one capture-error %q", r.Warnings, wantWarn)
	}
	if r.Flows.Len() != 1 || r.Flows.At(0).Verdict != result.VerdictRefused || r.Flows.At(0).ConnState != "REJ" ||
		r.Input.Frames != 2 || r.Input.Complete || r.Input.Live.StoppedBy != "capture error" {
		t.Errorf("report: input %+v, live %+v, flows %+v", r.Input, r.Input.Live, r.Flows.Slice())
	}
	offline, err := analyze.File(pcapng, analyze.Options{Ports: []uint16{4344}})
	if err != nil {
		t.Fatal(err)
	}
	if offline.Input.Frames != 2 || !offline.Input.Complete || offline.Flows.Len() != 1 || offline.Flows.At(0).Verdict != result.VerdictRefused {
		t.Errorf("the written file: input %+v, flows %+v", offline.Input, offline.Flows.Slice())
	}
}

// TestCaptureOutputUnwritable: an -o that cannot be written (no such directory; a read-only
// tmpfs mounted by the test) or that is the --write file is refused at start, with exit 2,
// before any capture: no "capturing on" line, no --write file.
func TestCaptureOutputUnwritable(t *testing.T) {
	needTools(t, "mount", "umount")
	ro := mountTmpfs(t, "64k", "ro")
	dir := t.TempDir()
	write := filepath.Join(dir, "live.pcapng")
	cases := []struct{ out, want string }{
		{filepath.Join(dir, "missing", "r.json"), "connscope: error: cannot write the report: cannot create r.json in " + filepath.Join(dir, "missing") + "/: no such file or directory; nothing was captured\n"},
		{filepath.Join(ro, "r.json"), "connscope: error: cannot write the report: cannot create r.json in " + ro + "/: read-only file system; nothing was captured\n"},
		{write, "connscope: error: --output and --write are both " + write + ": give each its own file name\n"},
	}
	for _, tc := range cases {
		code, stdout, stderr := runCLI("capture", "-i", "lo", "--port", "4343", "--write", write, "-o", tc.out)
		if code != exitUsage || stdout != "" || stderr != tc.want {
			t.Errorf("-o %s: exit %d, stdout %q, stderr %q; want 2 and %q", tc.out, code, stdout, stderr, tc.want)
		}
		if _, err := os.Stat(write); !os.IsNotExist(err) {
			t.Errorf("-o %s: the --write file exists (%v)", tc.out, err)
		}
	}
}

// TestCaptureInterfaceDown takes the veth a capture runs on down (namespaces named cli-...):
// the kernel stops handing its packets over, so the capture ends, as tcpdump does, with exit 2,
// "interface X went down" and its (empty) report.
func TestCaptureInterfaceDown(t *testing.T) {
	needTools(t, "ip")
	bin := buildBinary(t)
	n := newNetnsPairNamed(t, "cli")
	c := startCapture(t, bin, n.agent, n.agentIf, "--port", "4344", "--status", "0", "--format", "json")
	if out, err := exec.Command("ip", "-n", n.agent, "link", "set", n.agentIf, "down").CombinedOutput(); err != nil {
		t.Fatalf("ip link set down: %v: %s", err, out)
	}
	code := c.wait(t, 10*time.Second)
	lines := c.err.snapshot()
	wantLast := "connscope: error: interface " + n.agentIf + " went down: the capture ended there; the report covers the packets captured before it"
	if code != exitUsage || len(lines) == 0 || lines[len(lines)-1] != wantLast {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and last line %q", code, c.stderr(), wantLast)
	}
	var r result.Result
	if err := json.Unmarshal([]byte(strings.Join(c.out.snapshot(), "\n")), &r); err != nil {
		t.Fatalf("the JSON report on stdout: %v", err)
	}
	wantWarn := "interface " + n.agentIf + " went down; the report covers the packets captured before it"
	if len(r.Warnings) != 1 || r.Warnings[0].Code != "capture-error" || say(r.Warnings[0].Message) != wantWarn || r.Input.Complete || r.Input.Live.StoppedBy != "capture error" {
		t.Errorf("report: warnings %+v, input %+v", r.Warnings, r.Input)
	}
}

// TestCaptureReportToStdoutWhenOutputFails: the -o file was started before capturing, but its
// file system fills up meanwhile (a tmpfs mounted by the test, filled while capturing on the
// loopback of a namespace named cli-...): at the end the report cannot be written there, so it
// goes to standard output, with the error and exit 2, and no temporary file is left.
func TestCaptureReportToStdoutWhenOutputFails(t *testing.T) {
	needTools(t, "ip", "mount", "umount")
	bin := buildBinary(t)
	ns := newLoopbackNamespace(t, "cli")
	full := mountTmpfs(t, "64k", "")
	report := filepath.Join(full, "report.json")
	c := startCapture(t, bin, ns, "lo", "--port", "5555", "--status", "0", "--format", "json", "-o", report)
	// Fill the file system to the last byte.
	f, err := os.Create(filepath.Join(full, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := f.Write(make([]byte, 4096)); err == nil; _, err = f.Write(make([]byte, 4096)) {
	}
	for _, err := f.Write([]byte{0}); err == nil; _, err = f.Write([]byte{0}) {
	}
	f.Close()
	c.cmd.Process.Signal(syscall.SIGINT)
	code := c.wait(t, 10*time.Second)
	lines := c.err.snapshot()
	want := []string{
		"connscope: error: cannot write the report to " + report + ": no space left on device; no file was written to " + report,
		"connscope: the report follows on standard output instead",
	}
	if code != exitUsage || len(lines) < 2 || lines[len(lines)-2] != want[0] || lines[len(lines)-1] != want[1] {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and, last:\n%s", code, c.stderr(), strings.Join(want, "\n"))
	}
	var r result.Result
	if err := json.Unmarshal([]byte(strings.Join(c.out.snapshot(), "\n")), &r); err != nil || r.Input.Live == nil || r.Input.Live.StoppedBy != "interrupted" {
		t.Errorf("the report on standard output: %v, %+v", err, r.Input)
	}
	if names := dirEntries(t, full); len(names) != 1 || names[0] != "filler" {
		t.Errorf("files in the full file system: %v", names)
	}
}
