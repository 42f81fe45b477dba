package terminal

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// writeNames writes the DNS names tied to the servers: a table, then the block of each failing
// name (of every name with -v), in the words of writeDetail.
func writeNames(b *bytes.Buffer, r *result.Result, wd *wording.Words, o Options, p painter) {
	if len(r.Names) == 0 {
		return
	}
	names := wording.ViewNames(r, wd)
	g := newGrid(wd.Cols("report.col.name", "report.col.tied-by", "report.col.outcome", "report.col.asked-by",
		"report.col.dns-server", "report.col.answer", "report.col.verdict"))
	for _, n := range names {
		g.row(wording.Clean(n.Name.Name), wording.OrDash(n.Relation), wording.OrDash(n.Outcome), wording.OrDash(wd.Askers(n.Name)),
			wording.OrDash(strings.Join(result.Strings(n.DNSServers), ", ")), wording.OrDash(strings.Join(result.Strings(n.Answers), ", ")), p.verdictOf(n.Verdict, n.Failed, string(n.Verdict)))
	}
	g.render(b)
	for _, n := range names {
		if !n.Failed && !o.Verbose {
			continue
		}
		b.WriteByte('\n')
		b.WriteString(wd.Say("report.col.name") + " " + wording.Clean(n.Name.Name) + " " + p.verdictOf(n.Verdict, n.Failed, string(n.Verdict)) + "\n")
		labelled(b, wd, "report.label.why", n.Reason)
		writeNext(b, wd, n.NextSteps)
		writeEvidence(b, wd, n.Evidence)
		labelled(b, wd, "report.label.filter", n.WiresharkFilter())
	}
	b.WriteByte('\n')
}

// writeFleet writes, after the table of servers, each TLS server's policy followed by its fleet
// groups, then the clients grouped by fingerprint. It writes nothing when there is none.
func writeFleet(b *bytes.Buffer, s *result.Summary, wd *wording.Words) {
	wrote := false
	for _, sv := range s.Servers {
		if sv.Policy.IsZero() {
			continue
		}
		b.WriteString(wording.Clean(wd.ServerPolicy(s, sv.Server, sv.Policy)) + "\n")
		for _, g := range s.Fleet {
			if g.Server == sv.Server && !g.Text.IsZero() {
				b.WriteString("  " + wording.Clean(wd.Msg(g.Text)) + "\n")
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
	clients, _ := wording.FingerprintCols(s.Fingerprints)
	g := newGrid(wd.Cols("report.col.ja4", "report.col.ja3", clients, "report.col.connections", "report.col.failed",
		"report.col.highest"), false, false, true, true, true)
	for _, f := range s.Fingerprints {
		g.row(wording.OrDash(f.JA4), wording.OrDash(f.JA3), strconv.Itoa(f.AgentCount), strconv.Itoa(f.Flows), strconv.Itoa(f.Failed), wording.OrDash(f.HighestVersion))
	}
	g.render(b)
	b.WriteByte('\n')
}

// writeEmpty writes, in the table format, what was read and where the connections are.
func writeEmpty(b *bytes.Buffer, r *result.Result, wd *wording.Words) {
	e := wd.Empty(r)
	for _, s := range []string{e.Read, e.Stopped, e.Outside} {
		if s != "" {
			wrap(b, wording.Clean(s), wrapWidth)
		}
	}
	if len(e.Ports) > 0 {
		g := newGrid(wd.Cols("report.col.port", "report.col.syns", "report.col.packets"), true, true, true)
		g.rows = e.Ports
		g.render(b)
		if len(e.Hosts) > 0 {
			b.WriteByte('\n')
		}
	}
	if len(e.Hosts) > 0 {
		g := newGrid(wd.Cols("report.col.host", "report.col.syns"), false, true)
		for _, h := range e.Hosts {
			g.row(wording.Clean(h[0]), h[1])
		}
		g.render(b)
	}
	if e.Hint != "" {
		wrap(b, wording.Clean(e.Hint), wrapWidth)
	}
}
