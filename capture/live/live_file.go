package live

import (
	"fmt"
	"io"
)

// sinkBuffer is how many bytes of whole blocks the capture file collects before it writes them.
const sinkBuffer = 64 << 10

// blockSink stands between the pcapng writer and the capture file (Options.Write). The
// writer is flushed into it after every block, so it knows where each block ends; it writes
// whole blocks in batches, and when a write fails part-way (a full disk takes what fits) it cuts
// the file back to the end of the last block written whole, so that the file stays a valid
// capture of the packets before. It never fails itself: Write only appends.
type blockSink struct {
	w       io.Writer
	buf     []byte     // blocks not yet written
	ends    []blockEnd // where the blocks in buf end
	written int64      // bytes of w written, all whole blocks
	packets int        // packet blocks written whole
	whole   bool       // after a failure: the file ends after a whole block
	err     error      // the write error, after which nothing more is written
}

// blockEnd is where a block ends in blockSink.buf, and whether it holds a packet.
type blockEnd struct {
	off    int
	packet bool
}

// Write collects what the pcapng writer flushes.
func (s *blockSink) Write(p []byte) (int, error) {
	if s.err == nil {
		s.buf = append(s.buf, p...)
	}
	return len(p), nil
}

// endBlock marks the end of a block (a packet's, when packet is set) at the end of buf.
func (s *blockSink) endBlock(packet bool) {
	if s.err == nil {
		s.ends = append(s.ends, blockEnd{len(s.buf), packet})
	}
}

// flush writes the blocks collected. After a failure it keeps returning that failure.
func (s *blockSink) flush() error {
	if s.err != nil || len(s.buf) == 0 {
		return s.err
	}
	n, err := s.w.Write(s.buf)
	if err == nil && n < len(s.buf) {
		err = io.ErrShortWrite
	}
	if err == nil {
		for _, e := range s.ends {
			if e.packet {
				s.packets++
			}
		}
		s.written += int64(n)
		s.buf, s.ends = s.buf[:0], s.ends[:0]
		return nil
	}
	good := 0
	for _, e := range s.ends {
		if e.off > n {
			break
		}
		good = e.off
		if e.packet {
			s.packets++
		}
	}
	s.written += int64(good)
	s.whole = good == n
	if !s.whole {
		if t, ok := s.w.(interface{ Truncate(int64) error }); ok {
			if terr := t.Truncate(s.written); terr == nil {
				s.whole = true
			} else {
				err = fmt.Errorf("%w; cutting it back to its last whole block failed too: %v", err, terr)
			}
		}
	}
	s.err, s.buf, s.ends = err, nil, nil
	return err
}
