package analyze

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// aggregate gathers, across every flow of the capture, what each server was seen to accept, and
// counts the flows that are not listed one by one.
type aggregate struct {
	servers       map[netip.AddrPort]*serverFacts
	unlisted      map[unlistedKey]int
	agents        map[agentKey]int // every flow, for the fleet view (fleet.go)
	maxAgents     int              // most distinct keys in agents (Options.MaxAgentKeys)
	agentsDropped int              // flows past maxAgents distinct keys
	path          pathAggregate    // server TTLs and connection attempts (pathinfer.go)
}

// serverFacts is what one server:port did across the capture.
type serverFacts struct {
	accepted map[tls.Version]int        // versions chosen in a ServerHello
	ciphers  map[tls.CipherSuite]int    // cipher suites chosen
	example  map[tls.Version]acceptance // the first flow that shows each accepted version
	tlsSeen  bool                       // some flow spoke TLS with it
	// text is acceptedText's, kept while textOK: every flow of the server quotes it.
	text   string
	textOK bool
}

// acceptance is one ServerHello that shows a server accepting a version: evidence for other flows.
type acceptance struct {
	flowID int
	client netip.AddrPort
	hello  ref
}

// unlistedKey groups the flows past MaxFlows by what the cross-flow pass needs.
type unlistedKey struct {
	server         netip.AddrPort
	verdict        result.Verdict
	highest        tls.Version
	versionSuspect bool
	plainText      bool
}

func (g *aggregate) init(maxAgents int) {
	g.maxAgents = maxAgents
	g.servers = make(map[netip.AddrPort]*serverFacts)
	g.unlisted = make(map[unlistedKey]int)
	g.agents = make(map[agentKey]int)
	g.path.init()
}

func (g *aggregate) server(ap netip.AddrPort) *serverFacts {
	s := g.servers[ap]
	if s == nil {
		s = &serverFacts{accepted: map[tls.Version]int{}, ciphers: map[tls.CipherSuite]int{}, example: map[tls.Version]acceptance{}}
		g.servers[ap] = s
	}
	return s
}

// observe records what a finished flow shows about its server.
func (g *aggregate) observe(f *flow) {
	g.path.observe(f)
	s := g.server(f.server)
	if f.tls.isTLS() {
		s.tlsSeen = true
	}
	if sh := f.tls.sh; sh != nil {
		v := sh.ChosenVersion()
		s.accepted[v]++
		s.textOK = false
		if !sh.SSLv2 {
			s.ciphers[sh.CipherSuite]++
		}
		// The lowest flow id, whatever order flows finish in, so reports are reproducible.
		if ex, ok := s.example[v]; !ok || f.id < ex.flowID {
			s.example[v] = acceptance{flowID: f.id, client: f.client, hello: f.tls.shRef}
		}
	}
}

func (g *aggregate) countUnlisted(f *flow) {
	g.unlisted[unlistedKey{server: f.server, verdict: f.diag.verdict, highest: f.diag.highest,
		versionSuspect: f.diag.versionSuspect, plainText: f.diag.plainText}]++
}

// lowestAccepted returns the lowest version the server chose for any client, by rank.
func (s *serverFacts) lowestAccepted() (tls.Version, bool) {
	var low tls.Version
	found := false
	for v := range s.accepted {
		if v.Rank() == 0 {
			continue
		}
		if !found || v.Rank() < low.Rank() {
			low, found = v, true
		}
	}
	return low, found
}

// acceptedList names the accepted versions, lowest first.
func (s *serverFacts) acceptedList() []tls.Version {
	vs := make([]tls.Version, 0, len(s.accepted))
	for v := range s.accepted {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool {
		return vs[i].Rank() < vs[j].Rank() || (vs[i].Rank() == vs[j].Rank() && vs[i] < vs[j])
	})
	return vs
}

func (s *serverFacts) acceptedText() string {
	if !s.textOK {
		s.text, s.textOK = s.describeAccepted(), true
	}
	return s.text
}

func (s *serverFacts) describeAccepted() string {
	var parts []string
	for _, v := range s.acceptedList() {
		parts = append(parts, fmt.Sprintf("%s in %d handshake(s), e.g. flow #%d", v, s.accepted[v], s.example[v].flowID))
	}
	return strings.Join(parts, "; ")
}

// mismatch reports whether a client whose highest version is highest cannot meet this server:
// the server chose only versions above it for other clients.
func (s *serverFacts) mismatch(highest tls.Version) bool {
	low, ok := s.lowestAccepted()
	return ok && highest.Rank() > 0 && highest.Rank() < low.Rank()
}

// infer revisits a flow's first-pass verdict with what the whole capture showed about its server.
func (a *Analyzer) infer(f *flow) {
	s := a.agg.servers[f.server]
	d := &f.diag
	switch {
	case d.versionSuspect && s != nil && s.mismatch(d.highest):
		prev := d.verdict
		d.verdict = result.VerdictTLSVersionMismatch
		d.reason = fmt.Sprintf("the client offers at most %s, but this server chose only higher versions for other clients in this capture (%s); it %s",
			d.highest, s.acceptedText(), strings.TrimPrefix(d.reason, "the server "))
		for _, v := range s.acceptedList() {
			ex := s.example[v]
			d.evidence = append(d.evidence, result.Evidence{Frame: ex.hello.num(), Time: ex.hello.time(), Flow: ex.flowID,
				Text: fmt.Sprintf("ServerHello choosing %s for another client, %s (flow #%d): the server accepts %s, not this client's %s (%s on its own)",
					v, addr(ex.client), ex.flowID, v, d.highest, prev)})
		}
	case d.verdict == result.VerdictTLSVersionMismatch && s != nil && len(s.accepted) > 0:
		d.reason += fmt.Sprintf("; this server chose %s for other clients", s.acceptedText())
	case d.verdict == result.VerdictTLSVersionMismatch:
		d.reason += "; no other flow in this capture shows which versions this server accepts"
	case d.plainText && s != nil && s.tlsSeen:
		d.verdict = result.VerdictNotTLS
		d.reason = fmt.Sprintf("the client did not speak TLS to %s, where other clients in this capture did", f.shared.serverText(f.server))
	}
}

// inferUnlisted applies the same revision to the counted, unlisted flows.
func (a *Analyzer) inferUnlisted() map[result.Verdict]map[netip.AddrPort]int {
	out := map[result.Verdict]map[netip.AddrPort]int{}
	for k, n := range a.agg.unlisted {
		v := a.revisedVerdict(k.server, k.verdict, k.highest, k.versionSuspect, k.plainText)
		if out[v] == nil {
			out[v] = map[netip.AddrPort]int{}
		}
		out[v][k.server] += n
	}
	return out
}

func versionNames(vs []tls.Version) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.String()
	}
	return strings.Join(names, ", ")
}
