package main

import (
	"io"
	"os"
	"testing"
)

// BenchmarkFleet runs the command line on the capture $CONNSCOPE_FLEET (e.g. made by
// ../shared/bench/make-fleet.sh) with the report format $CONNSCOPE_FORMAT (default json): for
// profiling the whole analysis (go test -run XXX -bench Fleet -cpuprofile cpu.prof ./cmd/connscope).
func BenchmarkFleet(b *testing.B) {
	path := os.Getenv("CONNSCOPE_FLEET")
	if path == "" {
		b.Skip("set CONNSCOPE_FLEET to a capture")
	}
	format := os.Getenv("CONNSCOPE_FORMAT")
	if format == "" {
		format = "json"
	}
	for b.Loop() {
		if code := run([]string{"analyze", path, "-p", "4433", "-f", format}, io.Discard, io.Discard); code > 1 {
			b.Fatalf("exit %d", code)
		}
	}
}
