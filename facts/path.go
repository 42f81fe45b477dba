package facts

import "time"

// MaxOutstanding is how many unacknowledged data segments are kept per side.
const MaxOutstanding = 4

// Path is what a connection's packets showed about the network between client and server.
type Path struct {
	Side [2]PathSide
	// HandshakeAck is the client's first ACK after the first SYN-ACK.
	HandshakeAck Ref
	SYNAcks      int32 // SYN-ACKs from the server, retransmissions included
}

// PathSide is one direction's path facts.
type PathSide struct {
	TTLRef Ref    // the side's first packet that is not a reset
	AckMax uint32 // highest acknowledgement number the side sent
	DupMax int32  // longest run of duplicate ACKs
	// DupRuns counts runs of 3 or more duplicate ACKs, ZeroWin zero-window advertisements, and
	// OutOfOrder segments that filled a gap within a round trip: reordered, not resent.
	DupRuns, ZeroWin, OutOfOrder int32
	IPID                         uint16 // IP ID of the side's latest packet that is not a reset
	TTL                          uint8  // TTL / hop limit of TTLRef
	TTLSet, IPIDSet, AckSet      bool
	// InZero: the side's latest window was zero (since Rare.ZeroStart).
	InZero bool
	// Rare is what the side's duplicate ACKs, zero windows and losses showed; nil when it
	// showed none of them.
	Rare *PathRare
}

// PathRare is what few connections' packets show of one direction's path.
type PathRare struct {
	DupRef  Ref // first duplicate ACK of the longest run
	ZeroRef Ref // first zero-window advertisement
	// ZeroStart is when the current zero-window period began; ZeroMax the longest one that ended.
	ZeroStart Ref
	ZeroMax   time.Duration
	// Loss is what the side's data showed of loss: nil when nothing was lost or missing.
	Loss *Loss
}

// R returns the side's rare path facts (zero values when it has none).
func (s *PathSide) R() *PathRare {
	if s.Rare == nil {
		return &noRare
	}
	return s.Rare
}

var noRare PathRare

// Loss is one side's data that may have been lost: its segments still unacknowledged at the end
// (when any was sent more than once) and a hole in its sequence space.
type Loss struct {
	Out      []Segment // unacknowledged segments, oldest first
	MaxAcked int       // the largest of the side's segments that the peer acknowledged
	// Hole: the side's data arrived with bytes missing before it (HoleStart-HoleEnd), first
	// after HoleAfter (a segment of HoleAfterLen bytes); HoleFilled when a later segment filled it.
	Hole         bool
	HoleFilled   bool
	HoleStart    uint32
	HoleEnd      uint32
	HoleAfter    Ref
	HoleAfterLen int
	// Last and PeerLast are the latest packets of the side and of its peer, whatever they
	// carried (a pure ACK, a FIN, a reset): a host that sent anything after the loss began was
	// up, whatever else its packets show.
	Last, PeerLast Ref
}

// Segment is one data segment not yet acknowledged.
type Segment struct {
	Seq, End    uint32
	Len         int
	Sends       int
	First, Last Ref
}
