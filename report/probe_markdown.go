package report

import (
	"bytes"
	"strings"

	"github.com/connscope/connscope/report/ticket"
	"github.com/connscope/connscope/result"
)

// markdown writes the probe's report as ticket text: the answer with the first problem and its
// next step, the table of addresses and versions, then every finding by severity.
func (pv *probeView) markdown(b *bytes.Buffer) {
	b.WriteString("# " + ticket.MDText(pv.title()) + "\n\n")
	b.WriteString("**" + ticket.MDText(pv.answer()) + "**")
	if len(pv.problems) > 0 {
		f := pv.problems[0]
		b.WriteString(" " + ticket.MDText(pv.text(f.Message)))
		if !f.NextStep.IsZero() {
			b.WriteString(" **" + ticket.MDText(pv.say("probe.label.next-step")) + ":** " + ticket.MDText(pv.text(f.NextStep)))
		}
	}
	b.WriteString("\n\n")
	b.WriteString(ticket.MDText(pv.header()) + pv.cat.Separator("report.sentences", "parts") + ticket.MDText(pv.client()) + "\n")
	for i := range pv.r.Targets {
		t := &pv.r.Targets[i]
		b.WriteString("\n## " + ticket.MDText(pv.targetLine(t)) + "\n\n")
		if len(t.Lookups) > 0 {
			b.WriteString(ticket.MDText(pv.lookupLine(t)) + "\n\n")
		}
		if len(t.Endpoints) == 0 {
			continue
		}
		head := pv.endpointHeader()
		b.WriteString("| " + strings.Join(mdCells(head), " | ") + " |\n")
		b.WriteString("|" + strings.Repeat("---|", len(head)) + "\n")
		for j := range t.Endpoints {
			b.WriteString("| " + strings.Join(mdCells(pv.endpointRow(&t.Endpoints[j])), " | ") + " |\n")
		}
	}
	for _, g := range []struct {
		key string
		fs  []result.ProbeFinding
	}{{"probe.report.problems", pv.problems}, {"probe.report.warnings", pv.warnings}, {"probe.report.works", pv.infos}} {
		if len(g.fs) == 0 {
			continue
		}
		b.WriteString("\n## " + ticket.MDText(pv.say(g.key)) + "\n\n")
		for _, f := range g.fs {
			b.WriteString("- " + ticket.MDCode(f.Code) + " " + ticket.MDText(pv.text(f.Message)) + "\n")
			if !f.NextStep.IsZero() {
				b.WriteString("  - " + ticket.MDText(pv.say("probe.label.next-step")) + ": " + ticket.MDText(pv.text(f.NextStep)) + "\n")
			}
		}
	}
}

func mdCells(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = ticket.MDText(s)
	}
	return out
}
