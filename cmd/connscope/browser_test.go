package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium: the Debian package chromium, or Ubuntu's name.
// Without one the test is skipped on a developer's machine and fails in CI (CI set), where
// .ci/run installs the package.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI is set: .ci/run should have installed it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed: apt-get install chromium to look at the HTML report in a real browser (CI installs it)")
	return ""
}

// consoleLine is a message the page's scripts or the browser's console wrote, as Chromium logs
// it with --enable-logging=stderr: `[...:INFO:CONSOLE:1] "Uncaught ReferenceError: ..."`.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// runChromium opens page in headless Chromium with the flags given and returns its standard
// output and the console messages it logged.
func runChromium(t *testing.T, bin, page string, flags ...string) (stdout string, console []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
		// Nothing may be fetched: a page that tried would find no name resolving.
		"--host-resolver-rules=MAP * ~NOTFOUND"}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	return out.String(), consoleLine.FindAllString(errb.String(), -1)
}

// TestHTMLReportInChromium renders the HTML report of the seed's fleet capture in headless
// Chromium: the page loads without a console message (no script error: there is no script), its
// DOM holds the ladder diagram of each failing flow, and the screenshot is a real picture.
// A page with a script error checks first that such an error would be seen.
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	toRoot(t)
	dir := t.TempDir()

	bad := filepath.Join(dir, "bad.html")
	if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, console := runChromium(t, bin, bad, "--dump-dom"); len(console) == 0 || !strings.Contains(strings.Join(console, "\n"), "undefinedFunction") {
		t.Fatalf("a page with a script error logged no console error (%q): this test could not see one in the report", console)
	}

	page := filepath.Join(dir, "report.html")
	code, _, stderr := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "4343", "-f", "html", "-o", page)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	dom, console := runChromium(t, bin, page, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("the report logged console messages:\n%s", strings.Join(console, "\n"))
	}
	if n := strings.Count(dom, `<svg class="ladder"`); n != 2 {
		t.Errorf("the DOM holds %d ladder diagrams, want 2 (flows #4 and #5)", n)
	}
	for _, want := range []string{"2 of 5 connections failed.", ">client_hello</text>", ">RST, ACK</text>", `id="flow-4"`, `id="flow-5"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, "<script") {
		t.Error("the DOM holds a script element")
	}

	checkScreenshot(t, bin, page, "html-report.png", 2000)

}

// checkScreenshot takes a 1200-pixel-wide screenshot of page in headless Chromium and checks
// that it is a real picture: a PNG of the size asked for, with many colours, and red (the failing
// verdicts, the RST arrows) among them. With CONNSCOPE_SCREENSHOT_DIR set, it is kept there as
// name (scripts/screenshots.sh makes the screenshots under docs/ so).
func checkScreenshot(t *testing.T, bin, page, name string, height int) {
	t.Helper()
	shot := filepath.Join(t.TempDir(), name)
	_, console := runChromium(t, bin, page, "--screenshot="+shot, fmt.Sprintf("--window-size=1200,%d", height), "--hide-scrollbars")
	if len(console) > 0 {
		t.Errorf("the report logged console messages:\n%s", strings.Join(console, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	st, _ := f.Stat()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != height || st.Size() < 50_000 {
		t.Errorf("screenshot %dx%d, %d bytes; want 1200x%d and at least 50 kB", b.Dx(), b.Dy(), st.Size(), height)
	}
	// A page that rendered has text and colour: many distinct colours, and red among them.
	colours, red := map[uint32]bool{}, 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
			if r>>8 > 160 && g>>8 < 80 && b>>8 < 80 {
				red++
			}
		}
	}
	if len(colours) < 50 || red < 100 {
		t.Errorf("the screenshot has %d colours and %d red pixels: the page did not render", len(colours), red)
	}
	if dir := os.Getenv("CONNSCOPE_SCREENSHOT_DIR"); dir != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHTMLFleetReportInChromium renders the HTML report of a big capture (fleetCapture: 2,591
// connections, six failing groups) in headless Chromium and checks the DOM for what a reader
// needs first: the answer, a row and a detail for every failing group (each group's example gets
// a ladder diagram before any other connection), the next steps, the servers and the
// fingerprints; the table of connections is whole (under its 5,000-row bound) and the page holds
// no script. The screenshot is checked as a picture.
func TestHTMLFleetReportInChromium(t *testing.T) {
	bin := chromium(t)
	toRoot(t)
	path := fleetCapture(t)
	page := filepath.Join(t.TempDir(), "fleet.html")
	code, _, stderr := runCLI("analyze", path, "-f", "html", "-o", page)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	dom, console := runChromium(t, bin, page, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("the report logged console messages:\n%s", strings.Join(console, "\n"))
	}
	groups := regexp.MustCompile(`<tr><td class="num"><a href="#flow-(\d+)">\d+</a></td><td>[^<]+</td>`).FindAllStringSubmatch(dom, -1)
	if len(groups) != 6 {
		t.Fatalf("the DOM has %d group rows that link to their example, want 6", len(groups))
	}
	for _, g := range groups {
		if !strings.Contains(dom, `<section class="card flow" id="flow-`+g[1]+`">`) {
			t.Errorf("group example #%s has no detail", g[1])
		}
	}
	for _, want := range []string{
		`<p class="lead">2267 of 2591 connections failed.</p>`,
		`<section class="card" id="next-steps">`, `<table id="servers">`, `<table id="fingerprints">`, `<table id="agents">`,
		">refused</span>", ">tls-version-mismatch</span>", ">tls-handshake-failure</span>", ">not-tls</span>", ">syn-timeout</span>",
		">tls-certificate-rejected</span>", "more failing connections are listed below without their detail",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM lacks %q", want)
		}
	}
	if n := strings.Count(dom, `<svg class="ladder"`); n != 50 {
		t.Errorf("%d ladder diagrams, want 50", n)
	}
	if n := strings.Count(dom, "<tr") - strings.Count(dom, "<tr><td class=\"num\"><a href"); n < 2591 {
		t.Errorf("%d table rows: the connections are not all listed", n)
	}
	if strings.Contains(dom, "<script") {
		t.Error("the DOM holds a script element")
	}
	checkScreenshot(t, bin, page, "html-report-fleet.png", 2400)
}
