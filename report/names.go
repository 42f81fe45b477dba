package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/connscope/connscope/result"
)

// writeNames writes the DNS names tied to the servers: a table, then the detail of each failed
// name (of every name when verbose), in the words of writeDetail.
func writeNames(b *bytes.Buffer, names []*nameView, o Options, p painter) error {
	if len(names) == 0 {
		return nil
	}
	t := newTable(b)
	t.Header("NAME", "TIED BY", "OUTCOME", "ASKED BY", "DNS SERVER", "ANSWER", "VERDICT")
	for _, n := range names {
		askers := strings.Join(n.Askers, ", ")
		if n.AskerCount > len(n.Askers) {
			askers += fmt.Sprintf(" (+%d)", n.AskerCount-len(n.Askers))
		}
		err := t.Append(clean(n.Name.Name), orDash(n.Relation), orDash(n.Outcome), orDash(askers),
			orDash(strings.Join(n.DNSServers, ", ")), orDash(strings.Join(n.Answers, ", ")), p.nameVerdict(n.Name))
		if err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, n := range names {
		if !n.Failed && !o.Verbose {
			continue
		}
		b.WriteByte('\n')
		fmt.Fprintf(b, "name %s %s\n", clean(n.Name.Name), p.nameVerdict(n.Name))
		if n.Reason != "" {
			fmt.Fprintf(b, "  why: %s\n", clean(n.Reason))
		}
		writeNext(b, n.NextStep, n.NextSteps)
		writeEvidence(b, n.Evidence)
		if n.Filter != "" {
			fmt.Fprintf(b, "  filter: %s\n", clean(n.Filter))
		}
	}
	b.WriteByte('\n')
	return nil
}

// nameVerdict colours a name's verdict as verdict does a flow's.
func (p painter) nameVerdict(n *result.Name) string {
	return p.verdictOf(n.Verdict, n.Failed)
}

// writeEvidence writes the evidence lines of a detail block, frame numbers aligned.
func writeEvidence(b *bytes.Buffer, evidence []evidenceView) {
	if len(evidence) == 0 {
		return
	}
	b.WriteString("  evidence:\n")
	w := 0
	for _, e := range evidence {
		w = max(w, len(strconv.Itoa(e.Frame)))
	}
	for _, e := range evidence {
		fmt.Fprintf(b, "    frame %*d  %s  %s\n", w, e.Frame, utc(e.Time, evidenceLayout), clean(e.Text))
	}
}

// writeNext writes the next steps of a detail block: one line, or numbered lines when there are
// several steps.
func writeNext(b *bytes.Buffer, joined string, steps []string) {
	switch {
	case len(steps) > 1:
		for i, s := range steps {
			label := "        "
			if i == 0 {
				label = "  next: "
			}
			fmt.Fprintf(b, "%s%d. %s\n", label, i+1, clean(s))
		}
	case joined != "":
		fmt.Fprintf(b, "  next: %s\n", clean(joined))
	}
}
