package diagnose

import (
	"time"

	"github.com/connscope/connscope/diagnose/param"
)

// fmtDur formats a duration for people: "0.3 ms", "12 ms", "1.5 s" (param.FmtDur).
func fmtDur(d time.Duration) string { return param.FmtDur(d) }

// itoa writes an integer in decimal (param.Itoa).
func itoa[T ~int | ~int32 | ~uint8 | ~uint16 | ~uint32](n T) string { return param.Itoa(n) }

// joinComma joins strings with ", " (param.JoinComma).
func joinComma(s []string) string { return param.JoinComma(s) }
