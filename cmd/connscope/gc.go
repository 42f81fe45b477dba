package main

import (
	"os"
	"runtime/debug"
)

// analysisGCPercent is Go's GOGC while a capture is analysed, unless the environment sets GOGC:
// the collector starts a cycle when the heap has grown by 40%, not doubled. What tracking keeps
// is mostly pointer-free (tombs, record chunks), so a cycle costs little: on the bench capture
// (scripts/fleet-ratio.sh) the peak is 58-63 MB at 40 against 61-66 MB at 50 (and ~135 MB at
// Go's default before the tombs shrank), in the same time. The report, which allocates much and
// keeps little, runs with the setting restored.
const analysisGCPercent = 40

// analysisGC sets analysisGCPercent, unless GOGC is set, and returns what restores the setting.
func analysisGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(analysisGCPercent)
	return func() { debug.SetGCPercent(old) }
}
