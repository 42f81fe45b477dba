package analyze

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"

	"github.com/connscope/connscope/result"
)

// maxAttemptsKept bounds the attempts remembered per client and server.
const maxAttemptsKept = 16

// pathAggregate is what the path verdicts need from the whole capture: the TTL each server host's
// own packets arrive with, and each client's connection attempts to each server that got no
// SYN-ACK (retransmitted SYNs are one attempt; a new source port is a new attempt).
type pathAggregate struct {
	serverTTL map[netip.Addr]ttlSeen
	attempts  map[attemptKey][]int // flow ids, at most maxAttemptsKept
}

// ttlSeen is a server's TTL as one flow showed it, in a packet that is not a reset.
type ttlSeen struct {
	ttl    uint8
	flowID int
	at     ref
}

type attemptKey struct {
	client netip.Addr
	server netip.AddrPort
}

func (g *pathAggregate) init() {
	g.serverTTL = make(map[netip.Addr]ttlSeen)
	g.attempts = make(map[attemptKey][]int)
}

// observe records a finished flow.
func (g *pathAggregate) observe(f *flow) {
	if s := &f.path.side[fromServer]; s.ttlSet {
		if old, ok := g.serverTTL[f.server.Addr()]; !ok || f.id < old.flowID {
			g.serverTTL[f.server.Addr()] = ttlSeen{ttl: s.ttl, flowID: f.id, at: s.ttlRef.full()}
		}
	}
	if f.synCount > 0 && !f.synAck.seen() {
		k := attemptKey{f.client.Addr(), f.server}
		if len(g.attempts[k]) < maxAttemptsKept {
			g.attempts[k] = append(g.attempts[k], f.id)
		}
	}
}

// inferPath revisits a flow's verdict with the path facts of the whole capture: a RST answering
// the SYN whose TTL is not the server's (as other flows show it) was forged on the way; and an
// unanswered attempt is numbered among the client's attempts to the same server.
func (a *Analyzer) inferPath(f *flow) {
	g := &a.agg.path
	d := &f.diag
	if d.verdict == result.VerdictRefused && len(f.rsts) > 0 && !f.path.side[fromServer].ttlSet {
		r := f.rsts[0]
		if seen, ok := g.serverTTL[f.server.Addr()]; ok && r.from == fromServer && seen.flowID != f.id {
			if r.ttl != int(seen.ttl) {
				d.verdict = result.VerdictMiddleboxReset
				d.reason = fmt.Sprintf("the reset answering the SYN has TTL %d (%s from the capture point), but %s's own packets arrive with TTL %d (%s; flow #%d): a firewall in the path rejected the connection with a reset forged in the server's name",
					r.ttl, hopText(hops(uint8(r.ttl))), f.server.Addr(), seen.ttl, hopText(hops(seen.ttl)), seen.flowID)
				d.evidence = append(d.evidence, result.Evidence{Frame: seen.at.num(), Time: seen.at.time(),
					Text: fmt.Sprintf("a packet the server did send, in flow #%d: TTL %d", seen.flowID, seen.ttl)})
				sort.SliceStable(d.evidence, func(i, j int) bool { return d.evidence[i].Frame < d.evidence[j].Frame })
			} else {
				d.reason += " (the reset's TTL " + strconv.Itoa(r.ttl) + " is the server's own, as in flow #" + strconv.Itoa(seen.flowID) + ")"
			}
		}
	}
	if ids := g.attempts[attemptKey{f.client.Addr(), f.server}]; len(ids) > 1 && f.synCount > 0 && !f.synAck.seen() {
		sort.Ints(ids)
		n := sort.SearchInts(ids, f.id)
		if n < len(ids) && ids[n] == f.id {
			d.reason = attemptsText(d.reason, n+1, ids, f.client.Addr(), f.server)
		}
	}
}

// attemptsText appends to reason the numbering of attempt n among the flows ids, as
// fmt's "; attempt %d of %d from %s to %s in this capture (flows %s), each from a new source
// port" words it (the flows as "#1, #2"), without fmt: a SYN flood makes one per flow.
func attemptsText(reason string, n int, ids []int, client netip.Addr, server netip.AddrPort) string {
	b := make([]byte, 0, len(reason)+128+8*len(ids))
	b = append(b, reason...)
	b = append(b, "; attempt "...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, " of "...)
	b = strconv.AppendInt(b, int64(len(ids)), 10)
	b = append(b, " from "...)
	if client.IsValid() && server.Addr().IsValid() { // AppendTo writes what String does
		b = server.AppendTo(append(client.AppendTo(b), " to "...))
	} else {
		b = append(append(append(b, client.String()...), " to "...), addr(server)...)
	}
	b = append(b, " in this capture (flows "...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '#')
		b = strconv.AppendInt(b, int64(id), 10)
	}
	b = append(b, "), each from a new source port"...)
	return string(b)
}

// pathWarnings warns when flows miss one direction entirely: the peer acknowledges data the
// capture never shows (a capture on one leg of asymmetric routing, or a filter that keeps one
// direction).
func (a *Analyzer) pathWarnings() []result.Warning {
	n, first := 0, 0
	var what string
	for _, f := range a.done {
		if m := f.missingDirection(); m != "" {
			if n == 0 {
				first, what = f.id, m
			}
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return []result.Warning{{Code: "one-direction", Message: fmt.Sprintf("%d flow(s) (the first: flow #%d) have no %s packets although the other side acknowledges them: the capture sees only one direction (asymmetric routing, or a capture filter); verdicts rest on half the conversation", n, first, what)}}
}
