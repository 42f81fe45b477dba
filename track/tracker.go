package track

import (
	"cmp"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/connscope/connscope/track/ladder"

	"github.com/connscope/connscope/track/flowkey"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/stamp"
	"github.com/connscope/connscope/track/arena"
	"github.com/connscope/connscope/track/indexmap"
	"github.com/connscope/connscope/track/names"
	"github.com/connscope/connscope/track/slab"
	"github.com/connscope/connscope/track/timeq"
	"github.com/connscope/connscope/track/unmatched"
)

// Config says which connections to track and how much to keep.
type Config struct {
	// Ports are the server ports tracked; empty: every TCP port.
	Ports []uint16
	// Hosts are the server addresses tracked; empty: every address.
	Hosts []netip.Addr
	// TLSPorts are ports where TLS is expected: they decide the roles of connections whose SYN
	// the capture missed.
	TLSPorts []uint16
	// StreamLimit is how many bytes of each direction are reassembled and parsed.
	StreamLimit int
	// IdleTimeout finishes a connection silent this long in capture time; ClosedLinger one closed
	// (FIN both ways, or reset) this long ago.
	IdleTimeout, ClosedLinger time.Duration
	// MaxActiveFlows bounds the connections tracked at once: past it the least recently active
	// are finished early.
	MaxActiveFlows int
	// OwnLadders hands every record to the sink with a ladder of its own, and the tracker never
	// touches a record after handing it over: the sink may keep it past its call (and give it
	// to another goroutine). Without it, the sink's answer decides whether the ladder is copied.
	OwnLadders bool
	// Sightings keeps each connection's packets in its record (facts.Extra.Sightings), for
	// relating the copies of one connection seen at several vantages. The tracker keeps them
	// from the first packet with a vantage other than 0 on, without it.
	Sightings bool
	// LadderUnneeded reports whether a closed connection's record, as it stands when the
	// connection becomes a tomb, certainly needs no ladder at its end (the engine keeps ladders
	// only of connections that may have failed): its tomb then keeps none, which saves most of a
	// tomb's memory. A late packet that turns such a connection into a failure leaves it without
	// a ladder (its evidence still names the frames). nil: every tomb keeps its ladder.
	LadderUnneeded func(c *facts.Conn) bool
	// EndedSink, when set, takes the records of tombs (most connections of a busy capture)
	// still encoded, in their place among the records Sink takes: decoding them (Ended.Record)
	// can then be done on another goroutine. It implies OwnLadders for them. The Ended
	// is the tracker's, valid during the call: a sink that keeps it keeps a copy (Ended.CopyTo).
	EndedSink func(*Ended)
}

// Sink takes each finished connection's record. It returns whether the record keeps its ladder
// (the packets for a ladder diagram); when it does not, the tracker reuses the ladder's memory.
// The record is the sink's: the tracker keeps no reference to it.
type Sink func(c *facts.Conn) (keepLadder bool)

// Tracker follows TCP connections packet by packet and hands each finished one, as a compact
// record of facts, to its Sink. It is not safe for concurrent use. Memory is bounded by
// Config.MaxActiveFlows connections in progress, each with at most two StreamLimit buffers while
// its handshake is parsed.
type Tracker struct {
	cfg      Config
	ports    *[65536]bool // nil: every port
	tlsPorts [65536]bool
	flows    flowTable                                // the flows in progress, and those closed for less than their grace period
	seed     uint64                                   // the key hash's (flowkey.Key.hash), for flows and tombs
	closedQ  [len(graceSteps)]timeq.Queue[queuedFlow] // flows in the order they closed, by the step of grace they wait (expiry.go)
	// buryAt is no later than the first time a flow at the front of closedQ is due to become a
	// tomb (the zero time: look): buryDue, at every packet, compares one time and is done.
	buryAt time.Time
	ending []ending // what a sweep ends, reused from one to the next
	pool   flowPool // finished flows, for new connections
	// tombs are the connections closed for their grace period, until ClosedLinger (tomb.go): the
	// table's and the queue's values are indexes in tombSlots; tombRecs holds their late states,
	// records and Zeek histories. None of them holds pointers.
	tombs         *indexmap.Map[flowkey.Key]
	tombQ         [len(graceSteps)]timeq.Queue[slab.Ref] // tombs in the order of their last packet, by the step of grace they waited (expiry.go)
	tombSlots     slab.Slab[tomb]
	tombRecs      arena.Arena
	tombSightings map[int32]*facts.Sightings // by tomb index, the few tombs' that have them
	codec         facts.Codec                // the tombs' records
	grace         time.Duration              // the longest grace period: tombGrace (tests change it)
	scratch       []byte
	histScratch   []byte     // a tomb's Zeek history, while a packet adds to it
	lastFlow      queuedFlow // the last packet's flow, while it is in flows
	ended         Ended      // what finishTomb lends Config.EndedSink
	// recScratch is the record of a flow being buried, encoded at once (tomb.go).
	recScratch recordScratch
	nextID     int
	sink       Sink

	shared flowShared // caches and buffers every flow shares

	nextSweep  time.Time // a second of capture time after the last sweep
	sinceSweep int
	now        time.Time // the time of the last analysed packet (or of Tick, when later)
	// ends is, by vantage, when the capture there ended so far: the time of the last packet read
	// there, analysed or not (an analysis narrowed to some ports or hosts still read the rest),
	// or for a live capture the time Tick or Stop gave, when later. The connections still open at
	// the end (Flush) end then: whether a SYN or a ClientHello went unanswered, or the capture
	// ended too soon for an answer, is measured to it.
	ends         []time.Time
	evictedEarly int
	dns          names.Table       // name lookups (package names)
	outside      unmatched.Counter // TCP outside the analysed ports and hosts
}

// New returns a Tracker that hands finished connections to sink.
func New(cfg Config, sink Sink) *Tracker {
	seed := rand.Uint64()
	t := &Tracker{cfg: cfg, seed: seed, sink: sink, grace: tombGrace,
		pool: flowPool{Max: maxPooledFlows}, tombSightings: make(map[int32]*facts.Sightings)}
	t.flows.init(seed)
	t.tombs = indexmap.NewSame(func(i int32, k flowkey.Key) bool { return t.tombSlots.At(i).key.Eq(&k) }, func(k flowkey.Key) uint64 { return k.Hash(seed) })
	if len(cfg.Ports) > 0 {
		t.ports = new([65536]bool)
		for _, p := range cfg.Ports {
			t.ports[p] = true
		}
	}
	for _, p := range cfg.TLSPorts {
		t.tlsPorts[p] = true
	}
	return t
}

// Packet takes the next packet of the capture. p and its slices are only read during the call.
func (a *Tracker) Packet(p *capture.Packet) {
	if v := int(p.Vantage); v < len(a.ends) {
		a.ends[v] = p.Time
	} else {
		a.endsUpTo(v)[v] = p.Time
	}
	switch p.Kind {
	case capture.KindTCP:
		a.tcpPacket(p)
	case capture.KindICMPError:
		a.icmpPacket(p)
	case capture.KindDNS:
		a.dns.Packet(p)
	}
}

// wanted reports whether a connection between these endpoints is analysed.
func (a *Tracker) wanted(srcIP netip.Addr, srcPort uint16, dstIP netip.Addr, dstPort uint16) bool {
	if a.ports != nil && !a.ports[srcPort] && !a.ports[dstPort] {
		return false
	}
	if len(a.cfg.Hosts) == 0 {
		return true
	}
	for _, h := range a.cfg.Hosts {
		if (h == srcIP && (a.ports == nil || a.ports[srcPort])) || (h == dstIP && (a.ports == nil || a.ports[dstPort])) {
			return true
		}
	}
	return false
}

func (a *Tracker) tcpPacket(p *capture.Packet) {
	t := &p.TCP
	if !a.wanted(p.SrcIP, t.SrcPort, p.DstIP, t.DstPort) {
		a.outside.Skip(p)
		return
	}
	src := netip.AddrPortFrom(p.SrcIP, t.SrcPort)
	dst := netip.AddrPortFrom(p.DstIP, t.DstPort)
	var key flowkey.Key
	key.Set(p.SrcIP, t.SrcPort, p.DstIP, t.DstPort)
	if p.Vantage != 0 {
		key.SetVantage(p.Vantage)
		if !a.cfg.Sightings {
			a.Sightings()
		}
	}
	f := a.lastFlow.Live() // the flow of the packet before: a transfer's packets come in runs
	if f != nil && !f.key.Eq(&key) {
		f = nil
	}
	var h uint64 // the key's hash, once a table was searched
	if f == nil {
		h = key.Hash(a.seed)
		f = a.flows.get(&key, h)
	}
	if f != nil && f.startsNewConnection(src, p) {
		a.flows.remove(f)
		a.finish(f, a.now)
		f = nil
	}
	if f == nil {
		if h == 0 {
			h = key.Hash(a.seed) // the packet before was the flow's
		}
		if i, ok := a.tombGet(&key, h); ok {
			a.now = p.Time
			if a.late(i, src, p) {
				a.maybeSweep()
				return
			}
			a.tombs.DeleteHashed(key, h)
			a.finishTomb(i, a.now)
		}
		f = a.newFlow(src, dst, p)
		f.key = key
		a.flows.add(f, h)
	}
	a.lastFlow = f.queued()
	f.packet(src, p, a)
	if !f.closedQueued && f.closed() {
		f.closedQueued = true
		f.graceStep = uint8(graceStep(f.path.RTT(), a.grace))
		a.queueClosed(f, p.Time)
	}
	a.now = p.Time
	a.buryDue()
	a.maybeSweep()
}

func (a *Tracker) icmpPacket(p *capture.Packet) {
	q := &p.ICMP
	src := netip.AddrPortFrom(q.QuotedSrc, q.QuotedSrcPort)
	dst := netip.AddrPortFrom(q.QuotedDst, q.QuotedDstPort)
	key := flowkey.Make(src, dst).At(p.Vantage)
	h := key.Hash(a.seed)
	if f := a.flows.get(&key, h); f != nil {
		f.icmpError(p, src)
	} else if i, ok := a.tombGet(&key, h); ok {
		a.lateICMP(a.tombSlots.At(i), p, src)
	} else {
		a.icmpOutside(p) // unmatched.go
	}
}

func (a *Tracker) newFlow(src, dst netip.AddrPort, p *capture.Packet) *flow {
	a.nextID++
	client, server, guessed := a.roles(src, dst, p.TCP.Flags)
	f := a.pool.Get()
	f.id, f.client, f.server, f.rolesGuessed, f.first, f.firstFrame = a.nextID, client, server, guessed, p.Time, p.Index
	f.vantage = p.Vantage
	if a.cfg.Sightings {
		f.sightings = &facts.Sightings{}
	}
	f.flipped = client != src
	if f.flipped {
		f.zeek.Flip()
	}
	f.limit = int64(a.cfg.StreamLimit)
	f.shared = &a.shared
	return f
}

// roles decides which endpoint is the client: the sender of a SYN, the receiver of a SYN-ACK;
// without either, the side not on an analysed (or well-known TLS) port, else the higher port.
func (a *Tracker) roles(src, dst netip.AddrPort, flags uint8) (client, server netip.AddrPort, guessed bool) {
	syn, ack := flags&capture.FlagSYN != 0, flags&capture.FlagACK != 0
	switch {
	case syn && !ack:
		return src, dst, false
	case syn && ack:
		return dst, src, false
	}
	if a.ports != nil {
		if a.ports[dst.Port()] && !a.ports[src.Port()] {
			return src, dst, true
		}
		if a.ports[src.Port()] && !a.ports[dst.Port()] {
			return dst, src, true
		}
	}
	if a.tlsPorts[dst.Port()] != a.tlsPorts[src.Port()] {
		if a.tlsPorts[src.Port()] {
			return dst, src, true
		}
		return src, dst, true
	}
	if src.Port() < dst.Port() {
		return dst, src, true
	}
	return src, dst, true
}

// maybeSweep finishes closed and idle flows. It runs at most once a second of capture time and,
// amortised, costs O(1) per packet: it waits for as many packets as there are flows. A time more
// than a second before the last sweep's (the frame before was far ahead, a damaged timestamp)
// sweeps too: waiting for the capture to reach that time would stop every expiry for good.
func (a *Tracker) maybeSweep() {
	a.sinceSweep++
	if n := a.flows.Len(); a.sinceSweep < n && n <= a.cfg.MaxActiveFlows {
		return
	}
	if a.now.Before(a.nextSweep) && stamp.Sub(a.nextSweep, a.now) <= 2*time.Second && a.flows.Len() <= a.cfg.MaxActiveFlows {
		return
	}
	a.sweep()
}

// sweep finishes the flows idle for IdleTimeout at a.now, the flows and tombs closed for
// ClosedLinger, and the least recently active flows past MaxActiveFlows; it buries the flows
// closed for their grace period. Closed flows and tombs come from queues in time order (expiry.go);
// only the flows in the table are walked, for idleness, and they are the open ones and those
// closed less than their grace period ago.
func (a *Tracker) sweep() {
	a.sinceSweep = 0
	a.nextSweep = a.now.Add(time.Second)
	expired := a.ending[:0]
	for f := range a.flows.all() {
		if stamp.Sub(a.now, f.last) > a.cfg.IdleTimeout {
			a.flows.remove(f)
			f.gone = true
			expired = append(expired, ending{id: f.id, f: f})
		}
	}
	expired = a.expireClosed(a.now, expired)
	a.buryAt = a.firstBurial()
	expired = a.expireTombs(a.now, expired)
	a.endInOrder(expired, false)
	clear(expired) // the flows ended: let go of them
	a.ending = expired[:0]
	if a.flows.Len() > a.cfg.MaxActiveFlows {
		a.evictOldest(a.flows.Len() - a.cfg.MaxActiveFlows*3/4)
	}
	if a.tombs.Len() > a.cfg.MaxActiveFlows {
		a.evictOldestTombs(a.tombs.Len() - a.cfg.MaxActiveFlows*3/4)
	}
}

// ending is a flow or (f nil) a tomb, by its index, to finish.
type ending struct {
	id int
	f  *flow
	t  int32
}

// endInOrder finishes flows and tombs in the order they began, so that what the sink sees does
// not depend on map iteration order, nor on which of them were buried. They end now, or with
// atEnd when the capture at their vantage ended (Flush).
func (a *Tracker) endInOrder(es []ending, atEnd bool) {
	slices.SortFunc(es, func(x, y ending) int { return cmp.Compare(x.id, y.id) }) // IDs are unique
	for _, e := range es {
		end := a.now
		if e.f != nil {
			if atEnd {
				end = a.EndAt(e.f.vantage)
			}
			a.finish(e.f, end)
		} else {
			if atEnd {
				end = a.EndAt(a.tombSlots.At(e.t).key.Vantage())
			}
			a.finishTomb(e.t, end)
		}
	}
}

// endsUpTo returns ends, grown to hold vantage v (a vantage's first packet).
func (a *Tracker) endsUpTo(v int) []time.Time {
	if v >= len(a.ends) {
		a.ends = append(a.ends, make([]time.Time, v+1-len(a.ends))...)
	}
	return a.ends
}

// EndAt is when the capture at vantage v ended: its last packet read, or the time a live
// capture was ticked or stopped at, when later. A vantage without a packet (none) ends now (the
// zero time before any packet).
func (a *Tracker) EndAt(v uint16) time.Time {
	if int(v) < len(a.ends) && !a.ends[v].IsZero() {
		return a.ends[v]
	}
	return a.now
}

// End is when the capture ended: the latest of its vantages' ends (EndAt), the zero time before
// any packet.
func (a *Tracker) End() time.Time {
	var end time.Time
	for _, t := range a.ends {
		if t.After(end) {
			end = t
		}
	}
	return end
}

// evictOldestTombs finishes about n of the tombs closed longest ago, when there are more than
// MaxActiveFlows of them: their late packets, if any come, then make connections of their own.
func (a *Tracker) evictOldestTombs(n int) {
	times := make([]time.Time, 0, a.tombs.Len())
	for i := range a.tombs.All() {
		times = append(times, a.tombSlots.At(i).last.Time())
	}
	cut := nthOldest(times, n)
	var old []ending
	for i := range a.tombs.All() {
		if t := a.tombSlots.At(i); !t.last.Time().After(cut) {
			old = append(old, ending{id: int(t.id), t: i})
		}
	}
	for _, e := range old {
		a.tombs.Delete(a.tombSlots.At(e.t).key)
	}
	a.endInOrder(old, false)
}

// evictOldest finishes about n of the least recently active flows.
func (a *Tracker) evictOldest(n int) {
	// Find a cut-off time by sampling: flows idle at least as long as the n-th oldest go.
	times := make([]time.Time, 0, a.flows.Len())
	for f := range a.flows.all() {
		times = append(times, f.last)
	}
	cut := nthOldest(times, n)
	var old []*flow
	for f := range a.flows.all() {
		if !f.last.After(cut) {
			old = append(old, f)
		}
	}
	// Ties at the cut-off: the earliest flows go first, whatever the map order.
	sort.Slice(old, func(i, j int) bool { return old[i].id < old[j].id })
	if len(old) > n {
		old = old[:n]
	}
	for _, f := range old {
		a.flows.remove(f)
		a.evictedEarly++
	}
	a.finishInOrder(old)
}

// finish turns a flow's state into its record, ended at end, hands it to the sink and frees the
// flow.
func (a *Tracker) finish(f *flow, end time.Time) {
	f.gone = true
	c := f.record(end)
	if f.sightings != nil {
		c.Extra().Sightings = f.sightings
	}
	var omitted int
	c.Ladder, omitted = f.ladder.Ordered()
	c.LadderOmitted = int32(omitted)
	if a.cfg.OwnLadders {
		if len(c.Ladder) > 0 {
			c.Ladder = append([]facts.LadderPacket(nil), c.Ladder...) // the record's own, of its size
		}
		a.sink(c) // the sink may hold c: it is not touched after
	} else if a.sink(c) && len(c.Ladder) > 0 {
		c.Ladder = append([]facts.LadderPacket(nil), c.Ladder...) // the record's own, of its size
	} else {
		c.Ladder, c.LadderOmitted = nil, 0
	}
	f.ladder.Release(&a.shared.ladders)
	f.release()
	a.pool.Put(f)
}

// Tick tells the tracker the time now, for a live capture in which no packet may arrive for a
// while: the connections closed or idle by then are finished. A time before the latest
// packet's is taken as that packet's.
func (a *Tracker) Tick(now time.Time) {
	if now.After(a.now) {
		a.now = now
	}
	a.Stop(now)
	a.sweep()
}

// Stop tells the tracker that the capture ran until at (a live capture: when it was stopped),
// though its last packet may be older: the connections Flush finishes then end at at, at every
// vantage. A time before a vantage's last packet leaves that vantage's end as it is.
func (a *Tracker) Stop(at time.Time) {
	for i := range a.endsUpTo(0) {
		if at.After(a.ends[i]) {
			a.ends[i] = at
		}
	}
}

// Flush finishes every connection still open, in the order they began (at the end of a capture),
// ended when the capture at their vantage ended (EndAt).
func (a *Tracker) Flush() {
	rest := make([]ending, 0, a.flows.Len()+a.tombs.Len())
	for f := range a.flows.all() {
		rest = append(rest, ending{id: f.id, f: f})
	}
	for i := range a.tombs.All() {
		rest = append(rest, ending{id: int(a.tombSlots.At(i).id), t: i})
	}
	// Tables and queues start afresh, letting go of their memory: a capture may go on (live),
	// and what a finished analysis keeps should be its records, not the tracker's arrays.
	a.flows.reset()
	a.tombs.Reset()
	a.closedQ, a.tombQ = [len(graceSteps)]timeq.Queue[queuedFlow]{}, [len(graceSteps)]timeq.Queue[slab.Ref]{}
	a.buryAt = time.Time{}
	a.lastFlow = queuedFlow{}
	a.endInOrder(rest, true)
	// So do the pools, which the flows and tombs just ended went to, and the tombs' slab and arena.
	a.pool.Empty()
	a.tombSlots.Reset()
	a.tombRecs.Reset()
	a.shared.ladders = ladder.Pool{}
}

// finishInOrder finishes flows in the order they began, so that what the sink sees does not
// depend on map iteration order.
func (a *Tracker) finishInOrder(fs []*flow) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].id < fs[j].id })
	for _, f := range fs {
		a.finish(f, a.now)
	}
}

// Open is the number of connections not finished yet: in progress, or closed and kept a while
// for late packets.
func (a *Tracker) Open() int { return a.flows.Len() + a.tombs.Len() }

// EvictedEarly counts the connections finished early because more than MaxActiveFlows were open.
func (a *Tracker) EvictedEarly() int { return a.evictedEarly }

// nthOldest returns the n-th earliest of times (1-based; clamped to the slice), reordering it.
func nthOldest(times []time.Time, n int) time.Time {
	if len(times) == 0 {
		return time.Time{}
	}
	if n < 1 {
		n = 1
	}
	if n > len(times) {
		n = len(times)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	return times[n-1]
}

// Seen is the number of connections seen so far (finished or not).
func (a *Tracker) Seen() int { return a.nextID }

// Names returns the names whose lookups the capture showed (names.Table.Names). Call it once,
// at the end.
func (a *Tracker) Names() ([]*facts.Name, int) { return a.dns.Names() }
