package facts

import "time"

// Ref is one packet of the capture: its frame number and its time. It holds no pointer (a
// time.Time holds one, and takes 24 bytes), so that the refs a record keeps cost the garbage
// collector nothing to scan. The time is kept as seconds since the zero time.Time, so that the
// zero Ref holds the zero time and every time round-trips exactly (in UTC, which is how every
// output shows it), whatever the year.
type Ref struct {
	Sec   int64 // seconds since January 1, year 1 UTC (the zero time.Time)
	Nsec  int32 // nanoseconds within the second
	Frame int32 // frame number, as Wireshark numbers it (0: unset)
}

// zeroUnix is the zero time.Time in Unix seconds.
var zeroUnix = time.Time{}.Unix()

// MakeRef is the Ref of frame at t.
func MakeRef(frame int, t time.Time) Ref {
	return Ref{Frame: int32(frame), Nsec: int32(t.Nanosecond()), Sec: t.Unix() - zeroUnix}
}

// Seen reports whether the Ref is set.
func (r Ref) Seen() bool { return r.Frame != 0 }

// Num is the packet's frame number.
func (r Ref) Num() int { return int(r.Frame) }

// Time is the packet's time, in UTC (the zero time when unset).
func (r Ref) Time() time.Time {
	if r.Sec == 0 && r.Nsec == 0 {
		return time.Time{}
	}
	return time.Unix(r.Sec+zeroUnix, int64(r.Nsec)).UTC()
}

// UnixNano is r.Time().UnixNano(), without building the time.
func (r Ref) UnixNano() int64 {
	if r.Sec == 0 && r.Nsec == 0 {
		return time.Time{}.UnixNano()
	}
	return (r.Sec+zeroUnix)*1e9 + int64(r.Nsec)
}
