// Package outside gives what tracking counted outside the analysed ports and hosts
// (track/unmatched) as the result and the scan rules read it: the summary of input.outside, and
// each source's probes there, which make a port scan or a sweep whole when the analysis is
// narrowed to some of its ports or hosts.
package outside

import (
	"github.com/connscope/connscope/diagnose/scan"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/track"
)

// Summary is what tracking skipped, as the result gives it (input.outside).
func Summary(u track.Unmatched) result.Outside {
	o := result.Outside{TCPPackets: u.Packets, SYNs: u.SYNs, Ports: []result.PortCount{}, Hosts: []result.HostCount{}}
	for _, p := range u.Ports {
		o.Ports = append(o.Ports, result.PortCount{Port: int(p.Port), SYNs: p.SYNs, Packets: p.Packets})
	}
	for _, h := range u.Hosts {
		o.Hosts = append(o.Hosts, result.HostCount{Host: result.IP(h.Addr.String()), SYNs: h.SYNs})
	}
	return o
}

// Probes returns what the SYNs of each pair of addresses, captured at vantage, showed outside
// the analysed ports and hosts (track.Tracker.ProbedOutside), as the port scan rule reads it
// (scan.Table.AddOutside).
func Probes(tr *track.Tracker, vantage uint16) func(scan.Key) (scan.Outside, bool) {
	return func(k scan.Key) (scan.Outside, bool) {
		p, ok := tr.ProbedOutside(vantage, k.Client, k.Server)
		return scan.Outside{Ports: p.Ports, Open: p.Open, PortsUncounted: p.PortsUncounted, OpenUncounted: p.OpenUncounted,
			SYNs: p.SYNs, First: scan.At{Ref: p.First, Vantage: vantage}, Last: scan.At{Ref: p.Last, Vantage: vantage}}, ok
	}
}

// Sweeps returns the hosts that each address's SYNs to a port, captured at vantage, reached
// outside the analysed ports and hosts (track.Tracker.SweptOutside), as the sweep rule reads them
// (scan.Sweeps.AddOutside): an attempt that carried data talked, the others are probes (their
// SYNs less one per talk).
func Sweeps(tr *track.Tracker, vantage uint16) func(scan.SweepKey) []scan.OutsideHost {
	return func(k scan.SweepKey) []scan.OutsideHost {
		hs := tr.SweptOutside(vantage, k.Client, k.Port)
		out := make([]scan.OutsideHost, 0, len(hs))
		for _, h := range hs {
			o := scan.OutsideHost{Host: h.Addr, Answer: scan.Silent, Probes: max(h.Attempts-h.Talked, 0), SYNs: max(h.SYNs-h.Talked, 0), Talked: h.Talked,
				Probe: scan.Probe{Port: h.SrcPort, First: scan.At{Ref: h.First, Vantage: vantage}, Last: scan.At{Ref: h.Last, Vantage: vantage},
					Quiet: !h.Open && !h.Refused && !h.ICMP},
				LastProbe: scan.At{Ref: h.LastAttempt, Vantage: vantage}}
			switch {
			case h.Open:
				o.Answer = scan.Open
			case h.Refused:
				o.Answer = scan.Refused
			case h.ICMP:
				o.Answer = scan.Unreachable
			}
			out = append(out, o)
		}
		return out
	}
}
