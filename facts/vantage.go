package facts

import (
	"net/netip"
	"time"
)

// MaxSightings bounds the packets a record keeps per direction (Sightings) when the capture has
// several vantages: 32 bytes each.
const MaxSightings = 1024

// Sighting is one packet of a connection as one vantage saw it: what tells it apart from the
// connection's other packets at another vantage (sequence and acknowledgment numbers, flags,
// lengths, IP ID, a hash of the first payload bytes), and where it was (frame, time, TTL). It
// holds no pointer.
type Sighting struct {
	UnixNano int64
	Frame    int32
	Seq, Ack uint32
	// Hash is an FNV-1a hash of the first HashLen captured payload bytes (0 when none).
	Hash    uint32
	Len     uint32 // payload length on the wire
	IPID    uint16 // IPv4 identification (0 for IPv6)
	Flags   uint8  // TCP flags (capture.Flag*)
	TTL     uint8  // IP TTL / hop limit
	HashLen uint8
}

// MaxHashed is how many payload bytes a Sighting's Hash covers at most.
const MaxHashed = 32

// Time is the segment's capture time, in UTC.
func (s *Sighting) Time() time.Time { return time.Unix(0, s.UnixNano).UTC() }

// Ref is the segment as a Ref.
func (s *Sighting) Ref() Ref { return MakeRef(int(s.Frame), time.Unix(0, s.UnixNano)) }

// Sightings are the packets of a connection at one vantage, per direction (Client: from the
// client), the first MaxSightings of each; Omitted counts the packets past them.
type Sightings struct {
	Dir     [2][]Sighting
	Omitted [2]int32
}

// Views is how one connection was seen at several vantages: at each vantage that saw it, or that
// should have and did not, a View; and, per direction, which of the packets the sending side's
// vantage saw arrived at the receiving side's. Package correlate makes it from the records of
// every vantage; it holds facts, not packets.
type Views struct {
	// View[0] is the record's own: the view the connection's other facts come from.
	View []View
	// Near and Far index View: the view nearest the client and the one nearest the server.
	// Loss is counted between them.
	Near, Far int
	// Dir is, per direction (Client: client to server), what left the sending side's view and
	// what reached the other.
	Dir [2]Delivery
	// Offset is the far view's clock minus the near view's, and Transit the one-way time between
	// them, both from matched packets of both directions (Timed); Transit alone, with the offset
	// folded in, when only one direction matched (OneWay).
	Offset, Transit time.Duration
	Timed, OneWay   bool
	// NAT is set when the endpoints differ between the views: an address translator between them.
	NAT bool
	// Ladder is the connection's packets as both the near and the far view saw them: the first,
	// the last, and those around the first lost and the first injected packet of each direction
	// (MaxSteps at most); LadderOmitted counts those left out (Step.Gap says where).
	Ladder        []Step
	LadderOmitted int32
}

// View is one vantage's view of a connection.
type View struct {
	Vantage uint16
	// Seen is false for a vantage that should have seen the connection (Expected says why) but
	// whose capture holds none of its packets.
	Seen     bool
	Expected Expectation
	ID       int32 // the record of the connection at this vantage (0 when not seen)
	// Client and Server are the endpoints as this vantage saw them.
	Client, Server netip.AddrPort
	Packets        [2]int32 // per direction
	First, Last    Ref      // frames numbered as the vantage's capture point numbers them
	TTL            [2]uint8 // of each side's first packet (0: none)
	// Hops is each side's router count to this vantage, from its TTL (-1: no packet).
	Hops [2]int8
}

// Expectation says why a vantage that did not see a connection should have.
type Expectation uint8

// Why a vantage should have seen a connection.
const (
	// ExpectedNone: the vantage saw the connection (or nothing says it should have).
	ExpectedNone Expectation = iota
	// ExpectedEmpty: the vantage's capture holds no packet at all: nothing reached it while it ran.
	ExpectedEmpty
	// ExpectedServer: the vantage saw other packets of the connection's server at the time.
	ExpectedServer
	// ExpectedClient: the vantage saw other packets of the connection's client at the time.
	ExpectedClient
)

// Delivery is what one direction's packets did between two views.
type Delivery struct {
	// Sent is the packets of the direction at the sending side's view; Arrived how many of them
	// the receiving side's view holds; Lost the rest; Injected the packets at the receiving
	// side that the sending side never sent (forged in the sender's name on the way).
	Sent, Arrived, Lost, Injected int32
	// FirstLost is the first packet that did not arrive, at the sending side's view;
	// FirstInjected the first injected one, at the receiving side's.
	FirstLost, FirstInjected Ref
	// SYNs counts the sent packets with the SYN flag (the client's SYNs, the server's SYN-ACKs),
	// LostSYNs those of them lost; LostData the lost segments with payload.
	SYNs, LostSYNs, LostData int32
	// LostMin and LostMax are the smallest and largest payload of the lost segments with
	// payload; ArrivedMax the largest payload that arrived (0: none).
	LostMin, LostMax, ArrivedMax int32
	// InjectedRSTs counts the injected resets; InjectedTTL is the first injected packet's TTL,
	// and SenderTTL the TTL of the real sender's packets at the receiving side (0: none).
	InjectedRSTs           int32
	InjectedTTL, SenderTTL uint8
	InjectedIPID           uint16
	// Partial: a view kept only the first MaxSightings packets, so the counts cover those.
	Partial bool
	// Uncaptured counts the direction's packets that one view holds while the other was not
	// capturing (with the clocks' offset and the transit time accounted), which the counts above
	// leave out: Out[0] those at the sending side's view sent when the receiving side's was not
	// capturing, Out[1] those at the receiving side's view that arrived when the sending side's
	// was not. Each notes the first such packet and whether any came before the other's capture
	// began (OutBefore) or after it stopped (OutAfter).
	Out [2]Uncaptured
}

// Uncaptured is a direction's packets at one view that the other view was not capturing for:
// they can be called neither lost nor injected.
type Uncaptured struct {
	N                   int32
	First               Ref
	OutBefore, OutAfter bool
}

// Bounds of Views.Ladder: the first LadderEnds and the last LadderEnds packets, and LadderAround
// around the first lost and the first injected packet of each direction (from LadderAround/3
// before it).
const (
	LadderEnds   = 12
	LadderAround = 10
	MaxSteps     = 2*LadderEnds + 4*LadderAround
)

// Step is one packet of a connection in a two-view ladder: where the near and the far view saw
// it (unset where it was not seen: sent and lost, or injected).
type Step struct {
	Near, Far Ref
	Len       int32
	Gap       int32 // packets left out of the ladder just before this one
	From      uint8 // Client or Server
	Flags     uint8
}
