package analyze

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// agentKey is what the fleet view needs of one flow; flows alike are counted together, so memory
// grows with the number of distinct agents and behaviours, not of flows.
type agentKey struct {
	client         netip.Addr
	server         netip.AddrPort
	offered        string // offered versions, lowest first, joined with ","
	highest        tls.Version
	chosen         tls.Version // 0 without a ServerHello
	ja3, ja4       string
	verdict        result.Verdict // first pass
	versionSuspect bool
	plainText      bool
}

// observeAgent files a finished flow for the fleet view.
func (g *aggregate) observeAgent(f *flow) {
	k := agentKey{client: f.client.Addr(), server: f.server, highest: f.diag.highest, verdict: f.diag.verdict,
		versionSuspect: f.diag.versionSuspect, plainText: f.diag.plainText}
	if ch := f.tls.ch; ch != nil {
		k.offered = f.tls.fp.offeredComma
		k.ja3, k.ja4 = f.tls.fp.ja3, f.tls.fp.ja4
	}
	if sh := f.tls.sh; sh != nil {
		k.chosen = sh.ChosenVersion()
	}
	if _, ok := g.agents[k]; !ok && len(g.agents) >= g.maxAgents {
		g.agentsDropped++
		return
	}
	g.agents[k]++
}

// revisedVerdict is a flow's verdict after the cross-flow inference (see infer).
func (a *Analyzer) revisedVerdict(server netip.AddrPort, v result.Verdict, highest tls.Version, versionSuspect, plainText bool) result.Verdict {
	s := a.agg.servers[server]
	switch {
	case versionSuspect && s != nil && s.mismatch(highest):
		return result.VerdictTLSVersionMismatch
	case plainText && s != nil && s.tlsSeen:
		return result.VerdictNotTLS
	}
	return v
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
}

type serverPolicy struct {
	ok        map[tls.Version]int // completed handshakes per chosen version
	refused   map[tls.Version]int // refused ClientHellos per highest offered version
	refusals  map[refusalKey]*refusalCount
	lowered13 int  // ok handshakes below TLS 1.3 for a client that offered TLS 1.3
	tls       bool // some client sent it a ClientHello
	perAgent  map[netip.Addr]*agentOutcome
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
}

type fpKey struct{ ja4, ja3 string }

type fpFacts struct {
	agents        map[netip.Addr]bool
	flows, failed int
	highest       tls.Version
}

// fleet fills the summary's agents, fingerprint groups, fleet groups and server policies.
func (a *Analyzer) fleet(sum *result.Summary) {
	listed := listedAgents(a.agg.agents)
	agents := make(map[netip.Addr]*agentFacts, len(listed))
	policies := map[netip.AddrPort]*serverPolicy{}
	fps := map[fpKey]*fpFacts{}
	// Each key adds at most one agentOutcome: take them from one slice, not one allocation each.
	outcomes := make([]agentOutcome, len(a.agg.agents))
	for k, n := range a.agg.agents {
		v := a.revisedVerdict(k.server, k.verdict, k.highest, k.versionSuspect, k.plainText)
		ag := agents[k.client]
		if ag == nil && listed[k.client] {
			ag = &agentFacts{offered: map[tls.Version]bool{}, chosen: map[tls.Version]bool{}, verdicts: map[result.Verdict]int{},
				ja3: map[string]bool{}, ja4: map[string]bool{}, servers: map[netip.AddrPort]bool{}}
			agents[k.client] = ag
		}
		if ag != nil {
			ag.flows += n
			if v.Failed() {
				ag.failed += n
			}
			ag.verdicts[v] += n
			ag.servers[k.server] = true
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
			p = &serverPolicy{ok: map[tls.Version]int{}, refused: map[tls.Version]int{}, refusals: map[refusalKey]*refusalCount{}, perAgent: map[netip.Addr]*agentOutcome{}}
			policies[k.server] = p
		}
		if k.offered != "" || k.chosen != 0 {
			p.tls = true
		}
		if v == result.VerdictOK && k.chosen != 0 {
			p.ok[k.chosen] += n
			if k.chosen.Rank() < tls.VersionTLS13.Rank() && strings.Contains(k.offered, tls.VersionTLS13.String()) {
				p.lowered13 += n
			}
		}
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
		ao := p.perAgent[k.client]
		if ao == nil {
			ao, outcomes = &outcomes[0], outcomes[1:]
			p.perAgent[k.client] = ao
		}
		if k.highest.Rank() > ao.highest.Rank() {
			ao.highest = k.highest
		}
		ao.flows += n
		if v == result.VerdictOK {
			ao.ok += n
		} else if v.Failed() {
			ao.failed += n
		}

		if k.ja4 != "" || k.ja3 != "" {
			fk := fpKey{k.ja4, k.ja3}
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
		ap, err := netip.ParseAddrPort(ss.Server)
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
		sum.Fleet = append(sum.Fleet, fleetGroups(ss.Server, p.perAgent)...)
	}
}

// sentence says what a server accepts and refuses, e.g. "accepts TLS 1.2 only (seen in 8
// handshakes, 0 below TLS 1.2); refused 4 ClientHellos offering at most TLS 1.0 (4 agents)".
func (p *serverPolicy) sentence(total int) string {
	var parts []string
	oks := sortedVersions(p.ok)
	switch len(oks) {
	case 0:
		parts = append(parts, "no completed TLS handshake seen")
	case 1:
		parts = append(parts, fmt.Sprintf("accepts %s only (seen in %s, 0 below %s)", oks[0], plural(total, "handshake"), oks[0]))
	default:
		var each []string
		for _, v := range oks {
			each = append(each, fmt.Sprintf("%s in %d", v, p.ok[v]))
		}
		parts = append(parts, fmt.Sprintf("accepts %s (seen in %s: %s; none below %s)", joinVersions(oks), plural(total, "handshake"), strings.Join(each, ", "), oks[0]))
	}
	for _, v := range sortedVersions(p.refused) {
		for _, cipher := range []bool{false, true} {
			rc := p.refusals[refusalKey{v, cipher}]
			if rc == nil {
				continue
			}
			why := ""
			if cipher {
				why = " with handshake_failure (most likely no common cipher suite)"
			}
			parts = append(parts, fmt.Sprintf("refused %s offering at most %s%s (%s)", plural(rc.hellos, "ClientHello"), v, why, plural(len(rc.agents), "agent")))
		}
	}
	if p.lowered13 > 0 {
		parts = append(parts, fmt.Sprintf("chose a version below TLS 1.3 for %s that offered TLS 1.3, so TLS 1.3 is not enabled", plural(p.lowered13, "client")))
	}
	return strings.Join(parts, "; ")
}

func fleetGroups(server string, per map[netip.Addr]*agentOutcome) []result.FleetGroup {
	type gk struct {
		highest tls.Version
		outcome string
	}
	groups := map[gk]*result.FleetGroup{}
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
		case ao.ok > 0 && ao.failed == 0:
			outcome = "all-ok"
		case ao.failed > 0 && ao.ok == 0:
			outcome = "all-failed"
		case ao.ok > 0:
			outcome = "mixed"
		}
		k := gk{ao.highest, outcome}
		g := groups[k]
		if g == nil {
			g = &result.FleetGroup{Server: server, Outcome: outcome, Agents: []string{}}
			if ao.highest != 0 {
				g.HighestVersion = ao.highest.String()
			}
			groups[k] = g
			keys = append(keys, k)
		}
		g.AgentCount++
		if len(g.Agents) < result.MaxGroupAgents {
			g.Agents = append(g.Agents, ip.String())
		}
		g.Flows += ao.flows
		g.Failed += ao.failed
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].highest.Rank() != keys[j].highest.Rank() {
			return keys[i].highest.Rank() < keys[j].highest.Rank()
		}
		return keys[i].outcome < keys[j].outcome
	})
	out := make([]result.FleetGroup, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		what := "send no ClientHello"
		if g.HighestVersion != "" {
			what = "offer at most " + g.HighestVersion
		}
		how := map[string]string{"all-ok": "all succeed", "all-failed": "all fail", "mixed": "some succeed, some fail", "incomplete": "no outcome is known"}[g.Outcome]
		who := strings.Join(g.Agents, ", ")
		if g.AgentCount > len(g.Agents) {
			who += ", ..."
		}
		verb := "agents"
		if g.AgentCount == 1 {
			verb = "agent"
			what = strings.Replace(what, "offer ", "offers ", 1)
			what = strings.Replace(what, "send ", "sends ", 1)
			how = map[string]string{"all-ok": "succeeds", "all-failed": "fails", "mixed": "sometimes succeeds, sometimes fails", "incomplete": "no outcome is known"}[g.Outcome]
		}
		g.Text = fmt.Sprintf("%d %s %s and %s (%s, %s): %s", g.AgentCount, verb, what, how, plural(g.Flows, "flow"), fmt.Sprintf("%d failed", g.Failed), who)
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
		s := result.AgentSummary{Agent: ip.String(), Flows: ag.flows, Failed: ag.failed,
			OfferedVersions: names(sortedVersions(ag.offered)), ChosenVersions: names(sortedVersions(ag.chosen)),
			Verdicts: verdictCounts(ag.verdicts), JA3: sortedKeys(ag.ja3), JA4: sortedKeys(ag.ja4)}
		if n := len(s.OfferedVersions); n > 0 {
			s.HighestVersion = s.OfferedVersions[n-1]
		}
		servers := make([]netip.AddrPort, 0, len(ag.servers))
		for sv := range ag.servers {
			servers = append(servers, sv)
		}
		slices.SortFunc(servers, func(a, b netip.AddrPort) int { return a.Compare(b) })
		s.Servers = make([]string, len(servers))
		for i, sv := range servers {
			s.Servers[i] = addr(sv)
		}
		out = append(out, s)
	}
	return out
}

func fingerprintGroups(fps map[fpKey]*fpFacts) []result.FingerprintGroup {
	out := make([]result.FingerprintGroup, 0, len(fps))
	for k, fp := range fps {
		g := result.FingerprintGroup{JA4: k.ja4, JA3: k.ja3, AgentCount: len(fp.agents), Flows: fp.flows, Failed: fp.failed, Agents: []string{}}
		if fp.highest != 0 {
			g.HighestVersion = fp.highest.String()
		}
		addrs := make([]netip.Addr, 0, len(fp.agents))
		for ip := range fp.agents {
			addrs = append(addrs, ip)
		}
		slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
		for _, ip := range addrs[:min(len(addrs), result.MaxGroupAgents)] {
			g.Agents = append(g.Agents, ip.String())
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
		return out[i].JA3 < out[j].JA3
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

func joinVersions(vs []tls.Version) string {
	ns := names(vs)
	if len(ns) <= 1 {
		return strings.Join(ns, "")
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
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
