package unmatched

import (
	"encoding/binary"
	"net/netip"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// The bounds of sweeps: at most maxSweptHosts host entries (about 80 bytes each, 2.5 MiB) and
// maxSweepPairs pairs, whatever the capture holds.
const (
	// maxSweepPairs bounds the pairs of source (per vantage) and destination port whose skipped
	// SYNs are counted. When it is reached, the pairs that reached one host only (most: clients
	// of one server) are forgotten, at most once per maxSweepPairs/4 new pairs; a sweep reaches a
	// second host at once and stays. Past it, new pairs are not counted.
	maxSweepPairs = 1024
	// maxPairHosts bounds the hosts counted per pair, and maxSweptHosts those of every pair: SYNs
	// to further hosts are not counted (a sweep is one long before).
	maxPairHosts  = 4096
	maxSweptHosts = 32768
)

// sweeps counts, per source address of the SYNs skipped outside the analysed ports and hosts and
// per destination port, the hosts it sent them to, how each answered and when, so that a sweep of
// one port across hosts is still seen whole when the analysis is narrowed to some of its hosts
// (the diagnosis adds them to the attempts it analysed). SYNs, SYN-ACKs and resets touch it; a
// packet with data only when a pair of its source and destination port reached two hosts or more
// (talkers): talk before a pair's second host is not counted; an ICMP error (rare) when it quotes
// a packet from a pair's source to one of its hosts.
type sweeps struct {
	pairs     bounded[sweepKey, sweepPair] // at most maxSweepPairs
	hostIndex map[hostKey]int32            // a host's entry in its pair's hosts
	hosts     int                          // host entries held, at most maxSweptHosts
	// talkers holds a bit for each pair of two hosts or more (by talkBit): a packet with data is
	// looked up only when its source and destination port's bit is set, so that the clients of
	// one server (most) cost one bit test per packet.
	talkers *[1024]uint64
}

// sweepKey is one source address at one vantage sending SYNs to one port.
type sweepKey struct {
	addr          netip.Addr
	vantage, port uint16
}

// hostKey is one host of one pair.
type hostKey struct {
	pair int32
	addr netip.Addr
}

// sweepPair is the SYNs one source sent to one port of the hosts outside the analysed ports and
// hosts.
type sweepPair struct {
	hosts []SweptHost // at most maxPairHosts
}

// SweptHost is what one source's SYNs to one port of one host showed outside the analysed ports
// and hosts.
type SweptHost struct {
	Addr netip.Addr
	// SrcPort is the source port of the first attempt (the first SYN), First and Last that
	// attempt's first and last SYN; LastAttempt is the last attempt's first SYN.
	SrcPort                  uint16
	First, Last, LastAttempt facts.Ref
	// Attempts counts the attempts (SYNs from a new source port), SYNs the SYNs, Talked the
	// attempts that carried data from the source.
	Attempts, SYNs, Talked int
	// Open: the host answered with a SYN-ACK; Refused: with a reset. ICMP: an ICMP error quoted
	// one of the source's packets to it (a router or firewall answered for the host).
	Open, Refused, ICMP bool
	lastPort, talkPort  uint16 // the source ports of the last attempt and of the last talk counted
}

// syn counts a SYN (without ACK) skipped outside the analysed ports and hosts.
func (sw *sweeps) syn(p *capture.Packet) {
	pr := sw.pair(sweepKey{p.SrcIP, p.Vantage, p.TCP.DstPort}, true)
	if pr < 0 {
		return
	}
	h := sw.host(pr, p.DstIP, true)
	if h == nil {
		return
	}
	at := facts.MakeRef(p.Index, p.Time)
	port := p.TCP.SrcPort
	switch {
	case h.Attempts == 0:
		h.SrcPort, h.First, h.Last, h.LastAttempt, h.lastPort, h.Attempts = port, at, at, at, port, 1
	case port != h.lastPort:
		h.Attempts++
		h.lastPort, h.LastAttempt = port, at
	case h.Attempts == 1:
		h.Last = at // the first attempt's retransmission
	}
	h.SYNs++
}

// answer counts a SYN-ACK (open) or a reset (refused) skipped outside the analysed ports and
// hosts: its source answered its destination's attempt on its source port.
func (sw *sweeps) answer(p *capture.Packet, open bool) {
	if len(sw.pairs.index) == 0 {
		return
	}
	pr := sw.pair(sweepKey{p.DstIP, p.Vantage, p.TCP.SrcPort}, false)
	if pr < 0 {
		return
	}
	if h := sw.host(pr, p.SrcIP, false); h != nil {
		if open {
			h.Open = true
		} else {
			h.Refused = true
		}
	}
}

// icmpError counts an ICMP error about a connection outside the analysed ports and hosts: one
// that quotes a source's packet to a host's port it counts tells that the host's attempts got an
// answer (no SYN-ACK or reset: the analysis of the whole capture calls such an attempt answered
// all the same, never one of a scanner's unanswered probes).
func (sw *sweeps) icmpError(p *capture.Packet) {
	if len(sw.pairs.index) == 0 {
		return
	}
	q := &p.ICMP
	pr := sw.pair(sweepKey{q.QuotedSrc, p.Vantage, q.QuotedDstPort}, false)
	if pr < 0 {
		return
	}
	if h := sw.host(pr, q.QuotedDst, false); h != nil {
		h.ICMP = true
	}
}

// data counts a packet with data skipped outside the analysed ports and hosts: from a source to
// a port some pair counts, it is an attempt that talked.
func (sw *sweeps) data(p *capture.Packet) {
	if sw.talkers == nil {
		return
	}
	if b := talkBit(p.SrcIP, p.TCP.DstPort); sw.talkers[b/64]&(1<<(b%64)) == 0 {
		return
	}
	pr := sw.pair(sweepKey{p.SrcIP, p.Vantage, p.TCP.DstPort}, false)
	if pr < 0 {
		return
	}
	if h := sw.host(pr, p.DstIP, false); h != nil && h.talkPort != p.TCP.SrcPort {
		h.Talked++
		h.talkPort = p.TCP.SrcPort
	}
}

// pair returns the entry of k, made if add and there is room; -1 if none.
func (sw *sweeps) pair(k sweepKey, add bool) int32 {
	if !add {
		return sw.pairs.find(k)
	}
	i, made := sw.pairs.add(k, maxSweepPairs, sw.single)
	if made {
		sw.pairs.vals[i].hosts = sw.pairs.vals[i].hosts[:0]
		if sw.hostIndex == nil {
			sw.hostIndex, sw.talkers = make(map[hostKey]int32), new([1024]uint64)
		}
	}
	return i
}

// talkBit is the bit of talkers for a source address and destination port.
func talkBit(addr netip.Addr, port uint16) uint32 {
	var x uint64
	if addr.Is4() {
		a := addr.As4()
		x = uint64(binary.LittleEndian.Uint32(a[:]))
	} else {
		a := addr.As16()
		x = binary.LittleEndian.Uint64(a[8:])
	}
	return uint32(((x ^ uint64(port)<<48) * 0x9e3779b97f4a7c15) >> 48)
}

// single reports whether pair i reached one host only, to be forgotten when the pairs are full,
// and forgets its hosts if so.
func (sw *sweeps) single(i int32, pr *sweepPair) bool {
	if len(pr.hosts) > 1 {
		return false
	}
	for _, h := range pr.hosts {
		delete(sw.hostIndex, hostKey{i, h.Addr})
	}
	sw.hosts -= len(pr.hosts)
	pr.hosts = pr.hosts[:0]
	return true
}

// host returns pair pr's entry for addr, made if add and there is room; nil if none.
func (sw *sweeps) host(pr int32, addr netip.Addr, add bool) *SweptHost {
	p := &sw.pairs.vals[pr]
	if j, ok := sw.hostIndex[hostKey{pr, addr}]; ok {
		return &p.hosts[j]
	}
	if !add || len(p.hosts) >= maxPairHosts || sw.hosts >= maxSweptHosts {
		return nil
	}
	sw.hostIndex[hostKey{pr, addr}] = int32(len(p.hosts))
	p.hosts = append(p.hosts, SweptHost{Addr: addr})
	sw.hosts++
	if len(p.hosts) == 2 { // a sweep's candidate: its talk counts (talkers is never cleared)
		k := &sw.pairs.keys[pr]
		b := talkBit(k.addr, k.port)
		sw.talkers[b/64] |= 1 << (b % 64)
	}
	return &p.hosts[len(p.hosts)-1]
}

// Swept returns the hosts that the SYNs from src to port, captured at vantage, reached outside
// the analysed ports and hosts so far (a copy; nil if none was counted).
func (u *Counter) Swept(vantage uint16, src netip.Addr, port uint16) []SweptHost {
	i := u.sweeps.pairs.find(sweepKey{src, vantage, port})
	if i < 0 {
		return nil
	}
	return append([]SweptHost(nil), u.sweeps.pairs.vals[i].hosts...)
}
