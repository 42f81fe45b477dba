package wording

import (
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// Bounds on the answer paragraph and on a headline.
const (
	maxAnswerGroups   = 3 // groups the answer names
	maxAnswerNames    = 3 // failing names the answer names
	maxHeadlineAgents = 5 // agent addresses a headline names before "and N more"
)

// AnswerText is a report's answer in a few sentences, as plain text.
type AnswerText struct {
	Lead  string   // what failed: "2 of 5 connections failed."
	Lines []string // one sentence per failing group and failing name named, "... — refused."
	More  []string // how many more groups and names the report holds; then the Heartbleed probes (no failure)
	Next  string   // the first finding's first next step (and how many more); "" for none
}

// Answer words the answer of r, whose findings are fs: what failed, the first maxAnswerGroups groups and
// maxAnswerNames names in one sentence each, and the first finding's first next step.
func (w *Words) Answer(r *result.Result, fs *findings.Findings) AnswerText {
	var a AnswerText
	n, failed := result.Int("n", fs.Flows), result.Int("failed", fs.Failed)
	names, total := result.Int("names", len(fs.Names)), result.Int("total", fs.NamesTotal)
	switch {
	case fs.Failed > 0 && len(fs.Names) > 0:
		a.Lead = w.Sentences(w.Say("report.lead.failed", failed, n), w.Say("report.lead.names", names, total))
	case fs.Failed > 0:
		a.Lead = w.Say("report.lead.failed", failed, n)
	case len(fs.Names) > 0:
		a.Lead = w.Say("report.lead.ok-names", n, names, total)
	case fs.Flows == 0:
		a.Lead = w.Say("report.lead.none", result.Text("analysed", w.Analysed(&r.Options)))
	case undecided(r) > 0:
		a.Lead = w.Say("report.lead.undecided", result.Int("undecided", undecided(r)), n)
	default:
		a.Lead = w.Sentences(append([]string{w.Say("report.lead.ok", n)}, w.probes(r)...)...)
		for _, sv := range fs.Servers {
			if len(sv.AcceptedVersions) > 0 {
				versions := make([]result.Message, len(sv.AcceptedVersions))
				for i, v := range sv.AcceptedVersions {
					versions[i] = result.Msg("report.text", result.Text("text", v))
				}
				a.Lead = w.Sentences(a.Lead, w.Say("report.lead.server-chose", result.From("server", sv.Server),
					result.List("versions", versions)))
			}
		}
	}
	for i, g := range fs.Groups {
		if i == maxAnswerGroups {
			a.More = append(a.More, w.Say("report.answer.more", result.Int("n", len(fs.Groups)-i)))
			break
		}
		a.Lines = append(a.Lines, w.answerLine(w.Headline(g, fs), g.Verdict))
	}
	for i, nm := range fs.Names {
		if i == maxAnswerNames {
			a.More = append(a.More, w.Say("report.answer.names-more", result.Int("n", len(fs.Names)-i)))
			break
		}
		a.Lines = append(a.Lines, w.answerLine(w.NameHeadline(nm), nm.Verdict))
	}
	if fs.Failed > 0 || len(fs.Names) > 0 || fs.Flows > 0 && undecided(r) > 0 {
		// The probes are no failure: said after what failed, or after the lead when the
		// connections could not be judged.
		if len(a.Lines) > 0 {
			a.More = append(a.More, w.probes(r)...)
		} else {
			a.Lead = w.Sentences(append([]string{a.Lead}, w.probes(r)...)...)
		}
	}
	var steps []string
	switch {
	case len(fs.Groups) > 0:
		steps = w.GroupSteps(fs.Groups[0])
	case len(fs.Names) > 0:
		_, steps, _ = w.Name(fs.Names[0])
	}
	if len(steps) > 0 {
		a.Next = steps[0]
	}
	if len(steps) > 1 {
		a.Next = w.Sentences(a.Next, w.Say("report.answer.steps-more", result.Int("n", len(steps)-1)))
	}
	return a
}

// probes words the hosts that sent each server Heartbleed probes (the fleet view's groups of
// outcome heartbleed-probe), a sentence per server: "1 host (173.203.79.216) sent server
// 162.219.2.166:443 a Heartbleed probe (…): not an agent failing, see the warning." The probes
// have the verdict heartbleed-probe, no failure: the answer says so without counting them.
func (w *Words) probes(r *result.Result) []string {
	var out []string
	for _, g := range r.Summary.Fleet {
		if g.Outcome != "heartbleed-probe" {
			continue
		}
		hosts := findings.AgentList(g.Agents[:min(len(g.Agents), maxHeadlineAgents)], g.AgentCount)
		who := result.Msg("report.who-hosts", result.Int("n", g.AgentCount), result.Sub("agents", hosts))
		if g.Flows > g.AgentCount {
			who = result.Msg("report.who-hosts-flows", result.Int("n", g.AgentCount), result.Sub("agents", hosts), result.Int("flows", g.Flows))
		}
		out = append(out, w.Say("report.lead.heartbleed-probe", result.Sub("who", who),
			result.Sub("peer", result.Msg("report.peer.server", result.From("server", g.Server))), result.Int("flows", g.Flows)))
	}
	return out
}

// undecided is how many of r's connections the packets could not judge (incomplete), listed or
// not.
func undecided(r *result.Result) int {
	for _, vc := range r.Summary.Verdicts {
		if vc.Verdict == result.VerdictIncomplete {
			return vc.Count
		}
	}
	return 0
}

func (w *Words) answerLine(headline result.Message, v result.Verdict) string {
	return UpperFirst(w.Say("report.answer.line", result.Sub("headline", headline), result.Text("verdict", string(v))))
}

// Paragraph is the answer in one paragraph: the lead, the lines, what more there is and the
// next step after its label.
func (a AnswerText) Paragraph(w *Words) string {
	parts := append(append([]string{a.Lead}, a.Lines...), a.More...)
	if a.Next != "" {
		parts = append(parts, w.Label("report.label.next-step")+" "+a.Next)
	}
	return w.Sentences(parts...)
}

// who names a group's agents: "2 agents (10.0.0.5, 10.0.0.6)", with "in 4 connections" when
// some agent failed more than once; on an agents' listener port, the management servers that
// notify the agent: "2 management servers (10.0.0.5, 10.0.0.6)".
func who(g *findings.Group) result.Message {
	if g.AgentListener() {
		return whoAs("report.who-servers", g)
	}
	return whoAs("report.who", g)
}

// peer names a group's server: "server 10.0.0.1:4343", or on an agents' listener port the agent
// the servers notify: "agent 10.0.0.9:21112".
func peer(g *findings.Group) result.Arg {
	key := "report.peer.server"
	if g.AgentListener() {
		key = "report.peer.agent"
	}
	return result.Sub("peer", result.Msg(key, result.From("server", g.Server)))
}

// whoAs is who with the words of key (report.who, report.who-servers) and key+"-flows".
func whoAs(key string, g *findings.Group) result.Message {
	agents := findings.AgentList(g.Agents[:min(len(g.Agents), maxHeadlineAgents)], g.AgentCount)
	if g.Connections > g.AgentCount {
		return result.Msg(key+"-flows", result.Int("n", g.AgentCount), result.Sub("agents", agents), result.Int("flows", g.Connections))
	}
	return result.Msg(key, result.Int("n", g.AgentCount), result.Sub("agents", agents))
}

// Headline is the group in one sentence without a final period: who, what went wrong, with
// which server.
func (w *Words) Headline(g *findings.Group, fs *findings.Findings) result.Message {
	if g.Unlisted {
		return result.Msg("report.headline.unlisted", result.Int("flows", g.Connections), peer(g))
	}
	args := []result.Arg{result.Sub("who", who(g)), result.Int("n", g.AgentCount), result.Int("conns", g.Connections), result.From("server", g.Server), peer(g)}
	key := "report.headline." + string(g.Verdict)
	switch g.Verdict {
	case result.VerdictTLSVersionMismatch:
		args = append(args, result.Text("highest", OrDash(g.Highest)))
		acc := acceptedBy(fs, g.Server)
		if len(acc) == 0 {
			key = "report.headline.tls-version-mismatch-unknown"
			break
		}
		accepted := result.Msg("report.text", result.Text("text", acc[0]))
		if len(acc) > 1 {
			accepted = result.Msg("report.list-and", Texts("items", acc[:len(acc)-1]),
				result.Sub("last", result.Msg("report.text", result.Text("text", acc[len(acc)-1]))))
		}
		args = append(args, result.Sub("accepted", accepted))
	case result.VerdictTLSHandshakeFailure, result.VerdictTLSCertificateRejected, result.VerdictTLSAlert:
		alert := result.Msg("report.alert-unknown")
		if g.Alert.Description != "" {
			alert = result.Msg("report.alert", result.Text("alert", g.Alert.Description), result.Sub("side", result.Msg("word."+g.Alert.From)))
		}
		args = append(args, result.Sub("alert", alert))
	case result.VerdictServerResetAfterClientHello, result.VerdictServerClosedAfterClientHello:
		args = append(args, result.Text("offered", findings.VersionRange(g.Offered)))
	case result.VerdictHTTPError:
		args = append(args, result.Int("status", g.HTTPStatus))
		if g.AgentListener() {
			key += "-agent-listener" // the agent answered the servers' notification, not a check URL
		}
	}
	switch g.Verdict {
	case result.VerdictClosedDuringHandshake, result.VerdictTLSHandshakeFailure, result.VerdictTLSCertificateRejected,
		result.VerdictTLSVersionMismatch, result.VerdictNotTLS:
		// The groups are parted by the variant (the side that closed; where a handshake failure
		// came; a TLS 1.3 client's encrypted alert; a version mismatch the packets only make the
		// most likely cause; which side spoke something other than TLS, and when): a headline of
		// the variant's own words it, as certain as the reasons it sums up.
		if v := g.Advice().Variant; v != "" && english().Has(key+"-"+v) {
			key += "-" + v
			if g.Verdict == result.VerdictTLSVersionMismatch {
				args = append(args, result.Text("alert_name", OrDash(g.Alert.Description)))
			}
		}
	}
	if !english().Has(key) {
		adv := g.Advice()
		key = "report.headline.other"
		args = append(args, result.Text("title", w.Advice(g.Verdict, &adv).Title))
	}
	h := result.Msg(key, args...)
	if offeredParts(g, fs) {
		// Another group of the same verdict, variant and server differs only in what its
		// ClientHellos offer: the headline says what this one offers.
		okey := "report.headline.offered"
		if g.Legacy {
			okey = "report.headline.offered-legacy"
		}
		h = result.Msg(okey, result.Sub("headline", h), result.Text("offered", findings.VersionRange(g.Offered)))
	}
	return h
}

// offeredParts reports whether another group of fs has g's verdict, server, chosen version,
// HTTP status and variant, and so differs from g only in the versions its ClientHellos offer
// (or how they offer them): the headlines of both would read the same without them.
func offeredParts(g *findings.Group, fs *findings.Findings) bool {
	if g.Unlisted || len(g.Offered) == 0 { // no ClientHello: the others' say how they differ
		return false
	}
	for _, o := range fs.Groups {
		if o == g || o.Unlisted || o.Verdict != g.Verdict || o.Server != g.Server || o.Chosen != g.Chosen ||
			o.HTTPStatus != g.HTTPStatus || o.Advice().Variant != g.Advice().Variant {
			continue
		}
		if findings.VersionRange(o.Offered) != findings.VersionRange(g.Offered) || o.Legacy != g.Legacy {
			return true
		}
	}
	return false
}

// english is the English catalog, which has every key (another language falls back to it).
func english() *knowledge.Catalog { return knowledge.CatalogOf(knowledge.English) }

// acceptedBy is what server was seen to accept.
func acceptedBy(fs *findings.Findings, server result.HostPort) []string {
	for _, s := range fs.Servers {
		if s.Server == server {
			return s.AcceptedVersions
		}
	}
	return nil
}

// NameHeadline is a failing DNS name in one sentence, without a final period.
func (w *Words) NameHeadline(n *result.Name) result.Message {
	count := max(n.AskerCount, len(n.Askers))
	askers := findings.AgentList(n.Askers[:min(len(n.Askers), maxHeadlineAgents)], count)
	who := result.Sub("who", result.Msg("report.askers", result.Int("n", count), result.Sub("askers", askers)))
	name := result.From("name", n.Name)
	var outcome result.Message
	switch n.Outcome {
	case "resolved":
		items := make([]result.Message, len(n.Answers))
		for i, a := range n.Answers {
			items[i] = result.Msg("addr", result.From("addr", a))
		}
		return result.Msg("report.name.headline-elsewhere", name, who, result.List("answers", items))
	case "nxdomain", "servfail", "refused", "no-answer", "timeout", "answer-lost", "unanswered-at-end":
		outcome = result.Msg("report.name.outcome." + n.Outcome)
	default:
		outcome = result.Msg("report.name.outcome.rcode", result.Text("rcode", OrDash(n.RCode)))
	}
	return result.Msg("report.name.headline", name, who, result.Sub("outcome", outcome))
}

// GroupSteps are a group's next steps, naming every agent of the group.
func (w *Words) GroupSteps(g *findings.Group) []string {
	adv := g.Advice()
	return w.Advice(g.Verdict, &adv).NextSteps
}
