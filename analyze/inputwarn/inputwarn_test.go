package inputwarn

import (
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
)

// A frame stamped far (over 10 s) from both neighbours, which are close to each other, holds a
// damaged time, and so does a last frame stamped before the frame ahead of it; a gap (an idle
// capture), a last frame that came late, and frames of other capture points are not judged so.
func TestTimeJumps(t *testing.T) {
	base := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return base.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name  string
		times []time.Time
		point []int // capture point per frame; nil: all 0
		want  []int
	}{
		{"a spike forward", []time.Time{ms(0), ms(1), ms(3_600_000), ms(2), ms(3)}, nil, []int{3}},
		{"a spike back", []time.Time{ms(0), ms(1), base.Add(-48 * time.Hour), ms(2), ms(3)}, nil, []int{3}},
		{"an idle gap", []time.Time{ms(0), ms(1), ms(60_000), ms(60_001)}, nil, nil},
		{"neighbours far apart", []time.Time{ms(0), ms(1), ms(30_000), ms(5_000)}, nil, nil},
		{"the last frame late", []time.Time{ms(0), ms(1), ms(2), ms(3_600_000)}, nil, nil},
		{"the last frame back", []time.Time{ms(0), ms(1), ms(2), base.Add(-time.Hour)}, nil, []int{4}},
		{"two points", []time.Time{ms(0), ms(1), ms(3_600_000), ms(2), ms(3)}, []int{0, 0, 1, 0, 0}, nil},
	} {
		var o Times
		n := map[int]int{}
		for i, at := range tc.times {
			pt := 0
			if tc.point != nil {
				pt = tc.point[i]
			}
			n[pt]++
			o.Note(&capture.Packet{Index: i + 1, Point: pt, Time: at})
		}
		w, ok := o.Spikes()
		if got := o.spikes.frames; !slices.Equal(got, tc.want) || ok != (len(tc.want) > 0) || ok && w.Frame != tc.want[0] {
			t.Errorf("%s: spikes %v (warning %v at frame %d), want %v", tc.name, got, ok, w.Frame, tc.want)
		}
	}
}
