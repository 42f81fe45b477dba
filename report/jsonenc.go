package report

import (
	"math"
	"strconv"
	"time"

	"github.com/connscope/connscope/report/escape"
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
	// msgs are the messages written (jsonMsg), worded and escaped, by their keys (appendMsgKey);
	// values are other values written whole (a path section). msgKey and valueKey are the keys
	// being looked up, reused.
	msgs, values     byteCache
	msgKey, valueKey []byte
	// sec is the Unix second of the last time written, and secText that second as RFC 3339
	// writes it ("2006-01-02T15:04:05"): a flow's times mostly fall in one second.
	sec     int64
	secText []byte
}

// jsonFragment is a run of fields written once: its bytes and how many fields it holds.
type jsonFragment struct {
	b      []byte
	fields int
}

// fragmentCache holds the fragments of one kind, by their key and whether they start their
// object or array. A map of its own per kind keeps the key's type: no key is boxed (an
// allocation) or hashed through its type's descriptor.
type fragmentCache[K comparable] map[fragmentKey[K]]jsonFragment

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
	if f, ok := (*cache)[fk]; ok {
		w.b = append(w.b, f.b...)
		w.n[k] += f.fields
		return
	}
	start, before := len(w.b), w.n[k]
	write()
	if *cache == nil {
		*cache = fragmentCache[K]{}
	}
	if len(*cache) < maxFragments {
		(*cache)[fk] = jsonFragment{b: append([]byte(nil), w.b[start:]...), fields: w.n[k] - before}
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

// elem starts an element of the innermost array.
func (w *jsonWriter) elem() { w.sep() }

func (w *jsonWriter) str(s string) { w.b = appendJSONString(w.b, s) }

func (w *jsonWriter) bytesStr(s []byte) { w.b = appendJSONString(w.b, string(s)) }

func (w *jsonWriter) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

func (w *jsonWriter) int64(n int64) { w.b = strconv.AppendInt(w.b, n, 10) }

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
func (w *jsonWriter) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		w.b = append(w.b, '0') // cannot happen for the result's values
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.b = strconv.AppendFloat(w.b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(w.b)
		if n >= 4 && w.b[n-4] == 'e' && w.b[n-3] == '-' && w.b[n-2] == '0' {
			w.b[n-2] = w.b[n-1]
			w.b = w.b[:n-1]
		}
	}
}

// time writes t in UTC as time.Time's MarshalJSON does (RFC 3339 with nanoseconds, trailing
// zeros of the fraction dropped). A time outside the years 0-9999, which RFC 3339 cannot write
// (a corrupt timestamp), is written as its Unix seconds. The date and time of day are formatted
// once per second (w.sec), the fraction by hand.
func (w *jsonWriter) time(t time.Time) {
	t = t.UTC()
	if sec := t.Unix(); sec != w.sec || w.secText == nil {
		if y := t.Year(); y < 0 || y > 9999 {
			w.b = strconv.AppendInt(w.b, sec, 10)
			return
		}
		w.sec, w.secText = sec, t.AppendFormat(w.secText[:0], "2006-01-02T15:04:05")
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, w.secText...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := len(frac)
		for frac[n-1] == '0' {
			n--
		}
		w.b = append(w.b, frac[:n]...)
	}
	w.b = append(w.b, 'Z', '"')
}

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
