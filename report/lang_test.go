package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// TestHTMLLanguage: the page declares its language; a Japanese page adds a font stack with
// Japanese glyphs on Windows (Yu Gothic UI, Meiryo), macOS (Hiragino) and Linux (Noto Sans CJK
// JP), all installed fonts, nothing fetched; an English page is as it was.
func TestHTMLLanguage(t *testing.T) {
	render := func(lang knowledge.Lang) string {
		var b bytes.Buffer
		if err := Write(&b, all(), FormatHTML, Options{Lang: lang}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	ja, en := render(knowledge.Japanese), render("")
	for _, want := range []string{`<html lang="ja">`, `"Hiragino Sans"`, `"Yu Gothic UI"`, `Meiryo`, `"Noto Sans CJK JP"`} {
		if !strings.Contains(ja, want) {
			t.Errorf("the Japanese page lacks %q", want)
		}
	}
	for _, bad := range []string{"@import", "url(", "@font-face", "<link"} {
		if strings.Contains(ja, bad) {
			t.Errorf("the Japanese page fetches something: %q", bad)
		}
	}
	if !strings.HasPrefix(en, "<!DOCTYPE html>\n<html lang=\"en\">") || strings.Contains(en, "Hiragino") {
		t.Errorf("the English page changed its language or fonts:\n%.300s", en)
	}
	if en != render(knowledge.English) {
		t.Error("Lang \"\" and Lang English render different pages")
	}
}

// TestTableJapanese: a Japanese table keeps its columns aligned (tablewriter measures East Asian
// width), and its texts are Japanese.
func TestTableJapanese(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, all(), FormatTable, Options{Lang: knowledge.Japanese, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	checkAlignment(t, out)
	if !strings.Contains(out, "サーバー") {
		t.Errorf("the Japanese table holds no Japanese:\n%s", out)
	}
}

// TestFlowLineJapanese: a live line in Japanese carries the reason's first sentence, up to its
// first 「。」 outside parentheses.
func TestFlowLineJapanese(t *testing.T) {
	f := result.Flow{ID: 2, Start: time.Date(2026, 11, 29, 6, 31, 20, 321e6, time.UTC), Verdict: result.VerdictRefused,
		Client: "10.55.0.1:46954", Server: "10.55.0.2:4343", ConnState: "REJ",
		Reason: result.Msg("reason.refused", result.Endpoint("server", "10.55.0.2:4343"))}
	want := "06:31:20.321 #2 refused 10.55.0.1:46954 -> 10.55.0.2:4343 REJ 提示 - 選択 - : サーバーが SYN に RST で応答しました"
	if got := FlowLineIn(&f, knowledge.Japanese); got != want {
		t.Errorf("FlowLineIn(ja):\n got %q\nwant %q", got, want)
	}
	if got := firstClause("A（B。C）D。E"); got != "A（B。C）D" {
		t.Errorf("firstClause = %q", got)
	}
}
