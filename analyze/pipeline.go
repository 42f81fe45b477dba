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
	batches chan []*facts.Conn
	free    chan []*facts.Conn
	cur     []*facts.Conn
	done    chan struct{}
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
	p := &pipeline{batches: make(chan []*facts.Conn, 16), free: make(chan []*facts.Conn, 18), done: make(chan struct{})}
	a.pipe = p
	o := &a.opts
	a.tr = track.New(track.Config{Ports: o.Ports, Hosts: o.Hosts, TLSPorts: o.TLSPorts, StreamLimit: o.StreamLimit,
		IdleTimeout: o.IdleTimeout, ClosedLinger: o.ClosedLinger, MaxActiveFlows: o.MaxActiveFlows, OwnLadders: true,
		LadderUnneeded: diagnose.CertainlyOK}, p.take)
	go func() {
		defer close(p.done)
		for b := range p.batches {
			for i, c := range b {
				a.finished(c)
				b[i] = nil
			}
			select {
			case p.free <- b[:0]:
			default:
			}
		}
	}()
}

// take is the tracker's sink: it queues the record. The tracker keeps no reference to it
// (track.Config.OwnLadders).
func (p *pipeline) take(c *facts.Conn) bool {
	if p.cur == nil {
		select {
		case p.cur = <-p.free:
		default:
			p.cur = make([]*facts.Conn, 0, pipelineBatch)
		}
	}
	p.cur = append(p.cur, c)
	if len(p.cur) == pipelineBatch {
		p.batches <- p.cur
		p.cur = nil
	}
	return false
}

// settle hands over the last records and waits until every record is filed (after the
// tracker's Flush, before the result is made). Without a pipeline it does nothing.
func (a *Analyzer) settle() {
	p := a.pipe
	if p == nil {
		return
	}
	if len(p.cur) > 0 {
		p.batches <- p.cur
		p.cur = nil
	}
	close(p.batches)
	<-p.done
	a.pipe = nil
}
