package main

import (
	"os"
	"runtime/debug"

	"github.com/connscope/connscope/report"
)

// analysisGCPercent is Go's GOGC while a capture is analysed, unless the environment sets GOGC:
// the collector starts a cycle when the heap has grown by 40%, not doubled. What tracking keeps
// is mostly pointer-free (tombs, record chunks), so a cycle costs little: on the bench capture
// (scripts/fleet-ratio.sh) the peak is 58-63 MB at 40 against 61-66 MB at 50 (and ~135 MB at
// Go's default before the tombs shrank), in the same time. The report, which allocates much and
// keeps little, runs with the setting restored.
const analysisGCPercent = 40

// analysisGC sets analysisGCPercent, unless GOGC is set, and returns what restores the setting
// and gives the memory the analysis freed back to the system (debug.FreeOSMemory: one collection
// of the small heap the result is, ~5 ms on the bench capture). Without that, the report's
// allocations came on top of the tracking's freed but unreturned pages: the peak RSS then moved
// with the collector's timing, 52-56 MiB on the bench capture and 57-63 MiB on the 2x file; with
// it, 52-56 and 56-58 MiB (scripts/fleet-ratio.sh's files, five runs each).
//
// The table (the default report) keeps analysisGCPercent while it is written: it words only the
// flows it lists, so its collections cost little, and at Go's default its heap grew to twice the
// result's (peak RSS 55-61 MiB on the bench capture against 50-53 MiB at 40, five runs each, in
// the same time). The other formats, which word every listed flow and keep little of it, are
// written at the setting restored.
func analysisGC(format report.Format) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return debug.FreeOSMemory
	}
	old := debug.SetGCPercent(analysisGCPercent)
	return func() {
		if format != report.FormatTable {
			debug.SetGCPercent(old)
		}
		debug.FreeOSMemory()
	}
}
