package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/connscope/connscope/internal/resultfill"
	"github.com/connscope/connscope/report/escape"
)

// invisibles are characters a capture can hold that a viewer does not show as themselves: zero
// width space, BOM, line and paragraph separators, a bidi override and isolate, a soft hyphen, a
// tag character (beyond U+FFFF); and, apart (a control character makes a text be cleaned
// anyway), NEL and ESC.
var invisibles = []string{"\u200b\ufeff\u2028\u2029\u202e\u2066\u00ad\U000e0041", "\u200b\u0085\x1b"}

// TestInvisibleEscaped: a result whose every value from the capture, and every message
// parameter from it, ends in invisible characters (filled by reflection, so a field added later
// is too), in every format and mode, prints none of them as itself: the terminal, Markdown and
// HTML show \uNNNN, \UNNNNNNNN or \xNN; JSON and NDJSON stay valid JSON with \uNNNN escapes
// that decode to the very same text.
func TestInvisibleEscaped(t *testing.T) {
	for _, suffix := range invisibles {
		invisibleEscaped(t, resultfill.Fill(suffix))
	}
}

func invisibleEscaped(t *testing.T, f resultfill.Filled) {
	for _, format := range Formats() {
		for _, o := range []Options{{}, {Verbose: true}, {List: true}, {Failed: true}} {
			var b bytes.Buffer
			if err := Write(&b, f.Result, format, o); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := b.String()
			for i, r := range out {
				if r != '\n' && escape.Invisible(r) {
					t.Errorf("%s %+v: %U printed as itself: ...%q...", format, o, r, out[max(0, i-60):min(len(out), i+20)])
					break
				}
			}
			if !strings.Contains(out, `\u200b`) {
				t.Errorf("%s %+v: no \\u200b: the invisible characters are not shown at all", format, o)
			}
			switch format {
			case FormatJSON:
				var doc struct {
					Input struct{ File string }
				}
				if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
					t.Fatalf("json: %v", err)
				}
				if doc.Input.File != string(f.Result.Input.File) {
					t.Errorf("json: input.file %q, want %q", doc.Input.File, f.Result.Input.File)
				}
			case FormatNDJSON:
				sc := bufio.NewScanner(&b)
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					if !json.Valid(sc.Bytes()) {
						t.Fatalf("ndjson: a line is not JSON: %s", sc.Bytes())
					}
				}
			}
		}
	}
}

// TestEscapeJSON: strings without invisible characters are written as encoding/json writes them
// (HTML escaping off); each invisible character is a \u escape (a surrogate pair beyond U+FFFF)
// that decodes to the same string.
func TestEscapeJSON(t *testing.T) {
	for _, s := range []string{"\u200b", "a\u2028b\u2029", "\U000e0041", "\x7f\u0085\u00ad", "bidi \u202e\u2066x\u2069\u202c", invisibles[0], invisibles[1]} {
		got := escape.AppendJSON(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("%q: %s decodes to %q (%v)", s, got, back, err)
		}
		for _, c := range string(got) {
			if c >= 0x80 && escape.Invisible(c) || c < 0x20 {
				t.Errorf("%q: %s holds %U", s, got, c)
			}
		}
	}
	if got := string(escape.AppendJSON(nil, "\U000e0041")); got != `"\udb40\udc41"` {
		t.Errorf("tag A: %s", got)
	}
}
