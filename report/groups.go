package report

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/result"
)

// The ticket formats (markdown, html) answer first: they group the failing flows by how they
// failed, so that "2 agents offer at most TLS 1.0; the server accepts TLS 1.2 only" is one line,
// not two rows to compare. This file holds what both formats share.

// maxGroupClients is how many agent addresses a group's headline names before "and N more".
const maxGroupClients = 5

// failGroup is the failing flows that got the same verdict from the same server with the same
// offered and chosen versions.
type failGroup struct {
	Verdict result.Verdict
	Server  string
	Offered string // versionRange of the offered versions, "-" for none
	Chosen  string // "-" for none
	Flows   []*flowView
	Clients []string // distinct client addresses (without port), in order of first flow
}

// groupFailures returns the groups of failing flows, in order of each group's first flow.
func groupFailures(flows []*flowView) []*failGroup {
	var groups []*failGroup
	for _, f := range flows {
		if !f.Failed {
			continue
		}
		offered, chosen := versionRange(f.OfferedVersions), "-"
		if f.ChosenVersion != nil && *f.ChosenVersion != "" {
			chosen = *f.ChosenVersion
		}
		j := slices.IndexFunc(groups, func(g *failGroup) bool {
			return g.Verdict == f.Verdict && g.Server == f.Server && g.Offered == offered && g.Chosen == chosen
		})
		if j < 0 {
			groups = append(groups, &failGroup{Verdict: f.Verdict, Server: f.Server, Offered: offered, Chosen: chosen})
			j = len(groups) - 1
		}
		g := groups[j]
		g.Flows = append(g.Flows, f)
		if c := hostOf(f.Client); !slices.Contains(g.Clients, c) {
			g.Clients = append(g.Clients, c)
		}
	}
	return groups
}

// hostOf returns the address part of "ip:port" or "[v6]:port"; s itself when it is neither.
func hostOf(s string) string {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().String()
	}
	return s
}

// agents says who: "1 agent (10.0.0.5)", "3 agents (10.0.0.5, 10.0.0.6, 10.0.0.7)", with
// "in 4 connections" when some agent failed more than once, and "and N more" past
// maxGroupClients addresses.
func (g *failGroup) agents() string {
	names := g.Clients
	more := 0
	if len(names) > maxGroupClients {
		names, more = names[:maxGroupClients], len(names)-maxGroupClients
	}
	list := strings.Join(names, ", ")
	if more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	s := fmt.Sprintf("%s (%s)", plural(len(g.Clients), "agent", "agents"), list)
	if len(g.Flows) > len(g.Clients) {
		s += fmt.Sprintf(" in %d connections", len(g.Flows))
	}
	return s
}

// headline is the group in one sentence without a final period: who, what went wrong, with
// which server. accepted is what the server was seen to accept (nil when unknown).
func (g *failGroup) headline(accepted []string) string {
	who, srv := g.agents(), "server "+g.Server
	f := g.Flows[0]
	// v picks the verb form that agrees with who.
	v := func(one, many string) string {
		if len(g.Clients) == 1 {
			return one
		}
		return many
	}
	switch g.Verdict {
	case result.VerdictTLSVersionMismatch:
		s := fmt.Sprintf("%s %s at most %s; %s", who, v("offers", "offer"), highestOffered(f), srv)
		if len(accepted) > 0 {
			return s + " accepts " + acceptedText(accepted)
		}
		return s + " refuses those versions"
	case result.VerdictTLSHandshakeFailure:
		return fmt.Sprintf("%s and %s end the handshake with the %s: most likely no cipher suite in common", who, srv, alertName(f))
	case result.VerdictTLSCertificateRejected:
		return fmt.Sprintf("%s %s the certificate of %s (%s)", who, v("rejects", "reject"), srv, alertName(f))
	case result.VerdictTLSAlert:
		return fmt.Sprintf("%s and %s end the handshake with the %s", who, srv, alertName(f))
	case result.VerdictServerResetAfterClientHello:
		return fmt.Sprintf("%s %s %s; %s resets the connection right after the ClientHello, without an alert", who, v("offers", "offer"), g.Offered, srv)
	case result.VerdictServerClosedAfterClientHello:
		return fmt.Sprintf("%s %s %s; %s closes the connection right after the ClientHello, without an alert", who, v("offers", "offer"), g.Offered, srv)
	case result.VerdictNoServerHello:
		return fmt.Sprintf("%s %s no answer from %s to the ClientHello", who, v("gets", "get"), srv)
	case result.VerdictRefused:
		return fmt.Sprintf("%s %s refused by %s: nothing listens on the port, or a firewall rejects the connection", who, v("is", "are"), srv)
	case result.VerdictSYNTimeout:
		return fmt.Sprintf("%s %s no answer from %s to the SYNs: a firewall drops them, or the host is down", who, v("gets", "get"), srv)
	case result.VerdictReset:
		return fmt.Sprintf("%s %s connections to %s reset after the TCP handshake", who, v("has", "have"), srv)
	case result.VerdictNotTLS:
		return fmt.Sprintf("%s %s not speak TLS to %s", who, v("does", "do"), srv)
	}
	return fmt.Sprintf("%s: %s with %s", who, g.Verdict, srv)
}

// highestOffered is the highest version the flow's client offered, or "-".
func highestOffered(f *flowView) string {
	if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.Highest != "" {
		return f.TLS.ClientHello.Highest
	}
	if n := len(f.OfferedVersions); n > 0 {
		return f.OfferedVersions[n-1]
	}
	return "-"
}

// acceptedText writes what a server accepts: "TLS 1.2 only", "TLS 1.1 and TLS 1.2".
func acceptedText(vs []string) string {
	if len(vs) == 1 {
		return vs[0] + " only"
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " and " + vs[len(vs)-1]
}

// alertName names the flow's first fatal alert: "alert handshake_failure from the server".
func alertName(f *flowView) string {
	for _, a := range f.Alerts {
		if a.Level == "fatal" {
			return fmt.Sprintf("alert %s from the %s", a.Description, a.From)
		}
	}
	if len(f.Alerts) > 0 {
		a := f.Alerts[0]
		return fmt.Sprintf("alert %s from the %s", a.Description, a.From)
	}
	return "alert"
}

// accepted returns the versions server was seen to accept, from the summary.
func accepted(r *result.Result, server string) []string {
	for _, s := range r.Summary.Servers {
		if s.Server == server {
			return s.AcceptedVersions
		}
	}
	return nil
}

// summaryText is the answer in a few plain sentences (no markup): how many connections failed,
// each group's headline (the first few), and the first group's next step. Every format escapes
// it as it needs.
type summaryText struct {
	Lead      string   // "2 of 5 connections failed." / "All 3 connections worked."
	Headlines []string // one per group shown, each ending with " — <verdict>."
	More      string   // "... and 2 more groups: see below", or ""
	NextStep  string   // the first group's next step, or ""
}

// maxSummaryGroups is how many groups the summary paragraph names.
const maxSummaryGroups = 3

func summarizeFailures(r *result.Result, groups []*failGroup) summaryText {
	s := r.Summary
	var t summaryText
	switch {
	case s.Flows == 0:
		t.Lead = "No TCP connection was found on the analysed ports."
	case s.Failed == 0:
		t.Lead = fmt.Sprintf("No connection failed: %s.", plural(s.Flows, "connection was analysed", "connections were analysed"))
		var acc []string
		for _, sv := range s.Servers {
			if len(sv.AcceptedVersions) > 0 {
				acc = append(acc, fmt.Sprintf("server %s chose %s", sv.Server, strings.Join(sv.AcceptedVersions, ", ")))
			}
		}
		if len(acc) > 0 {
			t.Lead += " " + upperFirst(strings.Join(acc, "; ")) + "."
		}
	default:
		t.Lead = fmt.Sprintf("%d of %s failed.", s.Failed, plural(s.Flows, "connection", "connections"))
	}
	for i, g := range groups {
		if i == maxSummaryGroups {
			t.More = fmt.Sprintf("%s more: see below.", plural(len(groups)-i, "group", "groups"))
			break
		}
		t.Headlines = append(t.Headlines, upperFirst(g.headline(accepted(r, g.Server)))+" — "+string(g.Verdict)+".")
	}
	if len(groups) > 0 {
		t.NextStep = groups[0].Flows[0].NextStep
	}
	return t
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// flowRefs lists flow numbers: "#4, #5".
func flowRefs(fs []*flowView) string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = "#" + strconv.Itoa(f.ID)
	}
	return strings.Join(ids, ", ")
}

// offeredCell is the offered versions with the legacy mark when the ClientHello had no
// supported_versions extension, and whether the mark was added.
func offeredCell(f *flowView) (string, bool) {
	offered := versionRange(f.OfferedVersions)
	if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.OfferedFromLegacy && len(f.OfferedVersions) > 0 {
		return offered + legacyMark, true
	}
	return offered, false
}

// sniOf is the flow's SNI, or "".
func sniOf(f *flowView) string {
	if f.TLS != nil && f.TLS.ClientHello != nil {
		return f.TLS.ClientHello.SNI
	}
	return ""
}

// chosenOf is the version the server chose, or "".
func chosenOf(f *flowView) string {
	if f.ChosenVersion != nil {
		return *f.ChosenVersion
	}
	return ""
}
