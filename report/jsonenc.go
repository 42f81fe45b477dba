package report

import (
	"strconv"
	"time"
	"unsafe"

	"github.com/connscope/connscope/report/escape"
	"github.com/connscope/connscope/report/jsonnum"
	"github.com/connscope/connscope/report/valuecache"
)

// jsonWriter appends an indented JSON document to a buffer, byte for byte as encoding/json's
// Encoder with SetIndent("", "  ") and SetEscapeHTML(false) writes it, without reflection: the
// report's JSON is written field by field, in the order docs/json-schema.md lists.
type jsonWriter struct {
	b     []byte
	depth int
	n     []int // values written at each open level
	// The parts of the document that many flows share, as written at their depth: the head and
	// the tail of a ClientHello's fields (its lists), and a certificate chain.
	helloHeads   fragmentCache[helloHeadKey]
	helloTails   fragmentCache[helloTailKey]
	chains       fragmentCache[chainShape]
	serverHellos fragmentCache[serverHelloKey]
	text         []byte // a message being worded (jsonMsg), reused
	// msgs are the messages written (jsonMsg), worded and escaped, by their keys (valuecache.AppendMsg);
	// values are other values written whole (a path section). msgKey and valueKey are the keys
	// being looked up, reused.
	msgs, values     valuecache.Cache
	recentMsgs       valuecache.Recent // the messages last found in msgs
	lastPath         lastPath          // the path section last found in values
	msgKey, valueKey []byte
	times            jsonnum.Times // the times written, by the second
}

// jsonFragment is a run of fields written once: its bytes and how many fields it holds.
type jsonFragment struct {
	b      []byte
	fields int
}

// fragmentCache holds the fragments of one kind, by their key and whether they start their
// object or array. A map of its own per kind keeps the key's type: no key is boxed (an
// allocation) or hashed through its type's descriptor. The fragment last written is checked
// first: flows in a row mostly share theirs, and comparing a key is cheaper than hashing it.
type fragmentCache[K comparable] struct {
	m     map[fragmentKey[K]]jsonFragment
	last  fragmentKey[K]
	lastF jsonFragment
	has   bool
}

// fragmentKey is a fragment's key, and whether it starts its object or array.
type fragmentKey[K comparable] struct {
	key   K
	first bool
}

// maxFragments bounds the fragments cached of each kind.
const maxFragments = 4096

// fragment writes, as write would, the values that write adds to the innermost open object or
// array; the first time for key by calling write, later from the cache. Its leading separator
// is cached with it, so a fragment that starts its object is cached apart from one that does not.
func fragment[K comparable](w *jsonWriter, cache *fragmentCache[K], key K, write func()) {
	k := len(w.n) - 1
	fk := fragmentKey[K]{key, w.n[k] == 0}
	f, ok := cache.lastF, cache.has && cache.last == fk
	if !ok {
		f, ok = cache.m[fk]
	}
	if ok {
		cache.last, cache.lastF, cache.has = fk, f, true
		w.b = append(w.b, f.b...)
		w.n[k] += f.fields
		return
	}
	start, before := len(w.b), w.n[k]
	write()
	if cache.m == nil {
		cache.m = map[fragmentKey[K]]jsonFragment{}
	}
	if len(cache.m) < maxFragments {
		cache.m[fk] = jsonFragment{b: append([]byte(nil), w.b[start:]...), fields: w.n[k] - before}
	}
}

// newlineIndent is a line break and the indentation of the deepest levels written in one append.
const newlineIndent = "\n                                                                " // 32 levels

// newline starts a line at the current depth.
func (w *jsonWriter) newline() {
	if n := 1 + 2*w.depth; n <= len(newlineIndent) {
		w.b = append(w.b, newlineIndent[:n]...)
		return
	}
	w.b = append(w.b, newlineIndent...)
	for range w.depth - (len(newlineIndent)-1)/2 {
		w.b = append(w.b, ' ', ' ')
	}
}

// sep starts the next value of the innermost object or array.
func (w *jsonWriter) sep() {
	if k := len(w.n) - 1; k >= 0 {
		if w.n[k] > 0 {
			w.b = append(w.b, ',')
		}
		w.n[k]++
		w.newline()
	}
}

// open starts an object ('{') or an array ('[') as the current value.
func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.n = append(w.n, 0)
}

// close ends the innermost object ('}') or array (']').
func (w *jsonWriter) close(c byte) {
	k := len(w.n) - 1
	empty := w.n[k] == 0
	w.n = w.n[:k]
	w.depth--
	if !empty {
		w.newline()
	}
	w.b = append(w.b, c)
}

// key starts a field of the innermost object.
func (w *jsonWriter) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...) // keys are plain ASCII
	w.b = append(w.b, '"', ':', ' ')
}

// objectKeys is the keys an object's fields are mostly written with, in order, and each key as
// written at every depth: a field of a flow is then one append, not five.
type objectKeys struct {
	keys []string
	lits [16][]string // [depth][i]: a comma, a line break, the indentation and the key
}

// newObjectKeys returns the keys and their text at every depth up to 16.
func newObjectKeys(keys ...string) *objectKeys {
	o := &objectKeys{keys: keys}
	for d := range o.lits {
		for _, k := range keys {
			w := jsonWriter{depth: d, n: []int{1}}
			w.key(k)
			o.lits[d] = append(o.lits[d], string(w.b))
		}
	}
	return o
}

// objectFields is an object being written with keys: the text of the keys at its depth (nil
// deeper than that) and how many of them were written.
type objectFields struct {
	keys *objectKeys
	lits []string
	i    int
}

// object starts an object ('{') whose fields are mostly written with keys.
func (w *jsonWriter) object(keys *objectKeys) objectFields {
	w.open('{')
	o := objectFields{keys: keys}
	if w.depth < len(keys.lits) {
		o.lits = keys.lits[w.depth]
	}
	return o
}

// field starts field k of the object o, as key does: from o's text when k is o's next key.
func (w *jsonWriter) field(o *objectFields, k string) {
	// The keys are constants: the same key is the same bytes, told apart without reading them
	// (a key made apart, equal or not, is written the slower way).
	if next := o.i; next < len(o.lits) && unsafe.StringData(o.keys.keys[next]) == unsafe.StringData(k) && len(o.keys.keys[next]) == len(k) {
		l, n := o.lits[o.i], &w.n[len(w.n)-1]
		if *n == 0 {
			l = l[1:]
		}
		*n++
		o.i++
		w.b = append(w.b, l...)
		return
	}
	w.key(k)
}

// elem starts an element of the innermost array.
func (w *jsonWriter) elem() { w.sep() }

func (w *jsonWriter) str(s string) { w.b = appendJSONString(w.b, s) }

func (w *jsonWriter) bytesStr(s []byte) { w.b = appendJSONString(w.b, string(s)) }

func (w *jsonWriter) int(n int) { w.b = jsonnum.AppendInt(w.b, int64(n)) }

func (w *jsonWriter) int64(n int64) { w.b = jsonnum.AppendInt(w.b, n) }

func (w *jsonWriter) uint64(n uint64) { w.b = strconv.AppendUint(w.b, n, 10) }

func (w *jsonWriter) bool(v bool) {
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

func (w *jsonWriter) null() { w.b = append(w.b, "null"...) }

// float writes f as encoding/json does.
func (w *jsonWriter) float(f float64) { w.b = jsonnum.AppendFloat(w.b, f) }

// time writes t in UTC as time.Time's MarshalJSON does (jsonnum.Times).
func (w *jsonWriter) time(t time.Time) { w.b = w.times.Append(w.b, t) }

// strings writes a list of strings (an empty list for nil).
func (w *jsonWriter) strings(ss []string) {
	w.open('[')
	for _, s := range ss {
		w.elem()
		w.str(s)
	}
	w.close(']')
}

// ints writes a list of integers (an empty list for nil).
func (w *jsonWriter) ints(ns []int) {
	w.open('[')
	for _, n := range ns {
		w.elem()
		w.int(n)
	}
	w.close(']')
}

// appendJSONString appends s as a JSON string (escape.AppendJSON: as encoding/json with HTML
// escaping off, and every invisible character escaped).
func appendJSONString(dst []byte, s string) []byte { return escape.AppendJSON(dst, s) }
