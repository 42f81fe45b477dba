package fleet

import (
	"cmp"
	"slices"

	"github.com/connscope/connscope/diagnose/scan"
	"github.com/connscope/connscope/result"
)

// Scans lists the port scans the capture holds (scan.Threshold ports or more of one
// host probed from one address), in order of their first probe.
func (g *Aggregate) Scans() []result.Scan {
	var out []result.Scan
	for k, s := range g.ctx.Scans.Pairs {
		if s.Ports < scan.Threshold {
			continue
		}
		out = append(out, result.Scan{Client: result.IP(k.Client.String()), Server: result.IP(k.Server.String()), Ports: s.Ports, Flows: s.Flows,
			Open: s.Open, OpenPorts: s.OpenPorts(result.MaxScanOpenPorts), FirstFrame: s.First.Num(), LastFrame: s.Last.Num(),
			Start: s.First.Time(), End: s.Last.Time()})
	}
	slices.SortFunc(out, func(x, y result.Scan) int { return cmp.Compare(x.FirstFrame, y.FirstFrame) })
	return out
}
