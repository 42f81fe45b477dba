package diagnose

import (
	"net/netip"

	"github.com/connscope/connscope/diagnose/scan"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// Scan reports whether the probes from client to server make a port scan (nil ctx: none).
func (ctx *Context) Scan(client, server netip.Addr) (*scan.Seen, bool) {
	if ctx == nil {
		return nil, false
	}
	return ctx.Scans.Find(client, server)
}

// isProbe reports whether a connection is what a port scan's attempts are (scan.IsProbe).
func isProbe(c *facts.Conn) bool { return scan.IsProbe(c) }

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
