package report

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/connscope/connscope/result"
)

// TestJSONObjectKeys checks that an object written with known keys reads as one written key by
// key at every depth: in the keys' order, with a key they do not know in between (written the
// slow way, the rest still from the keys), with one left out, and deeper than the keys' text.
func TestJSONObjectKeys(t *testing.T) {
	keys := newObjectKeys("a", "b", "c")
	for depth := range 20 {
		for _, fields := range [][]string{{"a", "b", "c"}, {"a", "x", "b", "c"}, {"x", "a", "b"}, {"a", "c"}, {"b", "a"}} {
			var slow, fast jsonWriter
			for _, w := range []*jsonWriter{&slow, &fast} {
				w.depth, w.n = depth, make([]int, depth)
			}
			slow.open('{')
			o := fast.object(keys)
			for i, k := range fields {
				slow.key(k)
				slow.int(i)
				fast.field(&o, k)
				fast.int(i)
			}
			slow.close('}')
			fast.close('}')
			if string(fast.b) != string(slow.b) {
				t.Fatalf("depth %d, fields %v:\n%s\nwant\n%s", depth, fields, fast.b, slow.b)
			}
			if depth == 0 {
				var v map[string]int
				if err := json.Unmarshal(fast.b, &v); err != nil || len(v) != len(fields) {
					t.Fatalf("fields %v: %s does not read back (%v)", fields, fast.b, err)
				}
			}
		}
	}
	if o := (&jsonWriter{depth: 16, n: make([]int, 16)}).object(keys); o.lits != nil || !strings.Contains(keys.lits[15][0], `"a": `) {
		t.Errorf("depth 17: keys' text used, or the text of depth 15 lacks the key")
	}
}

// TestJSONPathRepeats checks that a path section written from the cache, or from the one last
// found there, reads as one written anew: paths in a row that differ in one number, the text of
// their vantage's reason (also when changed in place, as a flow's reused memory is), the sign
// of a zero, or the depth.
func TestJSONPathRepeats(t *testing.T) {
	wd := wordsFor(build(), "")
	host := []byte("client")
	reason := func(h string) result.Message {
		return result.Msg("path.kept-sending", result.Text("side", h), result.Int("frame", 3))
	}
	base := result.Path{Vantage: "same-link", VantageReason: reason("server"), SYNIntervals: []float64{}, ICMP: []result.ICMPError{}}
	hops, inPlace, negZero := base, base, base
	hops.ClientHops = 1
	inPlace.VantageReason = reason(unsafe.String(unsafe.SliceData(host), len(host)))
	negZero.SYNGiveUp = math.Copysign(0, -1)
	var w jsonWriter
	paths := []*result.Path{&base, &base, &hops, &base, &inPlace, &base, &inPlace, &inPlace, &base, &negZero, &base, &negZero, &base, &base}
	for i, p := range paths {
		depth := 2
		if i >= len(paths)-1 {
			depth = 3
		}
		if i == 7 { // the text under the path last found changes: it reads as base's now
			copy(host, "server")
		}
		w.b, w.depth, w.n = w.b[:0], depth, make([]int, depth)
		jsonPath(&w, wd, p)
		var want jsonWriter
		want.depth, want.n = depth, make([]int, depth)
		writePath(&want, wd, p)
		if string(w.b) != string(want.b) {
			t.Errorf("path %d:\n%s\nwant\n%s", i, w.b, want.b)
		}
	}
}
