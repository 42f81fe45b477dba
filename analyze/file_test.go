package analyze

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/connscope/connscope/capture"
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
			r, err := capture.Open(path)
			if err != nil {
				return nil, err
			}
			defer r.Close()
			return analyzeReader(r, path, Options{}, ahead)
		}
		want, werr := run(false)
		got, gerr := run(true)
		if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
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
	}{r.Input, len(r.Flows), r.Warnings}
}
