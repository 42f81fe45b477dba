package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// TestVersionCommand: `connscope version` of a test binary, which records no version or
// revision, says so; extra arguments are a usage error.
func TestVersionCommand(t *testing.T) {
	code, stdout, stderr := runCLI("version")
	want := "connscope (devel)\nno revision recorded (built with go run, or in a linked git worktree, where Go records none)\n" +
		fmt.Sprintf("built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if code != exitOK || stdout != want || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and %q", code, stdout, stderr, want)
	}
	code, stdout, stderr = runCLI("version", "--long")
	if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "connscope: error: version takes no arguments, got \"--long\"\n") {
		t.Errorf("version --long: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestVersionText: what `connscope version` prints for each kind of build.
func TestVersionText(t *testing.T) {
	platform := fmt.Sprintf("built with go1.26.8 for %s/%s\n", runtime.GOOS, runtime.GOARCH)
	cases := []struct {
		g    result.Generator
		want string
	}{
		{result.Generator{Name: "connscope", Version: "v1.2.0", GoVersion: "go1.26.8"}, "connscope v1.2.0\n" + platform},
		{result.Generator{Name: "connscope", Version: "v0.0.0-20261129083744-1f8cd3328b58+dirty", Revision: "1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45", Modified: true, GoVersion: "go1.26.8"},
			"connscope v0.0.0-20261129083744-1f8cd3328b58+dirty\nrevision 1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45 (with uncommitted changes)\n" + platform},
		{result.Generator{Name: "connscope", Version: "v0.0.0-20261129083744-1f8cd3328b58", Revision: "1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45", GoVersion: "go1.26.8"},
			"connscope v0.0.0-20261129083744-1f8cd3328b58\nrevision 1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45\n" + platform},
		// -ldflags "-X main.version=..." with the revision recorded: the revision is named too.
		{result.Generator{Name: "connscope", Version: "2.0-debian1", Revision: "1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45", Modified: true, GoVersion: "go1.26.8"},
			"connscope 2.0-debian1 1f8cd3328b58+dirty\nrevision 1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45 (with uncommitted changes)\n" + platform},
	}
	for _, tc := range cases {
		if got := versionText(&tc.g); got != tc.want {
			t.Errorf("%+v:\n got %q\nwant %q", tc.g, got, tc.want)
		}
	}
}

// TestGeneratorInReports: the build that made a report is in every format: input.generator in
// JSON (also with --redact, which must not touch it), the Markdown footer, and the HTML
// page's generator meta tag and footer.
func TestGeneratorInReports(t *testing.T) {
	toRoot(t)
	g := &result.Generator{Name: "connscope", Version: "v0.0.0-20261129083744-1f8cd3328b58+dirty",
		Revision: "1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45", Modified: true, GoVersion: "go1.26.8"}
	readGenerator = func() *result.Generator { return g }
	t.Cleanup(func() { readGenerator = func() *result.Generator { return nil } })
	const capture = "testdata/captures/seed-reset-fleet.pcap"
	for _, redacted := range []bool{false, true} {
		args := []string{"analyze", capture, "-p", "4343", "-f", "json"}
		if redacted {
			args = append(args, "--redact")
		}
		code, stdout, stderr := runCLI(args...)
		if code != exitFailed || stderr != "" {
			t.Fatalf("%q: exit %d, stderr %q", args, code, stderr)
		}
		var doc struct {
			Input struct {
				Generator map[string]any `json:"generator"`
			} `json:"input"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"name": "connscope", "version": g.Version, "revision": g.Revision, "modified": true, "go_version": "go1.26.8"}
		if fmt.Sprint(doc.Input.Generator) != fmt.Sprint(want) {
			t.Errorf("redact %v: input.generator %v, want %v", redacted, doc.Input.Generator, want)
		}
	}
	_, md, _ := runCLI("analyze", capture, "-p", "4343", "-f", "markdown")
	footer := "\n---\n*connscope v0.0.0-20261129083744-1f8cd3328b58+dirty: seed-reset-fleet.pcap, 72 frames from 2026-11-29 03:14:03.293 to 2026-11-29 03:14:05.544 UTC.*\n"
	if !strings.HasSuffix(md, footer) {
		t.Errorf("Markdown footer:\n%s\nwant %q", md[max(0, len(md)-300):], footer)
	}
	_, html, _ := runCLI("analyze", capture, "-p", "4343", "-f", "html")
	for _, want := range []string{
		`<meta name="generator" content="connscope v0.0.0-20261129083744-1f8cd3328b58&#43;dirty, schema connscope.result/v1">`,
		`<footer>Made by connscope v0.0.0-20261129083744-1f8cd3328b58&#43;dirty, schema connscope.result/v1.`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML page lacks %s", want)
		}
	}
}

// TestHelpTopics: every topic has its help; an unknown one is an error that lists them.
func TestHelpTopics(t *testing.T) {
	for topic, want := range map[string]string{"analyze": analyzeUsage, "analyse": analyzeUsage, "capture": captureUsage,
		"interfaces": interfacesUsage, "version": versionUsage} {
		code, stdout, stderr := runCLI("help", topic)
		if code != exitOK || stdout != want || stderr != "" {
			t.Errorf("help %s: exit %d, stderr %q, stdout %.60q...", topic, code, stderr, stdout)
		}
	}
	code, stdout, stderr := runCLI("help", "captures")
	want := "connscope: error: there is no help topic \"captures\"; the topics are: analyze, capture, probe, interfaces, profiles, version\n" +
		"connscope: hint: run 'connscope help' for usage\n"
	if code != exitUsage || stdout != "" || stderr != want {
		t.Errorf("help captures: exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, want)
	}
	code, stdout, stderr = runCLI("help", "analyze", "capture")
	if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "connscope: error: help takes one topic, got 2: analyze capture\n") {
		t.Errorf("help with two topics: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestReadmeInstallAndErrors: the README gives the install commands TestInstall runs, and the
// live capture's end when its interface goes away, as the tests see them.
func TestReadmeInstallAndErrors(t *testing.T) {
	toRoot(t)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"go install github.com/connscope/connscope/cmd/connscope@latest\n",
		"go build -o connscope ./cmd/connscope\n",
		"`connscope: error: interface\n  eth1 went away: the capture ended there; the report covers the packets captured before it`",
		"scripts/fuzz.sh 10m",
	} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
