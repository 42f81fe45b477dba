package scan

import (
	"net/netip"
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
)

// TestSweeps: one address's probes of one port are counted per distinct host with its best
// answer (a host silent, then refused, then open counts once, as open); the attempts become a
// sweep at SweepThreshold failed hosts, and not when most hosts answered, when the probes
// retried like connect() does, or when the address talked to the port on many hosts; the set
// past the short list counts the same; PurgeSingles forgets the pairs of one host or none.
func TestSweeps(t *testing.T) {
	scanner, agent, talker := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	server := netip.MustParseAddr("10.0.1.1")
	t0 := time.Unix(1700000000, 0)
	frame := 0
	at := func() At {
		frame++
		return At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Millisecond))}
	}
	// nmap is an nmap -sS probe at the last frame at made: one SYN from the scan's one source
	// port, 1 ms after the previous probe.
	nmap := func() Probe {
		a := At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Millisecond))}
		return Probe{Port: 45410, First: a, Last: a, Quiet: true}
	}
	host := func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), 4343)
	}
	var tab Sweeps
	for i := 0; i < 30; i++ { // the agent retries its one server
		tab.AddProbe(agent, netip.AddrPortFrom(server, 4343), Silent, 7, at(), nmap(), 64)
	}
	for i := 1; i <= SweepThreshold+5; i++ {
		if _, ok := tab.Find(scanner, 4343); ok != (i > SweepThreshold) {
			t.Fatalf("before host %d: sweep %v", i, ok)
		}
		a := Silent
		switch {
		case i%10 == 0:
			a = Refused
		case i == SweepThreshold+4:
			a = Open
		}
		tab.AddProbe(scanner, host(i), a, 1, at(), nmap(), 64)
	}
	tab.AddProbe(scanner, host(5), Refused, 2, at(), nmap(), 64) // host 5: silent, then refused, then open
	tab.AddProbe(scanner, host(5), Open, 1, at(), nmap(), 64)
	tab.AddProbe(scanner, host(10), Silent, 1, at(), nmap(), 64) // refused before: stays refused
	s, ok := tab.Find(scanner, 4343)
	if !ok || s.Hosts != 30 || s.Open != 2 || s.Refused != 3 || s.Failed() != 28 || s.Flows != 33 || s.SYNs != 34 ||
		s.First.Num() != 31 || s.Last.Num() != frame || s.set == nil {
		t.Fatalf("sweep %+v (found %v), want 30 hosts, 2 open, 3 refused, 33 probes, 34 SYNs, frames 31-%d, in a set", s, ok, frame)
	}
	if a, ok := tab.Find(agent, 4343); ok || a.Hosts != 1 || a.Flows != 30 {
		t.Errorf("agent %+v (sweep %v), want 1 host, 30 probes, no sweep", a, ok)
	}
	for i := 1; i <= 40; i++ { // a server notifying its agents: 30 down, 10 up and talked to
		if i <= 30 {
			tab.AddProbe(talker, host(100+i), Silent, 1, at(), nmap(), 64)
		} else {
			tab.AddTalk(talker, 4343, 64)
		}
	}
	if s, ok := tab.Find(talker, 4343); ok || s.Failed() != 30 || s.Talked != 10 {
		t.Errorf("talker %+v (sweep %v), want 30 failed hosts, 10 talked, no sweep", s, ok)
	}
	cases := []struct {
		name   string
		answer func(i int) Answer
		syns   int
		sweep  bool
	}{
		{"all silent, one SYN each", func(int) Answer { return Silent }, 1, true},
		{"all refused, two SYNs each", func(int) Answer { return Refused }, 2, true},
		{"Windows connect()'s three SYNs each", func(int) Answer { return Silent }, 3, false},
		{"connect()'s seven SYNs each", func(int) Answer { return Silent }, 7, false},
		{"most open", func(i int) Answer { return map[bool]Answer{true: Open, false: Silent}[i%3 != 0] }, 1, false},
	}
	for _, tc := range cases {
		var tab Sweeps
		for i := 1; i <= 3*SweepThreshold; i++ {
			tab.AddProbe(scanner, host(i), tc.answer(i), tc.syns, at(), nmap(), 64)
		}
		if _, ok := tab.Find(scanner, 4343); ok != tc.sweep {
			t.Errorf("%s: sweep %v, want %v", tc.name, ok, tc.sweep)
		}
	}
	var forgotten []SweepKey
	tab.AddTalk(netip.MustParseAddr("10.0.0.4"), 4343, 64)
	tab.PurgeSingles(func(k SweepKey, _ *Sweep) { forgotten = append(forgotten, k) })
	if len(forgotten) != 2 || len(tab.Pairs) != 2 || tab.Pairs[SweepKey{scanner, 4343}] == nil || tab.Pairs[SweepKey{talker, 4343}] == nil {
		t.Errorf("forgot %v, %d pairs left; want the agent's and the lone talker's forgotten", forgotten, len(tab.Pairs))
	}
}

// TestAtBefore: packets of one capture are ordered by frame, of two captures by time (frame
// numbers of different captures say nothing of their order); an unset At is never first.
func TestAtBefore(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	at := func(v uint16, frame int, ms int) At {
		return At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(ms)*time.Millisecond)), Vantage: v}
	}
	cases := []struct {
		a, b At
		want bool
	}{
		{at(0, 5, 100), at(0, 9, 50), true}, // one capture: by frame
		{at(0, 5, 100), at(1, 9, 50), false},
		{at(1, 9, 50), at(0, 5, 100), true}, // two captures: by time, whatever the frames
		{at(0, 5, 100), at(1, 2, 100), true},
		{At{}, at(0, 5, 100), false},
		{at(0, 5, 100), At{}, true},
	}
	for i, tc := range cases {
		if got := tc.a.Before(tc.b); got != tc.want {
			t.Errorf("case %d: %+v before %+v = %v, want %v", i, tc.a, tc.b, got, tc.want)
		}
	}
}

// TestSweepScanner: 30 failing hosts with one or two SYNs each make a sweep by their numbers;
// Find names it a scanner's only when the probes show one: a source port shared across hosts
// (nmap -sS), attempts interleaved (parallel connect()s that retransmit), or quiet hosts followed
// within BurstGap (nmap -sT). A client trying one host after another, each from a new port and
// after the previous gave up (1.5 s or 0.5 s), is not, even when its refusals come at once.
func TestSweepScanner(t *testing.T) {
	client := netip.MustParseAddr("10.0.0.7")
	t0 := time.Unix(1700000000, 0)
	ms := func(d float64) At { // a frame a µs, in time order
		return At{Ref: facts.MakeRef(int(d*1000)+1, t0.Add(time.Duration(d*float64(time.Millisecond))))}
	}
	cases := []struct {
		name string
		// probe i (0-based): its source port, first and last SYN (ms), and its answer
		probe   func(i int) (port uint16, first, last float64, answer Answer)
		scanner bool
		ev      Evidence
	}{
		{"nmap -sS: one source port, 1 ms apart", func(i int) (uint16, float64, float64, Answer) { return 45410, float64(i), float64(i), Silent }, true,
			Evidence{SharedPort: 30, Quiet: 29, Quick: 29, Probes: 30}},
		{"parallel connect()s, each retransmitted at 1 s", func(i int) (uint16, float64, float64, Answer) {
			return uint16(40000 + i), float64(i) * 0.1, 1000 + float64(i)*0.1, Silent
		}, true, Evidence{Interleaved: 29, Quiet: 29, Quick: 29, Probes: 30}},
		{"nmap -sT: new ports, one SYN each, 30 µs apart", func(i int) (uint16, float64, float64, Answer) {
			return uint16(40000 + 7*i), float64(i) * 0.03, float64(i) * 0.03, Silent
		}, true, Evidence{Quiet: 29, Quick: 29, Probes: 30}},
		{"a client, 1.5 s per host, two SYNs each", func(i int) (uint16, float64, float64, Answer) {
			return uint16(50000 - 13*i), float64(i) * 1500, float64(i)*1500 + 1000, Silent
		}, false, Evidence{Quiet: 29, Probes: 30}},
		{"a client, 0.5 s per host, one SYN each", func(i int) (uint16, float64, float64, Answer) {
			return uint16(50000 - 13*i), float64(i) * 500, float64(i) * 500, Silent
		}, false, Evidence{Quiet: 29, Probes: 30}},
		{"a client refused at once by every other host", func(i int) (uint16, float64, float64, Answer) {
			at := float64(i/2)*500.5 + float64(i%2)*500 // silent: 500 ms; refused: 0.5 ms
			if i%2 == 1 {
				return uint16(50000 - 13*i), at, at, Refused
			}
			return uint16(50000 - 13*i), at, at, Silent
		}, false, Evidence{Quiet: 15, Probes: 30}},
	}
	for _, tc := range cases {
		var tab Sweeps
		for i := 0; i < 30; i++ {
			port, first, last, answer := tc.probe(i)
			f, l := ms(first), ms(last)
			host := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 2, byte(i + 1)}), 4343)
			tab.AddProbe(client, host, answer, 1+map[bool]int{true: 1}[last > first+500], f, Probe{Port: port, First: f, Last: l, Quiet: answer == Silent}, 64)
		}
		s := tab.Pairs[SweepKey{client, 4343}]
		if !s.IsSweep() {
			t.Errorf("%s: not a sweep by its numbers: %+v", tc.name, s)
			continue
		}
		if _, ok := tab.Find(client, 4343); ok != tc.scanner {
			t.Errorf("%s: found %v, want %v", tc.name, ok, tc.scanner)
		}
		if e := s.Evidence(); e != tc.ev {
			t.Errorf("%s: evidence %+v, want %+v", tc.name, e, tc.ev)
		}
	}
}

// TestSweepUnreachable: an ICMP error from the path is an answer, counted apart from silence
// (Sweep.Unreachable, Sweep.Silent), but not the host's own: a host's RST or SYN-ACK on another
// probe beats it, whichever came first, and it beats a probe that got nothing at all.
func TestSweepUnreachable(t *testing.T) {
	client := netip.MustParseAddr("10.0.0.7")
	t0 := time.Unix(1700000000, 0)
	host := func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 2, byte(i)}), 4343)
	}
	frame := 0
	probe := func(t *Sweeps, i int, a Answer) {
		frame++
		at := At{Ref: facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Second))}
		t.AddProbe(client, host(i), a, 1, at, Probe{Port: uint16(40000 + frame), First: at, Last: at, Quiet: a == Silent}, 64)
	}
	var tab Sweeps
	for _, seq := range [][]Answer{
		{Unreachable}, {Silent}, {Refused}, {Open},
		{Silent, Unreachable},                          // host 4: unreachable
		{Unreachable, Silent},                          // host 5: unreachable
		{Unreachable, Refused}, {Refused, Unreachable}, // hosts 6, 7: refused
		{Unreachable, Open}, // host 8: open
	} {
		i := frame
		for _, a := range seq {
			probe(&tab, i, a)
		}
	}
	s := tab.Pairs[SweepKey{client, 4343}]
	if s.Hosts != 9 || s.Unreachable != 3 || s.Refused != 3 || s.Open != 2 || s.Silent() != 1 || s.Failed() != 7 {
		t.Errorf("sweep %+v (silent %d), want 9 hosts: 3 unreachable, 3 refused, 2 open, 1 silent", s, s.Silent())
	}
}
