package fleet

import (
	"net/netip"
	"testing"
	"time"

	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// TestSweepPairsBounded: the pairs of address and port counted for sweeps stay within
// MaxSweepPairs however many clients probe; the pairs of one host are forgotten when it is
// reached (their unlisted probes counted with the others), a sweep under way keeps being
// counted, and when pairs that stay fill most of the table (clients each failing on two hosts),
// it is walked once per MaxSweepPairs/4 connections, not at each (which freed one slot each).
func TestSweepPairsBounded(t *testing.T) {
	g := New(16)
	t0 := time.Unix(1700000000, 0)
	frame := 0
	probe := func(client, server netip.Addr, listed bool) {
		frame++
		first := facts.MakeRef(frame, t0.Add(time.Duration(frame)*time.Millisecond))
		// one SYN from one source port for every host, as nmap -sS sends: a scanner's sweep
		c := &facts.Conn{Client: netip.AddrPortFrom(client, 40000), Server: netip.AddrPortFrom(server, 4343), SYNCount: 1,
			First: first, SYNs: []facts.Ref{first}}
		d := &diagnose.First{Verdict: result.VerdictSYNTimeout, Probe: true}
		g.Observe(c, d)
		if !listed {
			g.Unlisted(c, d)
		}
	}
	addr := func(a, b, c byte) netip.Addr { return netip.AddrFrom4([4]byte{10, a, b, c}) }
	scanner, dead := addr(9, 9, 9), addr(1, 0, 1)
	for i := 0; i < 3*MaxSweepPairs; i++ { // agents trying one server once each, unlisted, and a sweep
		probe(addr(2, byte(i>>8), byte(i)), dead, false)
		if i%100 == 0 {
			probe(scanner, addr(3, 0, byte(i/100)), true)
		}
		if n := len(g.ctx.Sweeps.Pairs); n > MaxSweepPairs {
			t.Fatalf("%d pairs", n)
		}
	}
	if s, ok := g.ctx.Sweeps.Find(scanner, 4343); !ok || s.Hosts != 31 {
		t.Errorf("sweep %+v (found %v), want 31 hosts", s, ok)
	}
	if n := g.Revised()[result.VerdictSYNTimeout][netip.AddrPortFrom(dead, 4343)]; n != 3*MaxSweepPairs {
		t.Errorf("%d unlisted syn-timeouts counted, want %d", n, 3*MaxSweepPairs)
	}
	g = New(16)
	for i := 0; i < MaxSweepPairs; i++ { // each client fails on its two servers: every pair stays
		probe(addr(2, byte(i>>8), byte(i)), addr(1, 0, 1), true)
		probe(addr(2, byte(i>>8), byte(i)), addr(1, 0, 2), true)
	}
	walks := 0
	for i := 0; i < MaxSweepPairs; i++ {
		before := g.sweepPurgeWait
		probe(addr(4, byte(i>>8), byte(i)), dead, true)
		if g.sweepPurgeWait > before {
			walks++
		}
	}
	// The filling's last probe walked (and freed its own one-host pair): the 1024 connections
	// after it wait 256, walk, and so on: 3 walks, at connections 256, 513 and 770.
	if len(g.ctx.Sweeps.Pairs) != MaxSweepPairs || walks != 3 {
		t.Errorf("%d pairs, %d walks for %d clients turned away; want %d, 3", len(g.ctx.Sweeps.Pairs), walks, MaxSweepPairs, MaxSweepPairs)
	}
}

// TestScanPairsWalks: the pairs of addresses counted for port scans, when held by clients that
// each probed two ports of their server (an agent failing on 4343 and 8080), are walked once per
// MaxScanPairs/4 further probes, not at each.
func TestScanPairsWalks(t *testing.T) {
	g := New(16)
	probe := func(client netip.Addr, port uint16) {
		c := &facts.Conn{Client: netip.AddrPortFrom(client, 40000), Server: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, 0, 1}), port), SYNCount: 1}
		g.Observe(c, &diagnose.First{Verdict: result.VerdictSYNTimeout, Probe: true})
	}
	for i := 0; i < MaxScanPairs; i++ {
		probe(netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i)}), 4343)
		probe(netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i)}), 8080)
	}
	walks := 0
	for i := 0; i < MaxScanPairs; i++ {
		before := g.scanPurgeWait
		probe(netip.AddrFrom4([4]byte{10, 4, byte(i >> 8), byte(i)}), 4343)
		if g.scanPurgeWait > before {
			walks++
		}
	}
	if len(g.ctx.Scans.Pairs) != MaxScanPairs || walks != 3 {
		t.Errorf("%d pairs, %d walks; want %d, 3", len(g.ctx.Scans.Pairs), walks, MaxScanPairs)
	}
}
