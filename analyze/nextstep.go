package analyze

import (
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
	adv := a.opts.Profile.Lookup(f.diag.verdict, f.variant(), role, f.facts(a))
	out.Title = adv.Title
	out.NextSteps = adv.NextSteps
	out.NextStep = strings.Join(adv.NextSteps, " ")
	if f.diag.verdict == result.VerdictOK {
		out.NextSteps, out.NextStep = []string{}, ""
	}
	out.Role = role
	out.FirstFrame, out.LastFrame = f.firstFrame, f.lastFrame
	out.HTTP = f.httpResult(a.opts.Profile.CheckURL)
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

// facts are the values of the knowledge placeholders for this flow.
func (f *flow) facts(a *Analyzer) map[string]string {
	m := map[string]string{
		"server":    addr(f.server),
		"server_ip": f.server.Addr().String(),
		"port":      strconv.Itoa(int(f.server.Port())),
		"client":    addr(f.client),
		"client_ip": f.client.Addr().String(),
		"offered":   f.offered(),
		"time":      f.last.UTC().Format("15:04:05"),
		"check_url": a.opts.Profile.CheckURL,
	}
	if f.diag.highest != 0 {
		m["client_highest"] = f.diag.highest.String()
	}
	if len(f.icmp) > 0 {
		m["router"] = f.icmp[0].router.String()
	}
	if i, ok := f.injectedRST(); ok {
		m["idle"] = fmtDur(f.path.rst[i].idle)
		m["reset_in_name_of"] = addr(f.server)
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
