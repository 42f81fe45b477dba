package pcapfile_test

import (
	"bytes"
	"testing"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture/pcapfile"
)

// BenchmarkAnalyzeMemory measures the whole analysis (reading, decoding, tracking, diagnosis) of
// ~200,000 packets copied from the largest test capture, from memory: as captured on the sending
// host (checksums left to offload) and with every TCP checksum right; it puts the decoder's cost,
// checksums included, in proportion.
func BenchmarkAnalyzeMemory(b *testing.B) {
	for _, fixed := range []bool{false, true} {
		name := "offload"
		if fixed {
			name = "right-checksums"
		}
		data := pcapfile.SynthPcap(b, "tls-veth.pcap", 200000, fixed)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			cpu0 := pcapfile.CPUTime()
			for b.Loop() {
				r, err := pcapfile.NewReader(bytes.NewReader(data), name)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := analyze.Reader(r, name, analyze.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(pcapfile.CPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
