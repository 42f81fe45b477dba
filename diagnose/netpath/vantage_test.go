package netpath

import (
	"reflect"
	"testing"
	"time"
)

// TestDescribeCached: the words of a vantage, taken from the cache for every input after the
// first of its TTLs and sides, are those made anew for that input, over a grid of TTLs, sides
// seen and handshake timings (which decide some vantages: their words hold the times and are
// not cached); and inputs that differ get words of their own.
func TestDescribeCached(t *testing.T) {
	ttls := []uint8{64, 63, 128, 120, 255, 250}
	timings := [][2]time.Duration{{0, 0}, {5 * time.Millisecond, 100 * time.Microsecond}, {100 * time.Microsecond, 5 * time.Millisecond}, {time.Millisecond, time.Millisecond}}
	distinct := map[string]bool{}
	for round := range 2 {
		for _, ct := range ttls {
			for _, st := range ttls {
				for seen := range 4 {
					for _, tm := range timings {
						v := decideVantage(vantageInput{ct, st, seen&1 != 0, seen&2 != 0, tm[0], tm[1]})
						got, want := v.describe(), v.describeAnew()
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("round %d, TTLs %d/%d, seen %b, timing %v: describe %+v, made anew %+v", round, ct, st, seen, tm, got, want)
						}
						distinct[want.String()] = true
					}
				}
			}
		}
	}
	// The grid's inputs have 67 different words (as made anew): enough for a cache keyed on too
	// little to hand some input the words of another.
	if len(distinct) != 67 {
		t.Errorf("%d distinct words over the grid, want 67", len(distinct))
	}
}
