package diagnose

import (
	"net/netip"
	"slices"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// ScanThreshold is how many distinct ports of one host one address must probe (connection
// attempts without data) for its attempts to count as a port scan: Zeek's scan policy
// (Scan::port_scan_threshold) uses 15. Clients that fail reach one or two ports of a server.
const ScanThreshold = 15

// ScanKey is one address probing one host.
type ScanKey struct {
	Client, Server netip.Addr
}

// ScanSeen is what one address's probes of one host showed: the distinct ports, how many
// answered, and when. Below ScanThreshold ports it keeps them in a short list; a scan keeps
// bitmaps of 8 KiB each (Context.bitmaps bounds how many).
type ScanSeen struct {
	ports, open  []uint16 // the distinct ports probed and those that answered, below the threshold
	seen, opened *portSet // every port probed and answered, for a scan
	Ports        int      // distinct ports probed (past the bitmaps' bound: probes to ports not in the list)
	Flows        int      // probes (connections without data)
	Open         int      // distinct ports whose probes got a SYN-ACK
	// First and Last are the first and last probe's first packet.
	First, Last facts.Ref
}

// portSet is a set of ports.
type portSet [1 << 16 / 64]uint64

// add adds p and reports whether it was new.
func (ps *portSet) add(p uint16) bool {
	w, b := p/64, uint64(1)<<(p%64)
	if ps[w]&b != 0 {
		return false
	}
	ps[w] |= b
	return true
}

// MaxScanBitmaps bounds the scans whose ports are counted exactly (16 KiB each).
const MaxScanBitmaps = 256

// Scan reports whether the probes from client to server make a port scan.
func (ctx *Context) Scan(client, server netip.Addr) (*ScanSeen, bool) {
	if ctx == nil {
		return nil, false
	}
	s := ctx.Scans[ScanKey{client, server}]
	return s, s != nil && s.Ports >= ScanThreshold
}

// PurgeSingles forgets the pairs whose probes reached one port only (most: clients whose
// attempts failed), calling forget for each; a scanner reaches a second port at once and stays.
// It keeps the pairs' memory bounded in a capture of many failing clients.
func (ctx *Context) PurgeSingles(forget func(ScanKey, *ScanSeen)) {
	for k, s := range ctx.Scans {
		if s.Ports < 2 {
			forget(k, s)
			delete(ctx.Scans, k)
		}
	}
}

// AddProbe counts one probe (a connection without data from the client) from client to port of
// server; open: it got a SYN-ACK. at is the probe's first packet. It keeps at most maxPairs
// pairs of addresses (see PurgeSingles).
func (ctx *Context) AddProbe(client netip.Addr, server netip.AddrPort, open bool, at facts.Ref, maxPairs int) {
	k := ScanKey{client, server.Addr()}
	s := ctx.Scans[k]
	if s == nil {
		if len(ctx.Scans) >= maxPairs {
			return
		}
		if ctx.Scans == nil {
			ctx.Scans = map[ScanKey]*ScanSeen{}
		}
		s = &ScanSeen{}
		ctx.Scans[k] = s
	}
	s.Flows++
	if !s.First.Seen() || at.Frame < s.First.Frame {
		s.First = at
	}
	if at.Frame > s.Last.Frame {
		s.Last = at
	}
	port := server.Port()
	switch {
	case s.seen != nil:
		if s.seen.add(port) {
			s.Ports++
		}
		if open && s.opened.add(port) {
			s.Open++
		}
	case s.Ports < ScanThreshold-1 || ctx.bitmaps >= MaxScanBitmaps:
		if !slices.Contains(s.ports, port) {
			if len(s.ports) < ScanThreshold {
				s.ports = append(s.ports, port)
			}
			s.Ports++
		}
		if open && !slices.Contains(s.open, port) {
			if len(s.open) < ScanThreshold {
				s.open = append(s.open, port)
			}
			s.Open++
		}
	default:
		ctx.bitmaps++
		s.seen, s.opened = new(portSet), new(portSet)
		for _, p := range s.ports {
			s.seen.add(p)
		}
		for _, p := range s.open {
			s.opened.add(p)
		}
		s.ports, s.open = nil, nil
		if s.seen.add(port) {
			s.Ports++
		}
		if open && s.opened.add(port) {
			s.Open++
		}
	}
}

// OpenPorts lists the ports whose probes got a SYN-ACK, lowest first, at most max.
func (s *ScanSeen) OpenPorts(max int) []int {
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

// isProbe reports whether a connection is what a port scan's attempts are: begun with a SYN,
// without data from the client.
func isProbe(c *facts.Conn) bool {
	return c.SYNCount > 0 && c.Side[facts.Client].Bytes == 0
}

// IsProbe is isProbe for the aggregates.
func IsProbe(c *facts.Conn) bool { return isProbe(c) }

// inferScan makes a probe of a port scan a port-scan, keeping what happened to it in the reason.
func (j *judge) inferScan(ctx *Context) bool {
	c := j.c
	if !j.d.Probe {
		return false
	}
	s, ok := ctx.Scan(c.Client.Addr(), c.Server.Addr())
	if !ok {
		return false
	}
	j.d.Verdict = result.VerdictPortScan
	j.d.Variant = ""
	j.d.VersionSuspect, j.d.VersionOrCipher = false, false
	j.d.Reason = result.Msg("reason.port-scan", addr("client", c.Client.Addr()), result.Int("ports", s.Ports), addr("server", c.Server.Addr()),
		result.Int("open", s.Open), result.Int("flows", s.Flows), dur("over", s.Last.Time().Sub(s.First.Time())), result.Sub("what", j.d.Reason))
	return true
}
