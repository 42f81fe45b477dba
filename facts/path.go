package facts

import "time"

// MaxOutstanding is how many unacknowledged data segments are kept per side.
const MaxOutstanding = 4

// Path is what a connection's packets showed about the network between client and server.
type Path struct {
	Side       [2]PathSide
	SYNAcks    int   // SYN-ACKs from the server, retransmissions included
	SYNAckRefs []Ref // the first MaxSYNAcks
	// HandshakeAck is the client's first ACK after the first SYN-ACK; RTT the time from the last
	// SYN to it (one round trip, wherever the capture is).
	HandshakeAck Ref
	RTT          time.Duration
}

// PathSide is one direction's path facts.
type PathSide struct {
	TTL     uint8 // TTL / hop limit of the side's first packet that is not a reset
	TTLSet  bool
	TTLRef  Ref
	IPID    uint16 // IP ID of the side's latest packet that is not a reset
	IPIDSet bool
	AckSet  bool
	AckMax  uint32 // highest acknowledgement number the side sent

	DupMax  int // longest run of duplicate ACKs
	DupRef  Ref // first duplicate ACK of that run
	DupRuns int // runs of 3 or more
	ZeroWin int // zero-window advertisements
	ZeroRef Ref
	// InZero: the side's latest window was zero, since ZeroStart; ZeroMax is the longest
	// zero-window period that ended.
	InZero    bool
	ZeroStart Ref
	ZeroMax   time.Duration
	// OutOfOrder counts segments that filled a gap within a round trip: reordered, not resent.
	OutOfOrder int
	// Loss is what the side's data showed of loss: nil when nothing was lost or missing.
	Loss *Loss
}

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
}

// Segment is one data segment not yet acknowledged.
type Segment struct {
	Seq, End    uint32
	Len         int
	Sends       int
	First, Last Ref
}
