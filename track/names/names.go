// Package names follows DNS lookups in a capture: which names were asked for over UDP port 53,
// by whom, of which servers, and how each was answered, as facts (facts.Name) that diagnosis
// ties to the connections' servers. Its memory is bounded (MaxPending, MaxNames).
package names

import (
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// Bounds of the DNS bookkeeping: memory stays flat whatever the capture holds.
const (
	MaxPending      = 65536 // queries waiting for their answer
	MaxNames        = 4096  // names followed
	maxNameAskers   = 256   // clients followed per name (more are counted)
	maxNameAnswers  = 16    // addresses kept per name
	maxNameServers  = 4     // DNS servers kept per name
	maxNameEvidence = 8     // evidence lines per name
)

// DNS outcomes (see facts.DNSResolved).
const (
	dnsResolved   = facts.DNSResolved
	dnsNXDomain   = facts.DNSNXDomain
	dnsServFail   = facts.DNSServFail
	dnsRefused    = facts.DNSRefused
	dnsOtherRCode = facts.DNSOtherCode
	dnsNoAnswer   = facts.DNSNoAnswer
	dnsNone       = facts.DNSNone
)

// Table follows the lookups of names over UDP port 53. Its zero value is ready to use; it is not
// safe for concurrent use.
type Table struct {
	pending map[dnsQueryKey]dnsPending
	names   map[string]*facts.Name
	order   []*facts.Name // in order of first query
	dropped int           // queries or names not followed because a bound was reached
	several bool          // a packet of a vantage other than 0 was seen: queries may come twice
	// sweepWait is how many more queries a full table turns away before sweep walks it again,
	// after a walk that freed nothing: a table full of unanswered queries is walked once per
	// MaxPending/4 queries, not at each.
	sweepWait int
	sweeps    int // walks sweep made (for the tests)
}

// dnsQueryKey matches an answer to its query: the client's socket, the server and the query ID.
type dnsQueryKey struct {
	client netip.AddrPort
	server netip.Addr
	id     uint16
}

type dnsPending struct {
	name     *facts.Name
	client   netip.Addr
	at, last facts.Ref // the first query and its last retry
	retries  int
	// vantage is where the query was first seen (Packet.Vantage): its transmissions and answer
	// there are the lookup's. A capture of several vantages holds a copy of the same query or
	// answer at each point it crossed: a copy is evidence, neither a retry nor another query.
	vantage uint16
	copies  [maxCopyVantages]uint16 // copies of the query seen at each other vantage (the last slot: any beyond)
	// answered: the answer was seen at the query's vantage before any copy of it elsewhere.
	// With several vantages the entry then stays until a copy of the answer is seen elsewhere
	// (or room is needed), so that copy is known as one. (With three or more vantages, a
	// third copy of an answer after both may count as an answer of its own.)
	answered bool
	// answerAt is 1 + the vantage where a copy of an answer was seen while the query's own
	// vantage saw none (0: none): the answer was sent and lost before reaching that vantage.
	answerAt uint16
}

// maxCopyVantages is how many vantages' copies a pending query counts apart.
const maxCopyVantages = 4

// Packet takes one DNS datagram: a query for an A, AAAA or ANY record, or the answer to one.
func (d *Table) Packet(p *capture.Packet) {
	var parser dnsmessage.Parser
	h, err := parser.Start(p.UDP.Payload)
	if err != nil {
		return
	}
	q, err := parser.Question()
	if err != nil || q.Class != dnsmessage.ClassINET ||
		(q.Type != dnsmessage.TypeA && q.Type != dnsmessage.TypeAAAA && q.Type != dnsmessage.TypeALL) {
		return
	}
	name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
	at := facts.MakeRef(p.Index, p.Time)
	if d.names == nil {
		d.names = map[string]*facts.Name{}
		d.pending = map[dnsQueryKey]dnsPending{}
	}
	v := p.Vantage
	if v != 0 {
		d.several = true
	}
	if !h.Response {
		key := dnsQueryKey{netip.AddrPortFrom(p.SrcIP, p.UDP.SrcPort), p.DstIP, h.ID}
		pend, dup := d.pending[key]
		if dup && pend.vantage != v {
			// The same query seen at another point of its path: evidence of that capture only.
			c := &pend.copies[min(int(copySlot(pend.vantage, v)), maxCopyVantages-1)]
			*c++
			d.pending[key] = pend
			addCopy(pend.name, facts.DNSEvent{Ref: at, Vantage: v, Type: uint16(q.Type), ID: h.ID, Retry: int(*c) - 1, Src: p.SrcIP, Dst: p.DstIP})
			return
		}
		n := d.name(name)
		if n == nil {
			return
		}
		n.Queries++
		asked(n, p.SrcIP, dnsNone)
		addServer(n, p.DstIP)
		if dup && !pend.answered {
			pend.retries++
			pend.last = at
			d.pending[key] = pend
			addEvent(n, facts.DNSEvent{Ref: at, Vantage: v, Type: uint16(q.Type), ID: h.ID, Retry: pend.retries, Src: p.SrcIP, Dst: p.DstIP})
			return
		}
		if !dup && len(d.pending) >= MaxPending && !d.sweep() {
			d.dropped++
			return
		}
		d.pending[key] = dnsPending{name: n, client: p.SrcIP, at: at, last: at, vantage: v}
		addEvent(n, facts.DNSEvent{Ref: at, Vantage: v, Type: uint16(q.Type), ID: h.ID, Src: p.SrcIP, Dst: p.DstIP})
		return
	}
	if h.Truncated {
		return // the client asks again over TCP, which is not followed
	}
	key := dnsQueryKey{netip.AddrPortFrom(p.DstIP, p.UDP.DstPort), p.SrcIP, h.ID}
	pend, matched := d.pending[key]
	if matched && pend.vantage != v {
		// A copy of the answer seen at another point of its path (before it reached the
		// query's vantage, or after): evidence of that capture only.
		switch {
		case pend.answered:
			delete(d.pending, key) // seen at both: nothing more to tell apart
		case !pend.answered && pend.answerAt == 0:
			pend.answerAt = v + 1
			d.pending[key] = pend
		}
		var addrs []netip.Addr
		if h.RCode == dnsmessage.RCodeSuccess {
			addrs = answerAddrs(&parser)
		}
		addCopy(pend.name, facts.DNSEvent{Ref: at, Vantage: v, Response: true, Type: uint16(q.Type), ID: h.ID, Src: p.SrcIP, Dst: p.DstIP,
			RCode: uint16(h.RCode), Answers: addrs})
		return
	}
	if matched && pend.answered {
		matched = false // a second answer at the query's vantage: another response, as with one vantage
	}
	if matched && d.several && pend.answerAt == 0 { // no copy of the answer seen yet: one may come
		pend.answered = true
		d.pending[key] = pend
	} else {
		delete(d.pending, key)
	}
	n := pend.name
	if !matched {
		if n = d.name(name); n == nil {
			return
		}
		addServer(n, p.SrcIP)
		if d.several && len(d.pending) < MaxPending { // its query unseen: know the answer's copies
			d.pending[key] = dnsPending{name: n, client: p.DstIP, at: at, last: at, vantage: v, answered: true}
		}
	}
	n.Responses++
	outcome := dnsOutcomeOf(h.RCode)
	var addrs []netip.Addr
	if h.RCode == dnsmessage.RCodeSuccess {
		addrs = answerAddrs(&parser)
		outcome = dnsNoAnswer
		if len(addrs) > 0 {
			outcome = dnsResolved
		}
	}
	if outcome == dnsOtherRCode {
		n.OtherCode = uint16(h.RCode)
	}
	asked(n, p.DstIP, outcome)
	if best, tracked := n.Outcome[p.DstIP]; tracked && best == outcome {
		n.RCodeOf[p.DstIP] = uint16(h.RCode) // the code of the client's best answer
	}
	for _, ad := range addrs {
		if !slices.Contains(n.Answers, ad) && len(n.Answers) < maxNameAnswers {
			n.Answers = append(n.Answers, ad)
		}
	}
	addEvent(n, facts.DNSEvent{Ref: at, Vantage: v, Response: true, Type: uint16(q.Type), ID: h.ID, Src: p.SrcIP, Dst: p.DstIP,
		RCode: uint16(h.RCode), Answers: addrs})
}

// copySlot numbers vantage v among the vantages other than own, from 0.
func copySlot(own, v uint16) uint16 {
	if v > own {
		return v - 1
	}
	return v
}

// sweep lets go of the answered queries kept to know their answers' copies (several vantages
// only), when the table is full; it reports whether that made room. The answered ones are most
// of a full table of a working network; when a walk freed nothing (every query unanswered), the
// next MaxPending/4 queries are turned away without one (sweepWait).
func (d *Table) sweep() bool {
	if !d.several {
		return false
	}
	if d.sweepWait > 0 {
		d.sweepWait--
		return false
	}
	d.sweeps++
	for k, p := range d.pending {
		if p.answered {
			delete(d.pending, k)
		}
	}
	if len(d.pending) < MaxPending {
		return true
	}
	d.sweepWait = MaxPending / 4
	return false
}

// name returns the facts of a name, creating them unless the table is full.
func (d *Table) name(name string) *facts.Name {
	if n := d.names[name]; n != nil {
		return n
	}
	if len(d.names) >= MaxNames {
		d.dropped++
		return nil
	}
	n := &facts.Name{Name: name, Outcome: map[netip.Addr]int{}, RCodeOf: map[netip.Addr]uint16{}}
	d.names[name] = n
	d.order = append(d.order, n)
	return n
}

// asked records that client looked the name up, with the outcome of one answer (dnsNone for a
// query): each client keeps its best outcome.
func asked(n *facts.Name, client netip.Addr, outcome int) {
	cur, known := n.Outcome[client]
	if !known {
		n.AskerCount++
		if len(n.Outcome) >= maxNameAskers {
			return
		}
		n.Askers = append(n.Askers, client)
		cur = dnsNone
	}
	n.Outcome[client] = min(cur, outcome)
}

func addServer(n *facts.Name, s netip.Addr) {
	if !slices.Contains(n.Servers, s) && len(n.Servers) < maxNameServers {
		n.Servers = append(n.Servers, s)
	}
}

// addEvent keeps a query or an answer as evidence, up to maxNameEvidence.
func addEvent(n *facts.Name, e facts.DNSEvent) {
	if len(n.Events)-n.Copies < maxNameEvidence {
		n.Events = append(n.Events, e)
	}
}

// addCopy keeps a copy of a query or an answer seen at another vantage than the query's first
// as evidence, up to maxNameEvidence of them.
func addCopy(n *facts.Name, e facts.DNSEvent) {
	if n.Copies < maxNameEvidence {
		n.Events = append(n.Events, e)
		n.Copies++
	}
}

func dnsOutcomeOf(rc dnsmessage.RCode) int {
	switch rc {
	case dnsmessage.RCodeSuccess:
		return dnsResolved
	case dnsmessage.RCodeNameError:
		return dnsNXDomain
	case dnsmessage.RCodeServerFailure:
		return dnsServFail
	case dnsmessage.RCodeRefused:
		return dnsRefused
	}
	return dnsOtherRCode
}

// answerAddrs reads the A and AAAA records of an answer section (CNAME chains are followed by the
// server: the addresses come in the same answer).
func answerAddrs(p *dnsmessage.Parser) []netip.Addr {
	if p.SkipAllQuestions() != nil {
		return nil
	}
	var out []netip.Addr
	for range 64 {
		h, err := p.AnswerHeader()
		if err != nil {
			break
		}
		switch h.Type {
		case dnsmessage.TypeA:
			r, err := p.AResource()
			if err != nil {
				return out
			}
			out = append(out, netip.AddrFrom4(r.A))
		case dnsmessage.TypeAAAA:
			r, err := p.AAAAResource()
			if err != nil {
				return out
			}
			out = append(out, netip.AddrFrom16(r.AAAA))
		default:
			if p.SkipAnswer() != nil {
				return out
			}
		}
	}
	return out
}

// Names returns the names whose lookups the capture showed, in order of their first query, with
// the queries still unanswered filed under their names (in frame order), and how many queries or
// names were not followed because a bound was reached. Call it once, at the end.
func (d *Table) Names() ([]*facts.Name, int) {
	for _, p := range d.pending {
		if !p.answered {
			p.name.Unanswered = append(p.name.Unanswered, facts.DNSQuery{Client: p.client, Vantage: p.vantage, At: p.at, Last: p.last, Retries: p.retries,
				AnswerAt: p.answerAt})
		}
	}
	for _, n := range d.order {
		slices.SortFunc(n.Unanswered, func(x, y facts.DNSQuery) int { return x.At.Num() - y.At.Num() })
	}
	d.pending = nil
	return d.order, d.dropped
}
