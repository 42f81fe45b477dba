package unmatched

import (
	"net/netip"
	"slices"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/portset"
)

// The bounds of probes: the memory it takes stays below about 3 MiB of sources and hosts plus
// 1 MiB of port bitmaps, whatever the capture holds.
const (
	// maxProbeSources bounds the source addresses (per vantage) whose skipped SYNs are counted.
	// When it is reached, the sources that reached one port of one host only (most: clients) are
	// forgotten, at most once per maxProbeSources/4 new sources; a scanner reaches a second port
	// at once and stays. Past it, new sources are not counted.
	maxProbeSources = 1024
	// maxProbeHosts bounds the hosts counted per source; SYNs to further hosts count in
	// moreHosts only.
	maxProbeHosts = 16
	// shortPorts is how many distinct ports (and answering ports) a host's entry lists before it
	// takes port bitmaps.
	shortPorts = 16
	// maxProbeBitmaps bounds the hosts whose ports are counted with bitmaps (16 KiB each): past
	// it, the ports past the short list are counted, not told apart.
	maxProbeBitmaps = 64
)

// probes counts, per source address of the SYNs skipped outside the analysed ports and hosts,
// the distinct ports of each host it sent them to and those that answered with a SYN-ACK, so
// that a port scan is still seen whole when the analysis is narrowed to some of its ports or
// hosts (the diagnosis adds them to the probes it analysed). Only SYNs and SYN-ACKs touch it.
type probes struct {
	sources bounded[sourceKey, source] // at most maxProbeSources
	bitmaps int                        // hosts counted with bitmaps
}

// sourceKey is one source address at one vantage.
type sourceKey struct {
	addr    netip.Addr
	vantage uint16
}

// source is the SYNs one source sent outside the analysed ports and hosts.
type source struct {
	hosts     []hostProbes // at most maxProbeHosts
	moreHosts int          // SYNs to hosts past maxProbeHosts
}

// hostProbes is the SYNs one source sent to one host outside the analysed ports and hosts.
type hostProbes struct {
	addr          netip.Addr
	ports, open   [shortPorts]uint16 // the distinct ports probed and answered, below the bitmaps
	nPorts, nOpen uint8              // how many of ports and open are set
	seen, opened  *portset.Set       // every port probed and answered, past shortPorts
	// Ports and Open count the distinct ports probed and answered (past the bounds: SYNs and
	// SYN-ACKs of ports not in the short lists).
	Ports, Open int
	SYNs        int
	First, Last facts.Ref // the first and last SYN
}

// syn counts a SYN (without ACK) skipped outside the analysed ports and hosts.
func (pr *probes) syn(p *capture.Packet) {
	s := pr.source(sourceKey{p.SrcIP, p.Vantage}, true)
	if s == nil {
		return
	}
	h := s.host(p.DstIP)
	if h == nil {
		s.moreHosts++
		return
	}
	at := facts.MakeRef(p.Index, p.Time)
	if h.SYNs == 0 || at.Frame < h.First.Frame {
		h.First = at
	}
	if at.Frame > h.Last.Frame {
		h.Last = at
	}
	h.SYNs++
	if pr.addPort(h, &h.ports, &h.nPorts, &h.seen, p.TCP.DstPort) {
		h.Ports++
	}
}

// synAck counts a SYN-ACK skipped outside the analysed ports and hosts: its source port
// answered its destination's probe.
func (pr *probes) synAck(p *capture.Packet) {
	if len(pr.sources.index) == 0 {
		return
	}
	s := pr.source(sourceKey{p.DstIP, p.Vantage}, false)
	if s == nil {
		return
	}
	for i := range s.hosts {
		if h := &s.hosts[i]; h.addr == p.SrcIP {
			if pr.addPort(h, &h.open, &h.nOpen, &h.opened, p.TCP.SrcPort) {
				h.Open++
			}
			return
		}
	}
}

// addPort adds port to a host's short list or bitmap and reports whether it was new (past the
// bounds: not in the short list).
func (pr *probes) addPort(h *hostProbes, short *[shortPorts]uint16, n *uint8, bits **portset.Set, port uint16) bool {
	if *bits != nil {
		return (*bits).Add(port)
	}
	if slices.Contains(short[:*n], port) {
		return false
	}
	if int(*n) < shortPorts {
		short[*n] = port
		*n++
		return true
	}
	if h.seen == nil && pr.bitmaps >= maxProbeBitmaps {
		return true // not told apart
	}
	if h.seen == nil {
		pr.bitmaps++
		h.seen, h.opened = new(portset.Set), new(portset.Set)
		for _, q := range h.ports[:h.nPorts] {
			h.seen.Add(q)
		}
		for _, q := range h.open[:h.nOpen] {
			h.opened.Add(q)
		}
	}
	return (*bits).Add(port)
}

// source returns the entry of k, made if add and there is room; nil if none.
func (pr *probes) source(k sourceKey, add bool) *source {
	if !add {
		if i := pr.sources.find(k); i >= 0 {
			return &pr.sources.vals[i]
		}
		return nil
	}
	i, made := pr.sources.add(k, maxProbeSources, probedOnce)
	if i < 0 {
		return nil
	}
	s := &pr.sources.vals[i]
	if made {
		s.hosts, s.moreHosts = s.hosts[:0], 0
	}
	return s
}

// probedOnce reports whether a source reached one port of one host only, to be forgotten when the
// sources are full.
func probedOnce(_ int32, s *source) bool {
	return len(s.hosts) == 1 && s.hosts[0].Ports <= 1 && s.moreHosts == 0
}

// host returns the source's entry for addr, made if there is room; nil if none.
func (s *source) host(addr netip.Addr) *hostProbes {
	for i := range s.hosts {
		if s.hosts[i].addr == addr {
			return &s.hosts[i]
		}
	}
	if len(s.hosts) >= maxProbeHosts {
		return nil
	}
	s.hosts = append(s.hosts, hostProbes{addr: addr})
	return &s.hosts[len(s.hosts)-1]
}

// Probed is what the SYNs from one source to one host outside the analysed ports and hosts
// showed.
type Probed struct {
	// Ports are the distinct ports probed, lowest first; PortsUncounted counts those past the
	// bounds, not told apart (SYNs to ports not in Ports).
	Ports          []uint16
	PortsUncounted int
	// Open are the distinct ports that answered with a SYN-ACK, lowest first; OpenUncounted
	// counts those past the bounds.
	Open          []uint16
	OpenUncounted int
	SYNs          int
	First, Last   facts.Ref // the first and last SYN
}

// Probed returns what the SYNs from src to dst, captured at vantage, showed outside the
// analysed ports and hosts; false if none was counted.
func (u *Counter) Probed(vantage uint16, src, dst netip.Addr) (Probed, bool) {
	i := u.probes.sources.find(sourceKey{src, vantage})
	if i < 0 {
		return Probed{}, false
	}
	for _, h := range u.probes.sources.vals[i].hosts {
		if h.addr != dst {
			continue
		}
		out := Probed{SYNs: h.SYNs, First: h.First, Last: h.Last}
		if h.seen != nil {
			out.Ports, out.Open = h.seen.List(), h.opened.List()
		} else {
			out.Ports, out.Open = slices.Clone(h.ports[:h.nPorts]), slices.Clone(h.open[:h.nOpen])
			slices.Sort(out.Ports)
			slices.Sort(out.Open)
		}
		out.PortsUncounted, out.OpenUncounted = h.Ports-len(out.Ports), h.Open-len(out.Open)
		return out, true
	}
	return Probed{}, false
}
