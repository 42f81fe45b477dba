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
		tab.AddProbe(from, netip.AddrPortFrom(server, port), answerOf(open), At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Millisecond))}, 8)
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

// TestAddOutside: the SYNs outside the analysed ports add the ports not analysed to a pair's
// probes (Outside counts them), the answered ones to Open, move the first and last frame, and
// make a scan of a pair whose analysed probes alone do not; adding the same again changes
// nothing; a pair with no analysed probe takes none.
func TestAddOutside(t *testing.T) {
	scanner, other := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.8")
	server := netip.MustParseAddr("10.0.0.1")
	t0 := time.Unix(1700000000, 0)
	ref := func(frame int) At {
		return At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Millisecond))}
	}
	var tab Table
	for i, p := range []uint16{1, 3, 4343} { // the analysed probes, frames 10-12
		tab.AddProbe(scanner, netip.AddrPortFrom(server, p), answerOf(p == 4343), ref(10+i), 8)
	}
	if _, ok := tab.Find(scanner, server); ok {
		t.Fatalf("3 analysed ports make a scan")
	}
	var out []uint16
	for p := uint16(1); p <= 30; p++ {
		if p != 1 && p != 3 {
			out = append(out, p)
		}
	}
	o := Outside{Ports: out, Open: []uint16{22, 4343}, PortsUncounted: 2, SYNs: 31, First: ref(1), Last: ref(40)}
	tab.AddOutside(Key{scanner, server}, o)
	tab.AddOutside(Key{scanner, server}, o) // again (another vantage): the same ports
	tab.AddOutside(Key{other, server}, o)   // no analysed probe: not taken
	s, ok := tab.Find(scanner, server)
	if !ok || s.Ports != 3+28+2 || s.Outside != 28+2 || s.OutsideSYNs != 31 || s.Flows != 3 || s.Open != 2 ||
		s.First.Num() != 1 || s.Last.Num() != 40 || !slices.Equal(s.OpenPorts(10), []int{22, 4343}) {
		t.Errorf("scan %+v (found %v), want 33 ports (3 analysed, 30 outside, 2 of them past the bounds), 31 SYNs, 3 probes, open 22 and 4343, frames 1-40", s, ok)
	}
	if _, ok := tab.Pairs[Key{other, server}]; ok {
		t.Errorf("a pair with no analysed probe was made")
	}
}

// TestAddOutsideVantages: the SYNs outside the analysed ports seen at another vantage move a
// scan's first and last packet by their time, not by their frame numbers (which count another
// capture's frames): a later SYN at a low frame of the server's capture is not the first.
func TestAddOutsideVantages(t *testing.T) {
	scanner, server := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.1")
	t0 := time.Unix(1700000000, 0)
	at := func(v uint16, frame, ms int) At {
		return At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(ms)*time.Millisecond)), Vantage: v}
	}
	var tab Table
	tab.AddProbe(scanner, netip.AddrPortFrom(server, 4343), Silent, at(0, 100, 10), 8)
	tab.AddProbe(scanner, netip.AddrPortFrom(server, 4344), Silent, at(0, 200, 50), 8)
	var ports []uint16
	for p := uint16(1); p <= 20; p++ {
		ports = append(ports, p)
	}
	tab.AddOutside(Key{scanner, server}, Outside{Ports: ports, SYNs: 20, First: at(1, 3, 20), Last: at(1, 40, 40)}) // within the span: no move
	s, _ := tab.Find(scanner, server)
	if s.First != at(0, 100, 10) || s.Last != at(0, 200, 50) {
		t.Errorf("first %+v last %+v; want the agent capture's frames 100 and 200", s.First, s.Last)
	}
	tab.AddOutside(Key{scanner, server}, Outside{Ports: ports, SYNs: 20, First: at(1, 5, 5), Last: at(1, 60, 70)}) // earlier and later
	if s.First != at(1, 5, 5) || s.Last != at(1, 60, 70) {
		t.Errorf("first %+v last %+v; want the server capture's frames 5 and 60", s.First, s.Last)
	}
}

// answerOf is Open for a SYN-ACK, Silent otherwise.
func answerOf(open bool) Answer {
	if open {
		return Open
	}
	return Silent
}

// TestTableRefused: a port whose probes got a RST only counts as refused, once, in the short list
// and in the bitmaps alike; a port refused once and answered since counts as open only.
func TestTableRefused(t *testing.T) {
	scanner, server := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.1")
	t0 := time.Unix(1700000000, 0)
	var tab Table
	frame := 0
	probe := func(port uint16, a Answer) {
		frame++
		tab.AddProbe(scanner, netip.AddrPortFrom(server, port), a, At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Millisecond))}, 8)
	}
	probe(1, Refused)
	probe(1, Refused) // the same port again: one refused port
	probe(2, Refused)
	probe(2, Open) // refused, then answered: open
	for p := uint16(3); p <= Threshold+10; p++ {
		switch {
		case p%2 == 0:
			probe(p, Refused)
		case p == 7:
			probe(p, Open)
		default:
			probe(p, Silent)
		}
	}
	probe(20, Open)    // refused in the bitmaps, answered since
	probe(20, Refused) // and refused again: still open
	s, ok := tab.Find(scanner, server)
	// ports 1..25: refused 1 and the even ones 4..24 but 20 (1+10), open 2, 7, 20; silent the rest
	if !ok || s.Ports != Threshold+10 || s.Open != 3 || s.Refused != 11 {
		t.Fatalf("scan %+v (found %v), want %d ports, 3 open, 11 refused", s, ok, Threshold+10)
	}
}
