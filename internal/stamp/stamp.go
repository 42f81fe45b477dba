// Package stamp does arithmetic on packet timestamps in the tracker's hot path.
package stamp

import "time"

// maxExact bounds the whole seconds between two times that Sub computes directly: their
// difference in nanoseconds (under 2^32 × 10^9 < 2^63) cannot overflow a time.Duration.
const maxExact = 1 << 32

// Sub returns a.Sub(b) for times that carry no monotonic clock reading (packet timestamps,
// made by time.Unix): exactly what time.Time.Sub returns, a quarter of its cost, because
// time.Time.Sub checks for overflow by adding the result back. Times further apart than
// ~136 years (a damaged timestamp) go through time.Time.Sub, which saturates.
func Sub(a, b time.Time) time.Duration {
	if ds := a.Unix() - b.Unix(); ds > -maxExact && ds < maxExact {
		return time.Duration(ds)*time.Second + time.Duration(a.Nanosecond()-b.Nanosecond())
	}
	return a.Sub(b)
}
