// Package spill keeps chunks of bytes in a temporary file, to bound the memory of what an
// analysis keeps (the engine's store of records moves its full chunks here).
package spill

import (
	"fmt"
	"os"
	"sync"
)

// File holds the store's full chunks of record bytes in a temporary file (in $TMPDIR),
// removed from the directory as soon as it is created where the system allows it (Unix), so
// that nothing is left behind whatever ends the process. When the file cannot be created or
// written, the chunks stay in memory: spilling bounds memory, it is never needed for a result.
// The file is closed, and so freed, when the store is no longer reachable (os.File's finalizer).
// The zero File is ready to use.
type File struct {
	f      *os.File
	size   int64
	failed bool          // the file could not be made or written: keep everything in memory (Failed)
	sizes  map[int64]int // the chunks written, by offset: their lengths

	mu    sync.Mutex // guards what follows: the chunks read back
	cache [cacheChunks]struct {
		at   int64
		b    []byte
		used uint64 // clock when last read
	}
	clock uint64
}

// cacheChunks is how many chunks read back are kept in memory.
const cacheChunks = 4

// Write appends chunk to the file and returns where it starts; ok is false when it is not in
// the file (the chunk then stays in memory).
func (s *File) Write(chunk []byte) (at int64, ok bool) {
	if s.failed {
		return 0, false
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "connscope-records-*")
		if err != nil {
			s.failed = true
			return 0, false
		}
		if !removeOpen(f) {
			// This system keeps open files in their directory: spilling would leave one behind.
			f.Close()
			os.Remove(f.Name())
			s.failed = true
			return 0, false
		}
		s.f = f
	}
	if _, err := s.f.WriteAt(chunk, s.size); err != nil {
		s.failed = true // a full disk: what is written stays readable, the rest stays in memory
		return 0, false
	}
	at = s.size
	s.size += int64(len(chunk))
	if s.sizes == nil {
		s.sizes = map[int64]int{}
	}
	s.sizes[at] = len(chunk)
	return at, true
}

// Read returns n bytes from offset off of the chunk written at offset at. Chunks are read whole
// into a few buffers, the most recently used kept: the result reads records in connection
// order, which is nearly the order they were written in, so most reads are a copy from memory
// rather than a system call. It is safe for concurrent use.
func (s *File) Read(at int64, off, n uint32) []byte { return s.ReadInto(nil, at, off, n) }

// ReadInto is Read appending the bytes to dst: a caller that reads many in turn reuses its
// buffer.
func (s *File) ReadInto(dst []byte, at int64, off, n uint32) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	slot := -1
	for i := range s.cache {
		if s.cache[i].at == at && s.cache[i].b != nil {
			slot = i
			break
		}
	}
	if slot < 0 {
		slot = 0
		for i := range s.cache {
			if s.cache[i].b == nil || s.cache[i].used < s.cache[slot].used {
				slot = i
			}
		}
		c := &s.cache[slot]
		c.at, c.b = at, c.b[:0]
		size := s.sizes[at]
		if cap(c.b) < size {
			c.b = make([]byte, size)
		}
		c.b = c.b[:size]
		if _, err := s.f.ReadAt(c.b, at); err != nil {
			c.b = nil
			// The analysis wrote these bytes a moment ago: the temporary directory's disk failed.
			panic(fmt.Sprintf("connscope: reading back the analysis's temporary file (in %s) failed: %v; set TMPDIR to a working disk", os.TempDir(), err))
		}
	}
	s.clock++
	c := &s.cache[slot]
	c.used = s.clock
	return append(dst, c.b[off:off+n]...)
}

// Failed reports whether the file could not be made or written: the chunks not in it stayed in
// memory.
func (s *File) Failed() bool { return s.failed }
