// Package views judges a connection seen, or that should have been seen, at several capture
// points (vantages): from what its views show of where its packets went (facts.Views), it
// revises the connection's own verdict and says between which vantages packets were lost or
// forged, as messages (package result).
package views

import (
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// What the views of a connection at several vantages decide (Verdict).
const (
	viewsNothing = iota // nothing to add: the verdict stays
	viewsForged         // a reset arrived that its claimed sender's vantage never saw it send
	viewsSYNs           // every SYN was lost between the vantages
	viewsSYNAcks        // the SYNs arrived; every SYN-ACK was lost on the way back
	viewsMTU            // only segments larger than every one that arrived were lost
	viewsLost           // packets were lost between the vantages
)

// Verdict is the verdict of a connection seen at several vantages, or that should have been:
// v, its own verdict at its primary view (the cross-connection inference included), revised
// with what its views show of where its packets went.
func Verdict(v result.Verdict, w *facts.Views) result.Verdict {
	nv, _, _ := finding(v, w)
	return nv
}

// finding is Verdict with what decided it, and the direction it concerns.
func finding(v result.Verdict, w *facts.Views) (result.Verdict, int, int) {
	c2s, s2c := &w.Dir[facts.Client], &w.Dir[facts.Server]
	for _, d := range [2]int{facts.Server, facts.Client} {
		if w.Dir[d].InjectedRSTs > 0 && v.Failed() {
			return result.VerdictMiddleboxReset, viewsForged, d
		}
	}
	switch {
	case c2s.SYNs > 0 && c2s.LostSYNs == c2s.SYNs && c2s.Injected == 0 && s2c.Injected == 0:
		if v == result.VerdictSYNTimeout {
			return v, viewsSYNs, facts.Client
		}
	case c2s.SYNs > 0 && c2s.LostSYNs < c2s.SYNs && s2c.SYNs > 0 && s2c.LostSYNs == s2c.SYNs:
		if v == result.VerdictSYNTimeout || v == result.VerdictSYNACKUnacknowledged {
			return result.VerdictSYNACKUnacknowledged, viewsSYNAcks, facts.Server
		}
	}
	if !v.Failed() {
		return v, viewsNothing, 0
	}
	for _, d := range [2]int{facts.Server, facts.Client} {
		x := &w.Dir[d]
		if x.LostData > 0 && x.Lost == x.LostData && x.ArrivedMax > 0 && x.LostMin > x.ArrivedMax {
			return result.VerdictMTUBlackhole, viewsMTU, d
		}
	}
	for _, d := range [2]int{facts.Server, facts.Client} {
		if w.Dir[d].Lost > 0 {
			return v, viewsLost, d
		}
	}
	return v, viewsNothing, 0
}

// Revision is what a connection's views at several vantages make of its diagnosis.
type Revision struct {
	Verdict  result.Verdict    // the verdict, as Verdict gives it
	Reason   result.Message    // the reason: the connection's own unless the views say more
	Evidence []result.Evidence // evidence lines from each view (each names its vantage: At), to add to the connection's own
	Flags    []string          // flags to add
	// Forged: the views show resets that their claimed sender never sent (middlebox-reset), in
	// the name of side InNameOf (facts.Client or facts.Server).
	Forged   bool
	InNameOf int
}

// Revise revises the verdict v and reason own of a connection's primary view (View[0] of w)
// with what its views at several vantages show: the verdict as Verdict gives it, a reason that
// says between which vantages its packets were lost or forged, and evidence lines from each
// view. names words each vantage, by index (a file, a --vantage label, an interface of a file).
func Revise(v result.Verdict, own result.Message, w *facts.Views, names []result.Message) Revision {
	v, why, dir := finding(v, w)
	d := Revision{Verdict: v, Reason: own, Forged: why == viewsForged, InNameOf: dir}
	name := func(i int) result.Message {
		x := int(w.View[i].Vantage)
		if x < len(names) {
			return names[x]
		}
		return result.Msg("vantage.unnamed", result.Int("n", x))
	}
	near, far := name(w.Near), name(w.Far)
	// from and to: where direction x's packets leave and where they should arrive.
	from := func(x int) (result.Message, result.Message) {
		if x == facts.Client {
			return near, far
		}
		return far, near
	}
	sender := func(x int) result.Message { return result.Msg("word." + facts.SideName[x]) }
	x := &w.Dir[dir]
	src, dst := from(dir)
	var reason result.Message
	switch why {
	case viewsForged:
		reason = result.Msg("reason.views-forged", result.Int("n", x.InjectedRSTs), result.Sub("sender", sender(dir)),
			result.Sub("at", dst), result.Sub("from", src))
		if lost := &w.Dir[1-dir]; lost.Lost > 0 {
			reason = result.Msg("concat", result.Sub("a", reason), result.Sub("b", result.Msg("views.then-lost",
				result.Int("lost", lost.Lost), result.Int("sent", lost.Sent), result.Sub("side", sender(1-dir)),
				result.Sub("to", src))))
		}
	case viewsSYNs:
		reason = result.Msg("reason.views-syns-lost", result.Int("sent", x.SYNs), result.Sub("near", near), result.Sub("far", far),
			result.Sub("empty", emptyNote(w, w.Far)))
	case viewsSYNAcks:
		reason = result.Msg("reason.views-synacks-lost", result.Int("syns", w.Dir[facts.Client].SYNs-w.Dir[facts.Client].LostSYNs),
			result.Int("sent", x.SYNs), result.Sub("near", near), result.Sub("far", far))
	case viewsMTU:
		reason = result.Msg("reason.views-mtu", result.Sub("side", sender(dir)), result.Sub("size", sizes(x)),
			result.Int("n", x.LostData), result.Sub("from", src), result.Sub("to", dst), result.Int("passed", x.ArrivedMax))
	case viewsLost:
		reason = result.Msg("reason.views-lost", result.Int("lost", x.Lost), result.Int("sent", x.Sent), result.Sub("side", sender(dir)),
			result.Sub("from", src), result.Sub("to", dst), result.Int("arrived", x.Arrived), result.Sub("own", own))
	}
	if !reason.IsZero() {
		d.Reason = reason
	}
	// at is the vantage of view i, for the evidence lines that cite its frames.
	at := func(i int) *result.EvidenceAt {
		return &result.EvidenceAt{Vantage: int(w.View[i].Vantage), Name: name(i)}
	}
	for dd := range w.Dir {
		y := &w.Dir[dd]
		s, t := from(dd)
		sv, tv := w.Near, w.Far // the views direction dd leaves and should arrive at
		if dd != facts.Client {
			sv, tv = w.Far, w.Near
		}
		if y.Lost > 0 {
			d.Evidence = append(d.Evidence, result.Evidence{Frame: y.FirstLost.Num(), Time: y.FirstLost.Time(), EvidenceAt: at(sv),
				Text: result.Msg("ev.views-first-lost", result.Sub("dir", result.Msg("direction."+facts.SideName[dd])),
					result.Sub("to", t), result.Int("lost", y.Lost), result.Int("sent", y.Sent))})
		}
		if y.Injected > 0 {
			d.Evidence = append(d.Evidence, result.Evidence{Frame: y.FirstInjected.Num(), Time: y.FirstInjected.Time(), EvidenceAt: at(tv),
				Text: result.Msg("ev.views-injected", result.Int("n", y.Injected), result.Sub("side", sender(dd)),
					result.Sub("from", s), result.Sub("ttl", injectedTTL(y)))})
		}
		for k, key := range [2]string{"ev.views-out-sent", "ev.views-out-got"} {
			o := &y.Out[k]
			if o.N == 0 {
				continue
			}
			held, other := sv, t // the view that holds them, and the one that was not capturing
			if k == 1 {
				held, other = tv, s
			}
			d.Evidence = append(d.Evidence, result.Evidence{Frame: o.First.Num(), Time: o.First.Time(), EvidenceAt: at(held),
				Text: result.Msg(key, result.Int("n", o.N), result.Sub("dir", result.Msg("direction."+facts.SideName[dd])),
					result.Sub("other", other), result.Sub("when", outWhen(o)))})
		}
	}
	if w.NAT {
		nv, fv := &w.View[w.Near], &w.View[w.Far]
		d.Evidence = append(d.Evidence, result.Evidence{Frame: fv.First.Num(), Time: fv.First.Time(), EvidenceAt: at(w.Far),
			Text: result.Msg("ev.views-nat", result.Endpoint("client", fv.Client.String()),
				result.Endpoint("server", fv.Server.String()), result.Endpoint("near_client", nv.Client.String()),
				result.Endpoint("near_server", nv.Server.String()), result.Sub("near", near))})
	}
	if why == viewsNothing && w.View[w.Far].Seen && w.Dir[0].Lost == 0 && w.Dir[1].Lost == 0 && w.Dir[0].Injected == 0 && w.Dir[1].Injected == 0 {
		d.Flags = append(d.Flags, "views:none-lost")
	}
	return d
}

// emptyNote says why a vantage that did not see the connection should have: nothing when it saw
// other packets of the server, "(its capture holds no packet at all)" when it is empty.
func emptyNote(w *facts.Views, i int) result.Message {
	if w.View[i].Expected == facts.ExpectedEmpty {
		return result.Msg("views.empty-capture")
	}
	return result.Msg("views.server-seen")
}

// sizes words the payload sizes of the lost segments: "1448-byte", "1200-1448-byte".
func sizes(x *facts.Delivery) result.Message {
	if x.LostMin == x.LostMax {
		return result.Msg("views.size", result.Int("n", x.LostMax))
	}
	return result.Msg("views.sizes", result.Int("min", x.LostMin), result.Int("max", x.LostMax))
}

// injectedTTL words the first injected packet's TTL against the real sender's.
func injectedTTL(x *facts.Delivery) result.Message {
	if x.SenderTTL == 0 || x.SenderTTL == x.InjectedTTL {
		return result.Msg("views.ttl", result.Int("ttl", x.InjectedTTL))
	}
	return result.Msg("views.ttl-vs", result.Int("ttl", x.InjectedTTL), result.Int("real", x.SenderTTL))
}

// outWhen words when the other view was not capturing: before its capture began, after it
// stopped, or both.
func outWhen(o *facts.Uncaptured) result.Message {
	switch {
	case o.OutBefore && o.OutAfter:
		return result.Msg("views.out-both")
	case o.OutBefore:
		return result.Msg("views.out-before")
	}
	return result.Msg("views.out-after")
}
