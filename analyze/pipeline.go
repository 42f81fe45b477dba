package analyze

import (
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/track"
)

// pipeline files finished connections on a goroutine of its own, so that tracking (the hot
// path) does not wait for each record to be diagnosed on its own, aggregated and stored: with
// reading and decoding already ahead in another goroutine, a file's analysis keeps two CPUs
// busy. Records go over in batches, in the order tracking finished them, so the result is the
// same as filing them in line.
type pipeline struct {
	batches chan *connBatch
	free    chan *connBatch
	cur     *connBatch
	done    chan struct{}
}

// connBatch is records handed over at once: the encoded ones' bytes are copied into recs, which
// the batch keeps and reuses from one hand-over to the next, rather than each allocated.
type connBatch struct {
	conns []finishedConn
	recs  []byte
}

// finishedConn is a record as tracking handed it over: decoded (c), or still encoded (ended,
// decoded on the pipeline's goroutine).
type finishedConn struct {
	c     *facts.Conn
	ended track.Ended
}

// pipelineBatch is how many records go over at a time.
const pipelineBatch = 256

// fileInBackground makes a, before its first packet, file finished connections on a goroutine
// of its own until Finish. Only for an analysis without Options.OnFlow (a file's): the
// records' order is kept, but OnFlow would be called from that goroutine.
func (a *Analyzer) fileInBackground() {
	if a.opts.OnFlow != nil || a.pipe != nil {
		return
	}
	p := &pipeline{batches: make(chan *connBatch, 16), free: make(chan *connBatch, 18), done: make(chan struct{})}
	a.pipe = p
	o := &a.opts
	a.tr = track.New(track.Config{Ports: o.Ports, Hosts: o.Hosts, TLSPorts: o.TLSPorts, StreamLimit: o.StreamLimit,
		IdleTimeout: o.IdleTimeout, ClosedLinger: o.ClosedLinger, MaxActiveFlows: o.MaxActiveFlows, OwnLadders: true,
		LadderUnneeded: diagnose.CertainlyOK, EndedSink: p.takeEnded}, p.take)
	go func() {
		defer close(p.done)
		var scratch facts.Scratch
		for b := range p.batches {
			for i, f := range b.conns {
				c := f.c
				if c == nil {
					c = f.ended.RecordScratch(&scratch)
					if a.keepsRecords(c) {
						c = f.ended.Record()
					}
				}
				a.finished(c)
				b.conns[i] = finishedConn{}
			}
			b.conns, b.recs = b.conns[:0], b.recs[:0]
			select {
			case p.free <- b:
			default:
			}
		}
	}()
}

// take is the tracker's sink: it queues the record. The tracker keeps no reference to it
// (track.Config.OwnLadders).
func (p *pipeline) take(c *facts.Conn) bool {
	p.queue(finishedConn{c: c})
	return false
}

// takeEnded is the tracker's track.Config.EndedSink: it queues a copy of the record, to be
// decoded on the pipeline's goroutine.
func (p *pipeline) takeEnded(e *track.Ended) {
	b := p.batch()
	f := b.add()
	b.recs = e.CopyTo(&f.ended, b.recs)
	p.sent(b)
}

// batch is the batch being filled.
func (p *pipeline) batch() *connBatch {
	if p.cur == nil {
		select {
		case p.cur = <-p.free:
		default:
			p.cur = &connBatch{conns: make([]finishedConn, 0, pipelineBatch)}
		}
	}
	return p.cur
}

func (p *pipeline) queue(f finishedConn) {
	b := p.batch()
	*b.add() = f
	p.sent(b)
}

// add adds an empty record to the batch and returns it, to be filled in place.
func (b *connBatch) add() *finishedConn {
	b.conns = append(b.conns, finishedConn{})
	return &b.conns[len(b.conns)-1]
}

// sent hands b, the batch being filled, over when it is full.
func (p *pipeline) sent(b *connBatch) {
	if len(b.conns) == pipelineBatch {
		p.batches <- b
		p.cur = nil
	}
}

// settle hands over the last records and waits until every record is filed (after the
// tracker's Flush, before the result is made). Without a pipeline it does nothing.
func (a *Analyzer) settle() {
	p := a.pipe
	if p == nil {
		return
	}
	if p.cur != nil && len(p.cur.conns) > 0 {
		p.batches <- p.cur
		p.cur = nil
	}
	close(p.batches)
	<-p.done
	a.pipe = nil
}
