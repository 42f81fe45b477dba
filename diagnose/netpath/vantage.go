package netpath

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
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

// Vantage is where the capture point sat on one flow's path, and why that is believed.
type Vantage struct {
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
func inferVantage(clientTTL, serverTTL uint8, clientSeen, serverSeen bool, synToSynAck, synAckToAck time.Duration) Vantage {
	return decideVantage(vantageInput{clientTTL, serverTTL, clientSeen, serverSeen, synToSynAck, synAckToAck})
}

// decideVantage is inferVantage without the words (it runs for every flow; the words only for
// those reported).
func decideVantage(in vantageInput) Vantage {
	v := Vantage{where: vantageUnknown, clientHops: -1, serverHops: -1, in: in}
	if in.clientSeen {
		v.clientHops = Hops(in.clientTTL)
	}
	if in.serverSeen {
		v.serverHops = Hops(in.serverTTL)
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
func (v Vantage) describe() result.Message {
	if v.byTiming != vantageUnknown {
		return v.describeAnew() // the handshake's times are in the words
	}
	k := describedKey{v.where, v.in.clientTTL, v.in.serverTTL, v.in.clientSeen, v.in.serverSeen}
	if m, ok := described.Load(k); ok {
		return m.(result.Message)
	}
	m := v.describeAnew()
	if describedN.Load() < maxDescribed && describedN.Add(1) <= maxDescribed { // no count past the bound: it cannot wrap
		described.Store(k, m)
	}
	return m
}

// describedKey is what the words of a vantage not decided by timing depend on: the TTLs (the
// hops follow from them), which sides were seen, and the vantage.
type describedKey struct {
	where                  vantagePoint
	clientTTL, serverTTL   uint8
	clientSeen, serverSeen bool
}

// described caches describe's words by describedKey, for at most maxDescribed keys: a capture's
// connections share a few TTL pairs, and the words of each take a dozen allocations. The
// messages are shared, and read only.
var (
	described    sync.Map // describedKey -> result.Message
	describedN   atomic.Int32
	maxDescribed = int32(4096)
)

// describeAnew is describe, the words made anew.
func (v Vantage) describeAnew() result.Message {
	in := v.in
	switch {
	case !in.clientSeen && !in.serverSeen:
		return result.Msg("vantage.no-packets")
	case !in.serverSeen:
		return oneSidedReason(facts.Client, in.clientTTL, v.clientHops)
	case !in.clientSeen:
		return oneSidedReason(facts.Server, in.serverTTL, v.serverHops)
	}
	ttls := []result.Arg{result.Int("client_ttl", int(in.clientTTL)), HopText("client_hops", v.clientHops),
		result.Int("server_ttl", int(in.serverTTL)), HopText("server_hops", v.serverHops)}
	switch {
	case v.byTiming == vantageClient:
		return result.Msg("vantage.timing-client", append(ttls, param.Dur("syn_to_synack", in.synToSynAck), param.Dur("synack_to_ack", in.synAckToAck))...)
	case v.byTiming == vantageServer:
		return result.Msg("vantage.timing-server", append(ttls, param.Dur("syn_to_synack", in.synToSynAck), param.Dur("synack_to_ack", in.synAckToAck))...)
	}
	switch v.where {
	case vantageClient:
		return result.Msg("vantage.ttl-client", ttls...)
	case vantageServer:
		return result.Msg("vantage.ttl-server", ttls...)
	case vantageBetween:
		return result.Msg("vantage.ttl-between", ttls...)
	}
	return result.Msg("vantage.ttl-same-link", ttls...)
}

// oneSidedReason words the vantage when only one side (d) sent packets.
func oneSidedReason(d int, ttl uint8, h int) result.Message {
	args := []result.Arg{param.Side("side", d), result.Int("ttl", int(ttl)), HopText("hops", h), param.Side("other", 1-d)}
	if h == 0 {
		return result.Msg("vantage.one-sided-here", args...)
	}
	return result.Msg("vantage.one-sided-away", args...)
}

// HopText words a hop count: "none seen", "0 hops", "1 hop", "3 hops".
func HopText(name string, h int) result.Arg {
	switch h {
	case -1:
		return result.Sub(name, result.Msg("hops.none"))
	case 1:
		return result.Sub(name, result.Msg("hops.one"))
	}
	return result.Sub(name, result.Msg("hops.n", result.Int("n", h)))
}

// computeVantage works out where the capture was taken from the connection's packets.
func (j *judge) computeVantage() {
	c := j.c
	ps := &c.Path
	cs, ss := &ps.Side[facts.Client], &ps.Side[facts.Server]
	var t1, t2 time.Duration
	if c.SYNAck.Seen() && ps.HandshakeAck.Seen() {
		var lastSYN facts.Ref
		for _, sy := range c.SYNs {
			if !sy.Time().After(c.SYNAck.Time()) {
				lastSYN = sy
			}
		}
		if lastSYN.Seen() {
			t1 = c.SYNAck.Time().Sub(lastSYN.Time())
			t2 = ps.HandshakeAck.Time().Sub(c.SYNAck.Time())
		}
	}
	j.vp = decideVantage(vantageInput{cs.TTL, ss.TTL, cs.TTLSet, ss.TTLSet, t1, t2})
}

// MissingDirection names the direction the capture holds no packet of although the other side
// acknowledged its data: facts.Client for "client to server", facts.Server for the other; -1
// when both are there or nothing shows one is missing.
func MissingDirection(c *facts.Conn) int {
	for d := range c.Side {
		other := 1 - d
		// The other side acknowledges bytes beyond the SYN: data from d it must have received.
		if c.Side[d].Packets == 0 && c.Path.Side[other].AckSet && c.Side[other].Packets >= 3 {
			return d
		}
	}
	return -1
}

// here words "where the capture was taken" for a verdict's reason.
func (v Vantage) here(name string) result.Arg {
	switch v.where {
	case vantageClient:
		return result.Sub(name, result.Msg("here.client"))
	case vantageServer:
		return result.Sub(name, result.Msg("here.server"))
	case vantageBetween:
		return result.Sub(name, result.Msg("here.between"))
	}
	return result.Sub(name, result.Msg("here.unknown"))
}

// Locate says where the capture was taken, as a connection's packets tell: the name of the
// result's path.vantage, what it was decided from, and the routers on each side (-1: that side
// sent nothing).
func Locate(c *facts.Conn) (where string, why result.Message, clientHops, serverHops int) {
	j := judge{c: c}
	j.computeVantage()
	return j.vp.where.String(), j.vp.describe(), j.vp.clientHops, j.vp.serverHops
}

// initialTTL is the usual initial TTL / hop limit a sender starts from, given one seen on the
// way: 64 (Linux, macOS, most routers), 128 (Windows) or 255 (network devices, Solaris).
func initialTTL(ttl uint8) int {
	switch {
	case ttl <= 64:
		return 64
	case ttl <= 128:
		return 128
	default:
		return 255
	}
}

// Hops is the number of routers a packet crossed between its sender and the capture point, if
// its sender started from a usual initial TTL.
func Hops(ttl uint8) int { return initialTTL(ttl) - int(ttl) }
