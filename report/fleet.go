package report

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/connscope/connscope/result"
)

// writeFleet writes, after the table of servers, each TLS server's policy followed by its fleet
// groups, then the clients grouped by fingerprint. It writes nothing when there is none.
func writeFleet(b *bytes.Buffer, s *result.Summary, wd *words) error {
	wrote := false
	for _, sv := range s.Servers {
		if sv.Policy.IsZero() {
			continue
		}
		fmt.Fprintf(b, "%s %s\n", orDash(sv.Server), clean(wd.msg(sv.Policy)))
		for _, g := range s.Fleet {
			if g.Server == sv.Server && !g.Text.IsZero() {
				fmt.Fprintf(b, "  %s\n", clean(wd.msg(g.Text)))
			}
		}
		wrote = true
	}
	if wrote {
		b.WriteByte('\n')
	}
	if len(s.Fingerprints) == 0 {
		return nil
	}
	t := newTable(b, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	t.Header("JA4", "JA3", "AGENTS", "FLOWS", "FAILED", "HIGHEST")
	for _, g := range s.Fingerprints {
		if err := t.Append(orDash(g.JA4), orDash(g.JA3), strconv.Itoa(g.AgentCount), strconv.Itoa(g.Flows),
			strconv.Itoa(g.Failed), orDash(g.HighestVersion)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	b.WriteByte('\n')
	return nil
}
