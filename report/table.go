package report

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// The table format is for a person at a terminal. It leads with the answer (as the Markdown
// report does); then, for a capture that fits on a screen, a row per connection and the detail
// of each failing one; for a bigger capture, the failing groups with one example each instead
// (--list, --failed or -v list connections there too). Then the DNS names, the servers and what
// each accepts, the fleet, the fingerprints and the counts. A capture of a hundred thousand
// connections prints in under a hundred lines, and every failing group is in them.

const (
	// screenful is how many connections the terminal lists by default.
	screenful = 40
	// maxGroupRows is how many rows the table of failing groups has; maxGroupBlocks how many
	// groups get their example written out.
	maxGroupRows   = 20
	maxGroupBlocks = 5
	// wrapWidth is the width the answer paragraph is wrapped at.
	wrapWidth = 100
)

// writeTable writes the report for a person at a terminal.
func writeTable(b *bytes.Buffer, r *result.Result, o Options) error {
	p := painter(o.Color)
	wd := wordsFor(r)
	fs := findings.Of(r)
	for i := range r.Warnings {
		b.WriteString(p.paint(ansiYellow, strings.ToUpper(wd.say("report.label.warning"))) + " " + clean(wd.warning(&r.Warnings[i])) + "\n")
	}
	if len(r.Warnings) > 0 {
		b.WriteByte('\n')
	}
	wrap(b, clean(wd.answer(r, fs).paragraph(wd)), wrapWidth)
	b.WriteByte('\n')
	if fs.Flows == 0 && fs.Listed == 0 {
		writeEmpty(b, r, wd)
		writeNames(b, r, wd, o, p)
		return nil
	}
	small := fs.Listed <= screenful
	list := small || o.List || o.Failed || o.Verbose
	perFlow := list && (small || o.Verbose)
	if list {
		writeListing(b, r, fs, wd, o, p)
	}
	if perFlow {
		writeDetails(b, r, wd, o, p)
	}
	if !perFlow || fs.NotListed > 0 {
		writeGroups(b, fs, wd, p)
	}
	writeNames(b, r, wd, o, p)
	writeServers(b, fs, wd)
	writeFleet(b, &r.Summary, wd)
	writeTotals(b, r, fs, wd)
	if !list && fs.Listed > 0 {
		wrap(b, wd.say("report.hint.list", result.Int("n", fs.Listed)), wrapWidth)
	}
	return nil
}

// wrap writes text in lines of at most width columns, broken at spaces.
func wrap(b *bytes.Buffer, text string, width int) {
	col := 0
	for i, word := range strings.Split(text, " ") {
		w := cellWidth(word)
		if i > 0 {
			if col+1+w > width {
				b.WriteByte('\n')
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(word)
		col += w
	}
	b.WriteByte('\n')
}

// writeListing writes a row per listed connection (per failing one with o.Failed) and, when a
// row needs it, the footnote on offered versions.
func writeListing(b *bytes.Buffer, r *result.Result, fs *findings.Findings, wd *words, o Options, p painter) {
	g := newGrid(wd.cols("report.col.id", "report.col.time", "report.col.client", "report.col.server", "report.col.sni",
		"report.col.tcp", "report.col.offered", "report.col.chosen", "report.col.verdict"), true)
	legacy := false
	for _, f := range r.Flows.All() {
		if o.Failed && !f.Failed {
			continue
		}
		offered := clean(findings.VersionRange(f.OfferedVersions))
		if findings.OfferedLegacy(f) {
			offered += legacyMark
			legacy = true
		}
		g.row(strconv.Itoa(f.ID), utc(f.Start, startLayout), orDash(f.Client), orDash(f.Server), orDash(findings.SNI(f)),
			orDash(f.ConnState), offered, orDash(findings.Chosen(f)), p.verdictOf(f.Verdict, f.Failed, wd.verdictCell(f)))
	}
	if len(g.rows) == 0 {
		return
	}
	g.render(b)
	if legacy {
		b.WriteString(clean(wd.say("report.legacy-footnote")) + "\n")
	}
	b.WriteByte('\n')
}

// writeDetails writes the block of each listed connection that failed (of every one with -v; of
// the failing ones only with --failed).
func writeDetails(b *bytes.Buffer, r *result.Result, wd *words, o Options, p painter) {
	for _, f := range r.Flows.All() {
		if !f.Failed && (!o.Verbose || o.Failed) {
			continue
		}
		writeDetail(b, viewFlow(f, wd), wd, p)
		b.WriteByte('\n')
	}
}

// writeDetail writes the block that explains one connection:
//
//	#3 tls-version-mismatch 10.0.0.5:50420 -> 10.0.0.1:4343
//	  why: ...
//	  next: ...
//	  evidence:
//	    frame 4  01:02:03.123456  ...
//	  filter: ...
func writeDetail(b *bytes.Buffer, f *flowView, wd *words, p painter) {
	b.WriteString("#" + strconv.Itoa(f.ID) + " " + p.verdict(f.Verdict) + " " + orDash(f.Client) + " -> " + orDash(f.Server) + "\n")
	writeExplained(b, f, wd, f.NextSteps)
}

// writeExplained writes the lines of a connection's block after its heading, with steps as its
// next steps (a group's name every agent of the group).
func writeExplained(b *bytes.Buffer, f *flowView, wd *words, steps []string) {
	labelled(b, wd, "report.label.why", f.Reason)
	writeNext(b, wd, steps)
	if f.RolesGuessed {
		labelled(b, wd, "report.label.note", wd.say("report.roles-guessed"))
	}
	if len(f.Flags) > 0 {
		labelled(b, wd, "report.label.flags", strings.Join(f.Flags, ", "))
	}
	if h := f.HTTP; h != nil {
		labelled(b, wd, "report.label.http", httpLine(h, wd))
	}
	if f.NotTLS != "" {
		labelled(b, wd, "report.label.not-tls", f.NotTLS)
	}
	writeEvidence(b, wd, f.Evidence)
	labelled(b, wd, "report.label.filter", f.Filter)
}

// httpLine is a plain-HTTP connection's request and response: "GET /path → HTTP/1.1 404 Not Found".
func httpLine(h *result.HTTP, wd *words) string {
	if h.Status == 0 {
		return wd.say("report.http-no-response", result.Text("method", h.Method), result.URLPath("path", h.Path))
	}
	return wd.say("report.http", result.Text("method", h.Method), result.URLPath("path", h.Path), result.Capture("status", h.StatusLine))
}

// labelled writes "  label: text" when text is not empty.
func labelled(b *bytes.Buffer, wd *words, key, text string) {
	if text == "" {
		return
	}
	b.WriteString("  " + wd.say(key) + " " + clean(text) + "\n")
}

// writeNext writes next steps: one line, or numbered lines under the label when there are
// several.
func writeNext(b *bytes.Buffer, wd *words, steps []string) {
	label := "  " + wd.say("report.label.next") + " "
	switch {
	case len(steps) == 1:
		b.WriteString(label + clean(steps[0]) + "\n")
	case len(steps) > 1:
		indent := strings.Repeat(" ", cellWidth(label))
		for i, s := range steps {
			if i == 0 {
				b.WriteString(label)
			} else {
				b.WriteString(indent)
			}
			b.WriteString(strconv.Itoa(i+1) + ". " + clean(s) + "\n")
		}
	}
}

// writeEvidence writes the evidence lines of a block, frame numbers aligned.
func writeEvidence(b *bytes.Buffer, wd *words, evidence []evidenceView) {
	if len(evidence) == 0 {
		return
	}
	b.WriteString("  " + wd.say("report.label.evidence") + "\n")
	w := 0
	for _, e := range evidence {
		w = max(w, len(strconv.Itoa(e.Frame)))
	}
	for _, e := range evidence {
		n := strconv.Itoa(e.Frame)
		frame := wd.say("report.frame", result.Text("n", strings.Repeat(" ", w-len(n))+n))
		b.WriteString("    " + frame + "  " + utc(e.Time, evidenceLayout) + "  " + clean(e.Text) + "\n")
	}
}

// writeGroups writes the failing groups: a table of them, then the example of the first few.
func writeGroups(b *bytes.Buffer, fs *findings.Findings, wd *words, p painter) {
	if len(fs.Groups) == 0 {
		return
	}
	g := newGrid(wd.cols("report.col.group", "report.col.verdict", "report.col.server", "report.col.offered",
		"report.col.chosen", "report.col.connections", "report.col.agents", "report.col.example"),
		true, false, false, false, false, true, true, true)
	for i, gr := range fs.Groups {
		if i == maxGroupRows {
			break
		}
		offered, chosen, agents, example := "?", "?", "?", "-"
		if !gr.Unlisted {
			offered, chosen, agents = clean(findings.VersionRange(gr.Offered)), orDash(gr.Chosen), strconv.Itoa(gr.AgentCount)
			if gr.Legacy {
				offered += legacyMark
			}
			example = "#" + strconv.Itoa(gr.FlowIDs[0])
		}
		g.row(strconv.Itoa(i+1), p.verdict(gr.Verdict), orDash(gr.Server), offered, chosen, strconv.Itoa(gr.Connections), agents, example)
	}
	g.render(b)
	if n := len(fs.Groups) - maxGroupRows; n > 0 {
		b.WriteString(wd.say("report.groups-more", result.Int("n", n)) + "\n")
	}
	b.WriteByte('\n')
	for i, gr := range fs.Groups {
		if i == maxGroupBlocks {
			break
		}
		b.WriteString(clean(wd.say("report.group-head", result.Int("n", i+1), result.Sub("headline", wd.headline(gr, fs)),
			result.Text("verdict", string(gr.Verdict)))) + "\n")
		if gr.Unlisted {
			writeNext(b, wd, wd.groupSteps(gr))
			b.WriteByte('\n')
			continue
		}
		b.WriteString("  " + clean(wd.say("report.group-connections", result.Int("n", gr.Connections),
			result.Sub("refs", refs(gr.FlowIDs, gr.Connections)))) + "\n")
		if gr.Example == nil {
			writeNext(b, wd, wd.groupSteps(gr))
			b.WriteByte('\n')
			continue
		}
		f := viewFlow(gr.Example, wd)
		b.WriteString("  " + wd.say("report.label.example") + " #" + strconv.Itoa(f.ID) + " " + orDash(f.Client) + " -> " + orDash(f.Server) + "\n")
		writeExplained(b, f, wd, wd.groupSteps(gr))
		b.WriteByte('\n')
	}
}

// writeServers writes the table of servers: connections, failures and the versions each was
// seen to accept.
func writeServers(b *bytes.Buffer, fs *findings.Findings, wd *words) {
	if len(fs.Servers) == 0 {
		return
	}
	g := newGrid(wd.cols("report.col.server", "report.col.connections", "report.col.failed", "report.col.accepted"), false, true, true)
	for _, sv := range fs.Servers {
		g.row(orDash(sv.Server), strconv.Itoa(sv.Flows), strconv.Itoa(sv.Failed), orDash(strings.Join(sv.AcceptedVersions, ", ")))
	}
	g.render(b)
	b.WriteByte('\n')
}

// writeTotals writes the counts: connections per verdict, names, and what was not listed.
func writeTotals(b *bytes.Buffer, r *result.Result, fs *findings.Findings, wd *words) {
	s := &r.Summary
	wrap(b, wd.say("report.totals", result.Int("n", s.Flows), result.Int("failed", s.Failed), verdictCounts(s.Verdicts)), wrapWidth)
	if len(r.Names) > 0 {
		b.WriteString(wd.say("report.names-total", result.Int("n", len(r.Names)), result.Int("failed", s.NamesFailed)) + "\n")
	}
	if fs.NotListed > 0 {
		wrap(b, wd.say("report.not-listed", result.Int("n", fs.NotListed), result.Int("max", r.Options.MaxFlows)), wrapWidth)
	}
}

// verdictCounts is the counts per verdict as a list parameter: "3 ok, 2 refused".
func verdictCounts(vs []result.VerdictCount) result.Arg {
	items := make([]result.Message, len(vs))
	for i, v := range vs {
		items[i] = result.Msg("report.count", result.Int("n", v.Count), result.Text("verdict", string(v.Verdict)))
	}
	return result.List("counts", items)
}
