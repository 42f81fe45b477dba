package fleet

import (
	"net/netip"

	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/diagnose/scan"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// MaxProbeWarnings bounds the heartbleed-probe warnings: the first pairs of prober and server
// seen are named, each once; the fleet view's heartbleed-probe groups count every probe.
const MaxProbeWarnings = 8

// probeKey is a pair of a Heartbleed prober and the server it probed.
type probeKey struct {
	client netip.Addr
	server netip.AddrPort
}

// probeSeen is what the warning of a pair says: its probes, and the first one's heartbeat
// record (where, and its length).
type probeSeen struct {
	flows int
	first scan.At
	len   int32
}

// observeProbe counts c when its first verdict is heartbleed-probe, for the warning of its pair
// (at most MaxProbeWarnings pairs).
func (g *Aggregate) observeProbe(c *facts.Conn, d *diagnose.First) {
	if d.Verdict != result.VerdictHeartbleedProbe || c.TLS == nil {
		return
	}
	k := probeKey{client: c.Client.Addr(), server: c.Server}
	p := g.probes[k]
	if p == nil {
		if len(g.probes) == MaxProbeWarnings {
			return
		}
		if g.probes == nil {
			g.probes = map[probeKey]*probeSeen{}
		}
		p = &probeSeen{}
		g.probes[k] = p
	}
	p.flows++
	if at := (scan.At{Ref: c.TLS.R().Heartbeat[facts.Client], Vantage: c.Vantage}); !p.first.Seen() || at.Before(p.first) {
		p.first, p.len = at, c.TLS.R().HeartbeatLen[facts.Client]
	}
}

// ProbeWarnings are the heartbleed-probe warnings, one per pair of prober and server, in order
// of their first probe: "173.203.79.216 sent 162.219.2.166:443 a Heartbleed probe (frame 19):
// …". at names the capture of each vantage (nil: one vantage); with several, the warning's key
// ends in "-at" and names the capture of its frame.
func (g *Aggregate) ProbeWarnings(at func(vantage uint16) *result.EvidenceAt) []result.Warning {
	out := make([]result.Warning, 0, len(g.probes))
	firsts := make([]scan.At, 0, len(g.probes))
	for k, p := range g.probes {
		key := "warning.heartbleed-probe"
		args := []result.Arg{result.From("client", result.IP(k.client.String())), result.From("server", result.HostPort(k.server.String())),
			result.Int("frame", p.first.Num())}
		if p.flows == 1 {
			args = append(args, result.Int("len", int(p.len)))
		} else {
			key += "-n"
			args = append(args, result.Int("flows", p.flows))
		}
		if at != nil {
			key += "-at"
			args = append(args, result.Sub("capture", at(p.first.Vantage).Name))
		}
		out = append(out, result.Warning{Code: "heartbleed-probe", Frame: p.first.Num(), Message: result.Msg(key, args...)})
		firsts = append(firsts, p.first)
	}
	sortByFirst(out, firsts)
	return out
}
