package analyze

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// How a TLS handshake that one side ended without an alert after the ServerHello is judged, on
// the scripted captures (testdata/make-scripted-captures.sh: real TLS 1.2 flights from Go's
// crypto/tls, TCP endings from a script): the first end decides (a RST after a FIN answers the
// close); data on the closing FIN is data sent after the certificate; a server flight the
// capture lost leaves the outcome untold.
func TestHandshakeEndings(t *testing.T) {
	const gaveUp = "the client closed the connection during the TLS handshake, after the ServerHello (TLS 1.2): the client gave up right after the server's certificate, most likely rejecting it"
	for _, tc := range []struct {
		file             string
		verdict, variant string
		reason           string
		evidence         []int // frames
	}{
		{"server-fin-client-rst.pcap", "closed-during-handshake", "server",
			"the server closed the connection during the TLS handshake, after the ServerHello (TLS 1.2)", []int{4, 5, 7, 8}},
		{"client-fin-server-rst.pcap", "closed-during-handshake", "client", gaveUp, []int{4, 5, 7, 8}},
		{"client-fin-then-rst.pcap", "closed-during-handshake", "client", gaveUp, []int{4, 5, 7, 8}},
		{"client-fin-data.pcap", "closed-during-handshake", "client",
			"the client closed the connection during the TLS handshake, after the ServerHello (TLS 1.2): the client sent more data after the server's certificate (the last in frame 7), did not complete the handshake, and ended the connection 101 ms after the certificate", []int{4, 5, 7}},
		{"server-flight-missed.pcap", "incomplete", "reply-missed",
			"the server sent data after the ClientHello that the capture does not hold (a content gap: the client acknowledged it), so what it answered (a ServerHello, an alert or anything else) cannot be told", []int{4}},
	} {
		f, frames := scriptedFlow(t, tc.file, 443)
		if string(f.Verdict) != tc.verdict || f.Advice.Variant != tc.variant || say(f.Reason) != tc.reason || !slices.Equal(frames, tc.evidence) {
			t.Errorf("%s: %s/%s %q, evidence frames %v\nwant %s/%s %q, %v", tc.file, f.Verdict, f.Advice.Variant, say(f.Reason), frames,
				tc.verdict, tc.variant, tc.reason, tc.evidence)
		}
	}
}

// A client-closed and a server-closed handshake to the same server are two failing groups, each
// with its own side's next step, not one group under the first flow's advice.
func TestClosedBySidesGroupedApart(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "scripted", "closed-by-each-side.pcap"), Options{Ports: []uint16{443}})
	if err != nil {
		t.Fatal(err)
	}
	var variants []string
	for _, g := range findings.Of(res).Groups {
		if g.Verdict == result.VerdictClosedDuringHandshake {
			variants = append(variants, g.Advice().Variant)
		}
	}
	if len(variants) != 2 || variants[0] != "client" || variants[1] != "server" {
		t.Errorf("closed-during-handshake groups by variant %q, want [client server]", variants)
	}
}

// scriptedFlow analyses the scripted capture file (testdata/captures/scripted, one connection)
// on port and returns its flow and the frames its evidence cites.
func scriptedFlow(t *testing.T, file string, port uint16) (*result.Flow, []int) {
	t.Helper()
	res, err := File(filepath.Join(ownCaptures, "scripted", file), Options{Ports: []uint16{port}})
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Flows.Slice()
	if len(fs) != 1 {
		t.Fatalf("%s: %d flows, want 1", file, len(fs))
	}
	var frames []int
	for _, e := range fs[0].Evidence {
		frames = append(frames, e.Frame)
	}
	return &fs[0], frames
}
