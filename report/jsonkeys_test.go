package report

import (
	"encoding/json"
	"strings"
	"testing"
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
