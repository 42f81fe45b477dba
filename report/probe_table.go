package report

import (
	"bytes"

	"github.com/connscope/connscope/result"
)

// table writes the probe's report for a terminal: what was probed, a table of each target's
// addresses and versions, then the findings (problems with their next steps first, what works
// last) and the answer.
func (pv *probeView) table(b *bytes.Buffer) error {
	b.WriteString(clean(pv.title()) + "\n")
	b.WriteString(clean(pv.header()) + "\n")
	b.WriteString(clean(pv.client()) + "\n")
	for i := range pv.r.Targets {
		t := &pv.r.Targets[i]
		b.WriteString("\n" + clean(pv.targetLine(t)) + "\n")
		if len(t.Lookups) > 0 {
			b.WriteString("  " + clean(pv.lookupLine(t)) + "\n")
		}
		if len(t.Endpoints) == 0 {
			continue
		}
		tbl := newTable(b)
		tbl.Header(anySlice(pv.endpointHeader())...)
		for j := range t.Endpoints {
			if err := tbl.Append(anySlice(pv.endpointRow(&t.Endpoints[j]))...); err != nil {
				return err
			}
		}
		if err := tbl.Render(); err != nil {
			return err
		}
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
	b.WriteString("\n" + clean(pv.answer()) + "\n")
	return nil
}

func (pv *probeView) tableFinding(b *bytes.Buffer, f *result.ProbeFinding) {
	head := pv.severityLabel(f.Severity) + " " + clean(f.Code)
	b.WriteString(head + ": " + clean(pv.text(f.Message)) + "\n")
	if !f.NextStep.IsZero() {
		b.WriteString("  " + pv.say("probe.label.next") + ": " + clean(pv.text(f.NextStep)) + "\n")
	}
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
