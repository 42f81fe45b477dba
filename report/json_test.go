package report

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// TestJSONStreamedAsWhole checks that the JSON written flow by flow is byte for byte what one
// encoder writes for the whole normalized result.
func TestJSONStreamedAsWhole(t *testing.T) {
	empty := build()
	empty.Flows = nil
	for name, r := range map[string]*result.Result{"all": all(), "not-listed": flowsNotListed(), "empty": empty,
		"one": build(ipv6Flow(1)), "hostile": build(japaneseFlow(1), legacyFlow(2))} {
		n := normalize(r)
		n.Flows = each(r.Flows, normalizeFlow)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&n); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := Write(&got, r, FormatJSON, Options{}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: streamed JSON differs from the whole document's encoding:\n%s", name, diffText(want.String(), got.String()))
		}
	}
}

// TestJSONNormalizedInput checks that a result whose times are in UTC already and whose lists are
// not nil (as analyze makes them), which normalizing leaves as it is, writes the same document as
// the one it came from.
func TestJSONNormalizedInput(t *testing.T) {
	r := all()
	n := *r
	n.Flows = each(r.Flows, normalizeFlow)
	var want, got bytes.Buffer
	if err := Write(&want, r, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&got, &n, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("normalized input writes differently:\n%s", diffText(want.String(), got.String()))
	}
}

// TestJSONWriteError checks that a write error while the flows stream out is returned.
func TestJSONWriteError(t *testing.T) {
	r := build()
	for i := range 2000 { // more than the output buffer holds
		r.Flows = append(r.Flows, okFlow(i+1))
	}
	if err := Write(failingWriter{}, r, FormatJSON, Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error not returned: %v", err)
	}
}

// diffText shows the first line where want and got differ.
func diffText(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n want " + a + "\n  got " + b
		}
	}
	return ""
}

// BenchmarkWriteJSON measures the JSON report of 20,000 flows written to a discarding writer: its
// bytes allocated per op show whether the document is held in memory.
//
//	go test -run XXX -bench WriteJSON -benchmem ./report
func BenchmarkWriteJSON(b *testing.B) {
	r := build()
	for i := range 20000 {
		f := mismatchFlow(i + 1)
		if i%2 == 0 {
			f = okFlow(i + 1)
		}
		r.Flows = append(r.Flows, normalizeFlow(f)) // in UTC, as analyze makes them
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, r, FormatJSON, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIndent checks indent against json.Indent on compact JSON: the golden reports, and values
// with escapes, empty and nested lists and objects, and punctuation inside strings.
func TestIndent(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `{"a":[]}`, `{"a":{},"b":[{}],"c":[[],[1,2]]}`, `"x"`, `17`, `null`,
		`{"s":"a \"quoted\" {brace}, [bracket]: colon","t":"back\\slash\\","u":"\u2028\u00e9\n"}`,
		`[{"k":-1.5e-7,"l":true,"m":false,"n":null,"o":"a\\\"b"}]`,
		`[[[[[[[[[[[1,{"a":[[{"b":[]}]]}]]]]]]]]]]]`,
		`{"e":"\\\\","f":"\\\"","g":"\\\\\\\"\\\\","h":"","i":"\"\"\\"}`,
	}
	files, err := filepath.Glob("../testdata/golden/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden JSON reports: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	for _, d := range docs {
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(d)); err != nil {
			t.Fatalf("%.40q: %v", d, err)
		}
		for _, prefix := range []string{"", "    "} {
			var want bytes.Buffer
			if err := json.Indent(&want, compact.Bytes(), prefix, "  "); err != nil {
				t.Fatal(err)
			}
			if got := indent([]byte("x"), compact.Bytes(), prefix, "  "); string(got) != "x"+want.String() {
				t.Errorf("prefix %q, %.60q:\n%s", prefix, d, diffText(want.String(), string(got[1:])))
			}
		}
	}
}
