// Package ticket writes the reports attached to support tickets: Markdown ticket text and one
// self-contained HTML page. Both lead with the answer and render the same findings as every
// other format (package findings), worded by package wording.
package ticket

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// Bounds that keep ticket text readable with thousands of connections.
const (
	// maxGroupFlowsShown is how many connections of one group the Markdown report shows with
	// their evidence; the others are named by number.
	maxGroupFlowsShown = findings.ExamplesPerGroup
	// maxEvidenceGroups is how many groups get their evidence written out.
	maxEvidenceGroups = 20
	// maxMarkdownFlows is how many rows the table of all connections has.
	maxMarkdownFlows = 200
	// maxTableAgents is how many agent addresses a group's row names.
	maxTableAgents = 10
)

// Markdown writes the report as ticket text (GitHub-flavoured Markdown): the answer in one
// paragraph, a table of the failing groups, the evidence of each group, the failing DNS names,
// the next steps as a list per group, then a table of the connections, the servers, the fleet
// and the fingerprints. Every string from the result is escaped, so that text from the capture
// (an SNI, an HTTP path) renders as text and cannot break a table.
func Markdown(b *bytes.Buffer, r *result.Result, wd *wording.Words) error {
	fs := findings.Of(r)
	title := wd.Say("report.title")
	if r.Input.File != "" {
		title = wd.Say("report.title-file", result.File("file", wording.InputName(&r.Input)))
	}
	b.WriteString("# " + mdText(title) + "\n\n")
	a := wd.Answer(r, fs)
	b.WriteString("**" + mdText(a.Lead) + "**")
	// A space always follows the bold lead: CommonMark does not close emphasis between a
	// punctuation mark (「。」) and a letter.
	sep := " "
	for _, s := range append(slices.Clone(a.Lines), a.More...) {
		b.WriteString(sep + mdText(s))
		sep = wd.SentenceSep()
	}
	if a.Next != "" {
		b.WriteString(sep + "**" + mdText(wd.Label("report.label.next-step")) + "** " + mdText(a.Next))
	}
	b.WriteString("\n\n")
	for i := range r.Warnings {
		if i > 0 {
			b.WriteString(">\n")
		}
		b.WriteString("> **" + mdText(wd.Label("report.label.warning")) + "** " + mdText(wd.Warning(&r.Warnings[i])) + "\n")
	}
	if fs.Flows == 0 && fs.Listed == 0 {
		writeMarkdownEmpty(b, r, wd)
	}
	writeMarkdownInputVantages(b, r, wd)
	if len(fs.Groups) > 0 {
		writeMarkdownGroups(b, fs, wd)
	}
	writeMarkdownNames(b, r, wd)
	writeMarkdownNextSteps(b, fs, wd)
	if fs.Listed > 0 {
		writeMarkdownFlows(b, r, fs, wd)
	}
	writeMarkdownFooter(b, r, wd)
	tidyBlankLines(b)
	return nil
}

// tidyBlankLines leaves one blank line between blocks, as the sections are written
// independently.
func tidyBlankLines(b *bytes.Buffer) {
	out := b.Bytes()
	for bytes.Contains(out, []byte("\n\n\n")) {
		out = bytes.ReplaceAll(out, []byte("\n\n\n"), []byte("\n\n"))
	}
	tidy := bytes.Clone(out)
	b.Reset()
	b.Write(tidy)
}

// mdRow writes one table row of cells already escaped.
func mdRow(b *bytes.Buffer, cells ...string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// mdHead writes a table's heading row and its alignment row (":" marks a right-aligned column).
func mdHead(b *bytes.Buffer, wd *wording.Words, keys []string, right ...bool) {
	cells, align := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		cells[i], align[i] = strings.TrimPrefix(mdText(wd.Say(k)), `\`), "---" // "#" starts no heading in a cell
		if i < len(right) && right[i] {
			align[i] = "---:"
		}
	}
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n|" + strings.Join(align, "|") + "|\n")
}

// writeMarkdownEmpty writes what was read and where the capture's connections are.
func writeMarkdownEmpty(b *bytes.Buffer, r *result.Result, wd *wording.Words) {
	e := wd.Empty(r)
	b.WriteString("\n## " + mdText(wd.Say("report.h.outside")) + "\n\n")
	for _, s := range []string{e.Read, e.Stopped, e.Outside} {
		if s != "" {
			b.WriteString(mdText(s) + "\n")
		}
	}
	if len(e.Ports) > 0 {
		b.WriteString("\n")
		mdHead(b, wd, []string{"report.col.port", "report.col.syns", "report.col.packets"}, true, true, true)
		for _, p := range e.Ports {
			mdRow(b, p...)
		}
	}
	if len(e.Hosts) > 0 {
		b.WriteString("\n")
		mdHead(b, wd, []string{"report.col.host", "report.col.syns"}, false, true)
		for _, h := range e.Hosts {
			mdRow(b, mdText(h[0]), h[1])
		}
	}
	if e.Hint != "" {
		b.WriteString("\n" + mdText(e.Hint) + "\n")
	}
}

// writeMarkdownGroups writes the table of failing groups and the evidence of each.
func writeMarkdownGroups(b *bytes.Buffer, fs *findings.Findings, wd *wording.Words) {
	b.WriteString("\n## " + mdText(wd.Say("report.h.failing")) + "\n\n")
	clients, server := wording.GroupCols(fs)
	mdHead(b, wd, []string{"report.col.group", clients, server, "report.col.offered",
		"report.col.chosen", "report.col.verdict", "report.col.connections"}, true)
	for i, g := range fs.Groups {
		agents, offered, chosen, conns := "?", "?", "?", strconv.Itoa(g.Connections)
		if !g.Unlisted {
			agents = mdText(wd.Msg(findings.AgentList(g.Agents[:min(len(g.Agents), maxTableAgents)], g.AgentCount)))
			offered, chosen = mdText(findings.VersionRange(g.Offered)), mdText(wording.OrDash(g.Chosen))
			conns = mdText(wd.Say("report.group-connections", result.Int("n", g.Connections), result.Sub("refs", wording.Refs(g.FlowIDs, g.Connections))))
		}
		mdRow(b, strconv.Itoa(i+1), agents, mdText(g.Server), offered, chosen, "`"+mdCodeText(string(g.Verdict))+"`", conns)
	}
	b.WriteString("\n## " + mdText(wd.Say("report.h.evidence")) + "\n")
	for i, g := range fs.Groups {
		if i == maxEvidenceGroups {
			b.WriteString("\n" + mdText(wd.Say("report.evidence-more", result.Int("n", len(fs.Groups)-i))) + "\n")
			break
		}
		b.WriteString("\n### " + strconv.Itoa(i+1) + ". " + mdText(wording.UpperFirst(wd.Msg(wd.Headline(g, fs)))) + "\n")
		shown := min(len(g.Examples), maxGroupFlowsShown)
		for _, f := range g.Examples[:shown] {
			writeMarkdownFlow(b, wording.ViewFlow(f, wd), wd)
		}
		if more := g.Connections - shown; shown > 0 && more > 0 {
			b.WriteString("\n" + mdText(wd.Say("report.other-connections", result.Int("n", more),
				result.Sub("refs", wording.Refs(g.FlowIDs[shown:], more)))) + "\n")
		}
	}
}

// writeMarkdownFlow writes one connection's evidence: why, the evidence frames and the
// Wireshark filter.
func writeMarkdownFlow(b *bytes.Buffer, f *wording.FlowView, wd *wording.Words) {
	b.WriteString("\n**#" + strconv.Itoa(f.ID) + "** " + mdText(wording.OrDash(f.Client)) + " → " + mdText(wording.OrDash(f.Server)) +
		", `" + mdCodeText(string(f.Verdict)) + "`, " + mdText(wd.Say("report.col.tcp")) + " `" + mdCodeText(wording.OrDash(f.ConnState)) + "`\n\n")
	item := func(key, text string) {
		if text != "" {
			b.WriteString("- " + mdText(wd.Label(key)) + " " + mdText(text) + "\n")
		}
	}
	item("report.label.why", f.Reason)
	item("report.label.sni", string(findings.SNI(f.Flow)))
	item("report.label.not-tls", f.NotTLS)
	if f.HTTP != nil {
		item("report.label.http", wd.HTTPLine(f.Flow))
	}
	writeMarkdownEvidence(b, f.Evidence, wd)
	writeMarkdownVantages(b, f.Flow, wd)
	if f.WiresharkFilter() != "" {
		b.WriteString("- " + mdText(wd.Label("report.label.wireshark-filter")) + " " + mdCode(f.WiresharkFilter()) + "\n")
	}
}

// writeMarkdownVantages writes, for a connection seen at several vantages, where it was seen and
// which hop lost what: a line per direction.
func writeMarkdownVantages(b *bytes.Buffer, f *result.Flow, wd *wording.Words) {
	seen, lines := wd.VantageLines(f)
	if seen == "" {
		return
	}
	b.WriteString("- " + mdText(wd.Label("report.label.seen-at")) + " " + mdText(seen) + "\n")
	for _, l := range lines {
		b.WriteString("  - **" + mdText(wording.UpperFirst(l.Label)) + "** " + mdText(l.Text) + "\n")
	}
}

// writeMarkdownInputVantages writes the capture points and the clock offsets between them.
func writeMarkdownInputVantages(b *bytes.Buffer, r *result.Result, wd *wording.Words) {
	list, offsets := wd.InputVantages(&r.Input)
	if list == "" {
		return
	}
	b.WriteString("\n## " + mdText(wd.Say("report.h.vantages")) + "\n\n")
	b.WriteString("- " + mdText(wd.Label("report.label.captured-at")) + " " + mdText(list) + "\n")
	for _, o := range offsets {
		b.WriteString("- " + mdText(wording.UpperFirst(o)) + "\n")
	}
}

func writeMarkdownEvidence(b *bytes.Buffer, es []wording.EvidenceView, wd *wording.Words) {
	for _, e := range es {
		b.WriteString("- " + mdText(wording.UpperFirst(wd.Say("report.evidence", result.Int("frame", e.Frame),
			result.Text("time", wording.UTC(e.Time, wording.EvidenceLayout)), result.Capture("text", e.Text)))) + "\n")
	}
}

// writeMarkdownNames writes the DNS names tied to the servers: a table, and the evidence of
// each failing one.
func writeMarkdownNames(b *bytes.Buffer, r *result.Result, wd *wording.Words) {
	if len(r.Names) == 0 {
		return
	}
	b.WriteString("\n## " + mdText(wd.Say("report.h.names")) + "\n\n")
	mdHead(b, wd, []string{"report.col.name", "report.col.tied-by", "report.col.outcome", "report.col.asked-by",
		"report.col.dns-server", "report.col.answer", "report.col.verdict"})
	for i := range r.Names {
		n := &r.Names[i]
		verdict := "`" + mdCodeText(string(n.Verdict)) + "`"
		if n.Failed {
			verdict = "**" + verdict + "**"
		}
		mdRow(b, mdText(n.Name), mdText(wording.OrDash(n.Relation)), mdText(wording.OrDash(n.Outcome)), mdText(wording.OrDash(wd.Askers(n))),
			mdText(wording.OrDash(strings.Join(result.Strings(n.DNSServers), ", "))), mdText(wording.OrDash(strings.Join(result.Strings(n.Answers), ", "))), verdict)
	}
	for i := range r.Names {
		if !r.Names[i].Failed {
			continue
		}
		n := wording.ViewName(&r.Names[i], wd)
		b.WriteString("\n### " + mdText(wording.UpperFirst(wd.Msg(wd.NameHeadline(n.Name)))) + "\n\n")
		if n.Reason != "" {
			b.WriteString("- " + mdText(wd.Label("report.label.why")) + " " + mdText(n.Reason) + "\n")
		}
		writeMarkdownEvidence(b, n.Evidence, wd)
		if n.WiresharkFilter() != "" {
			b.WriteString("- " + mdText(wd.Label("report.label.wireshark-filter")) + " " + mdCode(n.WiresharkFilter()) + "\n")
		}
	}
}

// stepList is next steps and the groups they are for.
type stepList struct {
	steps  []string
	groups []string // the groups' numbers
}

// writeMarkdownNextSteps lists the next steps of each group (and failing name) as a numbered
// list of numbered steps; groups with the same steps share an entry.
func writeMarkdownNextSteps(b *bytes.Buffer, fs *findings.Findings, wd *wording.Words) {
	if len(fs.Groups) == 0 && len(fs.Names) == 0 {
		return
	}
	var lists []*stepList
	add := func(steps []string, label string) {
		if len(steps) == 0 {
			return
		}
		for _, l := range lists {
			if slices.Equal(l.steps, steps) {
				l.groups = append(l.groups, label)
				return
			}
		}
		lists = append(lists, &stepList{steps: steps, groups: []string{label}})
	}
	for i, g := range fs.Groups {
		add(wd.GroupSteps(g), strconv.Itoa(i+1))
	}
	b.WriteString("\n## " + mdText(wd.Say("report.h.next-steps")) + "\n\n")
	n := 0
	for _, l := range lists {
		n++
		b.WriteString(strconv.Itoa(n) + ". " + mdText(wording.UpperFirst(wd.Say("report.for-groups", result.Int("n", len(l.groups)),
			wording.Texts("groups", l.groups)))) + "\n")
		writeMarkdownSteps(b, l.steps)
	}
	for _, nm := range fs.Names {
		v := wording.ViewName(nm, wd)
		if len(v.NextSteps) == 0 {
			continue
		}
		n++
		b.WriteString(strconv.Itoa(n) + ". " + mdText(wording.UpperFirst(wd.Say("report.for-name", result.From("name", nm.Name)))) + "\n")
		writeMarkdownSteps(b, v.NextSteps)
	}
	if n == 0 {
		b.WriteString(mdText(wd.Say("report.no-next-step")) + "\n")
	}
}

// writeMarkdownSteps writes steps as a numbered list inside an item of a numbered list.
func writeMarkdownSteps(b *bytes.Buffer, steps []string) {
	for j, s := range steps {
		b.WriteString("   " + strconv.Itoa(j+1) + ". " + mdText(s) + "\n")
	}
}

// writeMarkdownFlows writes the table of the first listed connections.
func writeMarkdownFlows(b *bytes.Buffer, r *result.Result, fs *findings.Findings, wd *wording.Words) {
	b.WriteString("\n## " + mdText(wd.Say("report.h.all")) + "\n\n")
	cols := []string{"report.col.id", "report.col.time-utc", "report.col.client", "report.col.server", "report.col.sni",
		"report.col.tcp", "report.col.offered", "report.col.chosen", "report.col.verdict"}
	views := len(r.Input.Vantages) > 0
	if views {
		cols = append(cols, "report.col.between")
	}
	mdHead(b, wd, cols, true)
	var legacy wording.LegacyNotes
	for i, f := range r.Flows.All() {
		if i == maxMarkdownFlows {
			b.WriteString("\n" + mdText(wd.Say("report.rows-more", result.Int("n", fs.Listed-i))) + "\n")
			break
		}
		offered := findings.VersionRange(f.OfferedVersions)
		if findings.OfferedLegacy(f) {
			offered += wording.LegacyMark
			legacy.Add(f.OfferedVersions)
		}
		verdict := "`" + mdCodeText(wd.VerdictCell(f)) + "`"
		if f.Failed {
			verdict = "**" + verdict + "**"
		}
		cells := []string{strconv.Itoa(f.ID), wording.UTC(f.Start, wording.StartLayout), mdText(wording.OrDash(f.Client)), mdText(wording.OrDash(f.Server)),
			mdText(wording.OrDash(findings.SNI(f))), mdText(wording.OrDash(f.ConnState)), mdText(offered), mdText(wording.OrDash(findings.Chosen(f))), verdict}
		if views {
			cells = append(cells, mdText(wd.VantageCell(f)))
		}
		mdRow(b, cells...)
	}
	if k := legacy.Key(); k != "" {
		b.WriteString("\n" + mdText(wd.Say(k)) + "\n")
	}
	if fs.NotListed > 0 {
		b.WriteString("\n" + mdText(wd.Say("report.not-listed", result.Int("n", fs.NotListed), result.Int("max", r.Options.MaxFlows))) + "\n")
	}
}

// writeMarkdownFooter writes the servers, the fleet, the fingerprints, the counts per verdict
// and what was read.
func writeMarkdownFooter(b *bytes.Buffer, r *result.Result, wd *wording.Words) {
	s := &r.Summary
	if len(s.Servers) > 0 {
		b.WriteString("\n## " + mdText(wd.Say("report.h.servers")) + "\n\n")
		mdHead(b, wd, []string{"report.col.server", "report.col.connections", "report.col.failed", "report.col.accepted"}, false, true, true)
		for _, sv := range s.Servers {
			mdRow(b, mdText(sv.Server), strconv.Itoa(sv.Flows), strconv.Itoa(sv.Failed), mdText(wording.OrDash(strings.Join(sv.AcceptedVersions, ", "))))
		}
	}
	fleet := false
	for _, sv := range s.Servers {
		if sv.Policy.IsZero() {
			continue
		}
		if !fleet {
			b.WriteString("\n## " + mdText(wd.Say("report.h.fleet")) + "\n\n")
			fleet = true
		}
		b.WriteString("- " + mdText(wd.ServerPolicy(s, sv.Server, sv.Policy)) + "\n")
		for _, g := range s.Fleet {
			if g.Server == sv.Server && !g.Text.IsZero() {
				b.WriteString("  - " + mdText(wd.Msg(g.Text)) + "\n")
			}
		}
	}
	if len(s.Fingerprints) > 0 {
		b.WriteString("\n## " + mdText(wd.Say("report.h.fingerprints")) + "\n\n")
		clients, _ := wording.FingerprintCols(s.Fingerprints)
		mdHead(b, wd, []string{"report.col.ja4", "report.col.ja3", clients, "report.col.connections", "report.col.failed",
			"report.col.highest"}, false, false, true, true, true)
		for _, g := range s.Fingerprints {
			mdRow(b, "`"+mdCodeText(wording.OrDash(g.JA4))+"`", "`"+mdCodeText(wording.OrDash(g.JA3))+"`", strconv.Itoa(g.AgentCount),
				strconv.Itoa(g.Flows), strconv.Itoa(g.Failed), mdText(wording.OrDash(g.HighestVersion)))
		}
	}
	if len(s.Verdicts) > 0 {
		b.WriteString("\n" + mdText(wd.Say("report.verdicts-line", wording.VerdictCounts(s.Verdicts))) + "\n")
	}
	b.WriteString("\n---\n*" + mdText(wd.Say("report.footer", result.Text("generator", r.Input.Generator.String()), result.Sub("input", wording.InputMsg(&r.Input)))) + "*\n")
}
