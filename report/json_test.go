package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
)

// TestJSONValid checks that the JSON is valid and laid out as encoding/json's indented encoder
// lays it out (json.Indent of its compact form gives it back), and that it holds every flow.
func TestJSONValid(t *testing.T) {
	empty := build()
	for name, r := range map[string]*result.Result{"all": all(), "not-listed": flowsNotListed(), "empty": empty,
		"one": build(ipv6Flow(1)), "hostile": build(japaneseFlow(1), legacyFlow(2))} {
		var got bytes.Buffer
		if err := Write(&got, r, FormatJSON, Options{}); err != nil {
			t.Fatal(err)
		}
		var compact, want bytes.Buffer
		if err := json.Compact(&compact, got.Bytes()); err != nil {
			t.Fatalf("%s: invalid JSON: %v", name, err)
		}
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		want.WriteByte('\n')
		if got.String() != want.String() {
			t.Errorf("%s: layout differs from encoding/json's:\n%s", name, diffText(want.String(), got.String()))
		}
		var doc struct{ Flows []json.RawMessage }
		if err := json.Unmarshal(got.Bytes(), &doc); err != nil || len(doc.Flows) != r.Flows.Len() {
			t.Errorf("%s: %d flows (%v), want %d", name, len(doc.Flows), err, r.Flows.Len())
		}
	}
}

// TestJSONStrings checks strings without invisible characters, and numbers, against
// encoding/json with HTML escaping off.
func TestJSONStrings(t *testing.T) {
	// Invisible characters (DEL, U+2028...) are escaped where encoding/json writes them raw:
	// TestEscapeJSON.
	for _, s := range []string{"", "plain", "quote \" back\\slash", "ctl \x00\x01\x1f\t\n\r\b\f", "<&>",
		"bad \xff\xfe utf8", "日本語 サーバー", "ip.addr==1 && tcp.port==2"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(appendJSONString(nil, s)) + "\n"; got != want.String() {
			t.Errorf("%q: got %s, want %s", s, got, want.String())
		}
	}
	for _, f := range []float64{0, 1, 0.000012, 1e-7, 123456.789, 1e21, 1e20, -3.5, 0.1 + 0.2} {
		want, _ := json.Marshal(f)
		var w jsonWriter
		w.float(f)
		if string(w.b) != string(want) {
			t.Errorf("%v: got %s, want %s", f, w.b, want)
		}
	}
}

// TestJSONTimes checks times against time.Time's MarshalJSON, one writer for all of them, so
// that a time reuses or replaces the second the one before it formatted: fractions with and
// without trailing zeros, whole seconds, other zones, and years RFC 3339 cannot write (their Unix
// seconds, in the middle of the list, must not leave a second behind for the next time).
func TestJSONTimes(t *testing.T) {
	base := time.Date(2026, 11, 29, 3, 12, 41, 379636000, time.UTC)
	tokyo := time.FixedZone("JST", 9*3600)
	var w jsonWriter
	for _, tm := range []time.Time{
		base, base.Add(1), base.Add(10), base.Truncate(time.Second), base.Add(time.Second - 379636000 + 120000000),
		base.In(tokyo), base.Add(500 * time.Millisecond).In(tokyo),
		time.Date(10000, 1, 1, 0, 0, 0, 5, time.UTC), base, time.Date(-1, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 100, time.UTC),
		time.Unix(0, 0), time.Unix(1, 1).UTC(),
	} {
		w.b = w.b[:0]
		w.time(tm)
		want, err := tm.UTC().MarshalJSON()
		if err != nil { // outside the years 0-9999
			want = strconv.AppendInt(nil, tm.Unix(), 10)
		}
		if string(w.b) != string(want) {
			t.Errorf("%v: got %s, want %s", tm, w.b, want)
		}
	}
}

// TestJSONWriteError checks that a write error while the flows stream out is returned.
func TestJSONWriteError(t *testing.T) {
	var flows []result.Flow
	for i := range 2000 { // more than the output buffer holds
		flows = append(flows, okFlow(i+1))
	}
	r := build(flows...)
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
	var flows []result.Flow
	for i := range 20000 {
		f := mismatchFlow(i + 1)
		if i%2 == 0 {
			f = okFlow(i + 1)
		}
		flows = append(flows, f)
	}
	r := build(flows...)
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, r, FormatJSON, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJSONNewline checks the indentation of a new line at every depth, past the levels the
// writer keeps ready (newlineIndent) too.
func TestJSONNewline(t *testing.T) {
	for depth := range 40 {
		w := jsonWriter{depth: depth}
		w.newline()
		if want := "\n" + strings.Repeat("  ", depth); string(w.b) != want {
			t.Errorf("depth %d: got %q, want %q", depth, w.b, want)
		}
	}
}
