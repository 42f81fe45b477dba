package pcapfile

import (
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// mapWindowBytes is how much of a mapped file one chunk spans (a record longer than what is left
// of it gets a chunk that ends after it). The file is mapped whole, but its pages stay in memory
// (and in the process's resident set) only from the first read of a window until the last batch
// that points into it is released: then they are dropped (dropPages). Tests set it tiny, to
// cut records at window ends.
var mapWindowBytes = 1 << 20

// useMap says whether regular, uncompressed pcap files are read through a mapping where the
// system allows it (mmap_linux.go); tests turn it off to compare with the read(2) path.
var useMap = true

// mappedFile is a pcap file mapped whole, read in place: each frame is a slice of the mapping,
// copied nowhere (not even by read(2) into a buffer: 10% less CPU for the reading goroutine on the
// fleet benchmark, ~0.05 s of 0.47). pcapng files, whose frames NgReader copies anyway,
// compressed files and streams are read with read(2). The mapping is split into windows of
// mapWindowBytes, each a chunk held as any other (by the reader while it reads it, by each batch
// whose packets point into it); a window no one holds has its pages dropped, so that memory does
// not grow with the file. The mapping itself is unmapped when the reader is closed and no window
// is held.
type mappedFile struct {
	data  []byte       // the file's bytes, as long as it was when it was opened
	file  io.ReaderAt  // the file, read with read(2) once the lease is broken
	refs  atomic.Int32 // the reader's reference and one per window held
	guard *fileGuard   // keeps the file from being cut while it is mapped (mmap_linux.go)

	// Windows overlap: the next one starts at the page of the record the last one cut, a page
	// (or more) before the last one's end. live holds the windows held, in the order they were
	// made, which is that of their starts (and of their ends); a window let go drops only the
	// pages no live window covers (a frame written in place there would otherwise be lost).
	mu   sync.Mutex
	live []*chunk
}

// window returns the chunk of the mapping that holds the n bytes at off, or as many of them as
// the file has, held once (by the caller). It starts at the page of off and spans mapWindowBytes
// at least.
func (m *mappedFile) window(off int64, n int) *chunk {
	start := off &^ int64(pageSize-1)
	end := min(max(start+int64(mapWindowBytes), off+int64(n)), int64(len(m.data)))
	m.refs.Add(1)
	c := &chunk{buf: m.data[start:end:end], mapped: m, off: start}
	c.refs.Store(1)
	m.mu.Lock()
	m.live = append(m.live, c)
	m.mu.Unlock()
	return c
}

// unheld is called when the last reference on a window c is dropped: its pages leave memory,
// but for those a live window covers.
func (m *mappedFile) unheld(c *chunk) {
	m.mu.Lock()
	m.live = slices.DeleteFunc(m.live, func(w *chunk) bool { return w == c })
	m.dropUncovered(c.off, c.off+int64(len(c.buf)))
	m.mu.Unlock()
	m.unref()
}

// dropUncovered drops the pages of the mapping from start (a page's) to end that no live window
// covers, in part or whole. m.mu is held. The reader makes a window only while it holds the one
// before, whose pages are not dropped, and a window starts no earlier than the one before: no
// window made after the call covers a page it dropped.
func (m *mappedFile) dropUncovered(start, end int64) {
	page := int64(pageSize)
	end = (end + page - 1) &^ (page - 1)
	from := start
	for _, w := range m.live { // in the order of their starts
		ws, we := w.off, (w.off+int64(len(w.buf))+page-1)&^(page-1)
		if we <= from {
			continue
		}
		if ws >= end {
			break
		}
		if ws > from {
			dropPages(m.data[from:ws])
		}
		from = max(from, we)
	}
	if from < end {
		dropPages(m.data[from:min(end, int64(len(m.data)))])
	}
}

// unref drops a reference on the mapping; the last one unmaps it.
func (m *mappedFile) unref() {
	if m.refs.Add(-1) == 0 {
		unmap(m.data, m.guard)
		m.data = nil
	}
}

// mapFill is fill for a mapped file: it makes p.c the window that holds the n bytes from pos (the
// current window when it does), or up to the end of the file, where it sets p.err to io.EOF.
func (p *pcapRecords) mapFill(n int) error {
	if p.err != nil {
		return p.err
	}
	off := p.base + int64(p.pos)
	if p.c == nil || p.pos+n > len(p.c.buf) {
		if p.mm.guard.leaseBroken() {
			p.unmapped(off)
			return p.fill(n)
		}
		if off >= int64(len(p.mm.data)) {
			p.err = io.EOF
			return p.err
		}
		c := p.mm.window(off, n)
		if p.c != nil {
			p.c.release()
		}
		p.c = c
		p.base = off &^ int64(pageSize-1)
		p.pos = int(off - p.base)
		p.end = len(c.buf)
	}
	if p.end-p.pos < n {
		p.err = io.EOF
		return p.err
	}
	return nil
}

// unmapped makes p read the file with read(2) from off, the record at pos, on: another process
// wants to write the file or cut it, and waits until the mapping is gone (mmap_linux.go).
func (p *pcapRecords) unmapped(off int64) {
	if p.c != nil {
		p.c.release() // a window: not to be read into
		p.c = nil
	}
	p.src = io.NewSectionReader(p.mm.file, off, math.MaxInt64-off)
	p.mm.unref()
	p.mm = nil
	p.pos, p.end = 0, 0
}
