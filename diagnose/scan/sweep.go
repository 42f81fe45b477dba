package scan

import "net/netip"

// SweepThreshold is how many distinct hosts one address must fail to reach on one port
// (attempts without data that got no SYN-ACK) for its attempts to count as a sweep: Zeek's scan
// policy (Scan::addr_scan_threshold) uses 25. An agent that fails reaches one server, or the
// two or three of its failover list.
const SweepThreshold = 25

// Answer is what a probe got, from its host or from the path; a later answer is a better one (a
// host's best answer is the best any of its probes got).
type Answer uint8

const (
	// Silent: no answer at all.
	Silent Answer = iota
	// Unreachable: an ICMP error from the path (a router or firewall answered for the host),
	// without a SYN-ACK or a RST from the host.
	Unreachable
	// Refused: a RST without a SYN-ACK.
	Refused
	// Open: a SYN-ACK.
	Open
)

// SweepKey is one address probing one port on many hosts.
type SweepKey struct {
	Client netip.Addr
	Port   uint16
}

// swept is one host a sweep probed, the best answer it got, and its first probe.
type swept struct {
	host   netip.Addr
	answer Answer
	probe  Probe
}

// Probe is one attempt of an address on a host's port, as the sweep rule reads it: the source
// port it came from, its first and last SYN (from that port), and whether it got no answer at
// all (no SYN-ACK, no reset, no ICMP error).
type Probe struct {
	Port        uint16
	First, Last At
	Quiet       bool
}

// earlier reports whether p began before q (an unset q: always).
func (p Probe) earlier(q Probe) bool { return !q.First.Seen() || p.First.Before(q.First) }

// Sweep is what one address's attempts on one port showed across hosts: the distinct hosts it
// probed (connections without data) and what they answered, and its connections that carried
// data. Below SweepThreshold hosts it keeps them in a short list; a sweep keeps a set of at most
// MaxSweepHosts hosts (MaxSweepSets bounds how many a table makes). Past either bound, a probe of
// a host the list or set does not hold counts as a new host.
type Sweep struct {
	hosts []swept
	set   map[netip.Addr]swept
	ev    *Evidence // what Evidence found, until a probe is added
	// Hosts counts the distinct hosts probed; Open those that answered with a SYN-ACK, Refused
	// those that answered with a RST only, Unreachable those for which the path answered with
	// an ICMP error (and the host did not). The rest were silent (Silent).
	Hosts, Open, Refused, Unreachable int
	Flows                             int // probes
	SYNs                              int // the probes' SYNs, retransmissions included
	// Talked counts the address's connections to the port that carried data from it: a client
	// of the service on that port, not a sweep, when they are many.
	Talked int
	// Outside counts, of Hosts, those reached only outside the analysed ports and hosts (seen by
	// their SYNs, which tracking skipped: AddOutside).
	Outside     int
	First, Last At // the first and last probe's first packet
}

// Failed counts the hosts whose probes got no SYN-ACK: silent, unreachable or refused.
func (s *Sweep) Failed() int { return s.Hosts - s.Open }

// Silent counts the hosts whose probes got no answer at all: no SYN-ACK, no RST, no ICMP error.
func (s *Sweep) Silent() int { return s.Hosts - s.Open - s.Refused - s.Unreachable }

// IsSweep reports whether the attempts are a horizontal scan (a sweep of one port across many
// hosts): at least SweepThreshold hosts failed, and they are at least half of those probed; the
// probes are short (at most MaxSweepSYNs SYNs each on average: nmap sends one or two per host,
// masscan one, while an operating system's connect() sends three (Windows) to seven (Linux)
// before it gives up); and the address carried data
// on the port in fewer connections than a quarter of the failed hosts (a management server
// notifying its agents talks to each that is up; a worm's payload goes to the few that answer).
//
// Those attempts may still be a real client's (an agent walking its list of server addresses, a
// name with many addresses, each dropping SYNs): Scanner tells them apart where the packets can.
func (s *Sweep) IsSweep() bool {
	f := s.Failed()
	return f >= SweepThreshold && 2*f >= s.Hosts && s.SYNs <= MaxSweepSYNs*s.Flows && 4*s.Talked < f
}

// MaxSweepSYNs is the most SYNs a sweep's probes send each, on average: fewer than a connect()
// that gets no answer sends on any common system (Windows sends three), so that a program
// connecting to many hosts through its system's stack (a management server notifying its
// agents through a firewall that drops most of them) is not taken for a scanner.
const MaxSweepSYNs = 2

// MaxSweepSets bounds the sweeps whose hosts a table keeps in a set, and MaxSweepHosts the hosts
// each set holds (about 100 bytes each: at most 32 × 4096 × 100 B ≈ 13 MB).
const (
	MaxSweepSets  = 32
	MaxSweepHosts = 4096
)

// Sweeps counts a capture's attempts per address and port across hosts, keeping at most the
// pairs its callers allow (AddProbe, AddTalk) and MaxSweepSets sets of hosts.
type Sweeps struct {
	Pairs map[SweepKey]*Sweep
	sets  int
}

// Find reports whether the attempts from client on port make a sweep, and a scanner's
// (Sweep.Scanner): a real client's attempts keep their own verdicts.
func (t *Sweeps) Find(client netip.Addr, port uint16) (*Sweep, bool) {
	s := t.Pairs[SweepKey{client, port}]
	return s, s != nil && s.IsSweep() && s.Scanner()
}

// pair is the pair of client and port, made if there is room for it (nil: none).
func (t *Sweeps) pair(k SweepKey, maxPairs int) *Sweep {
	s := t.Pairs[k]
	if s == nil {
		if len(t.Pairs) >= maxPairs {
			return nil
		}
		if t.Pairs == nil {
			t.Pairs = map[SweepKey]*Sweep{}
		}
		s = &Sweep{}
		t.Pairs[k] = s
	}
	return s
}

// AddProbe counts one probe (a connection without data from the client) from client to server
// that sent syns SYNs and got answer; at is its first packet. It keeps at most maxPairs pairs
// (see PurgeSingles).
// p is the probe as the scanner test reads it (Sweep.Evidence).
func (t *Sweeps) AddProbe(client netip.Addr, server netip.AddrPort, answer Answer, syns int, at At, p Probe, maxPairs int) {
	s := t.pair(SweepKey{client, server.Port()}, maxPairs)
	if s == nil {
		return
	}
	s.Flows++
	s.SYNs += syns
	widen(&s.First, &s.Last, at)
	t.add(s, swept{server.Addr(), answer, p})
}

// AddTalk counts a connection from client to port that carried data from the client.
func (t *Sweeps) AddTalk(client netip.Addr, port uint16, maxPairs int) {
	if s := t.pair(SweepKey{client, port}, maxPairs); s != nil {
		s.Talked++
	}
}

// add counts h's host among the sweep's hosts with the answer it got, keeping each host's best
// answer and earliest probe; it reports whether the host was new.
func (t *Sweeps) add(s *Sweep, h swept) bool {
	s.ev = nil
	if s.set == nil && len(s.hosts) >= SweepThreshold && t.sets < MaxSweepSets {
		t.sets++
		s.set = make(map[netip.Addr]swept, 2*SweepThreshold)
		for _, x := range s.hosts {
			s.set[x.host] = x
		}
		s.hosts = nil
	}
	was, known := swept{}, false
	if s.set != nil {
		was, known = s.set[h.host]
		if known || len(s.set) < MaxSweepHosts {
			s.set[h.host] = merge(was, h, known)
		}
	} else {
		for i := range s.hosts {
			if s.hosts[i].host == h.host {
				was, known = s.hosts[i], true
				s.hosts[i] = merge(was, h, true)
				break
			}
		}
		if !known && len(s.hosts) < SweepThreshold {
			s.hosts = append(s.hosts, h)
		}
	}
	if !known {
		s.Hosts++
		s.count(h.answer, 1)
		return true
	}
	if h.answer > was.answer {
		s.count(was.answer, -1)
		s.count(h.answer, 1)
	}
	return false
}

// merge is a host's entry was (known: there was one) with the probe h added: the best answer,
// the earliest probe, quiet only if every probe was.
func merge(was, h swept, known bool) swept {
	if !known {
		return h
	}
	out := was
	out.answer = max(was.answer, h.answer)
	if h.probe.earlier(was.probe) {
		out.probe = h.probe
	}
	out.probe.Quiet = was.probe.Quiet && h.probe.Quiet
	return out
}

// count adds n to the hosts that got answer.
func (s *Sweep) count(answer Answer, n int) {
	switch answer {
	case Open:
		s.Open += n
	case Refused:
		s.Refused += n
	case Unreachable:
		s.Unreachable += n
	}
}

// PurgeSingles forgets the pairs whose probes reached one host or none (most: agents failing to
// reach their server, clients that talked), calling forget for each; a sweep reaches a second
// host at once and stays. It keeps the pairs' memory bounded in a capture of many clients.
func (t *Sweeps) PurgeSingles(forget func(SweepKey, *Sweep)) {
	for k, s := range t.Pairs {
		if s.Hosts < 2 {
			if s.set != nil {
				t.sets--
			}
			forget(k, s)
			delete(t.Pairs, k)
		}
	}
}
