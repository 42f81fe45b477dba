// Package correlate relates the records of one connection seen at several vantages (capture
// points, or the interfaces or links of one capture that saw their own copy of the traffic): the
// same connection is the one whose client SYN carries the same initial sequence number (and, when
// both are seen, whose SYN-ACK does too), whatever addresses a translator between the vantages
// gave it; without a SYN, the one on the same endpoints at the same time. Each connection becomes
// one group with a primary record and, when it was seen at several vantages or should have been,
// the facts of its views (facts.Views): which packets left one side's vantage and reached the
// other's, which were lost between them, which arrived that the other side never sent, and the
// clock offset between the vantages from the packets both saw.
//
// It stands apart, as package fleet does: it knows records and their sightings, no packets, and
// no verdicts.
package correlate

import (
	"net/netip"
	"time"

	"github.com/connscope/connscope/facts"
)

// Vantage is what the correlation knows of one vantage.
type Vantage struct {
	// Whole is set when the vantage is a whole capture point (a file, a rotated set, a labelled
	// input), not one interface or link of one: an empty whole capture still says that nothing
	// reached it.
	Whole  bool
	Frames int
	// First and Last are the times of its first and last frame (zero when none).
	First, Last time.Time
}

// Group is one connection: its primary record (the view nearest the client) and, when it was
// seen at several vantages or should have been, its views (nil otherwise).
type Group struct {
	Primary *facts.Conn
	Views   *facts.Views
}

// Correlator gathers the records of every vantage and hands out each connection's group once
// every vantage has reported it, or at Flush. It takes the records' sightings: the groups it
// hands out hold none. Memory is bounded by MaxPendingSightings sightings held in records
// waiting for their other views (past it the oldest waiting records are handed out as they are).
// It is not safe for concurrent use.
type Correlator struct {
	vantages int
	emit     func(Group)

	byISN   map[uint32][]*group
	byTuple map[tuple][]*group
	queue   []*group // waiting groups, oldest first (some already handed out)
	held    int      // sightings held by waiting groups

	servers map[at]span // (vantage, server endpoint): when the vantage saw it
	clients map[at]span // (vantage, client address)
	offsets map[pair]*offsetSamples
	known   map[uint16]span // by vantage: the span its records so far show it captured
	rough   map[pair]int64  // the far vantage's clock minus the near one's, from the first shared SYN
}

// MaxPendingSightings bounds the sightings held by records waiting for their other views: 32 MB.
const MaxPendingSightings = 1 << 20

// maxCovered bounds the endpoints the correlator remembers per vantage and role.
const maxCovered = 1 << 16

// window is how far apart in time two vantages may see the same connection, and how near the
// time of a connection another vantage must have seen its server or client to have been on its
// path then.
const window = 2 * time.Second

// group is one connection's records, one per vantage, and where the correlator files it.
type group struct {
	recs   []*facts.Conn
	done   bool
	hasISN bool
	isn    uint32
	tuple  tuple
	// whole: every vantage has reported the connection, but some of its packets cannot be
	// judged before the vantages' capture spans are known (at Flush).
	whole bool
}

type tuple struct{ client, server netip.AddrPort }

type at struct {
	vantage uint16
	ep      netip.AddrPort // the client's address has port 0
}

type span struct{ first, last int64 }

// New returns a Correlator for a capture of the given number of vantages, handing each group to
// emit.
func New(vantages int, emit func(Group)) *Correlator {
	return &Correlator{vantages: vantages, emit: emit, byISN: map[uint32][]*group{}, byTuple: map[tuple][]*group{},
		servers: map[at]span{}, clients: map[at]span{}, offsets: map[pair]*offsetSamples{}, known: map[uint16]span{},
		rough: map[pair]int64{}}
}

// Add takes a finished connection's record from one vantage.
func (k *Correlator) Add(c *facts.Conn) {
	if int(c.Vantage) >= k.vantages {
		k.vantages = int(c.Vantage) + 1
	}
	k.cover(c)
	k.knownSpan(c)
	g := k.partner(c)
	if g == nil {
		g = &group{tuple: tuple{c.Client, c.Server}}
		k.queue = append(k.queue, g)
		if cs := &c.Side[facts.Client]; cs.SYNSeen {
			g.hasISN, g.isn = true, cs.SYNSeq
			k.byISN[g.isn] = append(k.byISN[g.isn], g)
		}
		k.byTuple[g.tuple] = append(k.byTuple[g.tuple], g)
	} else {
		k.roughOffset(g.recs[0], c)
	}
	g.recs = append(g.recs, c)
	k.held += sightingsOf(c)
	if len(g.recs) >= k.vantages {
		k.unfile(g)
		g.whole = true
		if out, ok := k.relate(g.recs, k.knownSpans()); ok {
			k.hand(g, out)
		}
	}
	for len(k.queue) > 0 && (k.queue[0].done || k.held > MaxPendingSightings) {
		old := k.queue[0]
		k.queue[0] = nil
		k.queue = k.queue[1:]
		if !old.done {
			k.finishWith(old, nil)
		}
	}
}

// Flush hands out every group still waiting, in the order their first record came, judging for
// a connection seen at one vantage whether another should have seen it (vs describes every
// vantage, in index order).
func (k *Correlator) Flush(vs []Vantage) {
	for _, g := range k.queue {
		if !g.done {
			k.finishWith(g, vs)
		}
	}
	k.queue = nil
}

// partner finds the waiting group c belongs to: same client ISN (and server ISN, when both were
// seen) or, when one view lacks the SYN (its capture began after it), the same endpoints and
// sequence numbers; at no vantage yet; near in time, the clocks' offset accounted. Of several
// that fit, the one with c's endpoints (the nearest in time), else one with c's server, else
// none: a scanner's crafted SYNs (nmap -sS) carry one ISN for every port and host they probe,
// and a translator changes the client's endpoint, seldom the server's.
func (k *Correlator) partner(c *facts.Conn) *group {
	cands := k.byTuple[tuple{c.Client, c.Server}]
	if cs := &c.Side[facts.Client]; cs.SYNSeen {
		for _, g := range k.byISN[cs.SYNSeq] {
			if g.tuple != (tuple{c.Client, c.Server}) {
				cands = append(cands[:len(cands):len(cands)], g)
			}
		}
	}
	var same, sameServer, other *group
	var sameGap int64
	fitting := 0
	for _, g := range cands {
		if g.done || g.whole || !k.fits(g, c) {
			continue
		}
		fitting++
		switch r := g.recs[0]; {
		case r.Server == c.Server && r.Client == c.Client:
			if gap := k.gap(r, c); same == nil || gap < sameGap {
				same, sameGap = g, gap
			}
		case r.Server == c.Server && sameServer == nil:
			sameServer = g
		case other == nil:
			other = g
		}
	}
	switch {
	case same != nil:
		return same
	case sameServer != nil || fitting > 1:
		return sameServer
	}
	return other
}

// fits reports whether record c can be another view of group g's connection: the same client
// ISN, or the same endpoints and sequence numbers where a view lacks the SYN; near in time,
// with the clock offset measured so far, unless both views hold the SYN with its ISN on the
// same endpoints, or both the SYN's and the SYN-ACK's ISNs (the packets both views share say
// they saw the same connection, whatever their clocks say).
func (k *Correlator) fits(g *group, c *facts.Conn) bool {
	for _, r := range g.recs {
		if r.Vantage == c.Vantage {
			return false
		}
		rs, cs := &r.Side[facts.Server], &c.Side[facts.Server]
		if rs.SYNSeen && cs.SYNSeen && rs.SYNSeq != cs.SYNSeq {
			return false
		}
		rc, cc := &r.Side[facts.Client], &c.Side[facts.Client]
		sameEnds := r.Client == c.Client && r.Server == c.Server
		switch {
		case rc.SYNSeen && cc.SYNSeen:
			if rc.SYNSeq != cc.SYNSeq {
				return false
			}
		case !sameEnds || !sameSeqs(r, c):
			return false
		}
		// A translator may change addresses and ports, never both ports and both ISNs unseen.
		if !rs.SYNSeen || !cs.SYNSeen {
			if r.Server.Port() != c.Server.Port() && r.Client.Port() != c.Client.Port() {
				return false
			}
		}
		shared := rc.SYNSeen && cc.SYNSeen && (sameEnds || rs.SYNSeen && cs.SYNSeen)
		if !shared && k.gap(r, c) > int64(window+time.Minute) {
			return false
		}
	}
	return true
}

// gap is how far apart in time records a and b are (0 when they overlap), b's times taken to
// a's clock with the offset measured so far.
func (k *Correlator) gap(a, b *facts.Conn) int64 {
	o := k.offsetOf(a.Vantage, b.Vantage)
	bf, bl := b.First.UnixNano()-o, b.Last.UnixNano()-o
	return max(0, a.First.UnixNano()-bl, bf-a.Last.UnixNano())
}

// roughOffset notes, for the first connection two vantages share, the time between their
// sightings of its first packet: the offset of their clocks (and the transit), before any
// connection is related.
func (k *Correlator) roughOffset(a, b *facts.Conn) {
	p := pair{a.Vantage, b.Vantage}
	if _, ok := k.rough[p]; ok {
		return
	}
	if _, ok := k.rough[pair{p.far, p.near}]; ok {
		return
	}
	sa, sb := sightings(a), sightings(b)
	for d := range sa.Dir {
		if len(sa.Dir[d]) == 0 || len(sb.Dir[d]) == 0 {
			continue
		}
		x, y := &sa.Dir[d][0], &sb.Dir[d][0]
		if x.Seq == y.Seq && x.Flags == y.Flags && x.Len == y.Len && (x.IPID == y.IPID || x.Flags&flagSYN != 0) {
			k.rough[p] = y.UnixNano - x.UnixNano
			return
		}
	}
}

// sameSeqs reports whether two records of the same endpoints, one of them without the SYN,
// can show one connection: per direction that both saw, one view's first sequence number falls
// within the other's.
func sameSeqs(a, b *facts.Conn) bool {
	sa, sb := sightings(a), sightings(b)
	for d := range sa.Dir {
		x, y := sa.Dir[d], sb.Dir[d]
		if len(x) > 0 && len(y) > 0 && !within(x, y) && !within(y, x) {
			return false
		}
	}
	return true
}

// within reports whether y's first sequence number lies in the span of x's.
func within(x, y []facts.Sighting) bool {
	base := x[0].Seq
	hi := int64(0)
	for i := range x {
		hi = max(hi, int64(int32(x[i].Seq-base))+int64(x[i].Len)+1)
	}
	at := int64(int32(y[0].Seq - base))
	return at >= 0 && at <= hi
}

// cover notes that c's vantage saw its server and its client at c's time.
func (k *Correlator) cover(c *facts.Conn) {
	f, l := c.First.UnixNano(), c.Last.UnixNano()
	widen(k.servers, at{c.Vantage, c.Server}, f, l)
	widen(k.clients, at{c.Vantage, netip.AddrPortFrom(c.Client.Addr(), 0)}, f, l)
}

func widen(m map[at]span, key at, first, last int64) {
	s, ok := m[key]
	if !ok {
		if len(m) >= maxCovered {
			return
		}
		m[key] = span{first, last}
		return
	}
	m[key] = span{min(s.first, first), max(s.last, last)}
}

// sightingsOf counts the sightings a record holds.
func sightingsOf(c *facts.Conn) int {
	if c.X == nil || c.X.Sightings == nil {
		return 0
	}
	return len(c.X.Sightings.Dir[0]) + len(c.X.Sightings.Dir[1])
}

// finishWith relates the group's records and hands it out; vs (nil before Flush, when memory
// is short) describes the vantages, for the expectations of a connection seen at one and for
// the spans its packets are judged in (before Flush, those the records so far show).
func (k *Correlator) finishWith(g *group, vs []Vantage) {
	var out Group
	if len(g.recs) == 1 {
		out = k.alone(g.recs[0], vs)
	} else {
		sp := k.knownSpans()
		sp.final = true
		if vs != nil {
			sp = finalSpans(vs)
		}
		out, _ = k.relate(g.recs, sp)
	}
	k.hand(g, out)
}

// hand hands out group g as out, letting go of its records' sightings.
func (k *Correlator) hand(g *group, out Group) {
	g.done = true
	if !g.whole {
		k.unfile(g)
	}
	for _, r := range g.recs {
		k.held -= sightingsOf(r)
	}
	for _, r := range g.recs {
		if x := r.X; x != nil {
			x.Sightings = nil
			if len(x.ICMP) == 0 && x.HTTP == nil && x.HelloPartial == nil && len(x.SYNAcks) == 0 {
				r.X = nil // the record as a capture of one vantage leaves it
			}
		}
	}
	g.recs = nil
	k.emit(out)
}

// unfile takes a group out of the index partner searches.
func (k *Correlator) unfile(g *group) {
	if g.hasISN {
		k.byISN[g.isn] = without(k.byISN[g.isn], g)
		if len(k.byISN[g.isn]) == 0 {
			delete(k.byISN, g.isn)
		}
	}
	k.byTuple[g.tuple] = without(k.byTuple[g.tuple], g)
	if len(k.byTuple[g.tuple]) == 0 {
		delete(k.byTuple, g.tuple)
	}
}

func without(gs []*group, g *group) []*group {
	for i, x := range gs {
		if x == g {
			return append(gs[:i], gs[i+1:]...)
		}
	}
	return gs
}
