package stamp

import (
	"math"
	"testing"
	"time"
)

// TestSub: Sub gives what time.Time.Sub gives, for times close together, for times across the
// Unix epoch and year 1, for times decades and centuries apart (where the difference is
// computed directly), and for times far enough apart that time.Time.Sub saturates.
func TestSub(t *testing.T) {
	base := time.Unix(1764371952, 148701000)
	cases := []struct {
		name string
		a, b time.Time
	}{
		{"same", base, base},
		{"a microsecond later", base.Add(time.Microsecond), base},
		{"a nanosecond earlier", base.Add(-time.Nanosecond), base},
		{"across a second", time.Unix(100, 999999999), time.Unix(101, 1)},
		{"across the epoch", time.Unix(-1, 500), time.Unix(0, 400)},
		{"a century apart", base.AddDate(100, 0, 0), base},
		{"just under the bound", time.Unix(maxExact-1, 999999999), time.Unix(0, 0)},
		{"at the bound", time.Unix(maxExact, 0), time.Unix(0, 0)},
		{"at the bound backwards", time.Unix(0, 0), time.Unix(maxExact, 0)},
		{"year 11103, a damaged stamp", time.Date(11103, 1, 1, 0, 0, 0, 0, time.UTC), base},
		{"year 1 against now", time.Time{}, base},
		{"far future against year 1", time.Unix(math.MaxInt64/2, 0), time.Time{}},
		{"zones differ", base.In(time.FixedZone("x", 9*3600)), base.UTC().Add(time.Second)},
	}
	for _, tc := range cases {
		if got, want := Sub(tc.a, tc.b), tc.a.Sub(tc.b); got != want {
			t.Errorf("%s: Sub = %v, want %v", tc.name, got, want)
		}
	}
}

// FuzzSub: for any two times made by time.Unix, Sub equals time.Time.Sub.
func FuzzSub(f *testing.F) {
	f.Add(int64(1764371952), int64(5), int64(1764371953), int64(999999999))
	f.Add(int64(0), int64(0), int64(maxExact), int64(0))
	f.Add(int64(math.MinInt64), int64(0), int64(math.MaxInt64), int64(0))
	f.Fuzz(func(t *testing.T, as, an, bs, bn int64) {
		a, b := time.Unix(as, an), time.Unix(bs, bn)
		if got, want := Sub(a, b), a.Sub(b); got != want {
			t.Fatalf("Sub(%v, %v) = %v, want %v", a, b, got, want)
		}
	})
}

func BenchmarkSub(b *testing.B) {
	ts := make([]time.Time, 1024)
	for i := range ts {
		ts[i] = time.Unix(1764371952, 0).Add(time.Duration(i) * 37 * time.Microsecond)
	}
	var sum time.Duration
	for i := 0; b.Loop(); i++ {
		sum += Sub(ts[i&1023], ts[(i+1)&1023])
	}
	_ = sum
}
