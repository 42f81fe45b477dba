package analyze

import (
	"path/filepath"
	"strings"
	"testing"
)

// In accuracy/port-scan.pcap (nmap -sS), the scanner's SYNs carry random TTLs (58 in frame 7)
// and its own kernel resets the SYN-ACKs it did not expect (TTL 64, frame 9): a probe's reset is
// the scanner's, not one forged in the path, which its differing TTL alone would suggest.
func TestScannerResetNotForged(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "accuracy/port-scan.pcap"), Options{}) // every port: the scan is seen whole
	if err != nil {
		t.Fatal(err)
	}
	const (
		reason = "one of 203 probes from 10.91.1.9 to 202 ports of 10.91.2.2 (2 answered with a SYN-ACK, 0 refused, 200 never answered) over 1.3 s: a port scan, " +
			"not a client failing; this probe: the client reset the server's SYN-ACK; its TTL 64 differs from its SYN's 58, which a " +
			"scanner's crafted SYNs do (nmap -sS gives each a random TTL): most likely the scanner's own stack, not a device in the path"
		rst = "RST from the client to the SYN-ACK: TTL 64, where its SYN carried 58, as a scanner's crafted SYNs do"
	)
	seen := 0
	for _, f := range res.Flows.Slice() {
		if strings.Contains(say(f.Reason), "forged") {
			t.Errorf("flow #%d: %s", f.ID, say(f.Reason))
		}
		if f.ID != 7 {
			continue
		}
		seen++
		if f.Verdict != "port-scan" || say(f.Reason) != reason || len(f.Evidence) != 2 || f.Evidence[1].Frame != 9 || say(f.Evidence[1].Text) != rst {
			t.Errorf("flow #7: %s %q\nwant port-scan %q and frame 9 %q", f.Verdict, say(f.Reason), reason, rst)
		}
	}
	if seen != 1 {
		t.Fatalf("no flow #7")
	}
}
