// Package terminal writes the table format: the report for a person at a terminal. It leads
// with the answer (as the Markdown report does); then, for a capture that fits on a screen, a
// row per connection and the detail of each failing one; for a bigger capture, the failing
// groups with one example each instead (--list, --failed or -v list connections there too).
// Then the DNS names, the servers and what each accepts, the fleet, the fingerprints and the
// counts. A capture of a hundred thousand connections prints in under a hundred lines, and every
// failing group is in them.
package terminal

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

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

// Options are the table format's.
type Options struct {
	// Verbose lists every connection with its block (reason, next steps, evidence).
	Verbose bool
	// List lists every connection one by one, however many there are.
	List bool
	// Failed lists the failing connections one by one, and only them.
	Failed bool
	// Color adds ANSI colours; set it only when the output is a terminal.
	Color bool
}

// Write writes the report of r for a person at a terminal, worded by wd.
func Write(b *bytes.Buffer, r *result.Result, wd *wording.Words, o Options) error {
	p := painter(o.Color)
	fs := findings.Of(r)
	for i := range r.Warnings {
		b.WriteString(p.paint(ansiYellow, strings.ToUpper(wd.Say("report.label.warning"))) + " " + wording.Clean(wd.Warning(&r.Warnings[i])) + "\n")
	}
	if len(r.Warnings) > 0 {
		b.WriteByte('\n')
	}
	wrap(b, wording.Clean(wd.Answer(r, fs).Paragraph(wd)), wrapWidth)
	b.WriteByte('\n')
	writeInputVantages(b, r, wd)
	if fs.Flows == 0 && fs.Listed == 0 {
		writeEmpty(b, r, wd)
		if len(r.Names) > 0 {
			b.WriteByte('\n')
		}
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
		writeGroups(b, fs, wd, p, !perFlow)
	}
	writeNames(b, r, wd, o, p)
	writeServers(b, fs, wd)
	writeFleet(b, &r.Summary, wd)
	writeTotals(b, r, fs, wd)
	if !list && fs.Listed > 0 {
		wrap(b, wd.Say("report.hint.list", result.Int("n", fs.Listed)), wrapWidth)
	}
	return nil
}

// wrap writes text in lines of at most width columns, broken at spaces; Japanese (text of wide
// characters, which has no spaces between words) also between two characters where one is wide,
// but not before a closing mark or after an opening one (kinsoku).
func wrap(b *bytes.Buffer, text string, width int) {
	col := 0
	for i, word := range strings.Split(text, " ") {
		w := cellWidth(word)
		if col+w+1 > width && w > 1 && hasWide(word) {
			col = wrapWide(b, word, col, width, i > 0 && col > 0)
			continue
		}
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

// wrapWide writes word from column col (after a space when space is set), breaking the line
// between two characters where one is wide (never before a closing mark or after an opening one:
// those stay with their neighbour), and returns the column it ends at.
func wrapWide(b *bytes.Buffer, word string, col, width int, space bool) int {
	unit, unitW := 0, 0 // the unbreakable run being gathered: its start in word, its width
	var prev rune
	flush := func(end int) {
		if space {
			space = false
			if col+1+unitW <= width {
				b.WriteByte(' ')
				col++
			} else {
				b.WriteByte('\n')
				col = 0
			}
		}
		if col > 0 && col+unitW > width {
			b.WriteByte('\n')
			col = 0
		}
		b.WriteString(word[unit:end])
		col += unitW
		unit, unitW = end, 0
	}
	for i, r := range word {
		w := narrowWidth.RuneWidth(r)
		if i > 0 && (w == 2 || narrowWidth.RuneWidth(prev) == 2) &&
			!strings.ContainsRune(noBreakBefore, r) && !strings.ContainsRune(noBreakAfter, prev) {
			flush(i)
		}
		unitW += w
		prev = r
	}
	flush(len(word))
	return col
}

// Kinsoku: Japanese starts no line with a closing mark and ends none with an opening one.
const (
	noBreakBefore = "、。，．・：；？！ー）」』】〕｝〉》ぁぃぅぇぉっゃゅょァィゥェォッャュョ"
	noBreakAfter  = "（「『【〔｛〈《"
)

// hasWide reports whether s holds a wide (East Asian) character.
func hasWide(s string) bool {
	for _, r := range s {
		if r >= 0x1100 && narrowWidth.RuneWidth(r) == 2 {
			return true
		}
	}
	return false
}

// writeListing writes a row per listed connection (per failing one with o.Failed) and, when a
// row needs it, the footnote on offered versions.
func writeListing(b *bytes.Buffer, r *result.Result, fs *findings.Findings, wd *wording.Words, o Options, p painter) {
	cols := []string{"report.col.id", "report.col.time-utc", "report.col.client", "report.col.server", "report.col.sni",
		"report.col.tcp", "report.col.offered", "report.col.chosen", "report.col.verdict"}
	views := len(r.Input.Vantages) > 0
	if views {
		cols = append(cols, "report.col.between")
	}
	g := newGrid(wd.Cols(cols...), true)
	var legacy wording.LegacyNotes
	for _, f := range r.Flows.Where(func(_ int, b result.Brief) bool { return !o.Failed || b.Failed }) {
		offered := wording.Clean(findings.VersionRange(f.OfferedVersions))
		if findings.OfferedLegacy(f) {
			offered += wording.LegacyMark
			legacy.Add(f.OfferedVersions)
		}
		cells := []string{strconv.Itoa(f.ID), wording.UTC(f.Start, wording.StartLayout), wording.OrDash(f.Client), wording.OrDash(f.Server),
			wording.OrDash(findings.SNI(f)), wording.OrDash(f.ConnState), offered, wording.OrDash(findings.Chosen(f)),
			p.verdictOf(f.Verdict, f.Failed, wd.VerdictCell(f))}
		if views {
			cells = append(cells, wording.Clean(wd.VantageCell(f)))
		}
		g.row(cells...)
	}
	if len(g.rows) == 0 {
		return
	}
	g.render(b)
	if k := legacy.Key(); k != "" {
		b.WriteString(wording.Clean(wd.Say(k)) + "\n")
	}
	b.WriteByte('\n')
}

// writeDetails writes the block of each listed connection that failed (of every one with -v; of
// the failing ones only with --failed).
func writeDetails(b *bytes.Buffer, r *result.Result, wd *wording.Words, o Options, p painter) {
	every := o.Verbose && !o.Failed
	for _, f := range r.Flows.Where(func(_ int, b result.Brief) bool { return b.Failed || every }) {
		writeDetail(b, wording.ViewFlow(f, wd), wd, p)
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
func writeDetail(b *bytes.Buffer, f *wording.FlowView, wd *wording.Words, p painter) {
	b.WriteString("#" + strconv.Itoa(f.ID) + " " + p.verdict(f.Verdict) + " " + wording.OrDash(f.Client) + " -> " + wording.OrDash(f.Server) + "\n")
	writeExplained(b, f, wd, f.NextSteps)
}

// writeExplained writes the lines of a connection's block after its heading, with steps as its
// next steps (a group's name every agent of the group).
func writeExplained(b *bytes.Buffer, f *wording.FlowView, wd *wording.Words, steps []string) {
	labelled(b, wd, "report.label.why", f.Reason)
	writeNext(b, wd, steps)
	if f.RolesGuessed {
		labelled(b, wd, "report.label.note", wd.Say("report.roles-guessed"))
	}
	if len(f.Flags) > 0 {
		labelled(b, wd, "report.label.flags", strings.Join(f.Flags, ", "))
	}
	if f.HTTP != nil {
		labelled(b, wd, "report.label.http", wd.HTTPLine(f.Flow))
	}
	if f.NotTLS != "" {
		labelled(b, wd, "report.label.not-tls", f.NotTLS)
	}
	writeEvidence(b, wd, f.Evidence)
	writeVantages(b, wd, f.Flow)
	labelled(b, wd, "report.label.filter", f.WiresharkFilter())
}

// writeVantages writes, for a connection seen at several vantages, where it was seen and, per
// direction, what left one vantage and what reached the other.
func writeVantages(b *bytes.Buffer, wd *wording.Words, f *result.Flow) {
	seen, lines := wd.VantageLines(f)
	labelled(b, wd, "report.label.seen-at", seen)
	for _, l := range lines {
		b.WriteString("    " + wording.Clean(l.Label) + " " + wording.Clean(l.Text) + "\n")
	}
}

// writeInputVantages writes where the packets were captured and the clock offsets between the
// vantages, when there are several.
func writeInputVantages(b *bytes.Buffer, r *result.Result, wd *wording.Words) {
	list, offsets := wd.InputVantages(&r.Input)
	if list == "" {
		return
	}
	wrap(b, wording.Clean(wd.Say("report.label.captured-at")+" "+list), wrapWidth)
	for _, o := range offsets {
		wrap(b, wording.Clean(o), wrapWidth)
	}
	b.WriteByte('\n')
}

// labelled writes "  label: text" when text is not empty.
func labelled(b *bytes.Buffer, wd *wording.Words, key, text string) {
	if text == "" {
		return
	}
	b.WriteString("  " + wd.Say(key) + " " + wording.Clean(text) + "\n")
}

// writeNext writes next steps: one line, or numbered lines under the label when there are
// several.
func writeNext(b *bytes.Buffer, wd *wording.Words, steps []string) {
	label := "  " + wd.Say("report.label.next") + " "
	switch {
	case len(steps) == 1:
		b.WriteString(label + wording.Clean(steps[0]) + "\n")
	case len(steps) > 1:
		indent := strings.Repeat(" ", cellWidth(label))
		for i, s := range steps {
			if i == 0 {
				b.WriteString(label)
			} else {
				b.WriteString(indent)
			}
			b.WriteString(strconv.Itoa(i+1) + ". " + wording.Clean(s) + "\n")
		}
	}
}

// writeEvidence writes the evidence lines of a block, frame numbers aligned.
func writeEvidence(b *bytes.Buffer, wd *wording.Words, evidence []wording.EvidenceView) {
	if len(evidence) == 0 {
		return
	}
	b.WriteString("  " + wd.Say("report.label.evidence") + "\n")
	w := 0
	for _, e := range evidence {
		w = max(w, len(strconv.Itoa(e.Frame)))
	}
	for _, e := range evidence {
		n := strconv.Itoa(e.Frame)
		frame := wd.Say("report.frame", result.Text("n", strings.Repeat(" ", w-len(n))+n))
		b.WriteString("    " + frame + "  " + wording.UTC(e.Time, wording.EvidenceLayout) + "  " + wording.Clean(e.Text) + "\n")
	}
}

// writeGroups writes the failing groups: a table of them, then, with blocks, the example of
// the first few (without: the connections' own blocks are written).
func writeGroups(b *bytes.Buffer, fs *findings.Findings, wd *wording.Words, p painter, blocks bool) {
	if len(fs.Groups) == 0 {
		return
	}
	clients, server := wording.GroupCols(fs)
	g := newGrid(wd.Cols("report.col.group", "report.col.verdict", server, "report.col.offered",
		"report.col.chosen", "report.col.connections", clients, "report.col.example"),
		true, false, false, false, false, true, true, true)
	for i, gr := range fs.Groups {
		if i == maxGroupRows {
			break
		}
		offered, chosen, agents, example := "?", "?", "?", "-"
		if !gr.Unlisted {
			offered, chosen, agents = wording.Clean(findings.VersionRange(gr.Offered)), wording.OrDash(gr.Chosen), strconv.Itoa(gr.AgentCount)
			if gr.Legacy {
				offered += wording.LegacyMark
			}
			example = "#" + strconv.Itoa(gr.FlowIDs[0])
		}
		g.row(strconv.Itoa(i+1), p.verdict(gr.Verdict), wording.OrDash(gr.Server), offered, chosen, strconv.Itoa(gr.Connections), agents, example)
	}
	g.render(b)
	if n := len(fs.Groups) - maxGroupRows; n > 0 {
		b.WriteString(wd.Say("report.groups-more", result.Int("n", n)) + "\n")
	}
	b.WriteByte('\n')
	for i, gr := range fs.Groups {
		if i == maxGroupBlocks || !blocks {
			break
		}
		b.WriteString(wording.Clean(wd.Say("report.group-head", result.Int("n", i+1), result.Sub("headline", wd.Headline(gr, fs)),
			result.Text("verdict", string(gr.Verdict)))) + "\n")
		if gr.Unlisted {
			writeNext(b, wd, wd.GroupSteps(gr))
			b.WriteByte('\n')
			continue
		}
		if gr.Example == nil {
			writeNext(b, wd, wd.GroupSteps(gr))
			b.WriteByte('\n')
			continue
		}
		f := wording.ViewFlow(gr.Example, wd)
		b.WriteString("  " + wd.Say("report.label.example") + " #" + strconv.Itoa(f.ID) + " " + wording.OrDash(f.Client) + " -> " + wording.OrDash(f.Server) + "\n")
		writeExplained(b, f, wd, wd.GroupSteps(gr))
		b.WriteByte('\n')
	}
}

// writeServers writes the table of servers: connections, failures and the versions each was
// seen to accept.
func writeServers(b *bytes.Buffer, fs *findings.Findings, wd *wording.Words) {
	if len(fs.Servers) == 0 {
		return
	}
	g := newGrid(wd.Cols("report.col.server", "report.col.connections", "report.col.failed", "report.col.accepted"), false, true, true)
	for _, sv := range fs.Servers {
		g.row(wording.OrDash(sv.Server), strconv.Itoa(sv.Flows), strconv.Itoa(sv.Failed), wording.OrDash(strings.Join(sv.AcceptedVersions, ", ")))
	}
	g.render(b)
	b.WriteByte('\n')
}

// writeTotals writes the counts: connections per verdict, names, and what was not listed.
func writeTotals(b *bytes.Buffer, r *result.Result, fs *findings.Findings, wd *wording.Words) {
	s := &r.Summary
	wrap(b, wd.Say("report.totals", result.Int("n", s.Flows), result.Int("failed", s.Failed), wording.VerdictCounts(s.Verdicts)), wrapWidth)
	if len(r.Names) > 0 {
		b.WriteString(wd.Say("report.names-total", result.Int("n", len(r.Names)), result.Int("failed", s.NamesFailed)) + "\n")
	}
	if fs.NotListed > 0 {
		wrap(b, wd.Say("report.not-listed", result.Int("n", fs.NotListed), result.Int("max", r.Options.MaxFlows)), wrapWidth)
	}
}
