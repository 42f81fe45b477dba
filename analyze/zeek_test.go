package analyze

import (
	"net/netip"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

// seg is one synthetic TCP segment between client C (10.0.0.1:50000) and server S
// (10.0.0.2:8080, not a TLS port); seq and ack are relative to ISNs 1000 (client) and 5000
// (server). window 0 means the default 64240; zw advertises a zero window.
type seg struct {
	fromServer bool
	flags      uint8
	seq, ack   uint32
	length     int
	window     uint16
}

const (
	fS = capture.FlagSYN
	fA = capture.FlagACK
	fF = capture.FlagFIN
	fR = capture.FlagRST
	fP = capture.FlagPSH

	zw uint16 = 1
)

var (
	testClient = netip.MustParseAddr("10.0.0.1")
	testServer = netip.MustParseAddr("10.0.0.2")
)

// runSegments feeds the segments, 10 ms apart and all with TTL 64, through a fresh Analyzer
// (see runPath) and returns the only flow.
func runSegments(t *testing.T, segs []seg) result.Flow {
	t.Helper()
	ps := make([]pseg, len(segs))
	for i, s := range segs {
		ps[i] = pseg{s.fromServer, s.flags, s.seq, s.ack, s.length, 64, i * 10, s.window}
	}
	flows := runPath(t, ps, nil)
	if len(flows) != 1 {
		t.Fatalf("got %d flows, want 1", len(flows))
	}
	return flows[0]
}

// handshake is a complete three-way handshake.
var handshake = []seg{{false, fS, 0, 0, 0, 0}, {true, fS | fA, 0, 1, 0, 0}, {false, fA, 1, 1, 0, 0}}

func with(a []seg, b ...seg) []seg { return append(append([]seg{}, a...), b...) }

// TestZeekConnState checks conn_state and history against the meanings Zeek's conn.log gives them
// (base/protocols/conn/main.zeek) for each kind of connection.
func TestZeekConnState(t *testing.T) {
	cases := []struct {
		name      string
		segs      []seg
		connState string
		history   string
		verdict   result.Verdict
	}{
		{"S0 SYN retransmitted, never answered",
			[]seg{{false, fS, 0, 0, 0, 0}, {false, fS, 0, 0, 0, 0}, {false, fS, 0, 0, 0, 0}}, "S0", "S", result.VerdictSYNTimeout},
		{"REJ SYN answered by RST-ACK",
			[]seg{{false, fS, 0, 0, 0, 0}, {true, fR | fA, 0, 1, 0, 0}}, "REJ", "Sr", result.VerdictRefused},
		{"SF normal exchange and close",
			with(handshake, seg{false, fA | fP, 1, 1, 100, 0}, seg{true, fA | fP, 1, 101, 200, 0},
				seg{false, fA | fF, 101, 201, 0, 0}, seg{true, fA | fF, 201, 102, 0, 0}, seg{false, fA, 102, 202, 0, 0}),
			"SF", "ShADdFf", result.VerdictOK},
		{"S1 established, still open",
			with(handshake, seg{false, fA | fP, 1, 1, 100, 0}), "S1", "ShAD", result.VerdictIncomplete},
		{"S2 only the originator closed",
			with(handshake, seg{false, fA | fF, 1, 1, 0, 0}), "S2", "ShAF", result.VerdictIncomplete},
		{"S3 only the responder closed",
			with(handshake, seg{true, fA | fF, 1, 1, 0, 0}), "S3", "ShAf", result.VerdictIncomplete},
		{"RSTO originator aborted",
			with(handshake, seg{false, fA | fP, 1, 1, 10, 0}, seg{false, fR | fA, 11, 1, 0, 0}), "RSTO", "ShADR", result.VerdictReset},
		{"RSTR responder aborted",
			with(handshake, seg{false, fA | fP, 1, 1, 10, 0}, seg{true, fR | fA, 1, 11, 0, 0}), "RSTR", "ShADr", result.VerdictReset},
		{"RSTOS0 SYN then originator RST",
			[]seg{{false, fS, 0, 0, 0, 0}, {false, fR, 1, 0, 0, 0}}, "RSTOS0", "SR", result.VerdictSYNTimeout},
		{"SH SYN then originator FIN",
			[]seg{{false, fS, 0, 0, 0, 0}, {false, fF, 1, 0, 0, 0}}, "SH", "SF", result.VerdictSYNTimeout},
		{"RSTRH responder SYN-ACK then RST, no SYN seen",
			[]seg{{true, fS | fA, 0, 1, 0, 0}, {true, fR, 1, 0, 0, 0}}, "RSTRH", "^hr", result.VerdictReset},
		{"SHR responder SYN-ACK then FIN, no SYN seen",
			[]seg{{true, fS | fA, 0, 1, 0, 0}, {true, fF | fA, 1, 1, 0, 0}}, "SHR", "^hf", result.VerdictIncomplete},
		{"OTH midstream, no SYN",
			[]seg{{false, fA | fP, 1, 1, 100, 0}, {true, fA | fP, 1, 101, 100, 0}}, "OTH", "Dd", result.VerdictIncomplete},
		{"retransmitted data is T, once per decade",
			with(handshake, seg{false, fA | fP, 1, 1, 100, 0}, seg{false, fA | fP, 1, 1, 100, 0}, seg{false, fA | fP, 1, 1, 100, 0},
				seg{true, fA, 1, 101, 0, 0}, seg{false, fA | fF, 101, 1, 0, 0}, seg{true, fA | fF, 1, 102, 0, 0}),
			"SF", "ShADTaFf", result.VerdictOK},
		{"responder data never captured but acknowledged is a gap",
			with(handshake, seg{false, fA | fP, 1, 1, 100, 0}, seg{true, fA, 1, 101, 0, 0}, seg{true, fA | fF, 3000, 101, 0, 0},
				seg{false, fA, 101, 3001, 0, 0}, seg{false, fA | fF, 101, 3001, 0, 0}, seg{true, fA, 3001, 102, 0, 0}),
			"SF", "ShADafgF", result.VerdictOK},
		{"S1 SYN-ACK retransmitted, never acknowledged (the path drops the server's answers)",
			[]seg{{false, fS, 0, 0, 0, 0}, {true, fS | fA, 0, 1, 0, 0}, {false, fS, 0, 0, 0, 0}, {true, fS | fA, 0, 1, 0, 0}},
			"S1", "Sh", result.VerdictSYNACKUnacknowledged},
		{"S1 client data resent within 20 ms, then the capture ends (too soon to call a blackhole)",
			with(handshake, seg{false, fA | fP, 1, 1, 100, 0}, seg{false, fA | fP, 1, 1, 100, 0}, seg{false, fA | fP, 1, 1, 100, 0}),
			"S1", "ShADT", result.VerdictIncomplete},
		{"RSTR server data, then a reset in its name (same TTL here: the server's)",
			with(handshake, seg{false, fA | fP, 1, 1, 100, 0}, seg{true, fA | fP, 1, 101, 100, 0}, seg{true, fR, 101, 0, 0, 0}),
			"RSTR", "ShADdr", result.VerdictReset},
		{"zero window",
			with(handshake, seg{false, fA | fP, 1, 1, 100, 0}, seg{true, fA, 1, 101, 0, 0}, seg{true, fA, 1, 101, 0, zw}),
			"S1", "ShADaw", result.VerdictIncomplete},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fl := runSegments(t, tc.segs)
			if fl.ConnState != tc.connState || fl.History != tc.history {
				t.Errorf("conn_state %s history %q, want %s %q", fl.ConnState, fl.History, tc.connState, tc.history)
			}
			if fl.Verdict != tc.verdict {
				t.Errorf("verdict %s (%s), want %s", fl.Verdict, say(fl.Reason), tc.verdict)
			}
		})
	}
}
