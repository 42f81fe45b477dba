package analyze

import (
	"fmt"
	"os"
)

// defaultSpillAfter is how many bytes of record chunks the store keeps in memory before it
// moves full chunks to a temporary file: some 10,000 listed connections.
const defaultSpillAfter = 2 * defaultChunkSize

// spillFile holds the store's full chunks of record bytes in a temporary file (in $TMPDIR),
// removed from the directory as soon as it is created where the system allows it (Unix), so
// that nothing is left behind whatever ends the process. When the file cannot be created or
// written, the chunks stay in memory: spilling bounds memory, it is never needed for a result.
// The file is closed, and so freed, when the store is no longer reachable (os.File's finalizer).
type spillFile struct {
	f      *os.File
	size   int64
	failed bool // the file could not be made or written: keep everything in memory
}

// write appends chunk to the file and returns where it starts; ok is false when it is not in
// the file (the chunk then stays in memory).
func (s *spillFile) write(chunk []byte) (at int64, ok bool) {
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
	return at, true
}

// read returns n bytes of the file from offset at. It is safe for concurrent use.
func (s *spillFile) read(at int64, n int) []byte {
	b := make([]byte, n)
	if _, err := s.f.ReadAt(b, at); err != nil {
		// The analysis wrote these bytes a moment ago: the temporary directory's disk failed.
		panic(fmt.Sprintf("connscope: reading back the analysis's temporary file (in %s) failed: %v; set TMPDIR to a working disk", os.TempDir(), err))
	}
	return b
}
