package analyze

import (
	"fmt"
	"time"
)

// Vantage points: where a capture was taken, as a flow's packets tell it.
const (
	vantageUnknown  = "unknown"
	vantageClient   = "client"
	vantageServer   = "server"
	vantageBetween  = "between"
	vantageSameLink = "same-link"
)

// vantage is where the capture point sat on one flow's path, and why that is believed.
type vantage struct {
	where      string
	reason     string
	clientHops int // -1: no packet from the client
	serverHops int // -1: no packet from the server
}

// timingRatio and timingFloor decide what handshake timing says: the longer of the two gaps
// (SYN to SYN-ACK, SYN-ACK to the client's ACK) must be timingRatio times the shorter and at
// least timingFloor, else the two sides are too close to tell apart.
const (
	timingRatio = 4
	timingFloor = time.Millisecond
)

// inferVantage works out the capture point from TTLs and, when they cannot tell, the handshake's
// timing. A side's own packets carry their initial TTL where they are captured on that side's
// host (or its link); the other side's arrive decremented by each router. At the client, the
// SYN-ACK comes a round trip after the SYN and the ACK follows at once; at the server, the
// SYN-ACK follows the SYN at once and the ACK comes a round trip later.
func inferVantage(clientTTL, serverTTL uint8, clientSeen, serverSeen bool, synToSynAck, synAckToAck time.Duration) vantage {
	v := vantage{where: vantageUnknown, clientHops: -1, serverHops: -1}
	if clientSeen {
		v.clientHops = hops(clientTTL)
	}
	if serverSeen {
		v.serverHops = hops(serverTTL)
	}
	timing := ""
	if synToSynAck > 0 && synAckToAck > 0 {
		switch {
		case synToSynAck >= timingFloor && synToSynAck >= timingRatio*synAckToAck:
			timing = vantageClient
		case synAckToAck >= timingFloor && synAckToAck >= timingRatio*synToSynAck:
			timing = vantageServer
		}
	}
	ttls := fmt.Sprintf("client TTL %d (%s), server TTL %d (%s)", clientTTL, hopText(v.clientHops), serverTTL, hopText(v.serverHops))
	switch {
	case !clientSeen && !serverSeen:
		return v
	case !serverSeen:
		v.where, v.reason = oneSided(vantageClient, clientTTL, v.clientHops)
	case !clientSeen:
		v.where, v.reason = oneSided(vantageServer, serverTTL, v.serverHops)
	case v.clientHops == 0 && v.serverHops > 0:
		v.where, v.reason = vantageClient, ttls+": captured on the client's side"
	case v.serverHops == 0 && v.clientHops > 0:
		v.where, v.reason = vantageServer, ttls+": captured on the server's side"
	case v.clientHops > 0 && v.serverHops > 0:
		v.where, v.reason = vantageBetween, ttls+": routers on both sides of the capture point"
	case timing == vantageClient:
		v.where, v.reason = vantageClient, fmt.Sprintf("%s; the SYN-ACK came %s after the SYN and the ACK %s after it: captured at the client", ttls, fmtDur(synToSynAck), fmtDur(synAckToAck))
	case timing == vantageServer:
		v.where, v.reason = vantageServer, fmt.Sprintf("%s; the SYN-ACK left %s after the SYN and the ACK came %s later: captured at the server", ttls, fmtDur(synToSynAck), fmtDur(synAckToAck))
	default:
		v.where, v.reason = vantageSameLink, ttls+": no router between the two and the handshake too fast to tell the side"
	}
	return v
}

// oneSided is the vantage when only one side (name: vantageClient or vantageServer) sent packets.
func oneSided(name string, ttl uint8, h int) (where, reason string) {
	other := vantageServer
	if name == vantageServer {
		other = vantageClient
	}
	ttls := fmt.Sprintf("%s TTL %d (%s), no packet from the %s", name, ttl, hopText(h), other)
	if h == 0 {
		return name, ttls + ": captured on the " + name + "'s side"
	}
	return vantageBetween, ttls + ": captured away from the " + name + ", behind at least one router"
}

func hopText(h int) string {
	switch h {
	case -1:
		return "none seen"
	case 0:
		return "0 hops"
	case 1:
		return "1 hop"
	default:
		return fmt.Sprintf("%d hops", h)
	}
}

// computeVantage fills f.path.vantage from the flow's packets.
func (f *flow) computeVantage() {
	ps := &f.path
	c, s := &ps.side[fromClient], &ps.side[fromServer]
	var t1, t2 time.Duration
	if f.synAck.seen() && ps.handshakeAck.seen() {
		var lastSYN ref
		for _, sy := range f.syns {
			if !sy.t.After(f.synAck.t) {
				lastSYN = sy
			}
		}
		if lastSYN.seen() {
			t1 = f.synAck.t.Sub(lastSYN.t)
			t2 = ps.handshakeAck.t.Sub(f.synAck.t)
		}
	}
	ps.vantage = inferVantage(c.ttl, s.ttl, c.ttlSet, s.ttlSet, t1, t2)
}

// missingDirection names the direction the capture holds no packet of although the other side
// acknowledged its data ("" when both are there or nothing shows one is missing).
func (f *flow) missingDirection() string {
	ps := &f.path
	for d := range f.side {
		other := 1 - d
		// The other side acknowledges bytes beyond the SYN: data from d it must have received.
		if f.side[d].packets == 0 && ps.side[other].ackSet && f.side[other].packets >= 3 {
			return sideName[d] + " to " + sideName[other]
		}
	}
	return ""
}

// hereText words "where the capture was taken" for a verdict's reason.
func (v vantage) hereText() string {
	switch v.where {
	case vantageClient:
		return "at the client"
	case vantageServer:
		return "at the server"
	case vantageBetween:
		return "between client and server"
	}
	return "here"
}
