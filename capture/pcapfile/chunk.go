package pcapfile

import (
	"sync"
	"sync/atomic"
)

// chunkBytes is the size of the chunks a file is read into (a frame longer than that gets a chunk
// of its own). The chunks the packets read ahead point into are all in memory at once: at
// 256 KiB the fleet benchmark's peak is ~5 MB lower than at 1 MiB, in the same time (4,000 more
// reads of a 1.1 GB file). Tests set it tiny, to cut records at chunk ends.
var chunkBytes = 256 << 10

// chunk is a buffer that frames are read into (pcap: the file's bytes as read, each frame a slice
// of them; pcapng: copies of the frames). It is counted: the file reader holds it while it fills
// it, and each Batch whose packets point into it holds it until released. A chunk no one holds
// goes back to its pool, to be filled again.
type chunk struct {
	buf  []byte
	refs atomic.Int32
	pool *chunkPool // nil: a chunk made for one long frame, left to the garbage collector
	// mapped is the mapping the chunk is a window of (mmap.go); nil for a buffer of its own
	mapped *mappedFile
	off    int64 // mapped: the file offset of buf[0], a page's
}

// retain takes a reference on c.
func (c *chunk) retain() { c.refs.Add(1) }

// release drops a reference on c; the last one returns it to its pool.
func (c *chunk) release() {
	if c.refs.Add(-1) == 0 {
		if c.pool != nil {
			c.pool.put(c)
		} else if c.mapped != nil {
			c.mapped.unheld(c)
		}
	}
}

// alone reports whether the file reader, which calls it, holds the only reference on c: no batch
// points into it, and none can start to (only the reader's goroutine takes references), so the
// reader may write over it.
func (c *chunk) alone() bool { return c.refs.Load() == 1 }

// chunkPool hands out the chunks of one file and takes them back. It makes a chunk only when none
// is free, so it holds as many as were ever in use at once: the reader's own and those of the
// batches not yet released, a number Reader.ReadBatch bounds.
type chunkPool struct {
	size int
	made int // the chunks of size it made (only the reader's goroutine makes them)
	mu   sync.Mutex
	free []*chunk
}

func newChunkPool() *chunkPool { return &chunkPool{size: chunkBytes} }

// get returns a chunk of at least n bytes, held once (by the caller).
func (p *chunkPool) get(n int) *chunk {
	if n > p.size {
		c := &chunk{buf: make([]byte, n)}
		c.refs.Store(1)
		return c
	}
	p.mu.Lock()
	var c *chunk
	if k := len(p.free); k > 0 {
		c = p.free[k-1]
		p.free[k-1] = nil
		p.free = p.free[:k-1]
	}
	p.mu.Unlock()
	if c == nil {
		c = &chunk{buf: make([]byte, p.size), pool: p}
		p.made++
	}
	c.refs.Store(1)
	return c
}

func (p *chunkPool) put(c *chunk) {
	p.mu.Lock()
	p.free = append(p.free, c)
	p.mu.Unlock()
}
