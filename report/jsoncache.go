package report

import (
	"unsafe"

	"github.com/connscope/connscope/report/valuecache"
)

// cachedValue writes, as write would, a value whose bytes depend on nothing but key and the
// current depth (the caller puts both in key): the first time by calling write, later from c.
// key must not be a buffer write reuses.
func cachedValue(w *jsonWriter, c *valuecache.Cache, key []byte, write func()) {
	if v, ok := c.Get(key); ok {
		w.b = append(w.b, v...)
		return
	}
	start := len(w.b)
	write()
	c.Put(key, w.b[start:])
}

// unsafeString is b as a string, without a copy: for text read only while b is not written.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
