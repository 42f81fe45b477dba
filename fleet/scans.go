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
			Start: s.First.Time(), End: s.Last.Time(), OutsidePorts: s.Outside, OutsideSYNs: s.OutsideSYNs})
	}
	slices.SortFunc(out, func(x, y result.Scan) int { return cmp.Compare(x.FirstFrame, y.FirstFrame) })
	return out
}

// AddOutsideProbes adds to each pair of addresses whose probes are counted what its SYNs outside
// the analysed ports and hosts showed (scan.Table.AddOutside), as outside gives it (false:
// none). Call it once every connection has been observed, before the verdicts are revised.
func (g *Aggregate) AddOutsideProbes(outside func(scan.Key) (scan.Outside, bool)) {
	for k := range g.ctx.Scans.Pairs {
		if o, ok := outside(k); ok {
			g.ctx.Scans.AddOutside(k, o)
		}
	}
}
