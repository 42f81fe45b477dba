package main

import (
	"runtime/debug"
	"testing"
)

// TestAnalysisGC: without GOGC in the environment the analysis runs at analysisGCPercent and the
// setting comes back after; with it, the environment's setting stands throughout.
func TestAnalysisGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	t.Setenv("GOGC", "")
	restore := analysisGC()
	if got := debug.SetGCPercent(analysisGCPercent); got != analysisGCPercent {
		t.Errorf("during the analysis GOGC is %d, want %d", got, analysisGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the analysis GOGC is %d, want 100 back", got)
	}

	t.Setenv("GOGC", "300")
	debug.SetGCPercent(300)
	restore = analysisGC()
	if got := debug.SetGCPercent(300); got != 300 {
		t.Errorf("with GOGC=300 set, the analysis runs at %d", got)
	}
	restore()
}
