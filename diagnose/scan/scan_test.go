package scan

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
)

// TestTable: probes of one host from one address are counted per distinct port (the short list
// below Threshold, the bitmaps from there on, the same counts either way); a pair becomes a scan
// at Threshold ports; PurgeSingles forgets the pairs that probed one port only.
func TestTable(t *testing.T) {
	scanner, client := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.2")
	server := netip.MustParseAddr("10.0.0.1")
	t0 := time.Unix(1700000000, 0)
	var tab Table
	frame := 0
	probe := func(from netip.Addr, port uint16, open bool) {
		frame++
		tab.AddProbe(from, netip.AddrPortFrom(server, port), open, facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Millisecond)), 8)
	}
	probe(client, 4343, false)
	probe(client, 4343, false) // the same port again: one port, two probes
	for p := uint16(1); p <= Threshold+5; p++ {
		if _, ok := tab.Find(scanner, server); ok != (int(p) > Threshold) {
			t.Fatalf("before port %d: scan %v", p, ok)
		}
		probe(scanner, p, p == 22 || p == 5 || p == 18)
		probe(scanner, p, false) // a second probe of each port counts no new port
	}
	s, ok := tab.Find(scanner, server)
	if !ok || s.Ports != Threshold+5 || s.Flows != 2*(Threshold+5) || s.Open != 2 || s.First.Num() != 3 || s.Last.Num() != frame {
		t.Fatalf("scan %+v (found %v), want %d ports, %d probes, 2 open, frames 3-%d", s, ok, Threshold+5, 2*(Threshold+5), frame)
	}
	if got := s.OpenPorts(10); !slices.Equal(got, []int{5, 18}) {
		t.Errorf("open ports %v, want [5 18]", got)
	}
	if c, ok := tab.Find(client, server); ok || c.Ports != 1 || c.Flows != 2 {
		t.Errorf("client %+v (scan %v), want 1 port, 2 probes, no scan", c, ok)
	}
	var forgotten []Key
	tab.PurgeSingles(func(k Key, _ *Seen) { forgotten = append(forgotten, k) })
	if !slices.Equal(forgotten, []Key{{client, server}}) || len(tab.Pairs) != 1 {
		t.Errorf("forgot %v, %d pairs left; want the client's pair only", forgotten, len(tab.Pairs))
	}
}
