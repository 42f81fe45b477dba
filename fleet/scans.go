package fleet

import (
	"cmp"
	"slices"

	"github.com/connscope/connscope/diagnose/scan"
	"github.com/connscope/connscope/result"
)

// Scans lists the port scans the capture holds (scan.Threshold ports or more of one
// host probed from one address), in order of their first probe. at names the capture of each
// vantage (nil: one vantage, whose frames need no name).
func (g *Aggregate) Scans(at func(vantage uint16) *result.EvidenceAt) []result.Scan {
	var out []result.Scan
	var firsts []scan.At
	for k, s := range g.ctx.Scans.Pairs {
		if s.Ports < scan.Threshold {
			continue
		}
		out = append(out, result.Scan{Client: result.IP(k.Client.String()), Server: result.IP(k.Server.String()), Ports: s.Ports, Flows: s.Flows,
			Open: s.Open, Refused: s.Refused, OpenPorts: s.OpenPorts(result.MaxScanOpenPorts), FirstFrame: s.First.Num(), LastFrame: s.Last.Num(),
			Start: s.First.Time(), End: s.Last.Time(), OutsidePorts: s.Outside, OutsideSYNs: s.OutsideSYNs})
		if at != nil {
			out[len(out)-1].FirstAt, out[len(out)-1].LastAt = at(s.First.Vantage), at(s.Last.Vantage)
		}
		firsts = append(firsts, s.First)
	}
	sortByFirst(out, firsts)
	return out
}

// Sweeps lists the sweeps of one port across hosts the capture holds (scan.Sweep.IsSweep) whose
// probes show a scanner (scan.Sweep.Scanner), in order of their first probe. at names the
// capture of each vantage (nil: one vantage).
func (g *Aggregate) Sweeps(at func(vantage uint16) *result.EvidenceAt) []result.Sweep {
	return g.sweeps(at, true)
}

// UnsureSweeps lists the attempts that make a sweep by their numbers but whose packets show no
// scanner (scan.Sweep.Scanner): a client walking its list of addresses, or a slow connect() scan.
// Their attempts keep their own verdicts.
func (g *Aggregate) UnsureSweeps(at func(vantage uint16) *result.EvidenceAt) []result.Sweep {
	return g.sweeps(at, false)
}

// sweeps lists the sweeps whose Scanner is scanner, in order of their first probe.
func (g *Aggregate) sweeps(at func(vantage uint16) *result.EvidenceAt, scanner bool) []result.Sweep {
	var out []result.Sweep
	var firsts []scan.At
	for k, s := range g.ctx.Sweeps.Pairs {
		if !s.IsSweep() || s.Scanner() != scanner {
			continue
		}
		out = append(out, result.Sweep{Client: result.IP(k.Client.String()), Port: int(k.Port), Hosts: s.Hosts, Open: s.Open, Refused: s.Refused,
			Silent: s.Failed() - s.Refused, Unreachable: s.Unreachable, Flows: s.Flows, FirstFrame: s.First.Num(), LastFrame: s.Last.Num(), Start: s.First.Time(), End: s.Last.Time()})
		if at != nil {
			out[len(out)-1].FirstAt, out[len(out)-1].LastAt = at(s.First.Vantage), at(s.Last.Vantage)
		}
		firsts = append(firsts, s.First)
	}
	sortByFirst(out, firsts)
	return out
}

// sortByFirst sorts out by firsts, the first packet of each (scan.At.Before: by frame within
// one capture, by time across captures), and firsts with it.
func sortByFirst[T any](out []T, firsts []scan.At) {
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		switch {
		case firsts[i].Before(firsts[j]):
			return -1
		case firsts[j].Before(firsts[i]):
			return 1
		}
		return cmp.Compare(i, j)
	})
	sorted := make([]T, len(out))
	for k, i := range idx {
		sorted[k] = out[i]
	}
	copy(out, sorted)
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

// AddOutsideSweeps adds to each pair of address and port whose attempts are counted the hosts
// they reached outside the analysed ports and hosts (scan.Sweeps.AddOutside), as outside gives
// them. Call it once every connection has been observed, before the verdicts are revised. It
// then works out every pair's evidence (scan.Sweep.Evidence, cached in the pair) here, on one
// goroutine: the report's flow workers read it concurrently.
func (g *Aggregate) AddOutsideSweeps(outside func(scan.SweepKey) []scan.OutsideHost) {
	for k, s := range g.ctx.Sweeps.Pairs {
		if hs := outside(k); len(hs) > 0 {
			g.ctx.Sweeps.AddOutside(k, hs)
		}
		s.Evidence()
	}
}
