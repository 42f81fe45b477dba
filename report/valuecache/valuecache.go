// Package valuecache holds JSON values written once, by a key of bytes that says everything they
// were written from: a hundred thousand flows that worked share a handful of reasons, evidence
// texts and path sections, each worded and escaped once per writer. It also makes those keys.
package valuecache

import (
	"encoding/binary"
	"math"

	"github.com/connscope/connscope/result"
)

// Cache holds values by their keys, up to MaxEntries of them and MaxBytes of keys and values.
type Cache struct {
	m     map[string][]byte
	bytes int // of keys and values held
}

// MaxEntries bounds the values a Cache holds.
const MaxEntries = 4096

// MaxBytes bounds the bytes of keys and values a Cache holds.
const MaxBytes = 1 << 20

// Get returns the value cached for key k.
func (c *Cache) Get(k []byte) ([]byte, bool) {
	v, ok := c.m[string(k)]
	return v, ok
}

// Put caches a copy of v for key k, while the cache has room.
func (c *Cache) Put(k, v []byte) {
	if len(c.m) >= MaxEntries || c.bytes+len(k)+len(v) > MaxBytes {
		return
	}
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[string(k)] = append([]byte(nil), v...)
	c.bytes += len(k) + len(v)
}

// AppendMsg appends what m is made of to key b, every part told apart by its length: two
// messages with the same key bytes are worded alike.
func AppendMsg(b []byte, m *result.Message) []byte {
	b = AppendString(b, m.Key)
	b = binary.AppendUvarint(b, uint64(len(m.Args)))
	for i := range m.Args {
		a := &m.Args[i]
		b = AppendString(b, a.Name)
		quote := byte(0)
		if a.Quote {
			quote = 1
		}
		b = append(b, byte(a.Kind), quote)
		b = AppendString(b, a.Text)
		b = binary.AppendVarint(b, a.Int)
		if a.Msg == nil {
			b = append(b, 0)
		} else {
			b = AppendMsg(append(b, 1), a.Msg)
		}
		b = binary.AppendUvarint(b, uint64(len(a.List)))
		for j := range a.List {
			b = AppendMsg(b, &a.List[j])
		}
	}
	return b
}

// AppendString appends s and its length to key b.
func AppendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// AppendInt appends n to key b.
func AppendInt(b []byte, n int) []byte { return binary.AppendVarint(b, int64(n)) }

// AppendFloat appends f's bits to key b.
func AppendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}
