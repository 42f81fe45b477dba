package analyze

import (
	"strconv"
	"time"
)

// vantagePoint is where a capture was taken, as a flow's packets tell it.
type vantagePoint uint8

// Vantage points.
const (
	vantageUnknown vantagePoint = iota
	vantageClient
	vantageServer
	vantageBetween
	vantageSameLink
)

// String is the name used in the result's path.vantage.
func (v vantagePoint) String() string {
	return [...]string{"unknown", "client", "server", "between", "same-link"}[v]
}

// vantage is where the capture point sat on one flow's path, and why that is believed.
type vantage struct {
	where      vantagePoint
	byTiming   vantagePoint // set when the handshake's timing decided it
	in         vantageInput
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

// vantageInput is what the vantage is decided from.
type vantageInput struct {
	clientTTL, serverTTL   uint8
	clientSeen, serverSeen bool
	synToSynAck            time.Duration
	synAckToAck            time.Duration
}

// inferVantage works out the capture point from TTLs and, when they cannot tell, the handshake's
// timing (describe says why). A side's own packets carry their initial TTL where they are captured on
// that side's host (or its link); the other side's arrive decremented by each router. At the
// client, the SYN-ACK comes a round trip after the SYN and the ACK follows at once; at the
// server, the SYN-ACK follows the SYN at once and the ACK comes a round trip later.
func inferVantage(clientTTL, serverTTL uint8, clientSeen, serverSeen bool, synToSynAck, synAckToAck time.Duration) vantage {
	return decideVantage(vantageInput{clientTTL, serverTTL, clientSeen, serverSeen, synToSynAck, synAckToAck})
}

// decideVantage is inferVantage without the words (it runs for every flow; the words only for
// those reported).
func decideVantage(in vantageInput) vantage {
	v := vantage{where: vantageUnknown, clientHops: -1, serverHops: -1, in: in}
	if in.clientSeen {
		v.clientHops = hops(in.clientTTL)
	}
	if in.serverSeen {
		v.serverHops = hops(in.serverTTL)
	}
	switch {
	case !in.clientSeen && !in.serverSeen:
	case !in.serverSeen:
		v.where = oneSidedWhere(vantageClient, v.clientHops)
	case !in.clientSeen:
		v.where = oneSidedWhere(vantageServer, v.serverHops)
	case v.clientHops == 0 && v.serverHops > 0:
		v.where = vantageClient
	case v.serverHops == 0 && v.clientHops > 0:
		v.where = vantageServer
	case v.clientHops > 0 && v.serverHops > 0:
		v.where = vantageBetween
	default:
		v.where = vantageSameLink
		v.byTiming = in.timing()
		if v.byTiming != vantageUnknown {
			v.where = v.byTiming
		}
	}
	return v
}

// timing says which end the handshake's timing puts the capture at, or "".
func (in vantageInput) timing() vantagePoint {
	a, b := in.synToSynAck, in.synAckToAck
	switch {
	case a <= 0 || b <= 0:
	case a >= timingFloor && a >= timingRatio*b:
		return vantageClient
	case b >= timingFloor && b >= timingRatio*a:
		return vantageServer
	}
	return vantageUnknown
}

func oneSidedWhere(name vantagePoint, h int) vantagePoint {
	if h == 0 {
		return name
	}
	return vantageBetween
}

// describe says what the vantage was decided from.
func (v vantage) describe() string {
	in := v.in
	switch {
	case !in.clientSeen && !in.serverSeen:
		return "no packets"
	case !in.serverSeen:
		return oneSidedReason(vantageClient, in.clientTTL, v.clientHops)
	case !in.clientSeen:
		return oneSidedReason(vantageServer, in.serverTTL, v.serverHops)
	}
	// Each answer is one concatenation (one allocation): the TTLs, then why.
	ttls := func(why string) string {
		return "client TTL " + strconv.Itoa(int(in.clientTTL)) + " (" + hopText(v.clientHops) + "), server TTL " +
			strconv.Itoa(int(in.serverTTL)) + " (" + hopText(v.serverHops) + ")" + why
	}
	switch {
	case v.byTiming == vantageClient:
		return ttls("; the SYN-ACK came " + fmtDur(in.synToSynAck) + " after the SYN and the ACK " + fmtDur(in.synAckToAck) + " after it: captured at the client")
	case v.byTiming == vantageServer:
		return ttls("; the SYN-ACK left " + fmtDur(in.synToSynAck) + " after the SYN and the ACK came " + fmtDur(in.synAckToAck) + " later: captured at the server")
	}
	switch v.where {
	case vantageClient:
		return ttls(": captured on the client's side")
	case vantageServer:
		return ttls(": captured on the server's side")
	case vantageBetween:
		return ttls(": routers on both sides of the capture point")
	}
	return ttls(": no router between the two and the handshake too fast to tell the side")
}

// oneSidedReason words the vantage when only one side (name: vantageClient or vantageServer)
// sent packets.
func oneSidedReason(name vantagePoint, ttl uint8, h int) string {
	other := vantageServer
	if name == vantageServer {
		other = vantageClient
	}
	n, t, hs, o := name.String(), strconv.Itoa(int(ttl)), hopText(h), other.String()
	if h == 0 {
		return n + " TTL " + t + " (" + hs + "), no packet from the " + o + ": captured on the " + n + "'s side"
	}
	return n + " TTL " + t + " (" + hs + "), no packet from the " + o + ": captured away from the " + n + ", behind at least one router"
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
		return strconv.Itoa(h) + " hops"
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
			if !sy.time().After(f.synAck.time()) {
				lastSYN = sy
			}
		}
		if lastSYN.seen() {
			t1 = f.synAck.time().Sub(lastSYN.time())
			t2 = ps.handshakeAck.at().Sub(f.synAck.time())
		}
	}
	ps.vantage = decideVantage(vantageInput{c.ttl, s.ttl, c.ttlSet, s.ttlSet, t1, t2})
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
