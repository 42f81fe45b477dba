package correlate

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/connscope/connscope/facts"
)

// relate makes the group of a connection seen at several vantages: its primary is the view
// nearest the client, numbered as the first of its records (so a connection keeps its number
// whichever vantage's clock runs ahead); loss is counted between that view and the one
// nearest the server, inside the capture spans sp (nil: judged throughout). It returns false
// when sp does not tell yet.
func (k *Correlator) relate(recs []*facts.Conn, sp *spans) (Group, bool) {
	slices.SortStableFunc(recs, nearer)
	near, far := recs[0], recs[len(recs)-1]
	v := &facts.Views{Near: 0, Far: len(recs) - 1}
	if !k.between(v, sightings(near), sightings(far), near.Vantage, far.Vantage, sp) {
		return Group{}, false
	}
	for _, r := range recs {
		v.View = append(v.View, viewOf(r))
		if r.Client != near.Client || r.Server != near.Server {
			v.NAT = true
		}
	}
	for _, r := range recs[1:] {
		near.ID = min(near.ID, r.ID)
	}
	if v.Timed {
		k.sample(near.Vantage, far.Vantage, v.Offset)
	}
	return Group{Primary: near, Views: v}, true
}

// alone makes the group of a connection seen at one vantage: with views when another vantage
// should have seen it (vs describes the vantages; nil: not judged), else the record alone.
func (k *Correlator) alone(c *facts.Conn, vs []Vantage) Group {
	side := sideOf(c)
	if side < 0 || vs == nil {
		return Group{Primary: c}
	}
	for q := range vs {
		if q == int(c.Vantage) {
			continue
		}
		why := k.expected(c, side, uint16(q), &vs[q])
		if why == facts.ExpectedNone {
			continue
		}
		missing := facts.View{Vantage: uint16(q), Expected: why, Hops: [2]int8{-1, -1}}
		v := &facts.Views{View: []facts.View{viewOf(c), missing}}
		s := sightings(c)
		if side == facts.Client {
			v.Near, v.Far = 0, 1
			k.between(v, s, &facts.Sightings{}, c.Vantage, uint16(q), nil)
		} else {
			v.Near, v.Far = 1, 0
			k.between(v, &facts.Sightings{}, s, uint16(q), c.Vantage, nil)
		}
		return Group{Primary: c, Views: v}
	}
	return Group{Primary: c}
}

// expected says why vantage q should have seen connection c, which a vantage on its side
// (facts.Client or facts.Server) saw: an empty capture of a whole point, on the server's side
// of a client-side view; or a vantage that was capturing from before the connection's first
// packet to after its last and saw other packets of the connection's server (for a client-side
// view) or client (for a server-side view) within a few seconds of it.
func (k *Correlator) expected(c *facts.Conn, side int, q uint16, v *Vantage) facts.Expectation {
	if v.Frames == 0 {
		if side == facts.Client && v.Whole {
			return facts.ExpectedEmpty
		}
		return facts.ExpectedNone
	}
	o := k.offsetOf(c.Vantage, q) // the connection's times on q's clock
	first, last := c.First.UnixNano()+o, c.Last.UnixNano()+o
	if v.First.UnixNano() > first || v.Last.UnixNano() < last {
		return facts.ExpectedNone // it was not capturing all the while
	}
	w := int64(window)
	near := func(s span, ok bool) bool { return ok && s.first-w <= last && first <= s.last+w }
	if side == facts.Client {
		if s, ok := k.servers[at{q, c.Server}]; near(s, ok) {
			return facts.ExpectedServer
		}
		return facts.ExpectedNone
	}
	if s, ok := k.clients[at{q, netip.AddrPortFrom(c.Client.Addr(), 0)}]; near(s, ok) {
		return facts.ExpectedClient
	}
	return facts.ExpectedNone
}

// sideOf says which end of the path a view of one vantage sits at, from its TTLs: facts.Client
// when the client's packets carry an initial TTL and the server's (if any) have crossed
// routers, facts.Server for the reverse, -1 when the TTLs cannot tell.
func sideOf(c *facts.Conn) int {
	ch, sh := hopsOf(c, facts.Client), hopsOf(c, facts.Server)
	switch {
	case ch == 0 && sh != 0:
		return facts.Client
	case sh == 0 && ch > 0:
		return facts.Server
	}
	return -1
}

// hopsOf is side d's router count to the record's vantage, -1 when it sent nothing.
func hopsOf(c *facts.Conn, d int) int {
	s := &c.Side[d]
	if s.Packets == 0 {
		return -1
	}
	ttl := s.TTL
	if p := &c.Path.Side[d]; p.TTLSet {
		ttl = p.TTL // its first packet that is not a reset
	}
	return hops(ttl)
}

// hops is the routers a packet crossed, if its sender started from a usual initial TTL (64, 128
// or 255).
func hops(ttl uint8) int {
	switch {
	case ttl <= 64:
		return 64 - int(ttl)
	case ttl <= 128:
		return 128 - int(ttl)
	}
	return 255 - int(ttl)
}

// nearer orders the views of one connection from the client's end to the server's: the client's
// packets lose TTL on the way, the server's gain it back; with the same TTLs (no router between
// the vantages), by when each saw the client's first packet; then by vantage.
func nearer(a, b *facts.Conn) int {
	for d, sign := range [2]int{-1, 1} {
		as, bs := &a.Side[d], &b.Side[d]
		if as.Packets > 0 && bs.Packets > 0 && ttlOf(a, d) != ttlOf(b, d) {
			return sign * cmp.Compare(ttlOf(a, d), ttlOf(b, d))
		}
	}
	if c := cmp.Compare(a.First.UnixNano(), b.First.UnixNano()); c != 0 {
		return c
	}
	return cmp.Compare(a.Vantage, b.Vantage)
}

func ttlOf(c *facts.Conn, d int) uint8 {
	if p := &c.Path.Side[d]; p.TTLSet {
		return p.TTL
	}
	return c.Side[d].TTL
}

// viewOf is what a record shows of its vantage's view.
func viewOf(c *facts.Conn) facts.View {
	v := facts.View{Vantage: c.Vantage, Seen: true, ID: c.ID, Client: c.Client, Server: c.Server, First: c.First, Last: c.Last}
	for d := range c.Side {
		v.Packets[d] = c.Side[d].Packets
		v.TTL[d] = ttlOf(c, d)
		v.Hops[d] = int8(hopsOf(c, d))
		if c.Side[d].Packets == 0 {
			v.TTL[d] = 0
		}
	}
	return v
}

// sightings returns a record's sightings (empty when it kept none).
func sightings(c *facts.Conn) *facts.Sightings {
	if c.X == nil || c.X.Sightings == nil {
		return &facts.Sightings{}
	}
	return c.X.Sightings
}

// between fills v's deliveries, clock offset and ladder from the sightings of the near view
// and the far view (of vantages nearV and farV): client-to-server packets leave at the near
// view and arrive at the far one, server-to-client the other way. An unmatched packet is
// called lost or injected only when sp says both vantages were capturing when it was sent and
// when it would have arrived (sp nil: always); it returns false, having filled nothing, when
// sp is not final and does not tell yet.
func (k *Correlator) between(v *facts.Views, near, far *facts.Sightings, nearV, farV uint16, sp *spans) bool {
	var ms [2]matching
	var transit [2][]int64
	for d, from := range [2]*facts.Sightings{near, far} {
		to := far
		if d == facts.Server {
			to = near
		}
		ms[d] = matchDir(from.Dir[d], to.Dir[d])
		for i, j := range ms[d].match {
			if j >= 0 {
				transit[d] = append(transit[d], to.Dir[d][j].UnixNano-from.Dir[d][i].UnixNano)
			}
		}
	}
	arr := k.arrivals(transit, nearV, farV)
	var dels [2]facts.Delivery
	var pairs [2][]pairing
	for d, from := range [2]*facts.Sightings{near, far} {
		to, fromV, toV := far, nearV, farV
		if d == facts.Server {
			to, fromV, toV = near, farV, nearV
		}
		var ok bool
		dels[d], pairs[d], ok = deliver(from.Dir[d], to.Dir[d], &ms[d], func(sent bool, t int64) fate {
			if sent {
				return sp.judge(toV, t+arr[d].delay, arr[d].slack)
			}
			return sp.judge(fromV, t-arr[d].delay, arr[d].slack)
		})
		if !ok {
			return false
		}
		dels[d].Partial = from.Omitted[d] > 0 || to.Omitted[d] > 0
	}
	var steps []step
	for d := range pairs {
		v.Dir[d] = dels[d]
		for _, p := range pairs[d] {
			s, g := p.sent, p.got
			st := step{from: d, out: p.out}
			if s != nil {
				st.flags, st.len = s.Flags, int32(s.Len)
			} else {
				st.flags, st.len = g.Flags, int32(g.Len)
			}
			nearS, farS := s, g
			if d == facts.Server {
				nearS, farS = g, s
			}
			if nearS != nil {
				st.near, st.nearSet = *nearS, true
			}
			if farS != nil {
				st.far, st.farSet = *farS, true
			}
			steps = append(steps, st)
		}
	}
	m0, ok0 := median(transit[facts.Client])
	m1, ok1 := median(transit[facts.Server])
	switch {
	case ok0 && ok1:
		v.Timed = true
		v.Offset, v.Transit = time.Duration((m0-m1)/2), time.Duration((m0+m1)/2)
	case ok0:
		v.OneWay, v.Transit = true, time.Duration(m0)
	case ok1:
		v.OneWay, v.Transit = true, time.Duration(m1)
	}
	v.Ladder, v.LadderOmitted = ladder(steps, v.Offset)
	return true
}

// pairing is one packet of a direction: sent at the sender's view and got at the receiver's
// (either nil when the other view lacks it); out when the other view was not capturing then.
type pairing struct {
	sent, got *facts.Sighting
	out       bool
}

// key is what makes two sightings the same packet: sequence and acknowledgment numbers, flags,
// payload length and IP ID.
type key struct {
	seq, ack, len uint32
	ipid          uint16
	flags         uint8
}

func keyOf(s *facts.Sighting, ipid bool) key {
	k := key{seq: s.Seq, ack: s.Ack, len: s.Len, flags: s.Flags}
	if ipid {
		k.ipid = s.IPID
	}
	return k
}

// matching is how one direction's packets at the sending view match those at the receiving
// view: match, per sent packet, the received one (-1: none); used, per received packet, whether
// it is accounted for (matched, or a piece of a sent segment); largest, per sent segment
// delivered in pieces, the largest piece.
type matching struct {
	match   []int
	used    []bool
	largest map[int]uint32
}

// matchDir matches the packets one view sent against those the other received: each to the
// first unmatched one alike; when no packet matches with its IP ID (a translator that rewrites
// IP IDs), without it, the payload's first bytes deciding; then the segments left by the bytes
// they carry (matchRanges: TSO/GSO and GRO cut and merge segments between the views).
func matchDir(sent, got []facts.Sighting) matching {
	match := matchBy(sent, got, true)
	if countMatched(match) == 0 && len(sent) > 0 && len(got) > 0 {
		match = matchBy(sent, got, false)
	}
	used := make([]bool, len(got))
	for _, j := range match {
		if j >= 0 {
			used[j] = true
		}
	}
	return matching{match: match, used: used, largest: matchRanges(sent, got, match, used)}
}

// deliver counts, from the matching m, what of one direction arrived, what was lost and what was
// injected: an unmatched packet is lost or injected when judge (sent: whether it was sent, else
// received; t: its time at its own view) says both views were capturing, else counted apart
// (facts.Delivery.Out); deliver returns false when judge cannot tell yet. It returns every
// packet of the direction, in the sender's order with the injected ones after.
func deliver(sent, got []facts.Sighting, m *matching, judge func(sent bool, t int64) fate) (facts.Delivery, []pairing, bool) {
	var del facts.Delivery
	pairs := make([]pairing, 0, len(sent)+len(got))
	// apart judges an unmatched packet s, sent at the sending view (k 0) or received at the
	// receiving one (k 1): counted apart when the other view was not capturing; stop when judge
	// cannot tell yet.
	apart := func(k int, s *facts.Sighting) (counted, stop bool) {
		f := judge(k == 0, s.UnixNano)
		if f == judged || f == undecided {
			return false, f == undecided
		}
		o := &del.Out[k]
		o.N++
		if !o.First.Seen() {
			o.First = s.Ref()
		}
		o.OutBefore = o.OutBefore || f == before
		o.OutAfter = o.OutAfter || f == after
		p := pairing{sent: s, out: true}
		if k == 1 {
			p = pairing{got: s, out: true}
		}
		pairs = append(pairs, p)
		return true, false
	}
	for i := range sent {
		s := &sent[i]
		j := m.match[i]
		if j < 0 {
			counted, stop := apart(0, s)
			if stop {
				return del, nil, false
			}
			if counted {
				continue
			}
		}
		del.Sent++
		if s.Flags&flagSYN != 0 {
			del.SYNs++
		}
		if j < 0 {
			del.Lost++
			if !del.FirstLost.Seen() {
				del.FirstLost = s.Ref()
			}
			if s.Flags&flagSYN != 0 {
				del.LostSYNs++
			}
			if s.Len > 0 {
				if del.LostData == 0 || int32(s.Len) < del.LostMin {
					del.LostMin = int32(s.Len)
				}
				del.LostMax = max(del.LostMax, int32(s.Len))
				del.LostData++
			}
			pairs = append(pairs, pairing{sent: s})
			continue
		}
		g := &got[j]
		del.Arrived++
		size := g.Len
		if l, ok := m.largest[i]; ok {
			size = l
		}
		del.ArrivedMax = max(del.ArrivedMax, int32(size))
		if del.SenderTTL == 0 && g.Flags&flagRST == 0 {
			del.SenderTTL = g.TTL
		}
		pairs = append(pairs, pairing{sent: s, got: g})
	}
	for j := range got {
		if m.used[j] {
			continue
		}
		g := &got[j]
		counted, stop := apart(1, g)
		if stop {
			return del, nil, false
		}
		if counted {
			continue
		}
		del.Injected++
		if !del.FirstInjected.Seen() {
			del.FirstInjected = g.Ref()
			del.InjectedTTL, del.InjectedIPID = g.TTL, g.IPID
		}
		if g.Flags&flagRST != 0 {
			del.InjectedRSTs++
		}
		pairs = append(pairs, pairing{got: g})
	}
	return del, pairs, true
}

// TCP flags as capture.Flag* gives them.
const (
	flagSYN = 0x02
	flagRST = 0x04
)

// matchBy matches each sent packet to the first received one alike not matched yet (-1: none),
// by key with or without the IP ID; without it, a payload hash over the same bytes must agree.
func matchBy(sent, got []facts.Sighting, ipid bool) []int {
	at := make(map[key][]int, len(got))
	for j := range got {
		k := keyOf(&got[j], ipid)
		at[k] = append(at[k], j)
	}
	match := make([]int, len(sent))
	for i := range sent {
		match[i] = -1
		k := keyOf(&sent[i], ipid)
		js := at[k]
		for n, j := range js {
			if !ipid && !sameBytes(&sent[i], &got[j]) {
				continue
			}
			match[i] = j
			at[k] = append(js[:n:n], js[n+1:]...)
			break
		}
	}
	return match
}

// sameBytes reports whether two sightings' hashed payload bytes agree, as far as both hashed the
// same number of bytes.
func sameBytes(a, b *facts.Sighting) bool {
	return a.HashLen != b.HashLen || a.Hash == b.Hash
}

func countMatched(m []int) int {
	n := 0
	for _, j := range m {
		if j >= 0 {
			n++
		}
	}
	return n
}

// median is the median of xs (the mean of the middle two for an even count), false when empty.
func median(xs []int64) (int64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}
