package track

import (
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/track/reuse"
)

// The tracker reuses its flows (package reuse): pointers to a flow outlive it only in the queues,
// which hold its generation, so that a queued one that was finished, and perhaps reused for
// another connection, since is dropped when it comes up. Tombs are reused likewise, in a slab of
// their own (package slab).

type (
	queuedFlow = reuse.Queued[flow, *flow]
	flowPool   = reuse.Pool[flow, *flow]
)

// maxPooledFlows bounds the flows kept for reuse.
const maxPooledFlows = 1024

// Generation, Ended and Renew make a flow reuse.Reusable.
func (f *flow) Generation() uint32 { return f.gen }
func (f *flow) Ended() bool        { return f.gone }
func (f *flow) Renew() {
	gen, sp, hist := f.gen+1, f.spare, f.zeek.History()[:0]
	*f = flow{}
	f.gen = gen
	f.syns, f.rsts = sp.syns, sp.rsts
	f.spare.msgs, f.spare.alerts = sp.msgs, sp.alerts // taken when first needed: nil is a fact
	// The Zeek history's array, whatever way the connection ended: a record keeps a copy of the
	// history (an interned string, or bytes in a tomb's record), never the array.
	f.zeek.KeepHistory(hist)
}

// spareSlices are the empty arrays of a connection that became a tomb, whose record was encoded
// and so holds none of them, for the next connection the flow serves: most connections of a
// busy capture fill the same few.
type spareSlices struct {
	syns   []ref
	rsts   []rstRef
	msgs   []tls.HandshakeType
	alerts []facts.Alert
}

// keepSpares keeps the flow's arrays for its next connection (spareSlices): its record was
// encoded and holds none of them.
func (f *flow) keepSpares() {
	sp := &f.spare // field by field: a literal built on the stack and copied in blocks stalls
	sp.syns, sp.rsts, sp.msgs, sp.alerts = f.syns[:0], f.rsts[:0], f.tls.ServerMessages[:0], f.tls.Alerts[:0]
}
func (f *flow) queued() queuedFlow { return reuse.Queue(f) }
