// Package findings is what every report format says is wrong, as one model: the failing
// connections grouped by how they failed (verdict × server × versions, with counts, the agents
// and one example each), the DNS names that failed, the servers with the versions they accept,
// and the warnings. The table, JSON, NDJSON, Markdown and HTML formats all render it, so that
// none of them can leave out a finding the others show.
//
// It is plain data built from a result.Result in one pass over its flows, keeping only counts,
// a bounded list of agents and flow numbers per group, and one example flow for the first
// groups: a result of a hundred thousand connections is never held whole. It words nothing:
// messages it makes (result.Message) are worded by the report.
package findings

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/result"
)

// Bounds on what a group keeps.
const (
	// MaxAgents is how many agent addresses a group lists (it counts them all).
	MaxAgents = 20
	// MaxFlowIDs is how many connection numbers a group lists (it counts them all).
	MaxFlowIDs = 20
	// MaxExamples is how many groups keep example connections; the others keep their numbers.
	MaxExamples = 100
	// ExamplesPerGroup is how many connections of a group those keep.
	ExamplesPerGroup = 3
)

// Findings is what is wrong in one result.
type Findings struct {
	// Flows and Failed count every connection, listed or not (the result's summary).
	Flows, Failed int
	// Listed counts the connections the result lists one by one, ListedFailed the failing ones
	// among them; NotListed those past the listing limit (--max-flows), counted only.
	Listed, ListedFailed, NotListed int
	// Groups are the failing connections grouped: the most connections first, ties in order of
	// their first connection; the connections past the listing limit come last, in groups of
	// their own (Unlisted), as only their verdict and server are known.
	Groups []*Group
	// Names are the DNS names tied to the servers that failed, in the result's order;
	// NamesTotal counts every name tied to the servers.
	Names      []*result.Name
	NamesTotal int
	// Servers are the result's servers with what each was seen to accept.
	Servers []result.ServerSummary
	// Warnings are the result's warnings about its input.
	Warnings []result.Warning
	// Legacy is true when a listed connection's offer came without supported_versions (the
	// reports mark such an offer and explain the mark).
	Legacy bool
}

// Group is the failing connections that got the same verdict from the same server with the
// same offered and chosen versions (and, for http-error, the same HTTP status).
type Group struct {
	Verdict result.Verdict
	Server  result.HostPort
	// Offered is every version the group's first connection offered, lowest first; Legacy says
	// its ClientHello had no supported_versions extension, so that only the highest is on the
	// wire. Highest is the highest version offered, "" when no ClientHello was seen.
	Offered []string
	Legacy  bool
	Highest string
	// Chosen is the version the server chose, "" for none.
	Chosen string
	// HTTPStatus is the HTTP response status of a plain-HTTP group (http-error), else 0.
	HTTPStatus int
	// Alert is the first connection's first fatal alert (or first alert); zero when none.
	Alert result.Alert
	// Connections counts the group's connections; AgentCount its distinct client addresses, the
	// first MaxAgents of which Agents lists in order of their first connection. FlowIDs are the
	// numbers of its first MaxFlowIDs connections.
	Connections int
	AgentCount  int
	Agents      []result.IP
	FlowIDs     []int
	// Unlisted is true for connections past the listing limit: counted from the summary, with
	// neither their versions nor their agents known.
	Unlisted bool
	// Role is result.RoleAgentListener when Server is an agents' listener port
	// (result.Options.AgentPorts): the group's clients (Agents) are then the servers notifying
	// the agent Server. Else "".
	Role string
	// Example is the group's first connection, for the first MaxExamples groups; nil for the
	// others and for Unlisted. Examples are its first ExamplesPerGroup connections (Example
	// first).
	Example  *result.Flow
	Examples []*result.Flow

	first  int  // index of the first connection in the result's flows
	keep   bool // the group keeps examples
	advice result.Advice
	seen   map[result.IP]struct{}
}

type groupKey struct {
	verdict result.Verdict
	server  result.HostPort
	offered string
	chosen  string
	status  int
	// variant parts the groups of a verdict whose variant changes who is at fault: a handshake
	// closed by the client or by the server (closed-during-handshake), whose next steps differ;
	// or how certain the verdict is (tls-version-mismatch/version-first: most likely).
	variant string
}

type serverVerdict struct {
	server  result.HostPort
	verdict result.Verdict
}

// Builder makes the findings of a result from its flows, given one at a time in order (as
// result.FlowList.All yields them), so that a report that writes every flow anyway (JSON,
// NDJSON) builds the findings in the same pass.
type Builder struct {
	r      *result.Result
	f      Findings
	groups map[groupKey]*Group
	listed map[serverVerdict]int
}

// NewBuilder returns a builder for the findings of r.
func NewBuilder(r *result.Result) *Builder {
	return &Builder{r: r, groups: map[groupKey]*Group{}, listed: map[serverVerdict]int{}}
}

// Add takes the result's flow number i (0-based). f is only read during the call.
func (b *Builder) Add(i int, f *result.Flow) {
	b.f.Listed++
	if OfferedLegacy(f) {
		b.f.Legacy = true
	}
	if !f.Failed {
		return
	}
	b.f.ListedFailed++
	b.listed[serverVerdict{f.Server, f.Verdict}]++
	k := groupKey{verdict: f.Verdict, server: f.Server, offered: VersionRange(f.OfferedVersions), chosen: Chosen(f)}
	if f.Verdict == result.VerdictHTTPError && f.HTTP != nil {
		k.status = f.HTTP.Status
	}
	if f.Verdict == result.VerdictClosedDuringHandshake || f.Verdict == result.VerdictTLSVersionMismatch {
		k.variant = f.Advice.Variant // a version mismatch the packets only make the most likely cause (version-first) is worded so
	}
	g := b.groups[k]
	if g == nil {
		g = &Group{Verdict: f.Verdict, Server: f.Server, Offered: slices.Clone(f.OfferedVersions), Legacy: OfferedLegacy(f),
			Highest: HighestOffered(f), Chosen: k.chosen, HTTPStatus: k.status, Role: f.Role, first: i, seen: map[result.IP]struct{}{}}
		g.advice = f.Advice
		g.advice.Params = slices.Clone(f.Advice.Params)
		if a := firstAlert(f.Alerts); a != nil {
			g.Alert = *a
		}
		g.keep = len(b.groups) < MaxExamples
		b.groups[k] = g
	}
	if g.keep && len(g.Examples) < ExamplesPerGroup {
		ex := b.r.Flows.At(i)
		g.Examples = append(g.Examples, &ex)
		g.Example = g.Examples[0]
	}
	g.Connections++
	if len(g.FlowIDs) < MaxFlowIDs {
		g.FlowIDs = append(g.FlowIDs, f.ID)
	}
	agent := HostOf(f.Client)
	if _, ok := g.seen[agent]; !ok {
		g.seen[agent] = struct{}{}
		g.AgentCount++
		if len(g.Agents) < MaxAgents {
			g.Agents = append(g.Agents, agent)
		}
	}
}

// AddWorked counts a listed connection that did not fail, as Add does, for a caller that has
// not kept the flow: offeredLegacy is OfferedLegacy of it.
func (b *Builder) AddWorked(offeredLegacy bool) {
	b.f.Listed++
	if offeredLegacy {
		b.f.Legacy = true
	}
}

// Done returns the findings. The builder is not used after.
func (b *Builder) Done() *Findings {
	r := b.r
	f := &b.f
	s := &r.Summary
	f.Flows, f.Failed, f.NotListed = s.Flows, s.Failed, r.FlowsNotListed
	f.Servers, f.Warnings, f.NamesTotal = s.Servers, r.Warnings, len(r.Names)
	for i := range r.Names {
		if r.Names[i].Failed {
			f.Names = append(f.Names, &r.Names[i])
		}
	}
	for _, g := range b.groups {
		g.seen = nil
		f.Groups = append(f.Groups, g)
	}
	slices.SortFunc(f.Groups, func(x, y *Group) int {
		return cmp.Or(cmp.Compare(y.Connections, x.Connections), cmp.Compare(x.first, y.first))
	})
	// The failures past the listing limit: what the summary counts beyond the listed ones.
	for _, sv := range s.Servers {
		for _, v := range sv.Verdicts {
			if !v.Verdict.Failed() {
				continue
			}
			if n := v.Count - b.listed[serverVerdict{sv.Server, v.Verdict}]; n > 0 {
				g := &Group{Verdict: v.Verdict, Server: sv.Server, Connections: n, Unlisted: true, first: -1}
				g.advice.Params = []result.Arg{result.From("server", sv.Server)}
				if ap, err := netip.ParseAddrPort(string(sv.Server)); err == nil {
					g.advice.Params = append(g.advice.Params, result.Addr("server_ip", ap.Addr().String()),
						result.Text("port", strconv.Itoa(int(ap.Port()))))
					if slices.Contains(r.Options.AgentPorts, int(ap.Port())) {
						g.Role = result.RoleAgentListener
						g.advice.Role = result.RoleAgentListener
					}
				}
				if v.Verdict == result.VerdictMiddleboxReset {
					g.advice.Params = append(g.advice.Params, resetInNameOf(sv, n))
				}
				f.Groups = append(f.Groups, g)
			}
		}
	}
	return f
}

// resetInNameOf is the placeholder reset_in_name_of of the n middlebox-reset connections of sv
// past the listing limit: the server, their clients or both, as the summary counts the sides
// their forged resets carried; a side the summary does not tell, said so, otherwise.
func resetInNameOf(sv result.ServerSummary, n int) result.Arg {
	rs := sv.NotListedResets
	switch {
	case rs == nil || rs.Client+rs.Server != n:
		return result.Sub("reset_in_name_of", result.Msg("report.reset-in-name-of-unknown"))
	case rs.Client == 0:
		return result.From("reset_in_name_of", sv.Server)
	case rs.Server == 0:
		return result.Sub("reset_in_name_of", result.Msg("report.reset-in-name-of-clients", result.Int("n", rs.Client)))
	}
	return result.Sub("reset_in_name_of", result.Msg("report.reset-in-name-of-both", result.From("server", sv.Server),
		result.Int("server_n", rs.Server), result.Int("client_n", rs.Client)))
}

// Of returns the findings of r, made in one pass over its flows (made ahead on the other CPUs
// when the list allows it). When the list has briefs (result.FlowList.Brief) only the failing
// flows are made: the others are counted from their briefs.
func Of(r *result.Result) *Findings {
	b := NewBuilder(r)
	if !r.Flows.HasBriefs() {
		for i, f := range r.Flows.Ahead() {
			b.Add(i, f)
		}
		return b.Done()
	}
	for i := range r.Flows.Len() {
		if br, _ := r.Flows.Brief(i); !br.Failed {
			b.AddWorked(br.OfferedLegacy)
		}
	}
	for i, f := range r.Flows.Where(failing) {
		b.Add(i, f)
	}
	return b.Done()
}

// failing is a result.FlowList.Where filter: the flows that failed.
func failing(_ int, b result.Brief) bool { return b.Failed }

// AgentListener reports whether the group's connections are to an agents' listener port: its
// clients are the servers notifying the agent Server.
func (g *Group) AgentListener() bool { return g.Role == result.RoleAgentListener }

// Advice is the advice that words the group's title and next steps: its first connection's,
// with the client (the placeholders {client} and {client_ip}) standing for every agent of the
// group when it has several, so that a next step names them all, not the first, and {clients}
// counting them (the words around agree with it).
func (g *Group) Advice() result.Advice {
	a := g.advice
	if g.AgentCount <= 1 {
		return a
	}
	list := AgentList(g.Agents, g.AgentCount)
	params := make([]result.Arg, 0, len(a.Params))
	for _, p := range a.Params {
		switch p.Name {
		case "client", "client_ip":
			p = result.Sub(p.Name, list)
		case "clients":
			p = result.Int(p.Name, g.AgentCount)
		}
		params = append(params, p)
	}
	a.Params = params
	return a
}

// AgentList is the message that lists addresses, the first of total: "10.0.0.5",
// "10.0.0.5 and 10.0.0.6", "10.0.0.5, 10.0.0.6 and 3 more".
func AgentList(addrs []result.IP, total int) result.Message {
	items := make([]result.Message, len(addrs))
	for i, a := range addrs {
		items[i] = result.Msg("addr", result.From("addr", a))
	}
	switch more := total - len(addrs); {
	case more > 0:
		return result.Msg("report.addrs-more", result.List("addrs", items), result.Int("n", more))
	case len(items) > 1:
		return result.Msg("report.list-and", result.List("items", items[:len(items)-1]), result.Sub("last", items[len(items)-1]))
	}
	return result.Msg("report.addrs", result.List("addrs", items))
}

// versionOrder is the usual order of the versions, for telling whether an offer is a range.
var versionOrder = []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// VersionRange writes versions compactly: "TLS 1.0–1.2" when they are contiguous, "SSL
// 3.0–TLS 1.2" across protocols, "TLS 1.2" for one, else a comma list (lowest first when every
// name is known, as given otherwise); "-" for none. The text is the program's but for an
// unknown version name, which a report cleans as text from the capture.
func VersionRange(vs []string) string {
	if len(vs) == 0 {
		return "-"
	}
	var idx []int
	for _, v := range vs {
		i := slices.Index(versionOrder, v)
		if i < 0 {
			return strings.Join(vs, ", ")
		}
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	lo, hi := idx[0], idx[len(idx)-1]
	if lo == hi {
		return versionOrder[lo]
	}
	if hi-lo+1 != len(idx) {
		names := make([]string, len(idx))
		for i, x := range idx {
			names[i] = versionOrder[x]
		}
		return strings.Join(names, ", ")
	}
	from, to := versionOrder[lo], versionOrder[hi]
	if proto, _, _ := strings.Cut(from, " "); strings.HasPrefix(to, proto+" ") {
		to = strings.TrimPrefix(to, proto+" ")
	}
	return from + "–" + to
}

// HostOf returns the address part of "ip:port" or "[v6]:port"; s itself when it is neither.
func HostOf(s result.HostPort) result.IP {
	if ap, err := netip.ParseAddrPort(string(s)); err == nil {
		return result.IP(ap.Addr().String())
	}
	return result.IP(s)
}

// OfferedLegacy reports whether the flow's offer came from a ClientHello without the
// supported_versions extension (only its highest version is on the wire).
func OfferedLegacy(f *result.Flow) bool { return f.OfferedLegacy() }

// HighestOffered is the highest version the flow's client offered, or "".
func HighestOffered(f *result.Flow) string {
	if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.Highest != "" {
		return f.TLS.ClientHello.Highest
	}
	if n := len(f.OfferedVersions); n > 0 {
		return f.OfferedVersions[n-1]
	}
	return ""
}

// Chosen is the version the server chose, or "".
func Chosen(f *result.Flow) string {
	if f.ChosenVersion != nil {
		return *f.ChosenVersion
	}
	return ""
}

// SNI is the flow's server name indication, or "".
func SNI(f *result.Flow) result.Host {
	if f.TLS != nil && f.TLS.ClientHello != nil {
		return f.TLS.ClientHello.SNI
	}
	return ""
}

// firstAlert is the first fatal alert, else the first alert, else nil.
func firstAlert(as []result.Alert) *result.Alert {
	for i := range as {
		if as[i].Level == "fatal" {
			return &as[i]
		}
	}
	if len(as) > 0 {
		return &as[0]
	}
	return nil
}

// FileName is the last element of a slash- or backslash-separated path: the capture's name
// without the directories it was read from (which may name a customer).
func FileName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
