package redact

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/connscope/connscope/internal/resultfill"
	"github.com/connscope/connscope/report"
)

// TestEveryCapturedValueRedacted: a result with a marker in every value of a type of text from
// the capture and in message parameters of every such kind, wherever result holds them: JSON
// made without redaction shows every field's marker (so the test sees them all), and no report
// made from the redacted result, in any format and mode, holds any marker or any part of one.
func TestEveryCapturedValueRedacted(t *testing.T) {
	f := resultfill.Fill(" \u202e")
	if len(f.Fields) < 40 {
		t.Fatalf("filled only %d fields", len(f.Fields))
	}
	var plain bytes.Buffer
	if err := report.Write(&plain, f.Result, report.FormatJSON, report.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Fields {
		if !strings.Contains(plain.String(), jsonString(s)) {
			t.Errorf("the report made without redaction does not show %q: the test cannot see it", s)
		}
	}
	red := Result(f.Result)
	leak := regexp.MustCompile(`zqx|172\.31\.|ACME|acme`)
	for _, format := range report.Formats() {
		for _, o := range []report.Options{{}, {Verbose: true}, {List: true}} {
			var b bytes.Buffer
			if err := report.Write(&b, red, format, o); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if loc := leak.FindStringIndex(b.String()); loc != nil {
				out := b.String()
				t.Errorf("%s %+v: an original is left: ...%s...", format, o, out[max(0, loc[0]-80):min(len(out), loc[1]+80)])
			}
		}
	}
}

// jsonString is s as the JSON report writes it inside quotes: quote and backslash escaped, and
// U+202E as \u202e.
func jsonString(s string) string {
	return strings.NewReplacer(`"`, `\"`, `\`, `\\`, "\u202e", `\u202e`).Replace(s)
}
