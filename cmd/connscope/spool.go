package main

import (
	"errors"
	"io"
	"os"
)

// spooled is standard input as it is read, kept in a temporary file, so that a capture that
// turns out to hold the same packets seen at two points can be read a second time with its
// points told apart (analyze.Options.Reopen). Without a temporary file (none can be created,
// or writing one failed) it is standard input alone, and the analysis says it could not read
// it again.
type spooled struct {
	in   io.Reader
	file *os.File // nil: not kept
}

// spool starts keeping what is read of in.
func spool(in io.Reader) *spooled {
	s := &spooled{in: in}
	f, err := os.CreateTemp("", "connscope-stdin-*.cap")
	if err == nil {
		s.file = f
	}
	return s
}

// Read reads standard input, writing what it reads to the temporary file; a failed write stops
// the keeping, not the reading.
func (s *spooled) Read(p []byte) (int, error) {
	n, err := s.in.Read(p)
	if n > 0 && s.file != nil {
		if _, werr := s.file.Write(p[:n]); werr != nil {
			s.remove()
		}
	}
	return n, err
}

// again returns what was read, from its start.
func (s *spooled) again() (io.Reader, error) {
	if s.file == nil {
		return nil, errors.New("standard input was not kept")
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return s.file, nil
}

// remove deletes the temporary file.
func (s *spooled) remove() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}
