// Package jsonnum appends numbers and times to JSON text byte for byte as encoding/json writes
// them, faster for the values a report writes most: frames and counts below a billion, times of
// the same second one after another.
package jsonnum

import (
	"math"
	"strconv"
	"time"
)

// AppendInt appends n. Numbers below a billion are written two digits at a time, without
// strconv's general path.
func AppendInt(b []byte, n int64) []byte {
	if n < 0 || n >= 1e9 {
		return strconv.AppendInt(b, n, 10)
	}
	var buf [9]byte
	i, u := len(buf), uint32(n)
	for ; u >= 100; u /= 100 {
		i -= 2
		r := u % 100
		buf[i], buf[i+1] = digitPairs[2*r], digitPairs[2*r+1]
	}
	if u >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*u], digitPairs[2*u+1]
	} else {
		i--
		buf[i] = byte('0' + u)
	}
	return append(b, buf[i:]...)
}

// digitPairs is the two digits of every number below 100.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// AppendFloat appends f as encoding/json does.
func AppendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, '0') // cannot happen for the result's values
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// Times appends times, formatting the date and time of day once per second.
type Times struct {
	sec  int64  // the Unix second of the last time appended
	text []byte // that second as RFC 3339 writes it ("2006-01-02T15:04:05")
}

// Append appends t in UTC as time.Time's MarshalJSON does (RFC 3339 with nanoseconds, trailing
// zeros of the fraction dropped). A time outside the years 0-9999, which RFC 3339 cannot write
// (a corrupt timestamp), is written as its Unix seconds. The fraction is written by hand.
func (ts *Times) Append(b []byte, t time.Time) []byte {
	t = t.UTC()
	if sec := t.Unix(); sec != ts.sec || ts.text == nil {
		if y := t.Year(); y < 0 || y > 9999 {
			return strconv.AppendInt(b, sec, 10)
		}
		ts.sec, ts.text = sec, t.AppendFormat(ts.text[:0], "2006-01-02T15:04:05")
	}
	b = append(b, '"')
	b = append(b, ts.text...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := len(frac)
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z', '"')
}
