package fleet

import (
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// agentKey is what the fleet view needs of one flow; flows alike are counted together, so memory
// grows with the number of distinct agents and behaviours, not of flows.
type agentKey struct {
	client   netip.Addr
	server   netip.AddrPort
	offered  string // offered versions, lowest first, joined with ","
	highest  tls.Version
	chosen   tls.Version // 0 without a ServerHello
	ja3, ja4 string
	first    diagnose.First // the first pass
	// refusal is what the forged-reset check reads of a refused connection (diagnose.RefusalOf),
	// so that a connection not listed counts the verdict it would list.
	refusal diagnose.Refusal
	// final is the verdict the whole analysis gave a listed connection, where the aggregate's own
	// revision of first does not give it (Settle); "" otherwise.
	final result.Verdict

	// established: the TLS handshake completed (diagnose.Established), whatever came after it.
	established bool
}

// observeAgent files a finished connection for the fleet view.
func (g *Aggregate) observeAgent(c *facts.Conn, d *diagnose.First) {
	k := g.agentKeyOf(c, d)
	if len(g.agents) >= g.maxAgents { // a key of several strings: hashed once while there is room
		if _, ok := g.agents[k]; !ok {
			g.agentsDropped++
			return
		}
	}
	g.agents[k]++
}

// agentKeyOf is the fleet view's key of a connection with its first diagnosis d.
func (g *Aggregate) agentKeyOf(c *facts.Conn, d *diagnose.First) agentKey {
	k := agentKey{client: c.Client.Addr(), server: c.Server, highest: d.Highest, first: *d, refusal: diagnose.RefusalOf(c, *d)}
	if x := c.TLS; x != nil && x.Hello != nil {
		k.offered = g.offeredOf(x.Hello)
		k.ja3, k.ja4 = x.Hello.JA3, x.Hello.JA4
	}
	if x := c.TLS; x != nil && x.ServerHello != nil {
		k.chosen = x.ServerHello.SH.ChosenVersion()
		k.established = diagnose.Established(c)
	}
	return k
}

// Verdict is the verdict the fleet view counts a connection with first diagnosis d and refusal
// r (diagnose.RefusalOf) at, from client to server, unless Settle gave it another: its first
// verdict revised with the whole capture's context (diagnose.ReviseRefusal), as diagnose.Final
// revises it.
func (g *Aggregate) Verdict(client netip.Addr, server netip.AddrPort, d diagnose.First, r diagnose.Refusal) result.Verdict {
	return diagnose.ReviseRefusal(&g.ctx, client, server, d, r)
}

// Settle counts an observed connection c, with first diagnosis d, at the verdict v the analysis
// finally gave it, where that is not Verdict's: its other vantages' views, or the context of its
// own vantage, revise a verdict further than the aggregate can (a reset forged in the server's
// name, diagnose.Final, the aggregate checks itself with the refusal it keeps: a connection not
// listed, which is never settled, counts it too). Every roll-up of the fleet view (agents, fingerprints, fleet groups,
// server policies) then counts the verdict the flow lists. A connection left out past the bound
// stays out; the keys may exceed the bound by the connections settled (listed ones only).
func (g *Aggregate) Settle(c *facts.Conn, d *diagnose.First, v result.Verdict) {
	k := g.agentKeyOf(c, d)
	n, ok := g.agents[k]
	if !ok {
		return
	}
	if n <= 1 {
		delete(g.agents, k)
	} else {
		g.agents[k] = n - 1
	}
	k.final = v
	g.agents[k]++
}

// maxOfferedKept bounds the hellos whose offeredComma the aggregate keeps.
const maxOfferedKept = 4096

// offeredOf is offeredComma(h), made once for each of the first maxOfferedKept hellos: the
// connections of a capture share a few (tracking interns them), and joining the names costs
// allocations for each connection.
func (g *Aggregate) offeredOf(h *facts.Hello) string {
	if s, ok := g.offered[h]; ok {
		return s
	}
	s := offeredComma(h)
	if g.offered == nil {
		g.offered = map[*facts.Hello]string{}
	}
	if len(g.offered) < maxOfferedKept {
		g.offered[h] = s
	}
	return s
}

// offeredComma joins the names of the versions a ClientHello offers with ",".
func offeredComma(h *facts.Hello) string {
	var b strings.Builder
	for i, v := range h.Offered {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// refusal reports whether a verdict means the server refused the ClientHello.
func refusal(v result.Verdict) bool {
	switch v {
	case result.VerdictTLSVersionMismatch, result.VerdictTLSHandshakeFailure, result.VerdictServerResetAfterClientHello,
		result.VerdictServerClosedAfterClientHello, result.VerdictNoServerHello:
		return true
	}
	return false
}

type agentFacts struct {
	flows, failed int
	offered       map[tls.Version]bool
	chosen        map[tls.Version]bool
	verdicts      map[result.Verdict]int
	ja3, ja4      map[string]bool
	servers       map[netip.AddrPort]bool
	listener      int // flows to agents' listener ports: the client notifying agents
}

type serverPolicy struct {
	// ok counts the completed handshakes per chosen version: verdict ok, or a handshake that
	// completed before the connection failed (a reset, a blackhole, an HTTP error after it).
	ok       map[tls.Version]int
	refused  map[tls.Version]int // refused ClientHellos per highest offered version
	refusals map[refusalKey]*refusalCount
	tls      bool // some client sent it a ClientHello
	perAgent map[netip.Addr]*agentOutcome
	// listener: it is an agents' listener port, its clients the servers notifying the agent.
	listener bool

	// chose counts the ServerHellos per chosen version's family (a TLS 1.3 draft counts as TLS
	// 1.3), completed or not, with the fingerprints of the ClientHellos they answered.
	chose map[tls.Version]*choiceCount
	// passedOver counts, per offered version's family, the ServerHellos that chose a lower
	// version for a client that offered it: the server did not take it when it could.
	passedOver map[tls.Version]*choiceCount
	// passedUp counts, per offered version's family, the ServerHellos that chose a higher
	// version, and refusedOffer the ClientHellos offering it that the server refused: with chose
	// and passedOver, every handshake that offered the version (policy.split counts them all).
	passedUp     map[tls.Version]*choiceCount
	refusedOffer map[tls.Version]int
	// tested are the version families some client put to the server: chosen, passed over, or
	// offered in a ClientHello it refused.
	tested map[tls.Version]bool
}

// choiceCount counts handshakes, the versions chosen in them and the JA4 fingerprints of their
// ClientHellos.
type choiceCount struct {
	n      int
	chosen map[tls.Version]bool
	ja4    map[string]bool
}

func (c *choiceCount) add(n int, chosen tls.Version, ja4 string) {
	c.n += n
	c.chosen[chosen] = true
	if ja4 != "" {
		c.ja4[ja4] = true
	}
}

// family is the version a version counts as when saying what a server was offered and chose: a
// TLS 1.3 draft counts as TLS 1.3.
func family(v tls.Version) tls.Version {
	if v>>8 == 0x7f {
		return tls.VersionTLS13
	}
	return v
}

// observeVersions files what one kind of handshake shows of the server's versions: n handshakes
// offering offered (names joined with ","), with the ServerHello choosing chosen (0: none) and,
// refused, a ClientHello the server refused.
func (p *serverPolicy) observeVersions(n int, offered string, chosen tls.Version, refused bool, ja4 string) {
	var vs []tls.Version
	if offered != "" {
		for _, name := range strings.Split(offered, ",") {
			if v, ok := tls.ParseVersion(name); ok && v.Rank() > 0 {
				vs = append(vs, v)
			}
		}
	}
	if chosen != 0 {
		f := family(chosen)
		p.tested[f] = true
		c := p.chose[f]
		if c == nil {
			c = &choiceCount{chosen: map[tls.Version]bool{}, ja4: map[string]bool{}}
			p.chose[f] = c
		}
		c.add(n, chosen, ja4)
		seen := map[tls.Version]bool{}
		for _, v := range vs {
			f2 := family(v)
			if f2 == f || seen[f2] {
				continue
			}
			seen[f2] = true
			to := p.passedOver
			if v.Rank() < chosen.Rank() {
				to = p.passedUp // offered, but the server chose a higher version
			} else {
				p.tested[f2] = true
			}
			c := to[f2]
			if c == nil {
				c = &choiceCount{chosen: map[tls.Version]bool{}, ja4: map[string]bool{}}
				to[f2] = c
			}
			c.add(n, chosen, ja4)
		}
		return
	}
	if refused {
		seen := map[tls.Version]bool{}
		for _, v := range vs {
			f2 := family(v)
			p.tested[f2] = true
			if !seen[f2] {
				seen[f2] = true
				p.refusedOffer[f2] += n
			}
		}
	}
}

// refusalKey groups refused ClientHellos by their highest version and by whether the server
// named a cipher problem (handshake_failure, insufficient_security) or gave no reason.
type refusalKey struct {
	highest tls.Version
	cipher  bool
}

type refusalCount struct {
	hellos int
	agents map[netip.Addr]bool
}

type agentOutcome struct {
	highest   tls.Version
	flows, ok int
	failed    int
	// late counts the failed flows whose TLS handshake had completed: they failed after it, so
	// the versions offered did not cause them.
	late int
	// versionish counts the failed flows that the versions may explain: a version mismatch, or a
	// ClientHello refused before any ServerHello (refusal).
	versionish int
	// failedWith counts the failed flows by verdict (few distinct ones per agent and server).
	failedWith []verdictCount
	// kinds counts the flows by the highest version their ClientHello offered (few distinct ones
	// per agent and server): an agent that sends two kinds may fail with one only.
	kinds []helloKind
}

// helloKind counts an agent's flows to a server whose ClientHellos offered at most one version.
type helloKind struct {
	highest               tls.Version
	flows, ok, versionish int
}

// addKind counts n flows whose ClientHello offered at most highest: ok ones, and failed ones the
// versions may explain (versionish).
func (ao *agentOutcome) addKind(highest tls.Version, n int, ok, versionish bool) {
	i := slices.IndexFunc(ao.kinds, func(k helloKind) bool { return k.highest == highest })
	if i < 0 {
		ao.kinds = append(ao.kinds, helloKind{highest: highest})
		i = len(ao.kinds) - 1
	}
	k := &ao.kinds[i]
	k.flows += n
	if ok {
		k.ok += n
	}
	if versionish {
		k.versionish += n
	}
}

// splitByVersion reports whether the agent sends two kinds of ClientHello, by the highest version
// they offer, and those of the lower one all fail in a way the versions may explain while those
// of the higher one all succeed: its failures are its ClientHellos offering at most low.
func (ao *agentOutcome) splitByVersion() (low, high helloKind, ok bool) {
	if len(ao.kinds) != 2 || ao.ok+ao.failed != ao.flows {
		return low, high, false
	}
	low, high = ao.kinds[0], ao.kinds[1]
	if low.highest.Rank() > high.highest.Rank() {
		low, high = high, low
	}
	ok = low.highest.Rank() > 0 && low.highest.Rank() < high.highest.Rank() &&
		low.versionish == low.flows && low.ok == 0 && high.ok == high.flows
	return low, high, ok
}

type verdictCount struct {
	verdict result.Verdict
	n       int
}

// versionMayExplain reports whether the versions may explain a failed flow with verdict v that
// chose version chosen (0: no ServerHello): a version mismatch, or a ClientHello the server
// refused without a ServerHello.
func versionMayExplain(v result.Verdict, chosen tls.Version) bool {
	return v == result.VerdictTLSVersionMismatch || refusal(v) && chosen == 0
}

// addFailed counts n failed flows with verdict v.
func (ao *agentOutcome) addFailed(v result.Verdict, n int) {
	for i := range ao.failedWith {
		if ao.failedWith[i].verdict == v {
			ao.failedWith[i].n += n
			return
		}
	}
	ao.failedWith = append(ao.failedWith, verdictCount{v, n})
}

// failedVerdicts are the verdicts of the failed flows, most frequent first.
func (ao *agentOutcome) failedVerdicts() []result.Verdict {
	vs := slices.Clone(ao.failedWith)
	slices.SortFunc(vs, func(a, b verdictCount) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(string(a.verdict), string(b.verdict))
	})
	out := make([]result.Verdict, len(vs))
	for i, v := range vs {
		out[i] = v.verdict
	}
	return out
}

// fpKey is a fingerprint group's key: the fingerprints, and whether its clients are servers
// notifying agents (a connection to an agents' listener port), which the group counts apart
// from the agents.
type fpKey struct {
	ja4, ja3 string
	listener bool
}

type fpFacts struct {
	agents        map[netip.Addr]bool
	flows, failed int
	highest       tls.Version
}

// Fleet fills the summary's agents, fingerprint groups, fleet groups and server policies, with
// every verdict revised by the whole capture's context. Call it once every connection has been
// observed.
func (g *Aggregate) Fleet(sum *result.Summary) {
	listed := listedAgents(g.agents)
	agents := make(map[netip.Addr]*agentFacts, len(listed))
	policies := map[netip.AddrPort]*serverPolicy{}
	fps := map[fpKey]*fpFacts{}
	probes := map[netip.AddrPort]map[netip.Addr]int{} // flows of each Heartbleed prober, per server
	// Each key adds at most one agentOutcome: take them from one slice, not one allocation each.
	outcomes := make([]agentOutcome, len(g.agents))
	for k, n := range g.agents {
		v := k.final
		if v == "" {
			v = g.Verdict(k.client, k.server, k.first, k.refusal)
		}
		if v == result.VerdictPortScan {
			continue // a scanner is no agent
		}
		// A Heartbleed probe is no agent either: its server's policy counts what the server
		// chose, and its own fleet group names its host (probeGroup); no agent, fingerprint or
		// other fleet group counts it.
		prober := v == result.VerdictHeartbleedProbe
		if prober {
			pr := probes[k.server]
			if pr == nil {
				pr = map[netip.Addr]int{}
				probes[k.server] = pr
			}
			pr[k.client] += n
		}
		ag := agents[k.client]
		if ag == nil && listed[k.client] && !prober {
			ag = &agentFacts{offered: map[tls.Version]bool{}, chosen: map[tls.Version]bool{}, verdicts: map[result.Verdict]int{},
				ja3: map[string]bool{}, ja4: map[string]bool{}, servers: map[netip.AddrPort]bool{}}
			agents[k.client] = ag
		}
		if ag != nil && !prober {
			ag.flows += n
			if v.Failed() {
				ag.failed += n
			}
			ag.verdicts[v] += n
			ag.servers[k.server] = true
			if k.first.AgentListener {
				ag.listener += n
			}
			if k.offered != "" {
				for _, name := range strings.Split(k.offered, ",") {
					if ver, ok := tls.ParseVersion(name); ok {
						ag.offered[ver] = true
					}
				}
			}
			if k.chosen != 0 {
				ag.chosen[k.chosen] = true
			}
			if k.ja3 != "" {
				ag.ja3[k.ja3] = true
			}
			if k.ja4 != "" {
				ag.ja4[k.ja4] = true
			}
		}

		p := policies[k.server]
		if p == nil {
			p = &serverPolicy{ok: map[tls.Version]int{}, refused: map[tls.Version]int{}, refusals: map[refusalKey]*refusalCount{}, perAgent: map[netip.Addr]*agentOutcome{},
				chose: map[tls.Version]*choiceCount{}, passedOver: map[tls.Version]*choiceCount{}, passedUp: map[tls.Version]*choiceCount{},
				refusedOffer: map[tls.Version]int{}, tested: map[tls.Version]bool{}}
			policies[k.server] = p
		}
		p.listener = k.first.AgentListener
		if k.offered != "" || k.chosen != 0 {
			p.tls = true
		}
		if (v == result.VerdictOK || k.established) && k.chosen != 0 {
			p.ok[k.chosen] += n
		}
		p.observeVersions(n, k.offered, k.chosen, refusal(v) && k.chosen == 0 && k.highest != 0, k.ja4)
		if refusal(v) && k.chosen == 0 && k.highest != 0 {
			p.refused[k.highest] += n
			rk := refusalKey{k.highest, v == result.VerdictTLSHandshakeFailure}
			rc := p.refusals[rk]
			if rc == nil {
				rc = &refusalCount{agents: map[netip.Addr]bool{}}
				p.refusals[rk] = rc
			}
			rc.hellos += n
			rc.agents[k.client] = true
		}
		if prober {
			continue
		}
		ao := p.perAgent[k.client]
		if ao == nil {
			ao, outcomes = &outcomes[0], outcomes[1:]
			p.perAgent[k.client] = ao
		}
		if k.highest.Rank() > ao.highest.Rank() {
			ao.highest = k.highest
		}
		ao.flows += n
		ao.addKind(k.highest, n, v == result.VerdictOK, v.Failed() && versionMayExplain(v, k.chosen))
		if v == result.VerdictOK {
			ao.ok += n
		} else if v.Failed() {
			ao.failed += n
			if k.established {
				ao.late += n
			}
			if versionMayExplain(v, k.chosen) {
				ao.versionish += n
			}
			ao.addFailed(v, n)
		}

		if k.ja4 != "" || k.ja3 != "" {
			fk := fpKey{k.ja4, k.ja3, k.first.AgentListener}
			fp := fps[fk]
			if fp == nil {
				fp = &fpFacts{agents: map[netip.Addr]bool{}}
				fps[fk] = fp
			}
			fp.agents[k.client] = true
			fp.flows += n
			if v.Failed() {
				fp.failed += n
			}
			if k.highest.Rank() > fp.highest.Rank() {
				fp.highest = k.highest
			}
		}
	}

	sum.Agents = agentSummaries(agents)
	sum.Fingerprints = fingerprintGroups(fps)
	sum.Fleet = []result.FleetGroup{}
	for i := range sum.Servers {
		ss := &sum.Servers[i]
		ss.OKVersions, ss.RefusedHighestVersions = []result.VersionCount{}, []result.VersionCount{}
		ap, err := netip.ParseAddrPort(string(ss.Server))
		if err != nil {
			continue
		}
		p := policies[ap]
		if p == nil || !p.tls {
			continue // the fleet view is about TLS; plain-TCP servers have their verdict counts
		}
		ss.OKVersions = versionCounts(p.ok)
		for _, vc := range ss.OKVersions {
			ss.OKHandshakes += vc.Count
		}
		ss.RefusedHighestVersions = versionCounts(p.refused)
		ss.Policy = p.sentence(ss.OKHandshakes)
		sum.Fleet = append(sum.Fleet, fleetGroups(ss.Server, p.perAgent, p.listener)...)
		if pr := probes[ap]; pr != nil {
			sum.Fleet = append(sum.Fleet, probeGroup(ss.Server, pr))
		}
	}
}

// probeGroup is the fleet group of the hosts that sent server Heartbleed probes (flows per
// host): the group of outcome "heartbleed-probe", which calls them hosts, not agents.
func probeGroup(server result.HostPort, flows map[netip.Addr]int) result.FleetGroup {
	g := result.FleetGroup{Server: server, Outcome: "heartbleed-probe", AgentCount: len(flows), Agents: []result.IP{}}
	addrs := make([]netip.Addr, 0, len(flows))
	for ip, n := range flows {
		addrs = append(addrs, ip)
		g.Flows += n
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	var hosts []result.Message
	for _, ip := range addrs[:min(len(addrs), result.MaxGroupAgents)] {
		g.Agents = append(g.Agents, result.IP(ip.String()))
		hosts = append(hosts, result.Msg("agent", result.From("agent", result.IP(ip.String()))))
	}
	if len(addrs) > result.MaxGroupAgents {
		hosts = append(hosts, result.Msg("more"))
	}
	g.Text = result.Msg("fleet.group-heartbleed-probe", result.Int("n", g.AgentCount), result.Int("flows", g.Flows),
		result.List("agents", hosts)) // a probe is no failure (heartbleed-probe): failed stays 0
	return g
}

// standardVersions are the versions a server's policy sentence says were not tested when no
// client put them to it: the ones testssl.sh, the users' reference, reports for every server.
var standardVersions = []tls.Version{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

// sentence says what the capture shows of a server's versions, and no more: a passive capture
// sees only what the server chose from what clients offered. E.g. "accepted TLS 1.2 (chosen in
// 8 completed handshakes); refused 4 ClientHellos offering at most TLS 1.0 (4 agents); never
// chose TLS 1.3, though 3 handshakes offered it (it chose TLS 1.2 instead); TLS 1.1 not tested
// by any client".
func (p *serverPolicy) sentence(total int) result.Message {
	var parts []result.Message
	oks := sortedVersions(p.ok)
	switch len(oks) {
	case 0:
		// Say what the server chose even so: a ServerHello shows a version it accepts.
		chosen, n := map[tls.Version]bool{}, 0
		for _, c := range p.chose {
			n += c.n
			for v := range c.chosen {
				chosen[v] = true
			}
		}
		if n == 0 {
			parts = append(parts, result.Msg("policy.no-handshake"))
			break
		}
		parts = append(parts, result.Msg("policy.no-handshake-chose", versionsArg("versions", sortedVersions(chosen)), result.Int("n", n)))
	case 1:
		parts = append(parts, result.Msg("policy.accepted-one", result.Text("version", oks[0].String()), result.Int("n", total)))
	default:
		var each []result.Message
		for _, v := range oks {
			each = append(each, result.Msg("policy.version-count", result.Text("version", v.String()), result.Int("n", p.ok[v])))
		}
		parts = append(parts, result.Msg("policy.accepted-many", versionsArg("versions", oks), result.Int("n", total),
			result.List("each", each)))
	}
	for _, v := range sortedVersions(p.refused) {
		for _, cipher := range []bool{false, true} {
			rc := p.refusals[refusalKey{v, cipher}]
			if rc == nil {
				continue
			}
			key := "policy.refused"
			if cipher {
				key = "policy.refused-cipher"
			}
			parts = append(parts, result.Msg(key, result.Int("n", rc.hellos), result.Text("version", v.String()),
				result.Sub("who", clientsOf(len(rc.agents), p.listener))))
		}
	}
	for _, v := range sortedVersions(p.passedOver) {
		po := p.passedOver[v]
		lower := versionsArg("lower", sortedVersions(po.chosen))
		got := p.chose[v]
		if got == nil {
			// Not chosen when it could have been: most likely not enabled, unless the server
			// chose a higher version elsewhere, which would not pass this one over; then the
			// capture shows two settings, and the sentence says only what happened.
			key := "policy.passed-over"
			for f := range p.chose {
				if f.Rank() > v.Rank() {
					key = "policy.passed-over-only"
				}
			}
			parts = append(parts, result.Msg(key, result.Text("version", v.String()), result.Int("n", po.n), lower))
			continue
		}
		// Some clients that offered it got it, others did not: say both, and what the
		// fingerprints show of the difference. Every handshake that offered it is counted: those
		// answered with a higher version and those refused are named apart.
		offered := got.n + po.n
		var also []result.Message
		if up := p.passedUp[v]; up != nil {
			offered += up.n
			also = append(also, result.Msg("policy.split-higher", result.Int("n", up.n), versionsArg("versions", sortedVersions(up.chosen))))
		}
		if r := p.refusedOffer[v]; r > 0 {
			offered += r
			also = append(also, result.Msg("policy.split-refused", result.Int("n", r)))
		}
		alsoArg := result.Sub("also", result.Message{})
		if also != nil {
			alsoArg = result.Sub("also", result.Msg("policy.split-also", result.List("parts", also)))
		}
		args := []result.Arg{result.Text("version", v.String()), result.Int("got", got.n), result.Int("offered", offered),
			result.Int("n", po.n), lower, alsoArg}
		key := "policy.split"
		if len(got.ja4) > 0 && len(po.ja4) > 0 {
			key = "policy.split-other-clients"
			for fp := range po.ja4 {
				if got.ja4[fp] {
					key = "policy.split-same-clients"
					break
				}
			}
		}
		parts = append(parts, result.Msg(key, args...))
	}
	var untested []tls.Version
	for _, v := range standardVersions {
		if !p.tested[v] {
			untested = append(untested, v)
		}
	}
	if len(untested) > 0 {
		parts = append(parts, result.Msg("policy.not-tested", versionsArg("versions", untested)))
	}
	return result.Msg("clauses", result.List("parts", parts))
}

// clientsOf names n clients of a server: "3 agents", or, when the server is an agents' listener
// port (listener), "3 management servers", which notify the agent.
func clientsOf(n int, listener bool) result.Message {
	if listener {
		return result.Msg("fleet.who-servers", result.Int("n", n))
	}
	return result.Msg("fleet.who-agents", result.Int("n", n))
}

// Role is the role of the connections to a server: result.RoleAgentListener when its port is an
// agents' listener port (listener), else "".
func role(listener bool) string {
	if listener {
		return result.RoleAgentListener
	}
	return ""
}

// fleetGroups groups the clients of a server by the highest version they offer and how they
// fared; listener: the server is an agents' listener port, its clients the servers notifying it.
func fleetGroups(server result.HostPort, per map[netip.Addr]*agentOutcome, listener bool) []result.FleetGroup {
	type gk struct {
		highest tls.Version
		outcome string
		// lower: for the outcome "split-by-version", the highest version of the ClientHellos
		// that fail (highest is that of those that succeed).
		lower tls.Version
	}
	// split counts a split-by-version group's flows by kind of ClientHello.
	type splitCount struct{ lowFlows, highFlows int }
	splits := map[gk]*splitCount{}
	groups := map[gk]*result.FleetGroup{}
	// failedWith counts a failed-not-version group's failed flows by verdict.
	failedWith := map[gk]*agentOutcome{}
	var keys []gk
	addrs := make([]netip.Addr, 0, len(per))
	for ip := range per {
		addrs = append(addrs, ip)
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	for _, ip := range addrs {
		ao := per[ip]
		outcome := "incomplete"
		switch {
		case ao.failed > 0 && ao.late == ao.failed:
			// Every failure came after a completed handshake: grouping them under the version
			// offered would suggest a version cause the packets rule out.
			outcome = "after-handshake"
		case ao.failed > 0 && ao.versionish == 0:
			// No failure is one the versions may explain: the group names the verdicts instead
			// of suggesting that the version offered made them fail.
			outcome = "failed-not-version"
		case ao.ok > 0 && ao.failed == 0:
			outcome = "all-ok"
		case ao.failed > 0 && ao.ok == 0:
			outcome = "all-failed"
		case ao.ok > 0:
			outcome = "mixed"
		}
		k := gk{highest: ao.highest, outcome: outcome}
		if low, high, ok := ao.splitByVersion(); outcome == "mixed" && ok {
			// Its failures are its ClientHellos of one kind: "sometimes succeeds, sometimes
			// fails" under the highest version it offers would hide that the others succeed.
			outcome = "split-by-version"
			k = gk{highest: high.highest, outcome: outcome, lower: low.highest}
			sc := splits[k]
			if sc == nil {
				sc = &splitCount{}
				splits[k] = sc
			}
			sc.lowFlows += low.flows
			sc.highFlows += high.flows
		}
		if outcome == "failed-not-version" {
			// One group of every agent whose failures the versions do not explain: grouping
			// them by the version they offer would suggest the very link the group denies.
			k.highest = 0
			fw := failedWith[k]
			if fw == nil {
				fw = &agentOutcome{}
				failedWith[k] = fw
			}
			for _, vc := range ao.failedWith {
				fw.addFailed(vc.verdict, vc.n)
			}
		}
		g := groups[k]
		if g == nil {
			g = &result.FleetGroup{Server: server, Outcome: outcome, Agents: []result.IP{}, Role: role(listener)}
			groups[k] = g
			keys = append(keys, k)
		}
		if ao.highest != 0 {
			if h, ok := tls.ParseVersion(g.HighestVersion); !ok || ao.highest.Rank() > h.Rank() {
				g.HighestVersion = ao.highest.String()
			}
		}
		g.AgentCount++
		if len(g.Agents) < result.MaxGroupAgents {
			g.Agents = append(g.Agents, result.IP(ip.String()))
		}
		g.Flows += ao.flows
		g.Failed += ao.failed
	}
	sort.Slice(keys, func(i, j int) bool {
		if ni, nj := keys[i].outcome == "failed-not-version", keys[j].outcome == "failed-not-version"; ni != nj {
			return nj // the failures the versions do not explain come last
		}
		if keys[i].highest.Rank() != keys[j].highest.Rank() {
			return keys[i].highest.Rank() < keys[j].highest.Rank()
		}
		return keys[i].outcome < keys[j].outcome
	})
	out := make([]result.FleetGroup, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		var verdicts []result.Message
		if fw := failedWith[k]; fw != nil {
			for _, v := range fw.failedVerdicts() {
				verdicts = append(verdicts, result.Msg("fleet.verdict", result.Text("verdict", string(v))))
			}
		}
		agents := make([]result.Message, len(g.Agents))
		for i, a := range g.Agents {
			agents[i] = result.Msg("agent", result.From("agent", a))
		}
		if g.AgentCount > len(g.Agents) {
			agents = append(agents, result.Msg("more"))
		}
		what := result.Msg("fleet.no-hello", result.Int("n", g.AgentCount))
		if g.HighestVersion != "" {
			what = result.Msg("fleet.offer-at-most", result.Int("n", g.AgentCount), result.Text("version", g.HighestVersion))
		}
		key := "fleet.group-" + g.Outcome
		if g.Outcome == "failed-not-version" && g.Failed < g.Flows {
			// Some of the group's flows worked: worded as the mixed groups are, not "fails".
			key += "-mixed"
		}
		g.Text = result.Msg(key, result.Int("n", g.AgentCount), result.Sub("who", clientsOf(g.AgentCount, listener)), result.Sub("what", what),
			result.Int("flows", g.Flows), result.Int("failed", g.Failed), result.List("agents", agents))
		if sc := splits[k]; sc != nil {
			// Every flow of the lower kind failed, every one of the higher kind succeeded.
			g.Text = result.Msg(key, result.Int("n", g.AgentCount), result.Sub("who", clientsOf(g.AgentCount, listener)), result.Text("lower", k.lower.String()),
				result.Text("higher", k.highest.String()), result.Int("failed", sc.lowFlows), result.Int("low_flows", sc.lowFlows),
				result.Int("ok", sc.highFlows), result.Int("high_flows", sc.highFlows), result.List("agents", agents))
		}
		if verdicts != nil {
			g.Text.Args = append(g.Text.Args, result.List("verdicts", verdicts))
		}
		out = append(out, *g)
	}
	return out
}

func agentSummaries(agents map[netip.Addr]*agentFacts) []result.AgentSummary {
	addrs := make([]netip.Addr, 0, len(agents))
	for ip := range agents {
		addrs = append(addrs, ip)
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	if len(addrs) > result.MaxAgents {
		addrs = addrs[:result.MaxAgents]
	}
	out := make([]result.AgentSummary, 0, len(addrs))
	for _, ip := range addrs {
		ag := agents[ip]
		s := result.AgentSummary{Agent: result.IP(ip.String()), Flows: ag.flows, Failed: ag.failed,
			OfferedVersions: names(sortedVersions(ag.offered)), ChosenVersions: names(sortedVersions(ag.chosen)),
			Verdicts: verdictCounts(ag.verdicts), JA3: sortedKeys(ag.ja3), JA4: sortedKeys(ag.ja4), Role: role(ag.listener == ag.flows)}
		if n := len(s.OfferedVersions); n > 0 {
			s.HighestVersion = s.OfferedVersions[n-1]
		}
		servers := make([]netip.AddrPort, 0, len(ag.servers))
		for sv := range ag.servers {
			servers = append(servers, sv)
		}
		slices.SortFunc(servers, func(a, b netip.AddrPort) int { return a.Compare(b) })
		s.Servers = make([]result.HostPort, len(servers))
		for i, sv := range servers {
			s.Servers[i] = result.HostPort(addr(sv))
		}
		out = append(out, s)
	}
	return out
}

func fingerprintGroups(fps map[fpKey]*fpFacts) []result.FingerprintGroup {
	out := make([]result.FingerprintGroup, 0, len(fps))
	for k, fp := range fps {
		g := result.FingerprintGroup{JA4: k.ja4, JA3: k.ja3, AgentCount: len(fp.agents), Flows: fp.flows, Failed: fp.failed, Agents: []result.IP{},
			Role: role(k.listener)}
		if fp.highest != 0 {
			g.HighestVersion = fp.highest.String()
		}
		addrs := make([]netip.Addr, 0, len(fp.agents))
		for ip := range fp.agents {
			addrs = append(addrs, ip)
		}
		slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
		for _, ip := range addrs[:min(len(addrs), result.MaxGroupAgents)] {
			g.Agents = append(g.Agents, result.IP(ip.String()))
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Flows != out[j].Flows {
			return out[i].Flows > out[j].Flows
		}
		if out[i].JA4 != out[j].JA4 {
			return out[i].JA4 < out[j].JA4
		}
		if out[i].JA3 != out[j].JA3 {
			return out[i].JA3 < out[j].JA3
		}
		return out[i].Role < out[j].Role
	})
	return out
}

func sortedVersions[V any](m map[tls.Version]V) []tls.Version {
	vs := make([]tls.Version, 0, len(m))
	for v := range m {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool {
		return vs[i].Rank() < vs[j].Rank() || (vs[i].Rank() == vs[j].Rank() && vs[i] < vs[j])
	})
	return vs
}

func versionCounts(m map[tls.Version]int) []result.VersionCount {
	out := []result.VersionCount{}
	for _, v := range sortedVersions(m) {
		out = append(out, result.VersionCount{Version: v.String(), Count: m[v]})
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// versionsArg names versions as one parameter, in the report's language: "TLS 1.2", or "TLS 1.0,
// TLS 1.1 and TLS 1.2" (message list.and).
func versionsArg(name string, vs []tls.Version) result.Arg {
	ns := names(vs)
	if len(ns) <= 1 {
		return result.Text(name, strings.Join(ns, ""))
	}
	head := make([]result.Message, len(ns)-1)
	for i, n := range ns[:len(ns)-1] {
		head[i] = result.Msg("literal", result.Text("text", n))
	}
	return result.Sub(name, result.Msg("list.and", result.List("items", head), result.Text("last", ns[len(ns)-1])))
}

// listedAgents returns the first result.MaxAgents client addresses, in address order: only these
// get a full AgentSummary, so memory stays bounded however many agents the capture holds.
func listedAgents(keys map[agentKey]int) map[netip.Addr]bool {
	seen := make(map[netip.Addr]bool, len(keys))
	for k := range keys {
		seen[k.client] = true
	}
	addrs := make([]netip.Addr, 0, len(seen))
	for ip := range seen {
		addrs = append(addrs, ip)
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	listed := make(map[netip.Addr]bool, min(len(addrs), result.MaxAgents))
	for _, ip := range addrs[:min(len(addrs), result.MaxAgents)] {
		listed[ip] = true
	}
	return listed
}

// names returns the String of each of xs.
func names[T interface{ String() string }](xs []T) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, x.String())
	}
	return out
}

// VerdictCounts lists the counts of m in the order of result.AllVerdicts, only those seen.
func VerdictCounts(m map[result.Verdict]int) []result.VerdictCount {
	out := []result.VerdictCount{}
	for _, v := range result.AllVerdicts {
		if n := m[v]; n > 0 {
			out = append(out, result.VerdictCount{Verdict: v, Count: n})
		}
	}
	return out
}

func verdictCounts(m map[result.Verdict]int) []result.VerdictCount { return VerdictCounts(m) }

func addr(ap netip.AddrPort) string { return ap.String() }
