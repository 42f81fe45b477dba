package analyze

import (
	"time"

	"github.com/connscope/connscope/analyze/vantagename"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/correlate"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/fleet"
	"github.com/connscope/connscope/result"
)

// vantages is what the engine keeps for a capture of several vantages (pcapfile.Vantage): the
// correlation of each connection's records at every vantage (package correlate), the fleet
// aggregates of each vantage's own records (a connection's verdict reads its server as its own
// vantage saw it: TTLs differ from one vantage to the next), and the views of each listed
// connection. A capture of one vantage has none of it, and its analysis does not change.
type vantages struct {
	corr  *correlate.Correlator
	aggs  []*fleet.Aggregate     // by vantage: every record at it
	views map[int32]*facts.Views // by the primary record's ID
	names []result.Message       // each vantage as messages name it
	ats   []*result.EvidenceAt   // each vantage, for the evidence lines that cite its frames; nil with one
	all   []pcapfile.Vantage     // as the reader described them last
	pts   []pcapfile.Point       // the capture points, for the files frames are in
	input func() ([]pcapfile.Vantage, []pcapfile.Point)
	warn  func(result.Warning) // adds a warning to the result
}

// readFrom tells the analysis where its packets come from: describe gives the vantages and
// capture points as the reader knows them (now, before the first packet, and at Finish, when the
// reader is idle). With several vantages, or when the reader will tell them apart as it reads
// (several), the analysis is one of several vantages from the start (startViews); a vantage met
// later starts it then.
func (a *Analyzer) readFrom(describe func() ([]pcapfile.Vantage, []pcapfile.Point), several bool) {
	a.describe = describe
	if all, _ := describe(); len(all) > 1 || several {
		a.startViews(max(len(all), 2))
		a.tr.Sightings()
	}
}

// startViews makes the analysis one of several vantages: tracking keeps each connection's
// sightings, and finished records go through the correlation before they are filed.
func (a *Analyzer) startViews(n int) {
	v := &vantages{views: map[int32]*facts.Views{}, input: a.describe, warn: a.AddWarning}
	v.corr = correlate.New(n, a.file)
	a.vp = v
}

// observe files a record at its vantage's own aggregate, and hands it to the correlation.
func (v *vantages) observe(a *Analyzer, c *facts.Conn) {
	for int(c.Vantage) >= len(v.aggs) {
		v.aggs = append(v.aggs, fleet.New(a.opts.MaxAgentKeys))
	}
	d := diagnose.FirstOf(c, &a.cfg)
	v.aggs[c.Vantage].Observe(c, &d)
	v.corr.Add(c)
}

// context is the cross-connection context a record at vantage x is judged with.
func (a *Analyzer) context(x uint16) *diagnose.Context {
	if a.vp == nil || int(x) >= len(a.vp.aggs) {
		return a.agg.Context()
	}
	return a.vp.aggs[x].Context()
}

// flush hands out the connections still waiting for views, judging for those seen at one
// vantage whether another should have seen them, and names the vantages.
func (v *vantages) flush() {
	v.all, v.pts = v.input()
	cv := make([]correlate.Vantage, len(v.all))
	for i, x := range v.all {
		cv[i] = correlate.Vantage{Whole: x.Interface < 0 && x.Link == "", Frames: x.Frames, First: x.First, Last: x.Last}
	}
	v.names = vantagename.Of(v.all, v.pts)
	if len(v.all) > 1 {
		v.ats = make([]*result.EvidenceAt, len(v.all))
		for i := range v.all {
			v.ats[i] = &result.EvidenceAt{Vantage: i, Name: v.names[i]}
		}
	}
	v.corr.Flush(cv)
	v.warnOffsets()
}

// largeOffset is the clock offset between two vantages past which the result warns: clocks kept
// by NTP agree within a few milliseconds.
const largeOffset = 100 * time.Millisecond

// warnOffsets warns of each pair of vantages whose clocks differ by largeOffset or more, as the
// connections both saw measure it: the times each capture gives are on its own clock.
func (v *vantages) warnOffsets() {
	for _, o := range v.corr.Offsets() {
		if o.Offset > -largeOffset && o.Offset < largeOffset || int(max(o.Near, o.Far)) >= len(v.names) {
			continue
		}
		how, by := "views.clock-ahead", o.Offset
		if by < 0 {
			how, by = "views.clock-behind", -by
		}
		v.warn(warning("clock-offset", 0, 0, result.Sub("far", v.names[o.Far]), result.Sub("near", v.names[o.Near]),
			result.Text("by", param.FmtFineDur(by)), result.Sub("how", result.Msg(how)), result.Int("n", o.Connections)))
	}
}

// cite names the vantage x in the evidence lines d has no vantage for: a connection's own
// evidence, and that of the connections its vantage's context cites, comes from the capture
// of the vantage its record is at. With one vantage, evidence names none.
func (v *vantages) cite(d *diagnose.Diagnosis, x uint16) {
	if int(x) >= len(v.ats) {
		return
	}
	for i := range d.Evidence {
		if d.Evidence[i].EvidenceAt == nil {
			d.Evidence[i].EvidenceAt = v.ats[x]
		}
	}
}

// keepViews keeps the views of a connection filed as listed. The two-view ladder stays only
// for a connection that may have failed or lost packets, as a flow's own ladder does.
func (v *vantages) keepViews(c *facts.Conn, w *facts.Views, mayFail bool) {
	if !mayFail && w.Dir[0].Lost == 0 && w.Dir[1].Lost == 0 && w.Dir[0].Injected == 0 && w.Dir[1].Injected == 0 {
		w.Ladder, w.LadderOmitted = nil, 0
	}
	v.views[c.ID] = w
}

// inputVantages describes the vantages and the clock offsets measured between them.
func (v *vantages) inputVantages(in *result.Input) {
	for i, x := range v.all {
		in.Vantages = append(in.Vantages, result.InputVantage{Name: v.names[i], Point: x.Point, Interface: x.Interface, Link: result.Raw(x.Link),
			Frames: x.Frames, First: x.First.UTC(), Last: x.Last.UTC()})
	}
	for _, o := range v.corr.Offsets() {
		in.ClockOffsets = append(in.ClockOffsets, result.ClockOffset{Near: int(o.Near), Far: int(o.Far),
			OffsetMS: ms(o.Offset), Connections: o.Connections})
	}
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// frameAt is a packet of vantage x as the result gives it: the file of its capture point that
// holds it and its frame there.
func (v *vantages) frameAt(x uint16, r facts.Ref) *result.FrameAt {
	if !r.Seen() {
		return nil
	}
	out := &result.FrameAt{Vantage: int(x), Frame: r.Num(), Time: r.Time()}
	if int(x) >= len(v.all) || v.all[x].Point >= len(v.pts) {
		return out
	}
	files := v.pts[v.all[x].Point].Files
	if len(v.pts) == 1 && len(files) == 1 {
		return out // the capture is one file: the input names it
	}
	for i, f := range files {
		if out.Frame <= f.Frames || i == len(files)-1 {
			out.File = result.FileName(f.Path)
			return out
		}
		out.Frame -= f.Frames
	}
	return out
}

// buildViews fills the flow's vantages section from the connection's views.
func (v *vantages) buildViews(c *facts.Conn, w *facts.Views, out *result.Flow) {
	r := &result.Vantages{Near: w.Near, Far: w.Far, NAT: w.NAT, LadderOmitted: int(w.LadderOmitted), Ladder: []result.VantageStep{}}
	for i := range w.View {
		x := &w.View[i]
		vv := result.VantageView{Vantage: int(x.Vantage), Side: sideOf(x), Seen: x.Seen, Expected: expectedWords[x.Expected],
			ClientHops: int(x.Hops[facts.Client]), ServerHops: int(x.Hops[facts.Server])}
		if int(x.Vantage) < len(v.names) {
			vv.Name = v.names[x.Vantage]
		}
		if x.Seen {
			vv.Client, vv.Server = result.HostPort(x.Client.String()), result.HostPort(x.Server.String())
			vv.ClientPackets, vv.ServerPackets = int(x.Packets[facts.Client]), int(x.Packets[facts.Server])
			vv.First, vv.Last = v.frameAt(x.Vantage, x.First), v.frameAt(x.Vantage, x.Last)
		}
		r.Views = append(r.Views, vv)
	}
	near, far := w.View[w.Near].Vantage, w.View[w.Far].Vantage
	r.ClientToServer = v.delivery(&w.Dir[facts.Client], w.Near, w.Far, near, far)
	r.ServerToClient = v.delivery(&w.Dir[facts.Server], w.Far, w.Near, far, near)
	if w.Timed {
		o, t := ms(w.Offset), ms(w.Transit)
		r.ClockOffsetMS, r.TransitMS = &o, &t
	} else if w.OneWay {
		t := ms(w.Transit)
		r.TransitMS = &t
	}
	msgs := ladderMessages(c)
	ownNear := w.Near == 0
	for _, s := range w.Ladder {
		st := result.VantageStep{From: facts.SideName[s.From], TCPFlags: flagNames(s.Flags), PayloadLen: int(s.Len),
			Near: v.frameAt(near, s.Near), Far: v.frameAt(far, s.Far), Messages: []string{}, OmittedBefore: int(s.Gap)}
		sentAtNear := s.From == facts.Client
		switch {
		case s.Near.Seen() && s.Far.Seen():
			st.Fate = "arrived"
		case s.Near.Seen() == sentAtNear:
			st.Fate = "lost"
		default:
			st.Fate = "injected"
		}
		own := s.Far
		if ownNear {
			own = s.Near
		}
		if m, ok := msgs[own.Frame]; ok && own.Seen() {
			st.Messages = m
		}
		r.Ladder = append(r.Ladder, st)
	}
	out.Vantages = r
}

// delivery is one direction's delivery in result form, from view from to view to.
func (v *vantages) delivery(x *facts.Delivery, from, to int, fromV, toV uint16) result.Delivery {
	return result.Delivery{From: from, To: to, Sent: int(x.Sent), Arrived: int(x.Arrived), Lost: int(x.Lost), Injected: int(x.Injected),
		FirstLost: v.frameAt(fromV, x.FirstLost), FirstInjected: v.frameAt(toV, x.FirstInjected), Partial: x.Partial}
}

// ladderMessages are the TLS records of the connection's own ladder packets, by frame.
func ladderMessages(c *facts.Conn) map[int32][]string {
	out := map[int32][]string{}
	for i := range c.Ladder {
		p := &c.Ladder[i]
		if p.NMessages == 0 {
			continue
		}
		msgs := make([]string, p.NMessages)
		for k, code := range p.Messages[:p.NMessages] {
			msgs[k] = code.Name()
		}
		out[p.At.Frame] = msgs
	}
	return out
}

// expectedWords names why a vantage should have seen a connection, as the result gives it.
var expectedWords = [...]string{facts.ExpectedNone: "", facts.ExpectedEmpty: "empty-capture",
	facts.ExpectedServer: "server-seen", facts.ExpectedClient: "client-seen"}

// sideOf says where on the path a view sits, from its hop counts.
func sideOf(x *facts.View) string {
	ch, sh := x.Hops[facts.Client], x.Hops[facts.Server]
	switch {
	case !x.Seen:
		return "unknown"
	case ch == 0 && sh == 0:
		return "same-link"
	case ch == 0:
		return "client"
	case sh == 0:
		return "server"
	case ch > 0 && sh > 0:
		return "between"
	}
	return "unknown"
}

// twins counts the packets of a capture of one vantage that looked like the same packet seen
// at two points of its path (track.Tracker.Twins), and the frame of the first; and the
// connections that came twice with the same ISNs on other endpoints (through a translator).
type twins struct{ n, frame, translated int }

// natTwins notes a connection whose client and server ISNs a recent connection had too, begun
// within a second of it, on other endpoints, with another TTL on the client's packets: the same
// connection seen at two points with an address translator between them (a router decrements
// the TTL; copies of one connection made for a test, or a replay, keep it). A small
// direct-mapped table of recent connections: the two copies of one connection finish close
// together.
type natTwins struct {
	recent [1024]natSeen
	n      int
}

type natSeen struct {
	isns  uint64
	first int64
	ttl   uint8
}

func (t *natTwins) note(c *facts.Conn) {
	cs, ss := &c.Side[facts.Client], &c.Side[facts.Server]
	if !cs.SYNSeen || !ss.SYNSeen {
		return
	}
	k := natSeen{isns: uint64(cs.SYNSeq)<<32 | uint64(ss.SYNSeq), first: c.First.UnixNano(), ttl: cs.TTL}
	slot := &t.recent[(k.isns*0x9e3779b97f4a7c15)>>54]
	if slot.isns == k.isns && slot.ttl != k.ttl && max(slot.first-k.first, k.first-slot.first) < int64(time.Second) {
		t.n++
	}
	*slot = k
}

// what says what showed the same packets twice.
func (tw twins) what() result.Message {
	if tw.n == 0 {
		return result.Msg("two-points.translated", result.Int("n", tw.translated))
	}
	return result.Msg("two-points.ttl", result.Int("n", tw.n), result.Int("frame", tw.frame))
}

// minTwins is how many such packets make a capture of one vantage one of two points: a stray
// one is a middlebox's copy or a route change, not a second capture point.
const minTwins = 2

// readSplit reads a capture of one vantage that holds the same packets seen at two points again
// with its links told apart, and returns that result, saying so; or, when it cannot (no Reopen,
// the links do not tell the points apart), res with a warning that the copies were taken as
// retransmissions.
func readSplit(res *result.Result, tw twins, name string, opts Options, ahead bool) *result.Result {
	unsplit := func(why string) *result.Result {
		res.Warnings = append(res.Warnings, warning("two-points-unsplit", 0, tw.frame, result.Sub("what", tw.what()),
			result.Sub("why", result.Msg("two-points."+why))))
		return res
	}
	if opts.Reopen == nil {
		return unsplit("stdin")
	}
	r, err := opts.Reopen()
	if err != nil {
		return unsplit("reopen")
	}
	defer r.Close()
	r.SplitLinks()
	opts.Progress = nil
	again, _, err := readOnce(r, name, opts, ahead)
	if err != nil || len(again.Input.Vantages) < 2 {
		return unsplit("links")
	}
	again.Warnings = append(again.Warnings, warning("two-points-split", 0, tw.frame, result.Sub("what", tw.what()),
		result.Int("links", len(again.Input.Vantages))))
	return again
}
