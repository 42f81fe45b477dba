package report

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/connscope/connscope/result"
)

// byteCache holds JSON values written once, by a key of bytes that says everything they were
// written from (appendMsgKey): a hundred thousand flows that worked share a handful of reasons,
// evidence texts and path sections, each worded and escaped once per writer.
type byteCache struct {
	m     map[string][]byte
	bytes int // of keys and values held
}

// maxCachedBytes bounds the bytes a byteCache holds (maxFragments bounds its entries).
const maxCachedBytes = 1 << 20

// get returns the value cached for key k.
func (c *byteCache) get(k []byte) ([]byte, bool) {
	v, ok := c.m[string(k)]
	return v, ok
}

// put caches v for key k, while the cache has room.
func (c *byteCache) put(k, v []byte) {
	if len(c.m) >= maxFragments || c.bytes+len(k)+len(v) > maxCachedBytes {
		return
	}
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[string(k)] = append([]byte(nil), v...)
	c.bytes += len(k) + len(v)
}

// cachedValue writes, as write would, a value whose bytes depend on nothing but key and the
// current depth (the caller puts both in key): the first time by calling write, later from c.
// key must not be a buffer write reuses.
func cachedValue(w *jsonWriter, c *byteCache, key []byte, write func()) {
	if v, ok := c.get(key); ok {
		w.b = append(w.b, v...)
		return
	}
	start := len(w.b)
	write()
	c.put(key, w.b[start:])
}

// appendMsgKey appends what m is made of to b, every part told apart by its length: two messages
// with the same key bytes are worded alike.
func appendMsgKey(b []byte, m *result.Message) []byte {
	b = appendKeyString(b, m.Key)
	b = binary.AppendUvarint(b, uint64(len(m.Args)))
	for i := range m.Args {
		a := &m.Args[i]
		b = appendKeyString(b, a.Name)
		quote := byte(0)
		if a.Quote {
			quote = 1
		}
		b = append(b, byte(a.Kind), quote)
		b = appendKeyString(b, a.Text)
		b = binary.AppendVarint(b, a.Int)
		if a.Msg == nil {
			b = append(b, 0)
		} else {
			b = appendMsgKey(append(b, 1), a.Msg)
		}
		b = binary.AppendUvarint(b, uint64(len(a.List)))
		for j := range a.List {
			b = appendMsgKey(b, &a.List[j])
		}
	}
	return b
}

// appendKeyString appends s and its length to a key.
func appendKeyString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendKeyInt appends n to a key.
func appendKeyInt(b []byte, n int) []byte { return binary.AppendVarint(b, int64(n)) }

// appendKeyFloat appends f's bits to a key.
func appendKeyFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// unsafeString is b as a string, without a copy: for text read only while b is not written.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
