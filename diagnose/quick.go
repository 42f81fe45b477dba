package diagnose

import (
	"net/netip"
	"slices"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// First is what the cross-connection inference needs of a connection's own verdict: the verdict
// and the facts that may revise it.
type First struct {
	Verdict         result.Verdict
	Highest         tls.Version
	VersionSuspect  bool
	VersionOrCipher bool
	// Probe: the client began with a SYN and sent no data (what a port scan's attempts are).
	Probe bool
	// AgentListener: the connection is to an agents' listener port (Config.AgentPorts): the
	// server notifying an agent, so the client is the server and the server the agent.
	AgentListener bool
}

// FirstOf is the connection's own verdict (Conn with no Context), in the few facts the
// cross-connection inference needs. A connection whose packets show a completed TLS handshake
// and nothing else of note (most of a fleet) is judged without wording anything.
func FirstOf(c *facts.Conn, cfg *Config) First {
	listener := slices.Contains(cfg.AgentPorts, c.Server.Port())
	if quickOK(c) {
		return First{Verdict: result.VerdictOK, Highest: c.TLS.Hello.Highest, AgentListener: listener}
	}
	d := Conn(c, cfg, nil)
	return First{Verdict: d.Verdict, Highest: d.Highest, VersionSuspect: d.VersionSuspect, VersionOrCipher: d.VersionOrCipher, Probe: d.Probe,
		AgentListener: listener}
}

// CertainlyOK reports whether c certainly gets the verdict ok on its own, as quickOK: tracking
// asks it (through the engine) of a closed connection, whose tomb then keeps no ladder.
func CertainlyOK(c *facts.Conn) bool { return quickOK(c) }

// quickOK reports whether c certainly gets the verdict ok on its own: a TLS handshake that
// completed, closed or still open, with nothing the path rules, the alert rules or the HTTP
// rules would look at. It errs on the side of false: Conn decides the rest.
func quickOK(c *facts.Conn) bool {
	x := c.TLS
	if x == nil || x.Hello == nil || x.ServerHello == nil || x.X != nil || c.X != nil || !c.SYNAck.Seen() ||
		!c.Path.HandshakeAck.Seen() || c.HelloCut || len(c.SYNs) == 0 {
		return false
	}
	for d := range c.Path.Side {
		if c.Path.Side[d].Rare != nil && c.Path.Side[d].Rare.Loss != nil {
			return false // a blackhole rule may apply
		}
	}
	if missingDirection(c) >= 0 {
		return false
	}
	for _, r := range c.RSTs {
		// A reset counts for nothing only after a FIN, from the side that sent the other
		// packets (the same TTL), after no long silence.
		if !c.FINBefore(r.Time()) || r.Idle >= idleResetMin {
			return false
		}
		if s := &c.Path.Side[r.From]; s.TTLSet && r.TTL != s.TTL {
			return false
		}
	}
	if _, ok := x.FatalAlert(); ok {
		return false
	}
	return tlsEstablished(c)
}

// Final is the verdict of a connection whose own verdict is first, revised with what the whole
// capture showed: Conn(c, cfg, ctx).Verdict, without wording anything.
func Final(c *facts.Conn, first First, ctx *Context) result.Verdict {
	return revise(ctx, c.Client.Addr(), c.Server, first, RefusalOf(c, first), c.ID)
}

// Refusal is what the forged-reset check (a refused connection whose reset has not the TTL of the
// server's own packets: middlebox-reset) reads of a refused connection's record: the TTL of the
// reset that answered its SYN. It is small and comparable, so that the connections not listed
// can be counted by it (package fleet). The zero Refusal: no reset the check looks at.
type Refusal struct {
	TTL uint8
	Set bool
}

// RefusalOf is what the forged-reset check reads of c, whose own verdict is first: the reset's
// TTL when c was refused by a reset from the server side and the server sent no other packet.
func RefusalOf(c *facts.Conn, first First) Refusal {
	if first.Verdict != result.VerdictRefused || len(c.RSTs) == 0 || c.Path.Side[facts.Server].TTLSet || c.RSTs[0].From != facts.Server {
		return Refusal{}
	}
	return Refusal{TTL: c.RSTs[0].TTL, Set: true}
}

// ForgedSide is the side (facts.Client or facts.Server, +1) in whose name the reset that ended c
// was forged, when its own verdict first is middlebox-reset (the reset's TTL is not its sender's
// own), or when it is a refusal whose reset came from the server's side (RefusalOf: the check
// against the server's TTL makes it one forged in the server's name); 0 otherwise.
func ForgedSide(c *facts.Conn, first First) int8 {
	if first.Verdict == result.VerdictMiddleboxReset {
		if i, ok := injectedRST(c); ok {
			return int8(c.RSTs[i].From) + 1
		}
	}
	if RefusalOf(c, first).Set {
		return facts.Server + 1
	}
	return 0
}

// ReviseRefusal is Revise with the forged-reset check: the verdict of a connection that is counted
// but not listed, whose record showed r (RefusalOf). It is the verdict Final gives the record.
func ReviseRefusal(ctx *Context, client netip.Addr, server netip.AddrPort, f First, r Refusal) result.Verdict {
	return revise(ctx, client, server, f, r, 0)
}

// revise is Revise with the forged-reset check of connection id (0: not known; the server's TTL
// never comes from a connection whose reset the check reads, as that one shows no other packet of
// the server).
func revise(ctx *Context, client netip.Addr, server netip.AddrPort, f First, r Refusal, id int32) result.Verdict {
	v := Revise(ctx, client, server, f)
	if v == result.VerdictRefused && r.Set {
		if seen, ok := ctx.ServerTTL[server.Addr()]; ok && (id == 0 || seen.ConnID != id) && r.TTL != seen.TTL {
			return result.VerdictMiddleboxReset
		}
	}
	return v
}
