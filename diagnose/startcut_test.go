package diagnose

import (
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// TestStartCutSides: the connection of seed-close-lone (SYN frame 3, SYN-ACK 4, its client's
// alert record 15 03 01 00 02 of 7 bytes in frame 9, the server's reset in 10) with the
// snaplen's cut moved where no real capture of ours has it. A client whose first bytes start
// like a TLS alert record cut by the snaplen spoke TLS most likely (start-cut-tls); a server
// whose first data was cut to nothing, after a client that sent none, leaves plain TCP
// unjudged (start-cut), never ok.
func TestStartCutSides(t *testing.T) {
	conn := func(d int, cut facts.StreamCut) *facts.Conn {
		c := &facts.Conn{SYNs: []facts.Ref{at(3, 0)}, SYNCount: 1, SYNAck: at(4, 21), First: at(3, 0), Last: at(10, 602),
			RSTs: []facts.RST{{Ref: at(10, 602), From: facts.Server, TTL: 64}}, RSTCount: 1, End: at(0, 602)}
		c.Side[d].Bytes, c.Side[d].FirstPayload = int64(cut.Wire), cut.Ref
		c.RSTs[0].Bytes[d] = int64(cut.Wire)
		for side, ttlRef := range [2]facts.Ref{at(3, 0), at(4, 21)} {
			c.Side[side].TTL, c.Side[side].SYNSeen = 64, true
			c.Path.Side[side] = facts.PathSide{TTLRef: ttlRef, TTL: 64, TTLSet: true, AckSet: true}
		}
		c.Path.HandshakeAck = at(5, 40)
		c.TLS = &facts.TLS{X: &facts.TLSRare{}}
		c.TLS.X.Cut[d] = cut
		return c
	}
	cases := []struct {
		name string
		c    *facts.Conn
		want string
	}{
		{"client 15 03", conn(facts.Client, facts.StreamCut{Ref: at(9, 583), Captured: 2, Wire: 7, Prefix: []byte{0x15, 0x03}}),
			"the capture's snaplen cut the client's first data after 2 of its 7 bytes (15 03, the start of a TLS alert record): it most likely spoke TLS, but what its handshake did cannot be read (7 bytes from the client, 0 from the server; the server reset the connection): capture again with tcpdump -s 0"},
		{"server, nothing held", conn(facts.Server, facts.StreamCut{Ref: at(9, 583), Captured: 0, Wire: 7, Prefix: []byte{}}),
			"the capture's snaplen cut the server's first data: 0 of its 7 bytes were captured, too few to tell what it sent (a TLS ServerHello or alert, or another protocol's answer), so whether the connection worked cannot be told (0 bytes from the client, 7 from the server; the server reset the connection): capture again with tcpdump -s 0"},
	}
	for _, tc := range cases {
		d := Conn(tc.c, &Config{}, nil)
		if d.Verdict != result.VerdictIncomplete || say(d.Reason) != tc.want || d.Variant != "start-cut" {
			t.Errorf("%s: %s (%s) %q\nwant incomplete (start-cut) %q", tc.name, d.Verdict, d.Variant, say(d.Reason), tc.want)
		}
	}
}

// at is frame at us microseconds after seed-close-lone's SYN.
func at(frame int, us int) facts.Ref {
	return facts.MakeRef(frame, time.Date(2026, 11, 29, 3, 12, 56, 125435000, time.UTC).Add(time.Duration(us)*time.Microsecond))
}
