package pcapfile

import (
	"bytes"
	"testing"
)

// SynthPcap is repeatPcap for the external tests: a pcap of about n packets copied from a real
// capture of testdata, with right TCP checksums when fixed (fixTCPChecksums).
func SynthPcap(t testing.TB, name string, n int, fixed bool) []byte {
	var b bytes.Buffer
	repeatPcap(t, &b, mustRead(t, name), n)
	if fixed {
		return fixTCPChecksums(b.Bytes())
	}
	return b.Bytes()
}

// CPUTime is cpuTime for the external tests.
var CPUTime = cpuTime
