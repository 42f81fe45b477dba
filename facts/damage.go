package facts

import "time"

// Damage is the set of ways packets of a connection arrived damaged: a checksum that checksum
// offload on the capturing host does not explain (capture.Packet.Corrupt), or a timestamp
// outside the years 0-9999 (damaged bytes of the capture's record).
type Damage uint8

// Damage bits.
const (
	DamageIPv4 Damage = 1 << iota // a wrong IPv4 header checksum
	DamageTCP                     // a wrong TCP checksum
	DamageUDP                     // a wrong UDP checksum
	DamageICMP                    // a wrong ICMP checksum (of an ICMP error quoting the connection)
	DamageTime                    // a time outside the years 0-9999
	// DamageRecord: the stream's first bytes are no TLS record header, but a TLS hello follows
	// them, intact (damage that no checksum checked).
	DamageRecord
)

// MaxDamaged is how many damaged packets of a connection Damaged names.
const MaxDamaged = 4

// Damaged is what of a connection's packets arrived damaged: how many, the first MaxDamaged
// (Frames) and how each was (Kinds, in step with Frames), and every way they were (What).
type Damaged struct {
	Count  int32
	Frames []Ref
	Kinds  []Damage
	What   Damage
}

// Note adds one damaged packet.
func (d *Damaged) Note(r Ref, what Damage) {
	d.Count++
	d.What |= what
	if len(d.Frames) < MaxDamaged {
		d.Frames = append(d.Frames, r)
		d.Kinds = append(d.Kinds, what)
	}
}

// Has reports whether the packet at frame is one of those named.
func (d *Damaged) Has(frame int) bool {
	for _, r := range d.Frames {
		if r.Num() == frame {
			return true
		}
	}
	return false
}

// Damaged returns what of the connection's packets arrived damaged, or nil.
func (c *Conn) Damaged() *Damaged {
	if c.X == nil {
		return nil
	}
	return c.X.Damaged
}

// The times a capture can hold that a report can write as dates: the years 0 to 9999 (RFC 3339
// has four digits for the year).
var (
	earliestTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	latestTime   = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - 1
)

// TimeInRange reports whether t lies in the years 0-9999. A packet stamped outside them has a
// damaged timestamp (or came from a clock far off).
func TimeInRange(t time.Time) bool {
	s := t.Unix()
	return s >= earliestTime && s <= latestTime
}

// A frame stamped more than TimeJump from both the frame before it and the frame after it, which
// are at most TimeNear apart, holds a damaged time (a jump): frames in time order cannot lie
// outside the span of their neighbours.
const (
	TimeJump = 10 * time.Second
	TimeNear = time.Second
)
