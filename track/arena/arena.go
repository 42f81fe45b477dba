// Package arena keeps many short byte strings that end roughly in the order they were added
// (the tracker's records of closed connections) in large chunks with no pointers in them: the
// garbage collector neither scans them nor counts an object per string, and a chunk whose
// strings all ended is reused whole. Memory so stays at the chunks the strings alive at once
// fill, plus the space of strings that ended in chunks still in use.
package arena

// ChunkSize is the size of a chunk. A string longer than it gets a chunk of its own size,
// dropped when the string ends.
const ChunkSize = 64 << 10

// Ref is where a string is in an Arena: plain numbers, for keeping in pointer-free structures.
// The zero Ref is no string.
type Ref struct {
	chunk int32 // index in Arena.chunks, plus one
	off   uint32
	n     uint32
}

// Len is the string's length.
func (r Ref) Len() int { return int(r.n) }

// chunk is a buffer the Arena appends strings to until it is full.
type chunk struct {
	buf  []byte // len(buf) is its size
	used int    // bytes appended
	live int    // strings added and not freed
}

// Arena keeps byte strings in chunks. The zero Arena is empty and ready to use. It is not safe
// for concurrent use, and a string's bytes (Bytes) are reused once it is freed: what must
// outlive the string, or be read on another goroutine, takes a copy.
type Arena struct {
	chunks []chunk
	empty  []int32 // chunks (indexes) with no live string, for the next chunk needed
	cur    int32   // the chunk appended to, plus one; 0: none
	// NoReuse gives every chunk a new buffer rather than one whose strings ended (tests compare).
	NoReuse bool
	// Reused counts the times a chunk's buffer, its strings all ended, was used again.
	Reused int
}

// Add copies b into the arena and returns where it is.
func (a *Arena) Add(b []byte) Ref {
	var i int32
	switch {
	case len(b) > ChunkSize:
		i = a.take(len(b))
	case a.cur == 0 || len(b) > len(a.chunks[a.cur-1].buf)-a.chunks[a.cur-1].used:
		// The full chunk is released when its last string is freed (Free).
		i = a.take(ChunkSize)
		a.cur = i + 1
	default:
		i = a.cur - 1
	}
	c := &a.chunks[i]
	off := c.used
	c.used += copy(c.buf[off:], b)
	c.live++
	return Ref{chunk: i + 1, off: uint32(off), n: uint32(len(b))}
}

// take returns a chunk with an empty buffer of size bytes: an empty chunk's, or a new one.
func (a *Arena) take(size int) int32 {
	var i int32
	if n := len(a.empty); n > 0 {
		i = a.empty[n-1]
		a.empty = a.empty[:n-1]
	} else {
		i = int32(len(a.chunks))
		a.chunks = append(a.chunks, chunk{})
	}
	c := &a.chunks[i]
	if len(c.buf) == size && size == ChunkSize {
		a.Reused++
	} else {
		c.buf = make([]byte, size)
	}
	c.used, c.live = 0, 0
	return i
}

// Bytes returns the string at r. They are the arena's: valid, and not to be changed, until
// Free(r).
func (a *Arena) Bytes(r Ref) []byte {
	return a.chunks[r.chunk-1].buf[r.off : r.off+r.n : r.off+r.n]
}

// Free ends the string at r: its chunk is reused once all its strings ended.
func (a *Arena) Free(r Ref) {
	i := r.chunk - 1
	c := &a.chunks[i]
	c.live--
	if c.live > 0 {
		return
	}
	if i == a.cur-1 && !a.NoReuse {
		c.used = 0 // the chunk appended to starts over
		a.Reused++
		return
	}
	if i == a.cur-1 {
		a.cur = 0
	}
	a.release(i)
}

// release puts an empty chunk in the empty list, keeping its buffer if it may be reused.
func (a *Arena) release(i int32) {
	c := &a.chunks[i]
	if a.NoReuse || len(c.buf) != ChunkSize {
		c.buf = nil
	}
	c.used = 0
	a.empty = append(a.empty, i)
}

// Chunks is the number of chunks with a buffer (ChunkSize bytes, or one long string's).
func (a *Arena) Chunks() int {
	n := 0
	for _, c := range a.chunks {
		if c.buf != nil {
			n++
		}
	}
	return n
}

// Reset lets go of every chunk (every Ref is void after it), keeping NoReuse.
func (a *Arena) Reset() { *a = Arena{NoReuse: a.NoReuse} }
