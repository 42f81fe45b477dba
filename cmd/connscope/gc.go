package main

import (
	"os"
	"runtime/debug"
)

// analysisGCPercent is Go's GOGC while a capture is analysed, unless the environment sets GOGC:
// the collector starts a cycle when the heap has grown by half, not doubled. The tracking and
// reading goroutines leave it room: on the bench capture (scripts/fleet-ratio.sh) the peak
// goes from ~135 MB to ~105 MB in the same time. The report, which allocates much and keeps
// little, runs with the setting restored.
const analysisGCPercent = 50

// analysisGC sets analysisGCPercent, unless GOGC is set, and returns what restores the setting.
func analysisGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(analysisGCPercent)
	return func() { debug.SetGCPercent(old) }
}
