package diagnose

import (
	"strconv"
	"strings"
	"time"
)

// fmtDur formats a duration for people: "0.3 ms", "12 ms", "1.5 s".
func fmtDur(d time.Duration) string {
	switch {
	case d < 0:
		return "0 ms"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64) + " ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
}

// FmtDur formats a duration for people: "0.3 ms", "12 ms", "1.5 s".
func FmtDur(d time.Duration) string { return fmtDur(d) }

// fmtSecs formats a duration in seconds with one decimal: "1.0".
func fmtSecs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) }

func itoa[T ~int | ~int32 | ~uint8 | ~uint16 | ~uint32](n T) string { return strconv.Itoa(int(n)) }

func joinComma(s []string) string { return strings.Join(s, ", ") }
