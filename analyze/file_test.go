package analyze

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// TestReadAheadSameResult analyses captures both with reading ahead in a goroutine and without:
// the results must be equal, whole files and files cut or corrupt part-way alike.
func TestReadAheadSameResult(t *testing.T) {
	synth := synthFile(t, 30000, synthInterval)
	paths := []string{synth.path}
	for _, glob := range []string{filepath.Join(ownCaptures, "*.pcap"), "../capture/testdata/*.pcap*"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	for _, path := range paths {
		if filepath.Ext(path) == ".tsv" {
			continue
		}
		run := func(ahead bool) (*result.Result, error) {
			r, err := pcapfile.Open(path)
			if err != nil {
				return nil, err
			}
			defer r.Close()
			return analyzeReader(r, path, Options{}, ahead)
		}
		want, werr := run(false)
		got, gerr := run(true)
		if (werr == nil) != (gerr == nil) || !sameResult(got, want) {
			t.Errorf("%s: reading ahead gives %v (err %v), reading in turn %v (err %v)", path, summary(got), gerr, summary(want), werr)
		}
	}
}

func summary(r *result.Result) any {
	if r == nil {
		return nil
	}
	return struct {
		Input    result.Input
		Flows    int
		Warnings []result.Warning
	}{r.Input, r.Flows.Len(), r.Warnings}
}

// sameResult reports whether two results hold the same: their flows made one by one, and the rest.
func sameResult(a, b *result.Result) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !reflect.DeepEqual(a.Flows.Slice(), b.Flows.Slice()) {
		return false
	}
	x, y := *a, *b
	x.Flows, y.Flows = result.FlowList{}, result.FlowList{}
	return reflect.DeepEqual(x, y)
}
