package report

import (
	"bytes"
	"strings"

	"github.com/connscope/connscope/result"
)

// writeNames writes the DNS names tied to the servers: a table, then the block of each failing
// name (of every name with -v), in the words of writeDetail.
func writeNames(b *bytes.Buffer, r *result.Result, wd *words, o Options, p painter) {
	if len(r.Names) == 0 {
		return
	}
	names := viewNames(r, wd)
	g := newGrid(wd.cols("report.col.name", "report.col.tied-by", "report.col.outcome", "report.col.asked-by",
		"report.col.dns-server", "report.col.answer", "report.col.verdict"))
	for _, n := range names {
		g.row(clean(n.Name.Name), orDash(n.Relation), orDash(n.Outcome), orDash(askersCell(n.Name, wd)),
			orDash(strings.Join(n.DNSServers, ", ")), orDash(strings.Join(n.Answers, ", ")), p.verdictOf(n.Verdict, n.Failed, string(n.Verdict)))
	}
	g.render(b)
	for _, n := range names {
		if !n.Failed && !o.Verbose {
			continue
		}
		b.WriteByte('\n')
		b.WriteString(wd.say("report.col.name") + " " + clean(n.Name.Name) + " " + p.verdictOf(n.Verdict, n.Failed, string(n.Verdict)) + "\n")
		labelled(b, wd, "report.label.why", n.Reason)
		writeNext(b, wd, n.NextSteps)
		writeEvidence(b, wd, n.Evidence)
		labelled(b, wd, "report.label.filter", n.Filter)
	}
	b.WriteByte('\n')
}

// askersCell lists the clients that asked for a name, with how many more the result counts.
func askersCell(n *result.Name, wd *words) string {
	askers := strings.Join(n.Askers, ", ")
	if n.AskerCount > len(n.Askers) {
		return wd.say("report.asked-more", result.Capture("askers", askers), result.Int("n", n.AskerCount-len(n.Askers)))
	}
	return askers
}
