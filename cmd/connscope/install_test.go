package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestInstall installs connscope as the README says and checks that the binary names its build.
//
// In a git checkout: the module's files are copied into a fresh repository (a copy, because Go
// records no revision in a linked git worktree, golang/go#58218, and so that the test knows
// the commit), committed, and `go install ./cmd/connscope` (into a temporary GOBIN) must give
// a binary whose `connscope version` names the commit's pseudo-version and revision, and whose
// JSON report carries the same in input.generator; after a change to a file, "+dirty" and "with
// uncommitted changes".
//
// By module path: the same files, zipped as a module version in a file-system module proxy,
// with the dependencies from this machine's module cache (itself laid out as a proxy), and
// `go install github.com/connscope/connscope/cmd/connscope@v0.0.1-installtest` offline
// (GOPROXY=file://..., a fresh GOMODCACHE, GOSUMDB=off: there is no checksum database offline;
// the dependencies were checked against go.sum when they entered the module cache) must give a
// binary whose version is that module version.
func TestInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds connscope three times (-short)")
	}
	for _, tool := range []string{"go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	files := moduleFiles(t, root)
	for _, f := range files {
		copyFile(t, filepath.Join(root, f), filepath.Join(src, f))
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=connscope test", "-c", "user.email=test@connscope.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "connscope as this test found it")
	rev := git("rev-parse", "HEAD")
	ct, err := strconv.ParseInt(git("log", "-1", "--format=%ct"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	pseudo := "v0.0.0-" + time.Unix(ct, 0).UTC().Format("20060102150405") + "-" + rev[:12]
	platform := fmt.Sprintf("built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	// This machine may turn VCS stamping off in its go env file: the README's command on a
	// fresh machine stamps.
	goEnv := append(os.Environ(), "GOFLAGS=-buildvcs=true", "GOPROXY=off", "GOTOOLCHAIN=local")

	install := func(env []string, dir, gobin string, args ...string) string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"install"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(env, "GOBIN="+gobin)
		start := time.Now()
		defer func() { t.Logf("go install %s: %.1f s", strings.Join(args, " "), time.Since(start).Seconds()) }()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go install %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		out, err := exec.Command(filepath.Join(gobin, "connscope"), "version").CombinedOutput()
		if err != nil {
			t.Fatalf("connscope version: %v\n%s", err, out)
		}
		return string(out)
	}

	bin := filepath.Join(tmp, "bin")
	want := "connscope " + pseudo + "\nrevision " + rev + "\n" + platform
	if got := install(goEnv, src, bin, "./cmd/connscope"); got != want {
		t.Errorf("go install ./cmd/connscope in a clean checkout: connscope version says\n%s\nwant\n%s", got, want)
	}
	cmd := exec.Command(filepath.Join(bin, "connscope"), "analyze", filepath.Join(root, "testdata/captures/tls12-ok.pcap"), "-f", "json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the installed connscope analyze: %v", err)
	}
	var doc struct {
		Input struct {
			Generator map[string]any `json:"generator"`
		} `json:"input"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	wantGen := map[string]any{"name": "connscope", "version": pseudo, "revision": rev, "go_version": runtime.Version()}
	if fmt.Sprint(doc.Input.Generator) != fmt.Sprint(wantGen) {
		t.Errorf("the installed binary's JSON report: input.generator %v, want %v", doc.Input.Generator, wantGen)
	}

	f, err := os.OpenFile(filepath.Join(src, "README.md"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\na local change\n")
	f.Close()
	want = "connscope " + pseudo + "+dirty\nrevision " + rev + " (with uncommitted changes)\n" + platform
	if got := install(goEnv, src, bin, "./cmd/connscope"); got != want {
		t.Errorf("go install ./cmd/connscope with a changed file: connscope version says\n%s\nwant\n%s", got, want)
	}

	// By module path, from a file-system module proxy.
	const version = "v0.0.1-installtest"
	proxy := filepath.Join(tmp, "proxy")
	at := filepath.Join(proxy, "github.com", "connscope", "connscope", "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	writeModuleZip(t, filepath.Join(at, version+".zip"), src, files, "github.com/connscope/connscope@"+version)
	copyFile(t, filepath.Join(src, "go.mod"), filepath.Join(at, version+".mod"))
	os.WriteFile(filepath.Join(at, version+".info"), []byte(`{"Version":"`+version+`","Time":"2026-01-01T00:00:00Z"}`), 0o644)
	os.WriteFile(filepath.Join(at, "list"), []byte(version+"\n"), 0o644)
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := filepath.Join(strings.TrimSpace(string(modcache)), "cache", "download")
	proxyEnv := append(os.Environ(), "GOFLAGS=-modcacherw", "GOMODCACHE="+filepath.Join(tmp, "modcache"),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(deps), "GOSUMDB=off", "GOTOOLCHAIN=local")
	want = "connscope " + version + "\n" + platform
	if got := install(proxyEnv, tmp, filepath.Join(tmp, "bin2"), "github.com/connscope/connscope/cmd/connscope@"+version); got != want {
		t.Errorf("go install github.com/connscope/connscope/cmd/connscope@%s: connscope version says\n%s\nwant\n%s", version, got, want)
	}
}

// moduleFiles lists the files of the module at root that a build needs, as git knows them
// (tracked, or new and not ignored): everything but test data.
func moduleFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("the module is not a git checkout (git ls-files: %v)", err)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || strings.HasPrefix(f, "testdata/") || strings.Contains(f, "/testdata/") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			continue // deleted in the working tree
		}
		files = append(files, f)
	}
	return files
}

// copyFile copies a file, creating the directories it needs.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeModuleZip writes the files of dir as a module zip, each under prefix/.
func writeModuleZip(t *testing.T, path, dir string, files []string, prefix string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := zip.NewWriter(f)
	for _, name := range files {
		w, err := z.Create(prefix + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
}
