package report

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/connscope/connscope/result"
)

// writeFleet writes, after the table of servers, what each server's policy looks like, the
// fleet groups and the clients grouped by fingerprint. It writes nothing when there is none.
func writeFleet(b *bytes.Buffer, s *result.Summary) error {
	wrote := false
	for _, sv := range s.Servers {
		if sv.Policy != "" {
			fmt.Fprintf(b, "%s %s\n", orDash(sv.Server), clean(sv.Policy))
			wrote = true
		}
	}
	for _, g := range s.Fleet {
		if g.Text != "" {
			fmt.Fprintf(b, "  %s\n", clean(g.Text))
			wrote = true
		}
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
