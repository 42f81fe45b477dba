package analyze

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// Finish finishes every flow still open, runs the cross-flow inference and returns the result.
// input describes what was read; warnings from reading come in through AddWarning before.
func (a *Analyzer) Finish(input result.Input) *result.Result {
	rest := make([]*flow, 0, len(a.flows))
	for k, f := range a.flows {
		delete(a.flows, k)
		rest = append(rest, f)
	}
	a.finishInOrder(rest)
	if a.clientHelloCuts > 0 {
		a.warnings = append(a.warnings, result.Warning{Code: "client-hello-cut", Frame: a.clientHelloCutFrame,
			Message: fmt.Sprintf("the capture's snaplen cut the ClientHello of %d flow(s) (the first in frame %d), so the TLS versions they offer cannot be read: capture again with the full snaplen (tcpdump -s 0)",
				a.clientHelloCuts, a.clientHelloCutFrame)})
	}
	slices.SortFunc(a.done, func(x, y *flow) int { return cmp.Compare(x.id, y.id) })
	res := &result.Result{
		Schema:   result.SchemaVersion,
		Input:    input,
		Options:  a.resultOptions(),
		Warnings: append([]result.Warning{}, a.warnings...),
		Flows:    make([]result.Flow, 0, len(a.done)),
	}
	counts := map[result.Verdict]int{}
	perServer := map[netip.AddrPort]map[result.Verdict]int{}
	count := func(server netip.AddrPort, v result.Verdict, n int) {
		counts[v] += n
		if perServer[server] == nil {
			perServer[server] = map[result.Verdict]int{}
		}
		perServer[server][v] += n
	}
	guessed := 0
	for _, f := range a.done {
		a.infer(f)
		a.inferPath(f) // pathinfer.go
		res.Flows = append(res.Flows, f.result())
		a.advise(&res.Flows[len(res.Flows)-1], f)
		count(f.server, f.diag.verdict, 1)
		if f.rolesGuessed {
			guessed++
		}
	}
	for v, byServer := range a.inferUnlisted() {
		for s, n := range byServer {
			count(s, v, n)
			res.FlowsNotListed += n
		}
	}
	if res.FlowsNotListed > 0 {
		res.Warnings = append(res.Warnings, result.Warning{Code: "flows-not-listed",
			Message: fmt.Sprintf("%d flows past the first %d are counted in the summary but not listed: narrow the analysis with --port/--host or raise --max-flows", res.FlowsNotListed, a.opts.MaxFlows)})
	}
	res.Warnings = append(res.Warnings, a.pathWarnings()...) // pathinfer.go
	if guessed > 0 {
		res.Warnings = append(res.Warnings, result.Warning{Code: "roles-guessed",
			Message: fmt.Sprintf("%d flow(s) started before the capture (no SYN or SYN-ACK): client and server were guessed from the ports", guessed)})
	}
	if a.evictedEarly > 0 {
		res.Warnings = append(res.Warnings, result.Warning{Code: "flows-evicted",
			Message: fmt.Sprintf("more than %d connections were open at once: %d were finished early to bound memory, and their verdicts may say incomplete", a.opts.MaxActiveFlows, a.evictedEarly)})
	}
	res.Summary = a.summary(counts, perServer)
	a.finishNames(res)
	res.VerdictInfo = a.verdictInfo(res)
	a.fleet(&res.Summary)
	if n := a.agg.agentsDropped; n > 0 {
		res.Warnings = append(res.Warnings, result.Warning{Code: "fleet-truncated", Message: fmt.Sprintf(
			"the fleet view keeps %d distinct agent combinations and left out %d flow(s) past them (their verdicts are listed and counted as usual); analyse fewer servers or ports (--host, --port) to see every agent",
			a.opts.MaxAgentKeys, n)})
	}
	return res
}

// finishInOrder finishes flows in the order they began, so that which flows are listed (the first
// MaxFlows) and every report made from them do not depend on map iteration order.
func (a *Analyzer) finishInOrder(fs []*flow) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].id < fs[j].id })
	for _, f := range fs {
		a.finish(f)
	}
}

// AddWarning adds a warning about the input to the result.
func (a *Analyzer) AddWarning(w result.Warning) { a.warnings = append(a.warnings, w) }

func (a *Analyzer) resultOptions() result.Options {
	o := result.Options{Ports: []int{}, Hosts: []string{}, MaxFlows: a.opts.MaxFlows, Profile: a.opts.Profile.Name,
		AgentPorts: []int{}, CheckURL: a.opts.Profile.CheckURL, ServerNames: append([]string{}, a.opts.ServerNames...)}
	for _, p := range a.opts.AgentPorts {
		o.AgentPorts = append(o.AgentPorts, int(p))
	}
	for _, p := range a.opts.Ports {
		o.Ports = append(o.Ports, int(p))
	}
	for _, h := range a.opts.Hosts {
		o.Hosts = append(o.Hosts, h.String())
	}
	return o
}

func (a *Analyzer) summary(counts map[result.Verdict]int, perServer map[netip.AddrPort]map[result.Verdict]int) result.Summary {
	sum := result.Summary{Verdicts: verdictCounts(counts), Servers: []result.ServerSummary{}}
	for v, n := range counts {
		sum.Flows += n
		if v.Failed() {
			sum.Failed += n
		}
	}
	servers := make([]netip.AddrPort, 0, len(perServer))
	for s := range perServer {
		servers = append(servers, s)
	}
	sort.Slice(servers, func(i, j int) bool { return servers[i].Compare(servers[j]) < 0 })
	for _, s := range servers {
		ss := result.ServerSummary{Server: addr(s), Verdicts: verdictCounts(perServer[s]), AcceptedVersions: []string{}, AcceptedCiphers: []string{}}
		for v, n := range perServer[s] {
			ss.Flows += n
			if v.Failed() {
				ss.Failed += n
			}
		}
		if facts := a.agg.servers[s]; facts != nil {
			for _, v := range facts.acceptedList() {
				ss.AcceptedVersions = append(ss.AcceptedVersions, v.String())
			}
			cs := make([]tls.CipherSuite, 0, len(facts.ciphers))
			for c := range facts.ciphers {
				cs = append(cs, c)
			}
			sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] })
			for _, c := range cs {
				ss.AcceptedCiphers = append(ss.AcceptedCiphers, c.String())
			}
		}
		sum.Servers = append(sum.Servers, ss)
	}
	return sum
}

func verdictCounts(m map[result.Verdict]int) []result.VerdictCount {
	out := []result.VerdictCount{}
	for _, v := range result.AllVerdicts {
		if n := m[v]; n > 0 {
			out = append(out, result.VerdictCount{Verdict: v, Count: n})
		}
	}
	return out
}

// result converts a finished flow to its result form.
func (f *flow) result() result.Flow {
	c, s := &f.side[fromClient], &f.side[fromServer]
	// The flow's packet references (SYNs, up to two FINs, RSTs, the SYN-ACK) share one
	// allocation; each list is capped at its length, so an append elsewhere copies it.
	nSYN, nRST := len(f.syns), len(f.rsts)
	pr := make([]result.PacketRef, nSYN+2+nRST+1)
	syns, fins, rsts, synAck := pr[:0:nSYN], pr[nSYN:nSYN:nSYN+2], pr[nSYN+2:nSYN+2:nSYN+2+nRST], &pr[nSYN+2+nRST]
	for _, r := range f.syns {
		syns = append(syns, packetRef(r, fromClient))
	}
	out := result.Flow{
		ID:              f.id,
		Client:          addr(f.client),
		Server:          f.shared.serverText(f.server),
		RolesGuessed:    f.rolesGuessed,
		Start:           f.first.UTC(),
		End:             f.last.UTC(),
		Duration:        f.last.Sub(f.first).Seconds(),
		ConnState:       f.zeek.connState(),
		History:         f.zeek.history(),
		OfferedVersions: []string{},
		Alerts:          []result.Alert{},
		Verdict:         f.diag.verdict,
		Failed:          f.diag.verdict.Failed(),
		Reason:          f.diag.reason,
		Evidence:        listOf(f.diag.evidence),
		Filter:          wiresharkFilter(f.client, f.server),
		Flags:           listOf(f.diag.flags),
		Path:            f.pathResult(),
		TCP: result.TCP{
			SYNs:          syns,
			FINs:          fins,
			RSTs:          rsts,
			ClientPackets: c.packets,
			ServerPackets: s.packets,
			ClientBytes:   c.bytes,
			ServerBytes:   s.bytes,
			ClientRetrans: c.retrans,
			ServerRetrans: s.retrans,
			SnaplenCut:    f.snaplenCut,
			ClientTTL:     c.ttl,
			ServerTTL:     s.ttl,
		},
	}
	if f.synAck.seen() {
		*synAck = packetRef(f.synAck, fromServer)
		out.TCP.SYNACK = synAck
		var lastSYN ref
		for _, sy := range f.syns {
			if !sy.time().After(f.synAck.time()) {
				lastSYN = sy
			}
		}
		if lastSYN.seen() {
			out.TCP.HandshakeRTT = f.synAck.time().Sub(lastSYN.time()).Seconds()
		}
	}
	for d := range f.side {
		if fin := f.side[d].fin; fin.seen() {
			out.TCP.FINs = append(out.TCP.FINs, packetRef(fin, d))
		}
	}
	if fins := out.TCP.FINs; len(fins) == 2 && fins[1].Frame < fins[0].Frame {
		fins[0], fins[1] = fins[1], fins[0]
	}
	for _, r := range f.rsts {
		out.TCP.RSTs = append(out.TCP.RSTs, packetRef(r.ref, r.from))
	}
	out.Packets, out.PacketsOmitted = f.ladder.packets()
	f.fillTLS(&out)
	return out
}

func (f *flow) fillTLS(out *result.Flow) {
	x := &f.tls
	if !x.isTLS() && len(x.alerts) == 0 {
		if nt := x.notTLS[fromClient]; nt.seen() {
			out.NotTLS = describePrefix(nt.prefix)
		}
		return
	}
	t := &result.TLS{ServerMessages: append([]string{}, x.serverMsgs...), Established: x.sh != nil && f.tlsEstablished(),
		ClientAppData: x.appData[fromClient], ServerAppData: x.appData[fromServer]}
	if t.ServerMessages == nil {
		t.ServerMessages = []string{}
	}
	if ch := x.ch; ch != nil {
		rc := new(result.ClientHello)
		*rc = x.fp.hello // the names, shared with every flow that sent the same ClientHello
		rc.Frame, rc.LastFrame, rc.Segments = x.chFrame, x.chLast.num(), x.chSegments
		rc.RecordVersion, rc.SNI, rc.ALPN = x.chRecord.String(), ch.ServerName, append([]string{}, ch.ALPN...)
		t.ClientHello = rc
		out.OfferedVersions = rc.OfferedVersions
	}
	if sh := x.sh; sh != nil {
		t.ServerHello = f.shared.fps.serverHello(sh, x.shRef.num())
		v := sh.ChosenVersion().String()
		out.ChosenVersion = &v
	}
	if x.hrr != nil {
		t.HelloRetryRequest = f.shared.fps.serverHello(x.hrr, x.hrrRef.num())
	}
	t.ServerCertificates, t.CertificateFindings = []result.Certificate{}, []result.CertificateFinding{}
	if c := f.checkCertificates(); c != nil {
		t.ServerCertificates = listOf(c.chain) // the chain's descriptions, shared read-only
		t.CertificateFindings = listOf(c.findings)
		t.CertificateFrame = x.serverCertRef.num()
	}
	for _, a := range x.alerts {
		if a.encrypted {
			continue
		}
		out.Alerts = append(out.Alerts, result.Alert{From: sideName[a.from], Level: a.alert.Level.String(),
			Description: a.alert.Description.String(), Code: int(a.alert.Description), Frame: a.num(), Time: a.time(),
			BeforeServerHello: a.beforeServerHello})
	}
	out.TLS = t
}

func names[T fmt.Stringer](xs []T) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, x.String())
	}
	return out
}

// listOf returns s, which the flow no longer changes, for a result: clipped so that an append
// copies it, and an empty list rather than nil.
func listOf[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clip(s)
}

func packetRef(r ref, from int) result.PacketRef {
	return result.PacketRef{From: sideName[from], Frame: r.num(), Time: r.time()}
}

// wiresharkFilter selects one connection's packets in Wireshark.
func wiresharkFilter(c, s netip.AddrPort) string {
	ip := "ip"
	if c.Addr().Is6() && !c.Addr().Is4In6() {
		ip = "ipv6"
	}
	b := make([]byte, 0, 96)
	b = append(append(b, ip...), ".addr=="...)
	b = c.Addr().AppendTo(b)
	b = append(append(append(b, " && "...), ip...), ".addr=="...)
	b = s.Addr().AppendTo(b)
	b = strconv.AppendUint(append(b, " && tcp.port=="...), uint64(c.Port()), 10)
	b = strconv.AppendUint(append(b, " && tcp.port=="...), uint64(s.Port()), 10)
	return string(b)
}
