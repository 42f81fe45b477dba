package analyze

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report"
)

// jaBadSpace finds a space Japanese text does not take: between two Japanese characters (kana,
// kanji, full-width punctuation), or after a Japanese comma or full stop, or before one.
var jaBadSpace = regexp.MustCompile(`[\x{3000}-\x{FFEF}] [\x{3000}-\x{FFEF}]|[、。] | [、。]`)

// jaSpacedTerms are terms written with a space in Japanese, as Windows and the field spell them.
var jaSpacedTerms = []string{"イベント ビューアー", "ステートフル ファイアウォール"}

// TestJapaneseSpacing: the Japanese verbose table of every shipped capture, in the generic and
// the Apex One profile, has no space where Japanese takes none. Templates set parameters off
// with spaces, which a value in Latin letters or digits needs and a Japanese value does not:
// path-injected-rst.pcap read "が 一方の側 になりすまして", the twopoint mtu-blackhole captures
// "サーバーの 1448 バイト のセグメント", accuracy/tls13-only-gnutls.pcap "最大 TLS 1.2 で、 28 個
// の中には" (which also lacked the noun 暗号スイート).
func TestJapaneseSpacing(t *testing.T) {
	apex, err := knowledge.ProfileByName("apexone")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, path := range everyCapture(t) {
		for _, profile := range []*knowledge.Profile{nil, apex} {
			res, err := File(path, Options{Profile: profile})
			if err != nil {
				continue // a capture the analysis refuses: its error is tested elsewhere
			}
			for _, format := range []report.Format{report.FormatTable, report.FormatMarkdown} {
				var out bytes.Buffer
				if err := report.Write(&out, res, format, report.Options{Verbose: true, Lang: knowledge.Japanese}); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				for line := range strings.Lines(out.String()) {
					for _, loc := range jaBadSpace.FindAllStringIndex(line, -1) {
						if bad := line[loc[0]:loc[1]]; !inSpacedTerm(bad) {
							t.Errorf("%s (%s): a space Japanese does not take (%q) in:\n%s", filepath.Base(path), format, bad, line)
						}
					}
				}
			}
			checked++
		}
	}
	t.Logf("%d reports checked", checked)
}

// inSpacedTerm reports whether a space jaBadSpace found is one of a term of jaSpacedTerms (whole,
// or cut by the table's wrapping).
func inSpacedTerm(bad string) bool {
	for _, term := range jaSpacedTerms {
		if strings.Contains(term, bad) {
			return true
		}
	}
	return false
}
