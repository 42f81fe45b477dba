package analyze

import "sync/atomic"

// Progress counts the packets read and the connections seen so far while a capture file is
// analysed, for a progress display in another goroutine (Options.Progress). Its methods are
// safe for concurrent use; the counts are updated every progressEvery packets and at the end.
type Progress struct {
	packets, flows atomic.Int64
}

// progressEvery is how many packets pass between updates of Options.Progress.
const progressEvery = 1024

// Packets is the number of packets read so far.
func (p *Progress) Packets() int64 { return p.packets.Load() }

// Flows is the number of connections seen so far.
func (p *Progress) Flows() int64 { return p.flows.Load() }

// update stores the counts, when p is set.
func (p *Progress) update(packets, flows int) {
	if p != nil {
		p.packets.Store(int64(packets))
		p.flows.Store(int64(flows))
	}
}
