package track

import "github.com/connscope/connscope/track/reuse"

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
func (f *flow) Renew()             { gen := f.gen + 1; *f = flow{}; f.gen = gen }
func (f *flow) queued() queuedFlow { return reuse.Queue(f) }
