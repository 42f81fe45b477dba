package analyze

import (
	"path/filepath"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// TestSpilledRecordsSameResult analyses captures with the store spilling every full 1 KiB chunk
// of records to its temporary file and with everything in memory: the results must be equal.
func TestSpilledRecordsSameResult(t *testing.T) {
	synth := synthFile(t, 30000, synthInterval)
	paths := []string{synth.path}
	m, err := filepath.Glob(filepath.Join(ownCaptures, "*.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, m...)
	spilled := 0
	for _, path := range paths {
		run := func(opts Options) (*result.Result, *Analyzer) {
			r, err := pcapfile.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			a := New(opts)
			var p capture.Packet
			for r.Next(&p) == nil {
				a.Packet(&p)
			}
			return a.Finish(result.Input{File: result.FileName(path)}), a
		}
		want, _ := run(Options{spillAfter: -1})
		got, a := run(Options{recordChunk: 1024, spillAfter: 1})
		if !sameResult(got, want) {
			t.Errorf("%s: with records spilled %v, in memory %v", path, summary(got), summary(want))
		}
		for _, at := range a.kept.at {
			if at >= 0 {
				spilled++
			}
		}
		if a.kept.spill.Failed() {
			t.Fatalf("%s: the store could not spill", path)
		}
	}
	t.Logf("%d chunks spilled over %d captures", spilled, len(paths))
	if spilled < 50 {
		t.Errorf("%d chunks spilled over %d captures: the test does not exercise the spill file", spilled, len(paths))
	}
}
