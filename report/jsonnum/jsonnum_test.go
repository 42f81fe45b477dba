package jsonnum

import (
	"math"
	"strconv"
	"testing"
)

// TestAppendInt checks the hand-written digits against strconv at every length and edge: one
// and two digits, the powers of ten around them, the billion where strconv takes over,
// negative numbers and the extremes.
func TestAppendInt(t *testing.T) {
	ns := []int64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999999, 100000000, 999999999, 1e9, 1e9 + 1,
		-1, -9, -10, -999999999, math.MaxInt64, math.MinInt64}
	for p := int64(1); p <= 1e9; p *= 10 {
		ns = append(ns, p-1, p, p+1, 7*p+3)
	}
	for i := int64(0); i < 200000; i += 7 {
		ns = append(ns, i, i*1009+3)
	}
	for _, n := range ns {
		if got, want := string(AppendInt([]byte("x"), n)), "x"+strconv.FormatInt(n, 10); got != want {
			t.Fatalf("AppendInt(%d) = %q, want %q", n, got, want)
		}
	}
}
