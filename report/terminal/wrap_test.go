package terminal

import (
	"bytes"
	"strings"
	"testing"
)

// TestWrap: English breaks at spaces only; Japanese, which has spaces only around the Latin
// words it holds, also between wide characters, never past the width, never before 「。」 or 「）」
// nor after 「（」.
func TestWrap(t *testing.T) {
	var b bytes.Buffer
	wrap(&b, "the quick brown fox jumps over the lazy dog", 15)
	if got := b.String(); got != "the quick brown\nfox jumps over\nthe lazy dog\n" {
		t.Errorf("English: %q", got)
	}
	b.Reset()
	ja := "1 件中 1 件の接続が失敗しました。エージェント 1 台（10.77.1.1）は TLS 1.0 までしか提示せず、サーバー 10.77.1.2:4343 はそれらのバージョンを拒否しています。"
	wrap(&b, ja, 30)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("Japanese not wrapped: %q", b.String())
	}
	var joined strings.Builder
	for _, l := range lines {
		if w := cellWidth(l); w > 30 {
			t.Errorf("line %q is %d columns wide, more than 30", l, w)
		}
		if r := []rune(l); strings.ContainsRune(noBreakBefore, r[0]) || strings.ContainsRune(noBreakAfter, r[len(r)-1]) {
			t.Errorf("line %q breaks against kinsoku", l)
		}
		if strings.HasSuffix(l, " ") || strings.HasPrefix(l, " ") {
			t.Errorf("line %q starts or ends with a space", l)
		}
		joined.WriteString(l)
	}
	if strings.ReplaceAll(joined.String(), " ", "") != strings.ReplaceAll(ja, " ", "") {
		t.Errorf("wrapping lost or changed text:\n%q\n%q", joined.String(), ja)
	}
}
