package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/connscope/connscope/result"
)

// Bounds that keep ticket text readable with thousands of flows.
const (
	// maxGroupFlowsShown is how many flows of one group the markdown format shows with their
	// evidence; the others are named by number.
	maxGroupFlowsShown = 3
	// maxEvidenceGroups is how many groups get their evidence written out.
	maxEvidenceGroups = 20
	// maxMarkdownFlows is how many rows the table of all connections has.
	maxMarkdownFlows = 200
)

// writeMarkdown writes the report as ticket text (GitHub-flavoured Markdown): the answer in one
// paragraph, a table of the failing groups, the evidence of each group, the next steps, then a
// compact table of every flow and the warnings. Every string from the result is escaped, so
// that text from the capture (an SNI, an HTTP path) renders as text and cannot break a table.
func writeMarkdown(b *bytes.Buffer, r *result.Result, o Options) error {
	wd := wordsFor(r, o.Lang)
	flows := viewFlows(r, wd)
	groups := groupFailures(flows)
	sum := summarizeFailures(r, groups)

	title := "connscope report"
	if r.Input.File != "" {
		title += ": " + baseName(r.Input.File)
	}
	fmt.Fprintf(b, "# %s\n\n", mdText(title))
	b.WriteString("**" + mdText(sum.Lead) + "**")
	for _, h := range sum.Headlines {
		b.WriteString(" " + mdText(h))
	}
	if sum.More != "" {
		b.WriteString(" " + mdText(sum.More))
	}
	if sum.NextStep != "" {
		b.WriteString(" **Next step:** " + mdText(sum.NextStep))
	}
	b.WriteString("\n\n")
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "> **Warning:** %s\n>\n", mdText(warningText(w, wd)))
	}
	if len(r.Warnings) > 0 {
		b.Truncate(b.Len() - 2) // the last ">" line
		b.WriteString("\n")
	}

	if len(groups) > 0 {
		b.WriteString("## Failing connections\n\n")
		b.WriteString("| Group | Agents | Server | Offered | Chosen | Verdict | Connections |\n")
		b.WriteString("|---:|---|---|---|---|---|---|\n")
		for i, g := range groups {
			fmt.Fprintf(b, "| %d | %s | %s | %s | %s | `%s` | %s |\n", i+1, mdText(strings.Join(g.Clients, ", ")),
				mdText(g.Server), mdText(g.Offered), mdText(g.Chosen), mdCodeText(string(g.Verdict)), flowRefs(g.Flows))
		}
		b.WriteString("\n## Evidence\n")
		for i, g := range groups {
			if i == maxEvidenceGroups {
				fmt.Fprintf(b, "\nThe evidence of the other %s is in the table, JSON and HTML reports.\n",
					plural(len(groups)-i, "group", "groups"))
				break
			}
			writeMarkdownGroup(b, r, i+1, g)
		}
		writeMarkdownNextSteps(b, groups)
	}
	if len(flows) > 0 {
		writeMarkdownFlows(b, r, flows)
	}
	writeMarkdownFooter(b, r)
	tidyBlankLines(b)
	return nil
}

// tidyBlankLines leaves at most one blank line between blocks, as the sections are written
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

// writeMarkdownGroup writes one group's evidence: its headline, then per flow (the first few)
// why, the evidence frames and the Wireshark filter.
func writeMarkdownGroup(b *bytes.Buffer, r *result.Result, n int, g *failGroup) {
	fmt.Fprintf(b, "\n### %d. %s\n", n, mdText(upperFirst(g.headline(accepted(r, g.Server)))))
	for i, f := range g.Flows {
		if i == maxGroupFlowsShown {
			fmt.Fprintf(b, "\nThe other %s of this group (%s) failed the same way.\n",
				plural(len(g.Flows)-i, "connection", "connections"), flowRefs(g.Flows[i:]))
			break
		}
		fmt.Fprintf(b, "\n**#%d** %s → %s, `%s`, TCP `%s`\n\n", f.ID, mdText(orDash(f.Client)), mdText(orDash(f.Server)),
			mdCodeText(string(f.Verdict)), mdCodeText(orDash(f.ConnState)))
		if f.Reason != "" {
			fmt.Fprintf(b, "- Why: %s\n", mdText(f.Reason))
		}
		if sni := sniOf(f); sni != "" {
			fmt.Fprintf(b, "- SNI: %s\n", mdText(sni))
		}
		if f.NotTLS != "" {
			fmt.Fprintf(b, "- Sent instead of TLS: %s\n", mdText(f.NotTLS))
		}
		for _, e := range f.Evidence {
			fmt.Fprintf(b, "- Frame %d, %s UTC: %s\n", e.Frame, utc(e.Time, evidenceLayout), mdText(e.Text))
		}
		if f.Filter != "" {
			fmt.Fprintf(b, "- Wireshark filter: %s\n", mdCode(f.Filter))
		}
	}
}

// writeMarkdownNextSteps lists each distinct next step once, with the groups it is for.
func writeMarkdownNextSteps(b *bytes.Buffer, groups []*failGroup) {
	b.WriteString("\n## Next steps\n\n")
	var steps []string
	var forGroups [][]string
	for i, g := range groups {
		step := g.Flows[0].NextStep
		if step == "" {
			continue
		}
		j := indexOf(steps, step)
		if j < 0 {
			steps = append(steps, step)
			forGroups = append(forGroups, nil)
			j = len(steps) - 1
		}
		forGroups[j] = append(forGroups[j], strconv.Itoa(i+1))
	}
	for i, s := range steps {
		label := "group"
		if len(forGroups[i]) > 1 {
			label = "groups"
		}
		fmt.Fprintf(b, "%d. %s (%s %s)\n", i+1, mdText(s), label, strings.Join(forGroups[i], ", "))
	}
	if len(steps) == 0 {
		b.WriteString("No next step is known for these verdicts: read the evidence above.\n")
	}
}

// writeMarkdownFlows writes the compact table of every listed flow.
func writeMarkdownFlows(b *bytes.Buffer, r *result.Result, flows []*flowView) {
	b.WriteString("\n## All connections\n\n")
	b.WriteString("| # | Time (UTC) | Client | Server | SNI | TCP | Offered | Chosen | Verdict |\n")
	b.WriteString("|---:|---|---|---|---|---|---|---|---|\n")
	legacy := false
	for i, f := range flows {
		if i == maxMarkdownFlows {
			fmt.Fprintf(b, "\n%d more connections are not shown here: the table, JSON and HTML reports list them.\n",
				len(flows)-i)
			break
		}
		offered, mark := offeredCell(f)
		legacy = legacy || mark
		verdict := "`" + mdCodeText(string(f.Verdict)) + "`"
		if f.Failed {
			verdict = "**" + verdict + "**"
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", f.ID, utc(f.Start, startLayout),
			mdText(orDash(f.Client)), mdText(orDash(f.Server)), mdText(orDash(sniOf(f))), mdText(orDash(f.ConnState)),
			mdText(offered), mdText(orDash(chosenOf(f))), verdict)
	}
	if legacy {
		b.WriteString("\n" + mdText(legacyFootnote) + "\n")
	}
	if r.FlowsNotListed > 0 {
		fmt.Fprintf(b, "\n%s more not listed (only the first %d are); the counts include them.\n",
			plural(r.FlowsNotListed, "connection", "connections"), r.Options.MaxFlows)
	}
}

// writeMarkdownFooter writes the per-server and per-verdict counts and what was read.
func writeMarkdownFooter(b *bytes.Buffer, r *result.Result) {
	s := r.Summary
	if len(s.Servers) > 0 {
		b.WriteString("\n## Servers\n\n| Server | Connections | Failed | Accepted versions |\n|---|---:|---:|---|\n")
		for _, sv := range s.Servers {
			fmt.Fprintf(b, "| %s | %d | %d | %s |\n", mdText(sv.Server), sv.Flows, sv.Failed, mdText(orDash(strings.Join(sv.AcceptedVersions, ", "))))
		}
	}
	if len(s.Verdicts) > 0 {
		var vs []string
		for _, v := range s.Verdicts {
			vs = append(vs, fmt.Sprintf("`%s` %d", mdCodeText(string(v.Verdict)), v.Count))
		}
		fmt.Fprintf(b, "\nVerdicts: %s.\n", strings.Join(vs, ", "))
	}
	in := r.Input
	fmt.Fprintf(b, "\n---\n*connscope: %s, %s", mdText(orDash(baseName(in.File))), plural(in.Frames, "frame", "frames"))
	if !in.First.IsZero() {
		fmt.Fprintf(b, " from %s to %s UTC", utc(in.First, startLayout), utc(in.Last, startLayout))
	}
	b.WriteString(".*\n")
}

// mdSpecial are the characters backslash-escaped in Markdown text: those that start emphasis,
// code, links and strikethrough, and the table cell separator (CommonMark lets a backslash escape
// any ASCII punctuation). "<", ">" and an "&" that could start an entity are written as entities
// instead, which every Markdown renderer (CommonMark, GitHub, Python-Markdown) shows as the
// character and none reads as HTML. "_" and "#" are escaped only where they could mean
// something (see mdText), so that names such as legacy_version and "#4" stay readable.
const mdSpecial = "\\`*[]|~"

// mdText makes text safe to paste as Markdown: control characters shown escaped (as the table
// does), line breaks joined, and every Markdown metacharacter escaped, so a hostile SNI such as
// "<script>" or "a|b" stays text and cannot end a table cell. "_" is escaped at a word boundary
// (where it can start or end emphasis), "#" at the start.
func mdText(s string) string {
	s = clean(s)
	var b strings.Builder
	prev := rune(' ')
	rs := []rune(s)
	for i, r := range rs {
		next := rune(' ')
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&' && (next == '#' || unicode.IsLetter(next)):
			b.WriteString("&amp;")
		case r < 0x80 && strings.ContainsRune(mdSpecial, r),
			r == '_' && !(isWordRune(prev) && isWordRune(next)),
			r == '#' && i == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCodeText makes text safe inside a single-backtick code span in a table: it has no way to
// escape a backtick, so backticks become "'", and a pipe would end the cell, so it is escaped
// (GitHub renders "\|" in a code span in a table as "|").
func mdCodeText(s string) string {
	s = strings.ReplaceAll(clean(s), "`", "'")
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdCode writes s as an inline code span outside a table, with a fence longer than any run of
// backticks in it.
func mdCode(s string) string {
	s = clean(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// baseName is the last element of a slash- or backslash-separated path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x {
			return i
		}
	}
	return -1
}
