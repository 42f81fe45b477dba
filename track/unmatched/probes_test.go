package unmatched

import (
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// skipper feeds a Counter the packets a tracker skips, numbering them as frames.
type skipper struct {
	u     Counter
	frame int
	t0    time.Time
}

func (s *skipper) skip(src, dst netip.Addr, sport, dport uint16, flags uint8) {
	s.frame++
	s.u.Skip(&capture.Packet{Kind: capture.KindTCP, Index: s.frame, Time: s.t0.Add(time.Duration(s.frame) * time.Millisecond),
		SrcIP: src, DstIP: dst, TCP: capture.TCPHeader{SrcPort: sport, DstPort: dport, Flags: flags}})
}

func (s *skipper) ref(frame int) facts.Ref {
	return facts.MakeRef(frame, s.t0.Add(time.Duration(frame)*time.Millisecond))
}

func ports(from, to int) []uint16 {
	var out []uint16
	for p := from; p <= to; p++ {
		out = append(out, uint16(p))
	}
	return out
}

// TestProbed: the SYNs a source sent outside the filter are counted per host by distinct port
// (the short list, then bitmaps: the same ports either way, lowest first), the SYN-ACKs back by
// answering port; another host, another source and another vantage are apart; a packet that is
// neither SYN nor SYN-ACK counts in none.
func TestProbed(t *testing.T) {
	scanner, client := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.2")
	a, b := netip.MustParseAddr("10.0.1.1"), netip.MustParseAddr("10.0.1.2")
	s := skipper{t0: time.Unix(1700000000, 0)}
	for p := uint16(40); p >= 1; p-- { // frames 1-40, the highest port first
		s.skip(scanner, a, 61000, p, capture.FlagSYN)
	}
	s.skip(a, scanner, 80, 61000, capture.FlagSYN|capture.FlagACK)  // 41
	s.skip(scanner, a, 61000, 80, capture.FlagRST)                  // 42: no SYN
	s.skip(scanner, a, 61000, 7, capture.FlagSYN)                   // 43: port 7 again
	s.skip(a, scanner, 22, 61000, capture.FlagSYN|capture.FlagACK)  // 44
	s.skip(a, scanner, 22, 61000, capture.FlagSYN|capture.FlagACK)  // 45: again
	s.skip(scanner, b, 61000, 5, capture.FlagSYN)                   // 46
	s.skip(client, a, 50000, 4343, capture.FlagSYN)                 // 47
	s.skip(a, client, 4343, 50000, capture.FlagSYN|capture.FlagACK) // 48
	s.skip(client, a, 50000, 4343, capture.FlagACK)                 // 49
	cases := []struct {
		src, dst netip.Addr
		vantage  uint16
		want     Probed
		found    bool
	}{
		{scanner, a, 0, Probed{Ports: ports(1, 40), Open: []uint16{22, 80}, SYNs: 41, First: s.ref(1), Last: s.ref(43)}, true},
		{scanner, b, 0, Probed{Ports: []uint16{5}, Open: []uint16{}, SYNs: 1, First: s.ref(46), Last: s.ref(46)}, true},
		{client, a, 0, Probed{Ports: []uint16{4343}, Open: []uint16{4343}, SYNs: 1, First: s.ref(47), Last: s.ref(47)}, true},
		{a, scanner, 0, Probed{}, false}, // SYN-ACKs make no source
		{scanner, a, 1, Probed{}, false}, // another vantage
	}
	for _, tc := range cases {
		got, ok := s.u.Probed(tc.vantage, tc.src, tc.dst)
		if ok != tc.found || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Probed(%d, %v, %v) = %+v, %v\nwant %+v, %v", tc.vantage, tc.src, tc.dst, got, ok, tc.want, tc.found)
		}
	}
}

// TestProbesBounded: the sources, the hosts per source and the port bitmaps stay within their
// bounds. A table full of sources that reached one port (clients) makes room for a scanner by
// forgetting them; a table full of sources that reached two ports keeps them and counts no new
// source; a source's hosts past maxProbeHosts count in moreHosts only; past maxProbeBitmaps, the
// ports past the short list are counted, not told apart.
func TestProbesBounded(t *testing.T) {
	server := netip.MustParseAddr("10.0.1.1")
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}) }
	s := skipper{t0: time.Unix(1700000000, 0)}
	for i := range maxProbeSources { // clients: one SYN each
		s.skip(addr(i), server, 50000, 4343, capture.FlagSYN)
	}
	scanner := netip.MustParseAddr("10.0.0.9")
	for p := 1; p <= 20; p++ {
		s.skip(scanner, server, 61000, uint16(p), capture.FlagSYN)
	}
	if got, ok := s.u.Probed(0, scanner, server); !ok || !slices.Equal(got.Ports, ports(1, 20)) {
		t.Errorf("scanner after %d clients: %+v, %v; want ports 1-20", maxProbeSources, got, ok)
	}
	if n := len(s.u.probes.sources.index); n != 1 || len(s.u.probes.sources.vals) != maxProbeSources {
		t.Errorf("%d sources indexed, %d entries; want the scanner only, %d entries", n, len(s.u.probes.sources.vals), maxProbeSources)
	}

	// Sources that probed two ports each fill the table: none is forgotten, a later one is not counted.
	for i := range maxProbeSources + 10 {
		s.skip(addr(2000+i), server, 50000, 1, capture.FlagSYN)
		s.skip(addr(2000+i), server, 50000, 2, capture.FlagSYN)
	}
	if n := len(s.u.probes.sources.index); n != maxProbeSources || len(s.u.probes.sources.vals) != maxProbeSources {
		t.Errorf("%d sources indexed, %d entries; want %d", n, len(s.u.probes.sources.vals), maxProbeSources)
	}
	if _, ok := s.u.Probed(0, addr(2000+maxProbeSources+5), server); ok {
		t.Errorf("a source past the bound was counted")
	}
	if got, ok := s.u.Probed(0, scanner, server); !ok || len(got.Ports) != 20 {
		t.Errorf("the scanner was forgotten: %+v, %v", got, ok)
	}

	// One source, many hosts; many sources with many ports each.
	var u skipper
	sweeper := netip.MustParseAddr("10.0.0.8")
	for h := range maxProbeHosts + 4 {
		u.skip(sweeper, addr(h), 61000, 4343, capture.FlagSYN)
	}
	if src := &u.u.probes.sources.vals[u.u.probes.sources.find(sourceKey{addr: sweeper})]; len(src.hosts) != maxProbeHosts || src.moreHosts != 4 {
		t.Errorf("sweeper: %d hosts, %d SYNs to more; want %d, 4", len(src.hosts), src.moreHosts, maxProbeHosts)
	}
	for i := range maxProbeBitmaps + 1 {
		for p := 1; p <= shortPorts+4; p++ {
			u.skip(addr(i), server, 61000, uint16(p), capture.FlagSYN)
		}
	}
	if u.u.probes.bitmaps != maxProbeBitmaps {
		t.Errorf("%d bitmaps, want %d", u.u.probes.bitmaps, maxProbeBitmaps)
	}
	exact, _ := u.u.Probed(0, addr(0), server)
	past, _ := u.u.Probed(0, addr(maxProbeBitmaps), server)
	if len(exact.Ports) != shortPorts+4 || exact.PortsUncounted != 0 || len(past.Ports) != shortPorts || past.PortsUncounted != 4 {
		t.Errorf("within the bitmaps: %d ports, %d uncounted; past them: %d, %d; want %d, 0 and %d, 4",
			len(exact.Ports), exact.PortsUncounted, len(past.Ports), past.PortsUncounted, shortPorts+4, shortPorts)
	}
}
