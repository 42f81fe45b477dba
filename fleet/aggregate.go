// Package fleet infers across connections: what each server was seen to accept and refuse, the
// TTL of each server host's own packets, each client's repeated attempts, and the agents grouped
// by what they offer and how they fare. It takes every connection's record and first diagnosis
// as they finish, keeps aggregates whose size grows with the number of distinct servers, agents
// and behaviours (not of connections), and gives the diagnosis its cross-connection Context and
// the result its fleet view.
package fleet

import (
	"net/netip"
	"sort"

	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/diagnose/scan"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// Aggregate gathers, across every connection of the capture, what the cross-connection
// inference and the fleet view need. It is not safe for concurrent use.
type Aggregate struct {
	ctx      diagnose.Context
	ciphers  map[netip.AddrPort]map[tls.CipherSuite]int // cipher suites each server chose
	unlisted map[unlistedKey]int
	// unlistedProbes are the unlisted probes of the pairs ctx.Scans counts: a port scan revises
	// them; a pair forgotten moves them to unlisted.
	unlistedProbes map[scan.Key]map[unlistedKey]int
	// unlistedSweeps are the other unlisted probes of the pairs ctx.Sweeps counts: a sweep
	// revises them; a pair forgotten moves them to unlisted.
	unlistedSweeps map[scan.SweepKey]map[unlistedKey]int
	// scanPurgeWait and sweepPurgeWait count the probes that wait before ctx.Scans or
	// ctx.Sweeps is purged again (purgeWhenFull).
	scanPurgeWait, sweepPurgeWait int
	agents                        map[agentKey]int        // every connection, for the fleet view (fleet.go)
	maxAgents                     int                     // most distinct keys in agents
	offered                       map[*facts.Hello]string // offeredComma of the hellos seen, a few thousand at most (interned hellos)
	agentsDropped                 int                     // connections past maxAgents distinct keys
	probes                        map[probeKey]*probeSeen // Heartbleed probes, per prober and server (probes.go)
}

// unlistedKey groups the connections that are not listed by what the revision of their verdict
// needs.
type unlistedKey struct {
	server netip.AddrPort
	first  diagnose.First
	// refusal is what the forged-reset check reads of a refused connection's record (the TTL of
	// the reset that answered its SYN): a refused first verdict makes at most 257 keys per server
	// (256 TTLs, and none), whatever the number of connections.
	refusal diagnose.Refusal
	// forged is the side (+1) a reset forged in c's own packets, or the refusal's, carried
	// (diagnose.ForgedSide): 0, 1 or 2, so at most 3 keys for each of the others.
	forged int8
}

// MaxScanPairs bounds the pairs of addresses whose probes are counted to find port scans: when
// it is reached, the pairs that probed one port only are forgotten (purgeWhenFull).
const MaxScanPairs = 1024

// MaxSweepPairs bounds the pairs of address and port whose attempts are counted to find sweeps
// across hosts: when it is reached, the pairs that probed one host only are forgotten
// (purgeWhenFull).
const MaxSweepPairs = 1024

// New returns an empty Aggregate whose fleet view keeps at most maxAgents distinct combinations
// of agent, server, versions, fingerprints and outcome (about 200 bytes each).
func New(maxAgents int) *Aggregate {
	return &Aggregate{
		ctx: diagnose.Context{Servers: map[netip.AddrPort]*diagnose.ServerSeen{}, ServerTTL: map[netip.Addr]diagnose.TTLSeen{},
			Attempts: map[diagnose.Attempt]diagnose.Attempts{}},
		ciphers:        map[netip.AddrPort]map[tls.CipherSuite]int{},
		unlisted:       map[unlistedKey]int{},
		unlistedProbes: map[scan.Key]map[unlistedKey]int{},
		unlistedSweeps: map[scan.SweepKey]map[unlistedKey]int{},
		agents:         map[agentKey]int{},
		maxAgents:      maxAgents,
	}
}

// Observe records what a finished connection showed, with its first diagnosis (without context).
func (g *Aggregate) Observe(c *facts.Conn, d *diagnose.First) {
	if d.Probe {
		purgeWhenFull(&g.scanPurgeWait, len(g.ctx.Scans.Pairs), MaxScanPairs, func() int {
			g.ctx.Scans.PurgeSingles(g.forgetPair)
			return len(g.ctx.Scans.Pairs)
		})
		g.ctx.Scans.AddProbe(c.Client.Addr(), c.Server, probeAnswer(c, d), scan.At{Ref: c.First, Vantage: c.Vantage}, MaxScanPairs)
	}
	g.observeSweep(c, d)
	g.observeServer(c)
	g.observePath(c)
	g.observeAgent(c, d)
	g.observeProbe(c, d)
}

// Unlisted counts a connection that the result does not list one by one, so that its verdict,
// revised with the whole capture, still counts in the summary.
func (g *Aggregate) Unlisted(c *facts.Conn, d *diagnose.First) {
	k := unlistedKey{server: c.Server, first: *d, refusal: diagnose.RefusalOf(c, *d), forged: diagnose.ForgedSide(c, *d)}
	if pk := (scan.Key{Client: c.Client.Addr(), Server: c.Server.Addr()}); d.Probe && g.ctx.Scans.Pairs[pk] != nil {
		if g.unlistedProbes[pk] == nil {
			g.unlistedProbes[pk] = map[unlistedKey]int{}
		}
		g.unlistedProbes[pk][k]++
		return
	}
	if d.Probe {
		g.unlistedSweep(c.Client.Addr(), k, 1)
		return
	}
	g.unlisted[k]++
}

// unlistedSweep counts n unlisted probes from client with the pair of client and port that
// ctx.Sweeps counts, or with the other unlisted connections when it counts none.
func (g *Aggregate) unlistedSweep(client netip.Addr, k unlistedKey, n int) {
	sk := scan.SweepKey{Client: client, Port: k.server.Port()}
	if g.ctx.Sweeps.Pairs[sk] == nil {
		g.unlisted[k] += n
		return
	}
	if g.unlistedSweeps[sk] == nil {
		g.unlistedSweeps[sk] = map[unlistedKey]int{}
	}
	g.unlistedSweeps[sk][k] += n
}

// purgeWhenFull purges a table of size pairs when it holds max (purge walks every pair and
// returns the size left). When a purge freed less than a quarter of it (pairs that stay hold the
// rest), the next max/4 calls wait (the table stays full: their new pairs are turned away), so
// walks stay one per max/4 connections, not one per connection.
func purgeWhenFull(wait *int, size, max int, purge func() int) {
	switch {
	case size < max:
	case *wait > 0:
		*wait--
	case purge() >= max*3/4:
		*wait = max / 4
	}
}

// forgetPair moves the unlisted probes of a pair ctx.Scans forgets (one port only: no scan) to
// those of their sweep's pair, or to the other unlisted connections.
func (g *Aggregate) forgetPair(k scan.Key, _ *scan.Seen) {
	for uk, n := range g.unlistedProbes[k] {
		g.unlistedSweep(k.Client, uk, n)
	}
	delete(g.unlistedProbes, k)
}

// forgetSweep moves the unlisted probes of a pair ctx.Sweeps forgets (one host only: no sweep)
// to the other unlisted connections.
func (g *Aggregate) forgetSweep(k scan.SweepKey, _ *scan.Sweep) {
	for uk, n := range g.unlistedSweeps[k] {
		g.unlisted[uk] += n
	}
	delete(g.unlistedSweeps, k)
}

// probeAnswer is what a probe got: a SYN-ACK, a RST only, an ICMP error from the path only, or
// nothing (the port scan rule counts an ICMP error as nothing).
func probeAnswer(c *facts.Conn, d *diagnose.First) scan.Answer {
	switch {
	case c.SYNAck.Seen():
		return scan.Open
	case d.Verdict == result.VerdictRefused:
		return scan.Refused
	case len(c.ICMP()) > 0:
		return scan.Unreachable
	}
	return scan.Silent
}

// observeSweep counts a connection begun with a SYN with the attempts of its client on its port
// across hosts: a probe with the host and what it answered, one that carried data as talk.
func (g *Aggregate) observeSweep(c *facts.Conn, d *diagnose.First) {
	if c.SYNCount == 0 {
		return
	}
	purgeWhenFull(&g.sweepPurgeWait, len(g.ctx.Sweeps.Pairs), MaxSweepPairs, func() int {
		g.ctx.Sweeps.PurgeSingles(g.forgetSweep)
		return len(g.ctx.Sweeps.Pairs)
	})
	if !d.Probe {
		g.ctx.Sweeps.AddTalk(c.Client.Addr(), c.Server.Port(), MaxSweepPairs)
		return
	}
	answer := probeAnswer(c, d)
	g.ctx.Sweeps.AddProbe(c.Client.Addr(), c.Server, answer, int(c.SYNCount), scan.At{Ref: c.First, Vantage: c.Vantage}, sweepProbe(c, answer), MaxSweepPairs)
}

// sweepProbe is a probe as the sweep rule reads it (scan.Sweep.Evidence): its source port, its
// first and last SYN, and whether it got no answer at all (no ICMP error either).
func sweepProbe(c *facts.Conn, answer scan.Answer) scan.Probe {
	p := scan.Probe{Port: c.Client.Port(), Quiet: answer == scan.Silent}
	if n := len(c.SYNs); n > 0 {
		p.First, p.Last = scan.At{Ref: c.SYNs[0], Vantage: c.Vantage}, scan.At{Ref: c.SYNs[n-1], Vantage: c.Vantage}
	}
	return p
}

// Context is the cross-connection context for the diagnosis: complete once every connection has
// been observed.
func (g *Aggregate) Context() *diagnose.Context { return &g.ctx }

// AgentsDropped counts the connections the fleet view left out past its bound.
func (g *Aggregate) AgentsDropped() int { return g.agentsDropped }

func (g *Aggregate) server(ap netip.AddrPort) *diagnose.ServerSeen {
	s := g.ctx.Servers[ap]
	if s == nil {
		s = &diagnose.ServerSeen{Accepted: map[tls.Version]int{}, Example: map[tls.Version]diagnose.Acceptance{},
			Hosts: map[netip.Addr]int{}, Suites: map[tls.CipherSuite]int{}}
		g.ctx.Servers[ap] = s
		g.ciphers[ap] = map[tls.CipherSuite]int{}
	}
	return s
}

// observeServer records what a connection shows about its server.
func (g *Aggregate) observeServer(c *facts.Conn) {
	s := g.server(c.Server)
	x := c.TLS
	if x.IsTLS() {
		s.TLSSeen = true
	}
	if x == nil || x.ServerHello == nil {
		return
	}
	sh := x.ServerHello.SH
	v := sh.ChosenVersion()
	s.Accepted[v]++
	s.CountHost(c.Client.Addr())
	if !sh.SSLv2 {
		g.ciphers[c.Server][sh.CipherSuite]++
		s.Suites[sh.CipherSuite]++
	}
	// The lowest connection ID, whatever order connections finish in, so reports are reproducible.
	if ex, ok := s.Example[v]; !ok || c.ID < ex.ConnID {
		s.Example[v] = diagnose.Acceptance{ConnID: c.ID, Client: c.Client, Hello: x.SHRef}
	}
	if x.STARTTLS {
		s.SeeStartTLS(diagnose.Acceptance{ConnID: c.ID, Client: c.Client, Hello: x.SHRef})
	}
}

// Revised returns, per revised verdict and server, the counts of the unlisted connections: the
// verdicts diagnose.Final gives the records (the forged-reset check reads the refusal kept).
func (g *Aggregate) Revised() map[result.Verdict]map[netip.AddrPort]int {
	out := map[result.Verdict]map[netip.AddrPort]int{}
	add := func(client netip.Addr, k unlistedKey, n int) {
		v := diagnose.ReviseRefusal(&g.ctx, client, k.server, k.first, k.refusal)
		if out[v] == nil {
			out[v] = map[netip.AddrPort]int{}
		}
		out[v][k.server] += n
	}
	g.eachUnlisted(add)
	return out
}

// RevisedResets counts, per server, the unlisted connections whose revised verdict is
// middlebox-reset by the side whose address the forged reset carried (as Revised revises them):
// what the unlisted group's next step names.
func (g *Aggregate) RevisedResets() map[netip.AddrPort]*result.ResetSides {
	out := map[netip.AddrPort]*result.ResetSides{}
	add := func(client netip.Addr, k unlistedKey, n int) {
		if k.forged == 0 || diagnose.ReviseRefusal(&g.ctx, client, k.server, k.first, k.refusal) != result.VerdictMiddleboxReset {
			return
		}
		rs := out[k.server]
		if rs == nil {
			rs = &result.ResetSides{}
			out[k.server] = rs
		}
		if k.forged-1 == facts.Client {
			rs.Client += n
		} else {
			rs.Server += n
		}
	}
	g.eachUnlisted(add)
	return out
}

// Accepted returns the versions (lowest first) and cipher suites (by code) a server chose.
func (g *Aggregate) Accepted(server netip.AddrPort) ([]tls.Version, []tls.CipherSuite) {
	s := g.ctx.Servers[server]
	if s == nil {
		return nil, nil
	}
	cs := make([]tls.CipherSuite, 0, len(g.ciphers[server]))
	for c := range g.ciphers[server] {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] })
	return s.AcceptedList(), cs
}

// HasServer reports whether any connection to server was observed.
func (g *Aggregate) HasServer(server netip.AddrPort) bool { return g.ctx.Servers[server] != nil }

// ServerAddrs reports whether addr is the address of a server some connection went to.
func (g *Aggregate) ServerAddrs() map[netip.Addr]bool {
	out := make(map[netip.Addr]bool, len(g.ctx.Servers))
	for s := range g.ctx.Servers {
		out[s.Addr()] = true
	}
	return out
}

// eachUnlisted calls f with each group of unlisted connections: the client that matters to their
// revision (a port scan's or a sweep's prober; none for the others), their key and how many.
func (g *Aggregate) eachUnlisted(f func(client netip.Addr, k unlistedKey, n int)) {
	for k, n := range g.unlisted {
		f(netip.Addr{}, k, n)
	}
	for pk, m := range g.unlistedProbes {
		for k, n := range m {
			f(pk.Client, k, n)
		}
	}
	for sk, m := range g.unlistedSweeps {
		for k, n := range m {
			f(sk.Client, k, n)
		}
	}
}
