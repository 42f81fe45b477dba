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

// Sweep reports whether the attempts from client on port make a sweep of that port across
// hosts (nil ctx: none).
func (ctx *Context) Sweep(client netip.Addr, port uint16) (*scan.Sweep, bool) {
	if ctx == nil {
		return nil, false
	}
	return ctx.Sweeps.Find(client, port)
}

// isProbe reports whether a connection is what a port scan's attempts are (scan.IsProbe).
func isProbe(c *facts.Conn) bool { return scan.IsProbe(c) }

// inferScan makes a probe of a port scan, or of a sweep of one port across hosts, a port-scan,
// keeping what happened to it in the reason.
func (j *judge) inferScan(ctx *Context) bool {
	c := j.c
	if !j.d.Probe {
		return false
	}
	s, ok := ctx.Scan(c.Client.Addr(), c.Server.Addr())
	if !ok {
		return j.inferSweep(ctx)
	}
	what := j.probeWhat()
	j.d.Reason = result.Msg("reason.port-scan", addr("client", c.Client.Addr()), result.Int("ports", s.Ports), addr("server", c.Server.Addr()),
		result.Int("open", s.Open), result.Int("refused", s.Refused), result.Int("silent", s.Ports-s.Open-s.Refused), result.Int("flows", s.Flows), dur("over", s.Last.Time().Sub(s.First.Time())), result.Sub("what", what))
	if s.Outside > 0 { // narrowed: the scan's other ports were seen by their SYNs
		j.d.Reason.Key = "reason.port-scan-narrowed"
		j.d.Reason.Args = append(j.d.Reason.Args, result.Int("outside", s.Outside))
	}
	return true
}

// inferSweep makes a probe of a sweep of one port across hosts a port-scan.
func (j *judge) inferSweep(ctx *Context) bool {
	c := j.c
	s, ok := ctx.Sweep(c.Client.Addr(), c.Server.Port())
	if !ok {
		return false
	}
	what := j.probeWhat()
	j.d.Reason = result.Msg("reason.port-sweep", addr("client", c.Client.Addr()), result.Int("port", int(c.Server.Port())), result.Int("hosts", s.Hosts),
		result.Int("silent", s.Silent()), result.Int("unreachable", s.Unreachable), result.Int("refused", s.Refused), result.Int("open", s.Open), result.Int("flows", s.Flows), dur("over", s.Last.Time().Sub(s.First.Time())),
		result.Sub("what", what))
	return true
}

// probeWhat makes the probe's verdict a port-scan and returns what happened to it, as its reason
// said (a reset by the scanner's own stack worded so).
func (j *judge) probeWhat() result.Message {
	c := j.c
	what := j.d.Reason
	if i, ok := injectedRST(c); ok && j.d.Verdict == result.VerdictMiddleboxReset && c.RSTs[i].From == facts.Client {
		what = j.scannerReset(c.RSTs[i])
	}
	j.d.Verdict = result.VerdictPortScan
	j.d.Variant = ""
	j.d.VersionSuspect, j.d.VersionOrCipher = false, false
	return what
}

// scannerReset words a probe's reset in the client's name whose TTL differs from the client's
// SYN: a scanner crafts its SYNs (nmap -sS gives each a random TTL) and its own stack, which
// never sent them, resets the server's SYN-ACK, so the TTLs differ with no device in the path.
// The path's "forged" evidence line for it is worded so too.
func (j *judge) scannerReset(rst facts.RST) result.Message {
	ttls := []result.Arg{result.Int("rst_ttl", rst.TTL), result.Int("syn_ttl", j.c.Side[facts.Client].TTL)}
	for k := range j.d.Evidence {
		if e := &j.d.Evidence[k]; e.Frame == rst.Num() && e.Text.Key == "ev.rst-forged" {
			e.Text = result.Msg("ev.rst-scanner", ttls...)
		}
	}
	return result.Msg("phrase.scanner-reset", ttls...)
}
