package analyze

import (
	"path/filepath"
	"testing"
)

// A reset whose IP TTL is that of its sender's own packets (accuracy/forged-rst-survived.pcap:
// the server's packets carry TTL 63, the RST that ended the connection in frame 37 too, the
// forged one in frame 14 TTL 64) most likely came from that side: the next step says so and
// points at its logs, instead of asking the reader to compare TTLs connscope compared.
func TestResetOwnTTL(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "accuracy/forged-rst-survived.pcap"), manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Flows.Slice()
	if len(fs) != 1 || fs[0].Verdict != "reset" || fs[0].Advice.Variant != "own-ttl" {
		t.Fatalf("flows %d, verdict %s, variant %q: want one reset, variant own-ttl", len(fs), fs[0].Verdict, fs[0].Advice.Variant)
	}
	a := advice(&fs[0], "generic")
	want := "The reset carries the IP TTL of 10.91.2.2:8080's own packets (63), so it most likely came from 10.91.2.2:8080 itself " +
		"(a reset with another hop count is reported as middlebox-reset; only a device at the same hop count, such as a host " +
		"firewall or a load balancer in front of it, could still have sent it): find in its logs at 23:55:56 UTC why its " +
		"application ended the connection."
	if a.Title != "Connection reset by the peer" || len(a.NextSteps) != 1 || a.NextSteps[0] != want {
		t.Errorf("title %q, next %q\nwant %q", a.Title, a.NextSteps, want)
	}
}
