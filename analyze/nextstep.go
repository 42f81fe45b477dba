package analyze

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// advise words a finished flow's title and next steps from the knowledge profile: it picks the
// entry for the verdict, narrowed by what the flow showed (variant) and which way it runs
// (role), and fills in the flow's facts. The words themselves are data (package knowledge).
func (a *Analyzer) advise(out *result.Flow, f *flow) {
	role := ""
	if slices.Contains(a.opts.AgentPorts, f.server.Port()) {
		role = knowledge.RoleAgentListener
	}
	// As Profile.Lookup, with the entry resolved once per verdict, variant and role, and the
	// facts gathered only for a text that has placeholders.
	e := a.entry(f.diag.verdict, f.variant(), role)
	var facts map[string]string
	fill := func(s string) string {
		if !strings.Contains(s, "{") {
			return s
		}
		if facts == nil {
			facts = f.facts(a, out)
		}
		return knowledge.Fill(s, facts)
	}
	out.Title = fill(e.Title)
	out.NextSteps, out.NextStep = []string{}, ""
	if f.diag.verdict != result.VerdictOK {
		out.NextSteps = make([]string, 0, len(e.NextSteps))
		for _, s := range e.NextSteps {
			out.NextSteps = append(out.NextSteps, fill(s))
		}
		out.NextStep = strings.Join(out.NextSteps, " ")
	}
	out.Role = role
	out.FirstFrame, out.LastFrame = f.firstFrame, f.lastFrame
	out.HTTP = f.httpResult(a.opts.Profile.CheckURL)
}

// adviceKey selects a knowledge entry.
type adviceKey struct {
	verdict       result.Verdict
	variant, role string
}

// entry returns the profile's entry for a verdict, variant and role, resolved once.
func (a *Analyzer) entry(v result.Verdict, variant, role string) knowledge.Entry {
	k := adviceKey{v, variant, role}
	e, ok := a.entries[k]
	if !ok {
		_, e = a.opts.Profile.Resolve(v, variant, role)
		if a.entries == nil {
			a.entries = make(map[adviceKey]knowledge.Entry)
		}
		a.entries[k] = e
	}
	return e
}

// variant names what narrows the verdict's knowledge entry for this flow (see knowledge/data).
func (f *flow) variant() string {
	switch f.diag.verdict {
	case result.VerdictFirewallReject:
		if len(f.icmp) > 0 && f.icmp[0].router == f.server.Addr() {
			return "server-host"
		}
	case result.VerdictMiddleboxReset:
		if i, ok := f.injectedRST(); ok && f.path.rst[i].idle >= idleResetMin {
			return "idle"
		}
	case result.VerdictNotTLS:
		if strings.Contains(f.diag.reason, "server answered") {
			return "server-plain"
		}
	case result.VerdictIncomplete:
		if f.missingDirection() != "" {
			return "one-direction"
		}
		if f.clientHelloCut {
			return "client-hello-cut"
		}
	}
	return ""
}

// facts are the values of the knowledge placeholders for this flow, whose result out already
// holds the endpoints. The map is the Analyzer's, cleared and refilled for each flow (knowledge.Fill
// only reads it), so that advising every flow does not build a map each time.
func (f *flow) facts(a *Analyzer, out *result.Flow) map[string]string {
	m := a.facts
	if m == nil {
		m = make(map[string]string, 16)
		a.facts = m
	}
	clear(m)
	m["server"] = out.Server
	m["server_ip"] = hostOf(out.Server, f.server.Addr())
	m["port"] = strconv.Itoa(int(f.server.Port()))
	m["client"] = out.Client
	m["client_ip"] = hostOf(out.Client, f.client.Addr())
	m["offered"] = f.offered()
	m["time"] = f.last.UTC().Format("15:04:05")
	m["check_url"] = a.opts.Profile.CheckURL
	if f.diag.highest != 0 {
		m["client_highest"] = f.diag.highest.String()
	}
	if len(f.icmp) > 0 {
		m["router"] = f.icmp[0].router.String()
	}
	if i, ok := f.injectedRST(); ok {
		m["idle"] = fmtDur(f.path.rst[i].idle)
		m["reset_in_name_of"] = f.shared.serverText(f.server)
		if f.rsts[i].from == fromClient {
			m["reset_in_name_of"] = addr(f.client)
		}
	}
	if f.http != nil && f.http.request.seen() {
		m["path"] = f.http.request.path
	}
	if f.http != nil && f.http.response.seen() {
		m["status"] = f.http.response.line
	}
	return m
}

// hostOf returns ip.String() from endpoint, which netip.AddrPort.String wrote for ip and a port
// ("1.2.3.4:443", "[2001:db8::1]:443"), without allocating.
func hostOf(endpoint string, ip netip.Addr) string {
	i := strings.LastIndexByte(endpoint, ':')
	if !ip.IsValid() || i < 0 {
		return ip.String()
	}
	h := endpoint[:i]
	if len(h) >= 2 && h[0] == '[' {
		h = h[1 : len(h)-1]
	}
	return h
}

// verdictInfo explains every verdict the result holds, in the order of result.AllVerdicts.
func (a *Analyzer) verdictInfo(res *result.Result) []result.VerdictInfo {
	seen := map[result.Verdict]bool{}
	for _, v := range res.Summary.Verdicts {
		seen[v.Verdict] = true
	}
	for _, n := range res.Names {
		seen[n.Verdict] = true
	}
	out := []result.VerdictInfo{}
	for _, v := range result.AllVerdicts {
		if !seen[v] {
			continue
		}
		adv := a.opts.Profile.Lookup(v, "", "", nil)
		out = append(out, result.VerdictInfo{Verdict: v, Title: adv.Title, Explanation: adv.Explanation, EvidenceFields: adv.Evidence})
	}
	return out
}
