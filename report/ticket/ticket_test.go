package ticket

import (
	"regexp"
	"testing"
	"time"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func TestMarkdownEscaping(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"legacy_version", "legacy_version"},
		{"_x_", `\_x\_`},
		{"a|b", `a\|b`},
		{"#4 and #5", `\#4 and #5`},
		{"&& and &amp; and &#60;", `&& and &amp;amp; and &amp;#60;`},
		{"<b>", `&lt;b&gt;`},
		{"line\nbreak\x1b[0m", `line\\x0abreak\\x1b\[0m`}, // clean's "\x0a", its backslash escaped
	} {
		if got := mdText(tc.in); got != tc.want {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode = %q", got)
	}
}

// TestLadderGap: a flow with packets left out between the head and the tail gets a "not shown"
// row between the last head arrow and the first tail arrow, and arrows go down the page in
// order, the client's to the right and the server's to the left.
func TestLadderGap(t *testing.T) {
	f := result.Flow{ID: 1, Client: "10.0.0.6:50420", Server: "10.0.0.1:4343", Verdict: result.VerdictTLSVersionMismatch}
	for i := range result.LadderHead + result.LadderTail {
		from := "client"
		if i%2 == 1 {
			from = "server"
		}
		frame := i + 1
		if i >= result.LadderHead {
			frame += 18
		}
		f.Packets = append(f.Packets, result.Packet{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond), From: from, TCPFlags: "ACK"})
	}
	f.PacketsOmitted = 18
	l := buildLadder(&wording.FlowView{Flow: &f}, wording.New(knowledge.English, knowledge.Default(), nil))
	if len(l.Arrows) != 40 || l.Omitted != "… 18 packets not shown …" {
		t.Fatalf("%d arrows, gap %q", len(l.Arrows), l.Omitted)
	}
	if y := l.OmittedY; y <= l.Arrows[31].Y || y >= l.Arrows[32].Y {
		t.Errorf("gap at y=%d, want between %d and %d", y, l.Arrows[31].Y, l.Arrows[32].Y)
	}
	for i, a := range l.Arrows {
		if i > 0 && a.Y <= l.Arrows[i-1].Y {
			t.Errorf("arrow %d at y=%d, above arrow %d", i, a.Y, i-1)
		}
		if (a.X1 < a.X2) != a.FromClient {
			t.Errorf("arrow %d points the wrong way", i)
		}
	}
	if l.Arrows[33].Frame != "frame 52" || l.Arrows[1].Time != "+0.001000 s" || l.Arrows[39].Time != "+0.057000 s" {
		t.Errorf("arrow labels %q %q %q", l.Arrows[33].Frame, l.Arrows[1].Time, l.Arrows[39].Time)
	}
	if l.Height <= l.Arrows[39].Y {
		t.Errorf("height %d cuts the last arrow at %d", l.Height, l.Arrows[39].Y)
	}
}

// TestTemplateKeysExist: every key the HTML template words (Say and Label) is in the English
// catalog; knowledge.TestEveryKeyUsedExists reads only Go files.
func TestTemplateKeysExist(t *testing.T) {
	keys := regexp.MustCompile(`(?:Say|Label) "([^"]+)"`).FindAllStringSubmatch(htmlTemplateText, -1)
	if len(keys) < 30 {
		t.Fatalf("found %d keys in the template", len(keys))
	}
	en := knowledge.CatalogOf(knowledge.English)
	for _, k := range keys {
		if !en.Has(k[1]) {
			t.Errorf("the template words %q, which the catalog lacks", k[1])
		}
	}
}
