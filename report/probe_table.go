package report

import (
	"bytes"

	"github.com/connscope/connscope/report/terminal"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// table writes the probe's report for a terminal: what was probed, a table of each target's
// addresses and versions, then the findings (problems with their next steps first, what works
// last) and the answer.
func (pv *probeView) table(b *bytes.Buffer) error {
	b.WriteString(wording.Clean(pv.title()) + "\n")
	b.WriteString(wording.Clean(pv.header()) + "\n")
	b.WriteString(wording.Clean(pv.client()) + "\n")
	for i := range pv.r.Targets {
		t := &pv.r.Targets[i]
		b.WriteString("\n" + wording.Clean(pv.targetLine(t)) + "\n")
		if len(t.Lookups) > 0 {
			b.WriteString("  " + wording.Clean(pv.lookupLine(t)) + "\n")
		}
		if len(t.Endpoints) == 0 {
			continue
		}
		rows := make([][]string, len(t.Endpoints))
		for j := range t.Endpoints {
			rows[j] = pv.endpointRow(&t.Endpoints[j])
		}
		terminal.Table(b, pv.endpointHeader(), rows)
	}
	for _, group := range [][]result.ProbeFinding{pv.problems, pv.warnings, pv.infos} {
		if len(group) == 0 {
			continue
		}
		b.WriteByte('\n')
		for _, f := range group {
			pv.tableFinding(b, &f)
		}
	}
	b.WriteString("\n" + wording.Clean(pv.answer()) + "\n")
	return nil
}

func (pv *probeView) tableFinding(b *bytes.Buffer, f *result.ProbeFinding) {
	head := pv.severityLabel(f.Severity) + " " + wording.Clean(f.Code)
	b.WriteString(head + ": " + wording.Clean(pv.text(f.Message)) + "\n")
	if !f.NextStep.IsZero() {
		b.WriteString("  " + pv.say("probe.label.next") + ": " + wording.Clean(pv.text(f.NextStep)) + "\n")
	}
}
