package analyze

import (
	"reflect"
	"sync"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// TestFlowsFromScratchConcurrently makes the flows of a result from several goroutines at once,
// in different orders, as the JSON report's workers do: each decodes records into scratch memory
// of its own (facts.Scratch), and every flow must come out as it does made alone, in order. The
// capture is a synthetic one of thousands of connections of every kind in testdata, so that
// records with and without TLS facts, alerts and ladders follow one another. (.ci/run runs it
// under the race detector.)
func TestFlowsFromScratchConcurrently(t *testing.T) {
	synth := synthFile(t, 20000, synthInterval)
	r, err := pcapfile.Open(synth.path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a := New(Options{})
	var p capture.Packet
	for r.Next(&p) == nil {
		a.Packet(&p)
	}
	res := a.Finish(result.Input{File: result.FileName(synth.path)})
	n := res.Flows.Len()
	if n < 1000 || !res.Flows.Concurrent() {
		t.Fatalf("%d flows (concurrent list: %v), want over 1000 in a concurrent list", n, res.Flows.Concurrent())
	}
	want := make([]result.Flow, n)
	for i := range want {
		want[i] = res.Flows.At(i)
	}
	failed := 0
	for i := range want {
		if want[i].Failed {
			failed++
		}
	}
	if failed == 0 || failed == n {
		t.Fatalf("%d of %d flows failed: want both kinds", failed, n)
	}
	const workers = 4
	var wg sync.WaitGroup
	bad := make([]int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var f result.Flow
			for k := range n {
				i := k
				if w%2 == 1 {
					i = n - 1 - k // the other way round
				}
				res.Flows.Fill(i, &f)
				if !reflect.DeepEqual(f, want[i]) {
					bad[w]++
				}
			}
		}()
	}
	wg.Wait()
	for w, b := range bad {
		if b > 0 {
			t.Errorf("worker %d: %d flows differ from those made alone", w, b)
		}
	}
}
