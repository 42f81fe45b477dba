// Package filing hands the records that connection tracking finishes (package track) over to a
// goroutine of their own, which files them in the order tracking finished them: tracking, the
// hot path, does not wait for each record to be diagnosed, aggregated and stored. With reading
// and decoding ahead in another goroutine, a file's analysis keeps two CPUs busy; at the end of
// the capture (Spread), when the tracker finishes every connection still open at once, a second
// goroutine decodes and diagnoses the records ahead of the filing. The records are filed as
// they would be in line, so the result is the same.
package filing

import (
	"sync/atomic"

	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/track"
)

// Pipeline takes records from a tracker (Take, TakeEnded) and files them on a goroutine of its
// own until Settle. Its methods are called from the tracker's goroutine.
type Pipeline struct {
	batches chan *batch // to the filing goroutine
	free    chan *batch
	cur     *batch
	done    chan struct{}
	// prep takes the batches to the preparing goroutine as well, once Spread started it (room
	// for twice the batches in flight: it also holds those the filing took first); slabs are
	// the scratch memory it decodes a batch's records into, handed back once they are filed.
	prep     chan handed
	slabs    chan *slab
	prepDone chan struct{}
}

// handed is a batch handed over to be prepared, in the life (gen) it had then: a batch is
// reused once filed.
type handed struct {
	b   *batch
	gen uint64
}

// Record is a finished connection's record as tracking handed it over: decoded, or still
// encoded (decoded on the filing goroutine), and after Spread decoded and diagnosed on its own
// ahead of the filing. It is valid during the call that files it.
type Record struct {
	given    *facts.Conn // handed over decoded
	ended    track.Ended // else: handed over encoded
	c        *facts.Conn // prepared: decoded (given, or into the batch's slab)
	first    diagnose.First
	prepared bool
}

// Scratch returns the record decoded: as it was handed over or prepared, or else decoded into
// s, where the next record decoded there replaces it (track.Ended.RecordScratch).
func (r *Record) Scratch(s *facts.Scratch) *facts.Conn {
	switch {
	case r.prepared:
		return r.c
	case r.given != nil:
		return r.given
	}
	return r.ended.RecordScratch(s)
}

// Own returns the record decoded into memory of its own, to be kept past the call.
func (r *Record) Own() *facts.Conn {
	if r.given != nil {
		return r.given
	}
	return r.ended.Record()
}

// First returns the record's diagnosis on its own, when Spread's goroutine made it.
func (r *Record) First() (diagnose.First, bool) { return r.first, r.prepared }

// batch is records handed over at once: the encoded ones' bytes are copied into bytes, which the
// batch keeps and reuses from one hand-over to the next, rather than each allocated.
type batch struct {
	recs  []Record
	bytes []byte
	// state is who prepares the records, the preparing goroutine (preparing) or the filing one
	// (filing), whichever comes first, in the low two bits, and the batch's life above them;
	// ready takes a token once the preparing goroutine has prepared them, into slab.
	state atomic.Uint64
	gen   uint64 // the tracker's goroutine's copy of the life
	ready chan struct{}
	slab  *slab
}

// The states of a batch's records.
const (
	handedOver = iota
	preparing
	filing
)

// slab is the memory the records of a batch are decoded into ahead of the filing.
type slab [batchSize]facts.Scratch

// batchSize is how many records go over at a time.
const batchSize = 256

// preparedBatches is how many batches may be prepared ahead of the filing (Spread): each holds
// a slab of some 200 KiB.
const preparedBatches = 4

// New starts the goroutine that calls file with each record handed over, in order.
func New(file func(*Record)) *Pipeline {
	p := &Pipeline{batches: make(chan *batch, 16), free: make(chan *batch, 18), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for b := range p.batches {
			// The records the preparing goroutine has not begun are filed as they came: it
			// never keeps the filing waiting for more than the batch it has begun.
			st := b.state.Load()
			prepared := st&3 != handedOver || !b.state.CompareAndSwap(st, st|filing)
			if prepared {
				<-b.ready
			}
			for i := range b.recs {
				file(&b.recs[i])
				b.recs[i] = Record{}
			}
			if prepared {
				p.slabs <- b.slab // never blocks: the channel holds every slab
				b.slab = nil
			}
			b.recs, b.bytes = b.recs[:0], b.bytes[:0]
			select {
			case p.free <- b:
			default:
			}
		}
	}()
	return p
}

// Take is the tracker's sink: it queues the record. The tracker must keep no reference to it
// (track.Config.OwnLadders).
func (p *Pipeline) Take(c *facts.Conn) bool {
	p.add().given = c
	p.sent()
	return false
}

// TakeEnded is the tracker's track.Config.EndedSink: it queues a copy of the record, decoded
// on another goroutine.
func (p *Pipeline) TakeEnded(e *track.Ended) {
	r := p.add()
	p.cur.bytes = e.CopyTo(&r.ended, p.cur.bytes)
	p.sent()
}

// add adds an empty record to the batch being filled and returns it, to be filled in place.
func (p *Pipeline) add() *Record {
	if p.cur == nil {
		select {
		case p.cur = <-p.free:
		default:
			p.cur = &batch{recs: make([]Record, 0, batchSize), ready: make(chan struct{}, 1)}
		}
		p.cur.gen++ // a stale hand-over to the preparing goroutine no longer matches it
		p.cur.state.Store(p.cur.gen << 2)
	}
	b := p.cur
	b.recs = append(b.recs, Record{})
	return &b.recs[len(b.recs)-1]
}

// sent hands the batch being filled over when it is full.
func (p *Pipeline) sent() {
	if len(p.cur.recs) == batchSize {
		p.handOver()
	}
}

// handOver hands the batch being filled over: to the filing goroutine, and to the preparing one
// when it has room (else the filing goroutine prepares the records itself).
func (p *Pipeline) handOver() {
	b := p.cur
	p.cur = nil
	if p.prep != nil {
		select {
		case p.prep <- handed{b, b.gen}:
		default:
		}
	}
	p.batches <- b
}

// Spread splits the filing in two from now on: a goroutine of its own decodes the records of
// each batch ahead of the filing and diagnoses them on their own with first, which must read
// only the record (and what does not change), and the filing goroutine files them, in the same
// order; a batch the preparing goroutine has not begun when its turn comes is filed whole, as
// before. It is for the end of a capture: the tracker's Flush finishes every connection still
// open at once, while reading no longer keeps the other CPU busy, and the filing goroutine alone,
// which took some 2 µs a record, half of it to decode and diagnose, kept the tracker waiting.
func (p *Pipeline) Spread(first func(*facts.Conn) diagnose.First) {
	if p.prep != nil {
		return
	}
	p.prep, p.slabs, p.prepDone = make(chan handed, 32), make(chan *slab, preparedBatches), make(chan struct{})
	for range preparedBatches {
		p.slabs <- new(slab)
	}
	go func() {
		defer close(p.prepDone)
		var s *slab
		for h := range p.prep {
			if s == nil {
				s = <-p.slabs // the filing goroutine hands each back
			}
			b := h.b
			if !b.state.CompareAndSwap(h.gen<<2, h.gen<<2|preparing) {
				continue // the filing goroutine came first
			}
			b.slab, s = s, nil
			for i := range b.recs {
				r := &b.recs[i]
				if r.c = r.given; r.c == nil {
					r.c = r.ended.RecordScratch(&b.slab[i])
				}
				r.first, r.prepared = first(r.c), true
			}
			b.ready <- struct{}{}
		}
	}()
}

// Settle hands over the last records and waits until every record is filed.
func (p *Pipeline) Settle() {
	if p.cur != nil && len(p.cur.recs) > 0 {
		p.handOver()
	}
	close(p.batches)
	<-p.done
	if p.prep != nil {
		close(p.prep) // the preparing goroutine has prepared every batch the filing waited for
		<-p.prepDone  // and lets go of its slabs
	}
}
