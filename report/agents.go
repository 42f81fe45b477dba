package report

import (
	"slices"

	"github.com/connscope/connscope/result"
)

// agentRow is one client address of the fleet: how its connections went.
type agentRow struct {
	Agent       string
	Connections int
	Failed      int
	Offered     string   // versionRange of every version it offered, "-" for none
	Verdicts    []string // distinct verdicts, in report order
}

// agentRows summarises the listed flows per client address: the agents with a failed
// connection first, then the others, each in order of their first connection.
func agentRows(flows []*flowView) []agentRow {
	var rows []agentRow
	offered := map[string][]string{}
	for _, f := range flows {
		a := hostOf(f.Client)
		j := slices.IndexFunc(rows, func(row agentRow) bool { return row.Agent == a })
		if j < 0 {
			rows = append(rows, agentRow{Agent: a})
			j = len(rows) - 1
		}
		row := &rows[j]
		row.Connections++
		if f.Failed {
			row.Failed++
		}
		if v := string(f.Verdict); !slices.Contains(row.Verdicts, v) {
			row.Verdicts = append(row.Verdicts, v)
		}
		for _, v := range f.OfferedVersions {
			if !slices.Contains(offered[a], v) {
				offered[a] = append(offered[a], v)
			}
		}
	}
	for i := range rows {
		rows[i].Offered = versionRange(offered[rows[i].Agent])
		slices.SortFunc(rows[i].Verdicts, func(x, y string) int {
			return slices.Index(result.AllVerdicts, result.Verdict(x)) - slices.Index(result.AllVerdicts, result.Verdict(y))
		})
	}
	slices.SortStableFunc(rows, func(x, y agentRow) int {
		return boolRank(x.Failed == 0) - boolRank(y.Failed == 0)
	})
	return rows
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
