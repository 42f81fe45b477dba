package capture

import (
	"reflect"
	"testing"
)

// Tallies keep maxTallies reasons apart; the frames of any further reason are counted under
// ReasonMore, never lost nor put under another reason.
func TestTalliesBound(t *testing.T) {
	var ts tallies
	for i := range maxTallies + 10 {
		ts.add(Reason{ReasonEtherType, uint32(0x9000 + i)}, FrameRef{0, i + 1})
	}
	ts.add(Reason{ReasonEtherType, 0x9000}, FrameRef{0, 100})              // a kept reason: its own tally
	ts.add(Reason{ReasonEtherType, 0x9000 + maxTallies}, FrameRef{0, 101}) // a further one again
	got := ts.copy()
	if len(got) != maxTallies+1 {
		t.Fatalf("%d tallies, want %d", len(got), maxTallies+1)
	}
	if got[0].Frames != 2 || !reflect.DeepEqual(got[0].First, []FrameRef{{0, 1}, {0, 100}}) {
		t.Errorf("first tally %+v", got[0])
	}
	more := got[maxTallies]
	want := Tally{Reason{Code: ReasonMore}, 11, []FrameRef{{0, 65}, {0, 66}, {0, 67}, {0, 68}, {0, 69}}}
	if !reflect.DeepEqual(more, want) {
		t.Errorf("last tally %+v, want %+v", more, want)
	}
	total := 0
	for _, x := range got {
		total += x.Frames
	}
	if total != maxTallies+12 {
		t.Errorf("%d frames counted, want %d", total, maxTallies+12)
	}
}
