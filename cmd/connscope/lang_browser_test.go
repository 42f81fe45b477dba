package main

import (
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestJapaneseHTMLInChromium renders the Japanese HTML report of the many-agents capture (Apex
// One profile) in headless Chromium: the page declares lang="ja", loads without a console
// message, and an installed font has every character it shows (fontconfig, which Chromium on
// Linux takes its fonts and fallbacks from, is asked for one font that covers them all), so no
// glyph is missing; the screenshot is a real picture. scripts/screenshot-ja.sh keeps it as
// docs/html-report-ja.png (CONNSCOPE_SCREENSHOT_JA).
func TestJapaneseHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	toRoot(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report-ja.html")
	code, _, stderr := runCLI("analyze", "testdata/captures/many-agents.pcap", "--profile", "apexone", "--lang", "ja",
		"-f", "html", "-o", page)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	dom, console := runChromium(t, bin, page, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("the report logged console messages:\n%s", strings.Join(console, "\n"))
	}
	for _, want := range []string{`<html lang="ja">`, `"Noto Sans CJK JP"`, `"Yu Gothic UI"`, `"Hiragino Sans"`,
		"クライアントが提示する最高バージョンは TLS 1.0 で、"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM lacks %q", want)
		}
	}
	checkGlyphs(t, pageText(dom))

	shot := filepath.Join(dir, "report-ja.png")
	_, console = runChromium(t, bin, page, "--screenshot="+shot, "--window-size=1200,2000", "--hide-scrollbars")
	if len(console) > 0 {
		t.Errorf("the report logged console messages:\n%s", strings.Join(console, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 2000 {
		t.Errorf("screenshot %dx%d, want 1200x2000", b.Dx(), b.Dy())
	}
	if dst := os.Getenv("CONNSCOPE_SCREENSHOT_JA"); dst != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	styleOrSVGText = regexp.MustCompile(`(?s)<style>.*?</style>`)
	tag            = regexp.MustCompile(`<[^>]*>`)
)

// pageText is the text a page shows: its DOM without the style sheet and the tags, entities
// decoded.
func pageText(dom string) string {
	return html.UnescapeString(tag.ReplaceAllString(styleOrSVGText.ReplaceAllString(dom, ""), " "))
}

// checkGlyphs asks fontconfig for an installed font that has every non-ASCII character of text,
// and, when none has them all, names the characters no font has.
func checkGlyphs(t *testing.T, text string) {
	t.Helper()
	var runes []rune
	for _, r := range text {
		if r > 0x7e && !slices.Contains(runes, r) {
			runes = append(runes, r)
		}
	}
	if len(runes) < 50 {
		t.Fatalf("the page shows %d distinct non-ASCII characters: it is not in Japanese", len(runes))
	}
	fcList, err := exec.LookPath("fc-list")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("fc-list is not installed, and CI is set: .ci/run installs fontconfig and fonts-noto-cjk")
		}
		t.Skip("fc-list is not installed: cannot tell whether the fonts have the page's characters")
	}
	covers := func(rs []rune) bool {
		hex := make([]string, len(rs))
		for i, r := range rs {
			hex[i] = fmt.Sprintf("%x", r)
		}
		out, err := exec.Command(fcList, ":charset="+strings.Join(hex, " "), "family").Output()
		if err != nil {
			t.Fatalf("fc-list: %v", err)
		}
		return strings.TrimSpace(string(out)) != ""
	}
	if covers(runes) {
		return
	}
	var missing []string
	for _, r := range runes {
		if !covers([]rune{r}) {
			missing = append(missing, fmt.Sprintf("%c (U+%04X)", r, r))
		}
	}
	t.Errorf("no installed font has all %d characters of the page (apt-get install fonts-noto-cjk); none has %v", len(runes), missing)
}
