package report

import (
	"bytes"
	"strconv"

	"github.com/connscope/connscope/result"
)

// writeFleet writes, after the table of servers, each TLS server's policy followed by its fleet
// groups, then the clients grouped by fingerprint. It writes nothing when there is none.
func writeFleet(b *bytes.Buffer, s *result.Summary, wd *words) {
	wrote := false
	for _, sv := range s.Servers {
		if sv.Policy.IsZero() {
			continue
		}
		b.WriteString(orDash(sv.Server) + " " + clean(wd.msg(sv.Policy)) + "\n")
		for _, g := range s.Fleet {
			if g.Server == sv.Server && !g.Text.IsZero() {
				b.WriteString("  " + clean(wd.msg(g.Text)) + "\n")
			}
		}
		wrote = true
	}
	if wrote {
		b.WriteByte('\n')
	}
	if len(s.Fingerprints) == 0 {
		return
	}
	g := newGrid(wd.cols("report.col.ja4", "report.col.ja3", "report.col.agents", "report.col.connections", "report.col.failed",
		"report.col.highest"), false, false, true, true, true)
	for _, f := range s.Fingerprints {
		g.row(orDash(f.JA4), orDash(f.JA3), strconv.Itoa(f.AgentCount), strconv.Itoa(f.Flows), strconv.Itoa(f.Failed), orDash(f.HighestVersion))
	}
	g.render(b)
	b.WriteByte('\n')
}
