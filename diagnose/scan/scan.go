// Package scan finds port scans: across a capture's connections, it counts the distinct ports
// of each host that each address probed (connection attempts without data), and how many
// answered, in bounded memory.
package scan

import (
	"net/netip"
	"slices"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/portset"
)

// Threshold is how many distinct ports of one host one address must probe (connection
// attempts without data) for its attempts to count as a port scan: Zeek's scan policy
// (Scan::port_scan_threshold) uses 15. Clients that fail reach one or two ports of a server.
const Threshold = 15

// Key is one address probing one host.
type Key struct {
	Client, Server netip.Addr
}

// Seen is what one address's probes of one host showed: the distinct ports, how many answered,
// and when. Below Threshold ports it keeps them in a short list; a scan keeps bitmaps of 8 KiB
// each (MaxBitmaps bounds how many a Table makes).
type Seen struct {
	ports, open, refused  []uint16     // the distinct ports probed, those that answered, those that only refused, below the threshold
	seen, opened, refuses *portset.Set // every port probed, answered, only refused, for a scan
	Ports                 int          // distinct ports probed (past the bitmaps' bound: probes to ports not in the list)
	Flows                 int          // probes (connections without data)
	Open                  int          // distinct ports whose probes got a SYN-ACK
	// Refused counts the distinct ports whose analysed probes got a RST and none a SYN-ACK (the
	// SYNs outside the analysed ports and hosts tell no refusal: those ports count as silent).
	Refused int
	// Outside counts, of Ports, those probed only outside the analysed ports and hosts (seen by
	// their SYNs, which tracking skipped: AddOutside); OutsideSYNs is the SYNs seen there.
	Outside, OutsideSYNs int
	// uncounted and openUncounted are the most ports past tracking's bounds one AddOutside gave.
	uncounted, openUncounted int
	// First and Last are the first and last probe's first packet (or SYN outside the analysed
	// ports and hosts), each in its vantage's capture.
	First, Last At
}

// MaxBitmaps bounds the scans whose ports are counted exactly (24 KiB each).
const MaxBitmaps = 256

// Table counts a capture's probes: what each address's probes of each host showed, with port
// bitmaps for at most MaxBitmaps pairs.
type Table struct {
	// Pairs is what each address's probes of each host showed: a port scan past Threshold ports.
	Pairs   map[Key]*Seen
	bitmaps int // scans counted with port bitmaps
}

// Find reports whether the probes from client to server make a port scan.
func (t *Table) Find(client, server netip.Addr) (*Seen, bool) {
	s := t.Pairs[Key{client, server}]
	return s, s != nil && s.Ports >= Threshold
}

// PurgeSingles forgets the pairs whose probes reached one port only (most: clients whose
// attempts failed), calling forget for each; a scanner reaches a second port at once and stays.
// It keeps the pairs' memory bounded in a capture of many failing clients.
func (t *Table) PurgeSingles(forget func(Key, *Seen)) {
	for k, s := range t.Pairs {
		if s.Ports < 2 {
			forget(k, s)
			delete(t.Pairs, k)
		}
	}
}

// AddProbe counts one probe (a connection without data from the client) from client to port of
// server, with its answer (Open: a SYN-ACK; Refused: a RST only; the others count as never
// answered). at is the probe's first packet. It keeps at most maxPairs
// pairs of addresses (see PurgeSingles).
func (t *Table) AddProbe(client netip.Addr, server netip.AddrPort, answer Answer, at At, maxPairs int) {
	k := Key{client, server.Addr()}
	s := t.Pairs[k]
	if s == nil {
		if len(t.Pairs) >= maxPairs {
			return
		}
		if t.Pairs == nil {
			t.Pairs = map[Key]*Seen{}
		}
		s = &Seen{}
		t.Pairs[k] = s
	}
	s.Flows++
	widen(&s.First, &s.Last, at)
	t.add(s, server.Port(), answer == Open)
	if answer == Refused {
		t.refuse(s, server.Port())
	}
}

// refuse counts port among the pair's refused ports unless it answered.
func (t *Table) refuse(s *Seen, port uint16) {
	if s.seen != nil {
		if !s.opened.Has(port) && s.refuses.Add(port) {
			s.Refused++
		}
		return
	}
	if !slices.Contains(s.open, port) && !slices.Contains(s.refused, port) {
		if len(s.refused) < Threshold {
			s.refused = append(s.refused, port)
		}
		s.Refused++
	}
}

// add counts port among the pair's probed ports (and among the answered ones if open), and
// reports whether it was a new port.
func (t *Table) add(s *Seen, port uint16, open bool) bool {
	if s.seen == nil && s.Ports >= Threshold-1 && t.bitmaps < MaxBitmaps {
		t.bitmaps++
		s.seen, s.opened, s.refuses = new(portset.Set), new(portset.Set), new(portset.Set)
		for _, p := range s.ports {
			s.seen.Add(p)
		}
		for _, p := range s.open {
			s.opened.Add(p)
		}
		for _, p := range s.refused {
			s.refuses.Add(p)
		}
		s.ports, s.open, s.refused = nil, nil, nil
	}
	newPort := false
	if s.seen != nil {
		if s.seen.Add(port) {
			s.Ports++
			newPort = true
		}
		if open && s.opened.Add(port) {
			s.Open++
			if s.refuses.Remove(port) { // refused once, answered since
				s.Refused--
			}
		}
		return newPort
	}
	if !slices.Contains(s.ports, port) {
		if len(s.ports) < Threshold {
			s.ports = append(s.ports, port)
		}
		s.Ports++
		newPort = true
	}
	if open && !slices.Contains(s.open, port) {
		if len(s.open) < Threshold {
			s.open = append(s.open, port)
		}
		s.Open++
		if i := slices.Index(s.refused, port); i >= 0 { // refused once, answered since
			s.refused = slices.Delete(s.refused, i, i+1)
			s.Refused--
		}
	}
	return newPort
}

// Outside is what one address's SYNs to one host showed outside the analysed ports and hosts:
// tracking skipped those connections, but counted their SYNs and SYN-ACKs (track.Unmatched), so
// that an analysis narrowed to some of a scan's ports or hosts still sees the scan whole.
type Outside struct {
	Ports, Open []uint16 // the distinct ports probed, and those that answered with a SYN-ACK, lowest first
	// PortsUncounted and OpenUncounted count ports past tracking's bounds, not told apart.
	PortsUncounted, OpenUncounted int
	SYNs                          int
	First, Last                   At // the first and last SYN
}

// AddOutside adds to the probes from k.Client to k.Server what their SYNs outside the analysed
// ports and hosts showed: the ports not among the analysed probes' count as probed (and in
// Seen.Outside), those that answered as open, and the scan's first and last packet may move
// (compared by frame within one vantage's capture, by time across vantages: At.Before).
// Only a pair with an analysed probe takes them: the scan decision is about those probes. Ports
// added twice (the same scan seen at several vantages) count once; of the SYNs and the ports
// past tracking's bounds, the most one call gave count.
func (t *Table) AddOutside(k Key, o Outside) {
	s := t.Pairs[k]
	if s == nil {
		return
	}
	for _, p := range o.Ports {
		_, open := slices.BinarySearch(o.Open, p)
		if t.add(s, p, open) {
			s.Outside++
		}
	}
	for _, p := range o.Open {
		if t.add(s, p, true) {
			s.Outside++
		}
	}
	if d := o.PortsUncounted - s.uncounted; d > 0 {
		s.Ports += d
		s.Outside += d
		s.uncounted = o.PortsUncounted
	}
	if d := o.OpenUncounted - s.openUncounted; d > 0 {
		s.Open += d
		s.openUncounted = o.OpenUncounted
	}
	s.OutsideSYNs = max(s.OutsideSYNs, o.SYNs)
	if o.First.Seen() {
		widen(&s.First, &s.Last, o.First)
	}
	if o.Last.Seen() {
		widen(&s.First, &s.Last, o.Last)
	}
}

// OpenPorts lists the ports whose probes got a SYN-ACK, lowest first, at most max.
func (s *Seen) OpenPorts(max int) []int {
	out := []int{}
	if s.opened == nil {
		for _, p := range s.open {
			out = append(out, int(p))
		}
		slices.Sort(out)
		return out[:min(len(out), max)]
	}
	for p := 0; p < 1<<16 && len(out) < max; p++ {
		if s.opened[p/64]&(1<<(p%64)) != 0 {
			out = append(out, p)
		}
	}
	return out
}

// IsProbe reports whether a connection is what a port scan's attempts are: begun with a SYN,
// without data from the client.
func IsProbe(c *facts.Conn) bool {
	return c.SYNCount > 0 && c.Side[facts.Client].Bytes == 0
}
