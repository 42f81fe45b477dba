package fleet

import (
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
)

// observePath records the TTL of the server host's own packets and the client's attempts that
// got no SYN-ACK.
func (g *Aggregate) observePath(c *facts.Conn) {
	if s := &c.Path.Side[facts.Server]; s.TTLSet {
		if old, ok := g.ctx.ServerTTL[c.Server.Addr()]; !ok || c.ID < old.ConnID {
			g.ctx.ServerTTL[c.Server.Addr()] = diagnose.TTLSeen{TTL: s.TTL, ConnID: c.ID, At: s.TTLRef}
		}
	}
	if c.SYNCount > 0 && !c.SYNAck.Seen() {
		k := diagnose.Attempt{Client: c.Client.Addr(), Server: c.Server}
		at := g.ctx.Attempts[k]
		at.Add(c.ID)
		g.ctx.Attempts[k] = at
	}
}
