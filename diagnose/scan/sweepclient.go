package scan

import (
	"net/netip"
	"slices"
	"time"
)

// A sweep's attempts (Sweep.IsSweep: one address failing on one port of SweepThreshold hosts or
// more, with one or two SYNs each) are also what a real client does that walks a list of server
// addresses (an agent with several servers, a name with many addresses) while they drop its
// SYNs: a real outage. What tells a scanner's probes apart in the packets (Sweep.Evidence):
//
//   - A source port shared across hosts: a SYN scanner crafts its SYNs on a raw socket from one
//     source port (nmap -sS takes one per scan and another for its retries; masscan one), while
//     an operating system's connect() takes a new ephemeral port for each connection.
//   - Attempts in parallel: a scanner sends its SYNs to many hosts at once (nmap's parallel
//     probes, even with -sT), so one host's SYN comes while another's attempt is still sending
//     SYNs (interleaved), or a host that never answered at all is followed by the next host's
//     SYN within BurstGap, sooner than any client gives up on an unanswered SYN. A client walking
//     its list tries one address after another, each once the previous one failed.
//
// Without either, the attempts keep their own verdicts (syn-timeout, refused): a client's, or a
// scan as slow as one connection at a time (nmap -sT at --max-parallelism 1, -T0 or -T1), which
// the packets do not tell apart; the report names both.

// BurstGap is the time within which the next host's SYN, after a host that never answered at
// all, shows attempts in parallel: no client gives up on an unanswered SYN sooner (a connect()
// timeout under 100 ms fails on any path slower than a LAN).
const BurstGap = 100 * time.Millisecond

// Evidence is what a sweep's hosts' first probes show of a scanner (see the package comment of
// this file).
type Evidence struct {
	// SharedPort counts the hosts whose first probe came from a source port another host's
	// first probe came from.
	SharedPort int
	// Interleaved counts the hosts whose first probe's first SYN came while an earlier host's
	// first probe was still sending SYNs (between its first and last).
	Interleaved int
	// Quiet counts the hosts that never answered at all and were followed by another host's
	// probe; Quick those of them followed within BurstGap.
	Quiet, Quick int
	// Probes counts the hosts whose first probe is known (the hosts the sweep lists).
	Probes int
}

// Scanner reports whether the evidence shows a scanner: at least half of the hosts probed from
// shared source ports, a quarter of them interleaved, or most quiet hosts followed within
// BurstGap.
func (e Evidence) Scanner() bool {
	return e.Probes > 0 && (2*e.SharedPort >= e.Probes || 4*e.Interleaved >= e.Probes || (e.Quiet > 0 && 2*e.Quick > e.Quiet))
}

// Scanner reports whether the sweep's probes show a scanner (Evidence.Scanner).
func (s *Sweep) Scanner() bool { return s.Evidence().Scanner() }

// Evidence is what the sweep's hosts' first probes show of a scanner, kept until a probe is
// added. Its first call writes the sweep: make it before goroutines read the sweep at once
// (fleet.Aggregate.AddOutsideSweeps does, for every pair).
func (s *Sweep) Evidence() Evidence {
	if s.ev != nil {
		return *s.ev
	}
	hs := s.hosts
	if s.set != nil {
		hs = make([]swept, 0, len(s.set))
		for _, h := range s.set {
			hs = append(hs, h)
		}
	}
	e := evidence(hs)
	s.ev = &e
	return e
}

// evidence reads the first probes of hs (sorted here by their first SYN).
func evidence(hs []swept) Evidence {
	var e Evidence
	ports := map[uint16]int{}
	var ps []Probe
	for _, h := range hs {
		if h.probe.First.Seen() {
			ps = append(ps, h.probe)
			ports[h.probe.Port]++
		}
	}
	e.Probes = len(ps)
	slices.SortFunc(ps, func(a, b Probe) int {
		switch {
		case a.First.Before(b.First):
			return -1
		case b.First.Before(a.First):
			return 1
		}
		return int(a.Port) - int(b.Port)
	})
	var last At // the latest last SYN of the probes begun so far
	for i, p := range ps {
		if ports[p.Port] > 1 {
			e.SharedPort++
		}
		if i > 0 && p.First.Before(last) {
			e.Interleaved++
		}
		if !last.Seen() || last.Before(p.Last) {
			last = p.Last
		}
		if i+1 < len(ps) && p.Quiet {
			e.Quiet++
			if ps[i+1].First.UnixNano()-p.First.UnixNano() < int64(BurstGap) {
				e.Quick++
			}
		}
	}
	return e
}

// OutsideHost is one host an address's SYNs to a port reached outside the analysed ports and
// hosts (tracking skipped those connections, but counted their SYNs and answers:
// track.Unmatched), so that an analysis narrowed to some of a sweep's hosts still sees it whole.
type OutsideHost struct {
	Host   netip.Addr
	Answer Answer
	Probe  Probe // its first attempt
	// LastProbe is its last attempt's first SYN.
	LastProbe At
	// Probes counts its attempts without data from the client, SYNs their SYNs, Talked the
	// attempts that carried data from the client.
	Probes, SYNs, Talked int
}

// AddOutside adds to the attempts from k.Client on k.Port the hosts they reached outside the
// analysed ports and hosts. Only a pair with an analysed attempt takes them: the sweep decision is
// about those. A host the sweep holds already (the same sweep seen at several vantages) counts
// once.
func (t *Sweeps) AddOutside(k SweepKey, hosts []OutsideHost) {
	s := t.Pairs[k]
	if s == nil {
		return
	}
	for _, h := range hosts {
		if h.Probes == 0 { // every attempt talked: a client of that host
			s.Talked += h.Talked
			continue
		}
		if !t.add(s, swept{h.Host, h.Answer, h.Probe}) {
			continue
		}
		s.Flows += h.Probes
		s.SYNs += h.SYNs
		s.Talked += h.Talked
		s.Outside++
		for _, at := range []At{h.Probe.First, h.LastProbe} {
			if at.Seen() {
				widen(&s.First, &s.Last, at)
			}
		}
	}
}
