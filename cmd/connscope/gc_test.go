package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	"github.com/connscope/connscope/report"
)

// TestAnalysisGC: without GOGC in the environment the analysis runs at analysisGCPercent and the
// setting comes back after; with it, the environment's setting stands throughout.
func TestAnalysisGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	t.Setenv("GOGC", "")
	restore := analysisGC(report.FormatJSON)
	if got := debug.SetGCPercent(analysisGCPercent); got != analysisGCPercent {
		t.Errorf("during the analysis GOGC is %d, want %d", got, analysisGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the analysis GOGC is %d, want 100 back for the JSON report", got)
	}
	// The table keeps the analysis's setting while it is written.
	restore = analysisGC(report.FormatTable)
	restore()
	if got := debug.SetGCPercent(100); got != analysisGCPercent {
		t.Errorf("after the analysis GOGC is %d, want %d kept for the table", got, analysisGCPercent)
	}

	t.Setenv("GOGC", "300")
	debug.SetGCPercent(300)
	restore = analysisGC(report.FormatTable)
	if got := debug.SetGCPercent(300); got != 300 {
		t.Errorf("with GOGC=300 set, the analysis runs at %d", got)
	}
	restore()
}

// TestAnalysisGCReturnsMemory: the restore gives the heap the analysis freed back to the system,
// so that the report does not allocate on top of it (the peak RSS would move with the collector).
func TestAnalysisGCReturnsMemory(t *testing.T) {
	t.Setenv("GOGC", "")
	restore := analysisGC(report.FormatJSON)
	garbage := make([][]byte, 0, 512)
	for range 512 {
		garbage = append(garbage, make([]byte, 128<<10)) // 64 MiB in all
	}
	garbage[0][0] = 1
	garbage = nil
	runtime.GC() // the 64 MiB are free now, but not yet given back
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	if free := s[0].Value.Uint64(); free < 32<<20 {
		t.Skipf("the collector gave back the freed heap by itself (%d bytes free): nothing to test", free)
	}
	restore()
	metrics.Read(s)
	if free := s[0].Value.Uint64(); free > 16<<20 {
		t.Errorf("after the restore %d bytes of heap are free but not given back, want under 16 MiB of the 64 MiB freed", free)
	}
}
