package analyze

import (
	"slices"
	"testing"
)

// TestBlackholeHostSentLater: data the server never acknowledged is a data-blackhole, but a
// server that sent anything after the data (a FIN, a pure ACK that does not cover it) is not
// down, and the reason does not say it may be: it names that packet, which the evidence cites.
// A packet that arrives less than a round trip after the data first went was sent before the
// data could reach the server, and shows nothing of it after. A reset from the server after the
// data is the server's reset, no blackhole. The captures are
// scripted (testdata/make-scripted-captures.sh), plain TCP on port 9000.
func TestBlackholeHostSentLater(t *testing.T) {
	const lost = "the connection was established, then the client's data (a segment of 100 bytes) was sent up to 5 times over 3.6 s and never acknowledged (captured at the client); no reset or ICMP error came back: the path drops this flow's packets (a stateful firewall that lost the session, asymmetric routing, an IPS)"
	for _, tc := range []struct {
		file     string
		verdict  string
		reason   string
		evidence []int // frames
	}{
		{"data-unacked-server-fin.pcap", "data-blackhole",
			lost + "; the server is not down: it sent a FIN (frame 8) after the client's data first went, without acknowledging that data", []int{4, 8, 10}},
		{"data-unacked-server-ack.pcap", "data-blackhole",
			lost + "; the server is not down: it sent a packet without data (frame 8) after the client's data first went, without acknowledging that data", []int{4, 8, 9}},
		// The server's ACK of the first segment arrives 1 ms after the second (lost) one left, less
		// than the handshake's 10 ms round trip: sent before that segment could reach the server,
		// it does not show the server up after the loss.
		{"data-unacked-server-ack-inflight.pcap", "data-blackhole",
			"the connection was established, then the client's data (a segment of 100 bytes) was sent up to 5 times over 3.0 s and never acknowledged (captured at the client); no reset or ICMP error came back: the path drops this flow's packets (a stateful firewall that lost the session, asymmetric routing, an IPS), or the server is down (crashed, hung or unplugged: its silence gives the same packets); 100-byte segments from the client got through before", []int{5, 10}},
		{"data-unacked-server-rst.pcap", "reset",
			"the server reset the connection after 400 bytes from the client and 0 from the server on the wire, counting 3 segments sent again", []int{4, 8}},
	} {
		f, frames := scriptedFlow(t, tc.file, 9000)
		if string(f.Verdict) != tc.verdict || say(f.Reason) != tc.reason || !slices.Equal(frames, tc.evidence) {
			t.Errorf("%s: %s %q, evidence frames %v\nwant %s %q, %v", tc.file, f.Verdict, say(f.Reason), frames, tc.verdict, tc.reason, tc.evidence)
		}
	}
}
