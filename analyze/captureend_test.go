package analyze

import (
	"fmt"
	"path/filepath"
	"testing"
)

// TestCaptureEndNarrowed: an analysis narrowed with --port judges what the end of the capture
// decides (a SYN or a ClientHello left unanswered, or the capture ended too soon) from the
// capture's last packet, analysed or not, as the whole analysis does. accuracy/narrowed-end.pcap
// ends 2.3 s after its SYN to 4343 (dropped, one SYN) and 2.1 s after its ClientHello to 4345
// (a silent server), with an HTTP exchange on 8080: narrowed to 4343 or 4345 the last analysed
// packet is the SYN or the server's ACK of the ClientHello, which made the SYN "incomplete: the
// capture ended 0.0 ms after the SYN" and the ClientHello's wait 0.0 ms. The nmap probes of
// port-scan.pcap narrowed to ports 1 and 3 (720 ms and 0 ms before the last analysed packet, 2.5 s
// and 1.8 s before the file's end) are likewise judged as in the whole capture.
func TestCaptureEndNarrowed(t *testing.T) {
	const (
		synTimeout = "syn-timeout: the one SYN to 10.91.2.2:4343 was never answered; the SYN left the client and " +
			"no answer came back: a firewall on the way drops it (or the answers), or the server is down"
		helloAtEnd = "incomplete: the capture ended 2.1 s after the ClientHello, before the server answered"
		httpOK     = "ok: plain HTTP: GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat answered \"HTTP/1.0 200 OK\" (83 bytes from the client, " +
			"241 from the server)"
		probe = "port-scan: one of 2 analysed probes from 10.91.1.9, which probed 202 ports of 10.91.2.2 (200 of them outside the analysed " +
			"ports and hosts, seen by their SYNs, whose resets are not counted; 2 answered with a SYN-ACK, 0 of the analysed refused) " +
			"over 1.3 s: a port scan, not a client failing; this probe: " +
			"the one SYN to 10.91.2.2:%d was never answered; the SYN passed the capture point and no answer came " +
			"back through it: whatever drops it is beyond this point, towards the server"
	)
	cases := []struct {
		file  string
		ports []uint16
		want  []string // each flow's "verdict: reason", in order
	}{
		{file: "narrowed-end.pcap", want: []string{synTimeout, helloAtEnd, httpOK}},
		{file: "narrowed-end.pcap", ports: []uint16{4343}, want: []string{synTimeout}},
		{file: "narrowed-end.pcap", ports: []uint16{4345}, want: []string{helloAtEnd}},
		{file: "narrowed-end.pcap", ports: []uint16{4343, 4345}, want: []string{synTimeout, helloAtEnd}},
		{file: "port-scan.pcap", ports: []uint16{1, 3}, want: []string{fmt.Sprintf(probe, 1), fmt.Sprintf(probe, 3)}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s --port %v", tc.file, tc.ports), func(t *testing.T) {
			res, err := File(filepath.Join(ownCaptures, "accuracy", tc.file), Options{Ports: tc.ports})
			if err != nil {
				t.Fatal(err)
			}
			flows := res.Flows.Slice()
			if len(flows) != len(tc.want) {
				t.Fatalf("%d flows, want %d", len(flows), len(tc.want))
			}
			for i, f := range flows {
				if got := fmt.Sprintf("%s: %s", f.Verdict, say(f.Reason)); got != tc.want[i] {
					t.Errorf("flow #%d:\n got %s\nwant %s", f.ID, got, tc.want[i])
				}
			}
		})
	}
}
