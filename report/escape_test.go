package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

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

// TestInvisibleTable: Invisible, which reads a table below U+10000, agrees with its definition
// (categories Cc, Cf, Zl, Zp) at every character.
func TestInvisibleTable(t *testing.T) {
	for r := rune(-1); r <= unicode.MaxRune+1; r++ {
		want := r < 0x20 || (r >= 0x7f && r < 0xa0) || r >= 0xa0 && unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
		if got := escape.Invisible(r); got != want {
			t.Fatalf("%U: %v, want %v", r, got, want)
		}
	}
}

// TestEscapeJSONBytes: AppendJSON, which skips eight plain bytes at a time, writes what a
// byte-by-byte escaper writes, for strings of every length holding each byte that needs care
// at every place, and for random strings.
func TestEscapeJSONBytes(t *testing.T) {
	specials := []string{"\"", "\\", "\x00", "\x1f", "\x7f", "\n", "\x80", "\xc2\x85", "\xe2\x80\x8b", "\xf3\xa0\x81\x81", "\xff", "é", "日本"}
	check := func(s string) {
		t.Helper()
		if got, want := string(escape.AppendJSON(nil, s)), escapeSlow(s); got != want {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	}
	for n := range 20 {
		base := strings.Repeat("a ~", 7)[:n]
		check(base)
		for _, sp := range specials {
			for at := 0; at <= n; at++ {
				check(base[:at] + sp + base[at:])
			}
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rnd.IntN(40))
		for i := range b {
			if rnd.IntN(4) == 0 {
				b[i] = byte(rnd.IntN(256))
			} else {
				b[i] = byte(0x20 + rnd.IntN(0x5f))
			}
		}
		check(string(b))
	}
}

// escapeSlow is AppendJSON written a rune at a time, for TestEscapeJSONBytes.
func escapeSlow(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, `\ufffd`...)
		case r == '"' || r == '\\':
			out = append(out, '\\', byte(r))
		case r == '\b':
			out = append(out, `\b`...)
		case r == '\f':
			out = append(out, `\f`...)
		case r == '\n':
			out = append(out, `\n`...)
		case r == '\r':
			out = append(out, `\r`...)
		case r == '\t':
			out = append(out, `\t`...)
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r >= 0xa0 && unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			for _, u := range utf16.Encode([]rune{r}) {
				out = fmt.Appendf(out, `\u%04x`, u)
			}
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return string(append(out, '"'))
}
