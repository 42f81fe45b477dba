package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connscope/connscope/capture/live"
	"github.com/connscope/connscope/result"
)

// TestCaptureUsage checks the flags of `connscope capture`: each misuse exits 2 with a message
// that names the problem, before any capture starts.
func TestCaptureUsage(t *testing.T) {
	many := make([]string, live.MaxFilterPorts+1)
	for i := range many {
		many[i] = "--port=" + string(rune('1'+i%9))
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"capture", "--port", "4343"}, "capture needs an interface: -i IFACE"},
		{[]string{"capture", "-i", "eth0", "extra"}, `capture takes no arguments, got "extra"`},
		{[]string{"capture", "-i", "eth0", "--port", "70000"}, `--port "70000" is not a port number`},
		{[]string{"capture", "-i", "eth0", "--host", "server"}, `--host "server" is not an IP address`},
		{[]string{"capture", "-i", "eth0", "--duration", "5"}, `invalid argument "5" for "--duration"`},
		{[]string{"capture", "-i", "eth0", "--duration", "-1s"}, "--duration must not be negative"},
		{[]string{"capture", "-i", "eth0", "--count", "-3"}, "--count must not be negative"},
		{[]string{"capture", "-i", "eth0", "--idle-timeout", "10ms"}, "--idle-timeout must be at least 1s"},
		{[]string{"capture", "-i", "eth0", "--format", "xml"}, `--format: unknown format "xml": valid formats are table, json, ndjson, markdown, html`},
		{[]string{"capture", "-i", "eth0", "--max-flows", "0"}, "--max-flows must be at least 1"},
		{append([]string{"capture", "-i", "eth0"}, many...), "a capture watches at most 64 ports"},
		{[]string{"capture", "-i", "eth0", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"interfaces", "extra"}, `interfaces takes no arguments, got "extra"`},
	}
	for _, tc := range cases {
		code, stdout, stderr := runCLI(tc.args...)
		hint := "\nconnscope: hint: run 'connscope help " + tc.args[0] + "' for its options\n"
		if tc.args[0] == "interfaces" { // no options: the general hint
			hint = "\nconnscope: hint: run 'connscope help' for usage\n"
		}
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "connscope: error: "+tc.want) || !strings.HasSuffix(stderr, hint) || strings.Count(stderr, "\n") != 2 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// TestCaptureHelp checks that help names every flag the command takes.
func TestCaptureHelp(t *testing.T) {
	code, stdout, _ := runCLI("help", "capture")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, flag := range []string{"--interface", "--port", "--host", "--duration", "--count", "--write", "--format", "--output", "--verbose", "--max-flows", "--idle-timeout", "--status"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("help capture does not name %s", flag)
		}
	}
	_, top, _ := runCLI("help")
	if !strings.Contains(top, "connscope capture -i IFACE") || !strings.Contains(top, "connscope interfaces") {
		t.Errorf("the usage text does not list capture and interfaces:\n%s", top)
	}
}

// TestInterfacesLists checks that `connscope interfaces` lists this machine's interfaces (as the
// Go runtime sees them), the loopback one with its address.
func TestInterfacesLists(t *testing.T) {
	code, stdout, stderr := runCLI("interfaces")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifs {
		if !strings.Contains(stdout, "\n"+ifc.Name+" ") {
			t.Errorf("interface %s is not listed:\n%s", ifc.Name, stdout)
		}
		if ifc.Flags&net.FlagLoopback != 0 && ifc.Flags&net.FlagUp != 0 && !strings.Contains(stdout, "127.0.0.1/8") {
			t.Errorf("the loopback interface's address is not listed:\n%s", stdout)
		}
	}
}

// TestCaptureUnknownInterface: capturing on an interface that does not exist exits 2 and says
// how to list the interfaces. No privilege is needed to find that out.
func TestCaptureUnknownInterface(t *testing.T) {
	code, stdout, stderr := runCLI("capture", "-i", "l5-nosuch0", "--port", "4343")
	want := "connscope: error: no such network interface \"l5-nosuch0\": run 'connscope interfaces' to list the interfaces\n"
	if code != exitUsage || stdout != "" || stderr != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, want)
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// TestMain removes the binary buildBinary built, once every test has run. The reports of the
// command run in-process name no build (input.generator), so that golden reports stay the same
// from build to build; TestGeneratorInReports checks it where it is set.
func TestMain(m *testing.M) {
	readGenerator = func() *result.Generator { return nil }
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// buildBinary builds connscope once per test run, into a directory everyone may read.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "l5-connscope-bin")
		if err != nil {
			buildErr = err
			return
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "connscope")
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command(goBin, "build", "-o", builtBin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildFailure{string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("building connscope: %v", buildErr)
	}
	return builtBin
}

type buildFailure struct{ out string }

func (b *buildFailure) Error() string { return b.out }

// publicTempDir is a temporary directory the user nobody may write to.
func publicTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "l5-connscope")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// waitFor polls cond every 50 ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}
