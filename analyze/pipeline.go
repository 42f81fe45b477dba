package analyze

import (
	"github.com/connscope/connscope/analyze/filing"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/track"
)

// fileInBackground makes a, before its first packet, file finished connections on a goroutine
// of its own until Finish (package filing). Only for an analysis without Options.OnFlow (a
// file's): the records' order is kept, but OnFlow would be called from that goroutine.
func (a *Analyzer) fileInBackground() {
	if a.opts.OnFlow != nil || a.pipe != nil {
		return
	}
	var scratch facts.Scratch // the filing goroutine's
	p := filing.New(func(r *filing.Record) {
		c := r.Scratch(&scratch)
		if a.keepsRecords(c) {
			a.finished(r.Own())
		} else if d, ok := r.First(); ok {
			a.fileFirst(c, nil, d) // finished, with the diagnosis on its own made
		} else {
			a.finished(c)
		}
	})
	a.pipe = p
	o := &a.opts
	a.tr = track.New(track.Config{Ports: o.Ports, Hosts: o.Hosts, TLSPorts: o.TLSPorts, StreamLimit: o.StreamLimit,
		IdleTimeout: o.IdleTimeout, ClosedLinger: o.ClosedLinger, MaxActiveFlows: o.MaxActiveFlows, OwnLadders: true,
		LadderUnneeded: diagnose.CertainlyOK, EndedSink: p.TakeEnded}, p.Take)
}

// spread has the records still to come diagnosed on their own ahead of the filing
// (filing.Pipeline.Spread): at the end of the capture. Without a pipeline it does nothing.
func (a *Analyzer) spread() {
	if a.pipe != nil {
		a.pipe.Spread(func(c *facts.Conn) diagnose.First { return diagnose.FirstOf(c, &a.cfg) })
	}
}

// settle hands over the last records and waits until every record is filed (after the
// tracker's Flush, before the result is made). Without a pipeline it does nothing.
func (a *Analyzer) settle() {
	if a.pipe != nil {
		a.pipe.Settle()
		a.pipe = nil
	}
}
