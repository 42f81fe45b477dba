package analyze

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

// pseg is one synthetic segment for the path tests: like seg, with its own TTL and time.
type pseg struct {
	fromServer bool
	flags      uint8
	seq, ack   uint32
	length     int
	ttl        uint8
	atMS       int    // milliseconds after the first packet
	window     uint16 // 0: the default 64240; zw: a zero window
}

// runPath feeds the segments (client 10.0.0.1:50000, server 10.0.0.2:8080) through a fresh
// Analyzer, with an optional ICMP error after them, and returns the flows.
func runPath(t *testing.T, segs []pseg, icmp *capture.Packet) []result.Flow {
	t.Helper()
	a := New(Options{Ports: []uint16{8080}})
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	payload := make([]byte, 2000)
	n := 0
	for _, s := range segs {
		n++
		p := capture.Packet{Index: n, Time: t0.Add(time.Duration(s.atMS) * time.Millisecond), Kind: capture.KindTCP, TTL: s.ttl}
		p.SrcIP, p.DstIP = testClient, testServer
		p.TCP = capture.TCPHeader{SrcPort: 50000, DstPort: 8080, Seq: 1000 + s.seq, Ack: 5000 + s.ack, Flags: s.flags, Window: 64240}
		if s.fromServer {
			p.SrcIP, p.DstIP = testServer, testClient
			p.TCP.SrcPort, p.TCP.DstPort = 8080, 50000
			p.TCP.Seq, p.TCP.Ack = 5000+s.seq, 1000+s.ack
		}
		switch {
		case s.window == zw || s.flags&fR != 0:
			p.TCP.Window = 0
		case s.window != 0:
			p.TCP.Window = s.window
		}
		if s.flags&fA == 0 {
			p.TCP.Ack = 0
		}
		p.TCP.Payload = payload[:s.length]
		p.TCP.PayloadLen = s.length
		p.CapLen, p.WireLen = 54+s.length, 54+s.length
		a.Packet(&p)
	}
	if icmp != nil {
		icmp.Index = n + 1
		a.Packet(icmp)
	}
	return a.Finish(result.Input{}).Flows.Slice()
}

// TestPathVerdicts: each path pattern, built from segments, gives its verdict, and conn_state and
// history stay Zeek's.
func TestPathVerdicts(t *testing.T) {
	hs := []pseg{{false, fS, 0, 0, 0, 64, 0, 0}, {true, fS | fA, 0, 1, 0, 63, 20, 0}, {false, fA, 1, 1, 0, 64, 20, 0}}
	w := func(extra ...pseg) []pseg { return append(append([]pseg{}, hs...), extra...) }
	cases := []struct {
		name      string
		segs      []pseg
		verdict   result.Verdict
		connState string
		history   string
		reason    string // must appear in the reason
	}{
		{"forged RST mid-connection: TTL 64 vs the server's 63",
			w(pseg{false, fA | fP, 1, 1, 100, 64, 30, 0}, pseg{true, fA | fP, 1, 101, 1000, 63, 50, 0}, pseg{true, fR, 1001, 0, 0, 64, 60, 0}),
			result.VerdictMiddleboxReset, "RSTR", "ShADdr", "TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop)"},
		{"the server's own RST: same TTL",
			w(pseg{false, fA | fP, 1, 1, 100, 64, 30, 0}, pseg{true, fA | fP, 1, 101, 1000, 63, 50, 0}, pseg{true, fR, 1001, 0, 0, 63, 60, 0}),
			result.VerdictReset, "RSTR", "ShADdr", "the server reset"},
		{"forged RST after 30 s idle",
			w(pseg{false, fA | fP, 1, 1, 100, 64, 30, 0}, pseg{true, fA | fP, 1, 101, 100, 63, 50, 0}, pseg{false, fA | fP, 101, 101, 50, 64, 30050, 0},
				pseg{true, fR, 101, 0, 0, 64, 30051, 0}),
			result.VerdictMiddleboxReset, "RSTR", "ShADdr", "after 30.0 s of silence"},
		{"the server's own RST after 30 s idle",
			w(pseg{false, fA | fP, 1, 1, 100, 64, 30, 0}, pseg{true, fA | fP, 1, 101, 100, 63, 50, 0}, pseg{false, fA | fP, 101, 101, 50, 64, 30050, 0},
				pseg{true, fR, 101, 0, 0, 63, 30051, 0}),
			result.VerdictReset, "RSTR", "ShADdr", "after 30.0 s of silence"},
		{"SYN-ACKs never acknowledged",
			[]pseg{{false, fS, 0, 0, 0, 63, 0, 0}, {true, fS | fA, 0, 1, 0, 64, 1, 0}, {false, fS, 0, 0, 0, 63, 1000, 0}, {true, fS | fA, 0, 1, 0, 64, 1001, 0},
				{false, fS, 0, 0, 0, 63, 2000, 0}, {true, fS | fA, 0, 1, 0, 64, 2001, 0}},
			result.VerdictSYNACKUnacknowledged, "S1", "Sh", "captured at the server"},
		{"client data retransmitted, never acknowledged",
			w(pseg{false, fA | fP, 1, 1, 100, 64, 30, 0}, pseg{true, fA, 1, 101, 0, 63, 50, 0}, pseg{false, fA | fP, 101, 1, 80, 64, 1000, 0},
				pseg{false, fA | fP, 101, 1, 80, 64, 1400, 0}, pseg{false, fA | fP, 101, 1, 80, 64, 2200, 0}, pseg{false, fA | fP, 101, 1, 80, 64, 3800, 0}),
			result.VerdictDataBlackhole, "S1", "ShADaT", "sent up to 4 times"},
		{"only the large server segments lost (sender's side)",
			w(pseg{false, fA | fP, 1, 1, 200, 64, 30, 0}, pseg{true, fA, 1, 201, 0, 63, 31, 0}, pseg{true, fA, 1, 201, 1448, 63, 32, 0}, pseg{true, fA | fP, 1449, 201, 700, 63, 33, 0},
				pseg{false, fA, 201, 1, 0, 64, 34, 0}, pseg{true, fA, 1, 201, 1448, 63, 300, 0}, pseg{true, fA, 1, 201, 1448, 63, 800, 0},
				pseg{true, fA, 1, 201, 1448, 63, 1800, 0}),
			result.VerdictMTUBlackhole, "S1", "ShADadt", "the largest server segment that got through is 700 bytes"},
		{"a resend the capture ends right after is not a blackhole",
			w(pseg{false, fA | fP, 1, 1, 100, 64, 30, 0}, pseg{true, fA, 1, 101, 0, 63, 50, 0}, pseg{false, fA | fP, 101, 1, 80, 64, 1000, 0},
				pseg{false, fA | fP, 101, 1, 80, 64, 1300, 0}),
			result.VerdictIncomplete, "S1", "ShADaT", "still open"},
		{"a hole in the server's data at the receiver",
			w(pseg{false, fA | fP, 1, 1, 200, 64, 30, 0}, pseg{true, fA, 1, 201, 0, 63, 31, 0}, pseg{true, fA | fP, 2897, 201, 500, 63, 33, 0},
				pseg{false, fA, 201, 1, 0, 64, 34, 0}, pseg{false, fA | fF, 201, 1, 0, 64, 6000, 0}),
			result.VerdictMTUBlackhole, "S2", "ShADadFg", "2896 bytes of the server's data"},
		{"loss recovered is ok: the retransmission is acknowledged",
			w(pseg{false, fA | fP, 1, 1, 100, 64, 30, 0}, pseg{true, fA | fP, 1, 101, 1448, 63, 40, 0}, pseg{true, fA | fP, 1449, 101, 1448, 63, 41, 0},
				pseg{false, fA, 101, 1, 0, 64, 42, 0}, pseg{true, fA | fP, 1, 101, 1448, 63, 250, 0}, pseg{false, fA, 101, 2897, 0, 64, 251, 0},
				pseg{false, fA | fF, 101, 2897, 0, 64, 300, 0}, pseg{true, fA | fF, 2897, 102, 0, 63, 301, 0}, pseg{false, fA, 102, 2898, 0, 64, 302, 0}),
			result.VerdictOK, "SF", "ShADdtFf", "plain TCP"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fl := runPath(t, tc.segs, nil)
			if len(fl) != 1 {
				t.Fatalf("%d flows, want 1", len(fl))
			}
			f := fl[0]
			if f.Verdict != tc.verdict || !strings.Contains(say(f.Reason), tc.reason) {
				t.Errorf("verdict %s (%s), want %s with %q", f.Verdict, say(f.Reason), tc.verdict, tc.reason)
			}
			if f.ConnState != tc.connState || f.History != tc.history {
				t.Errorf("conn_state %s history %q, want %s %q", f.ConnState, f.History, tc.connState, tc.history)
			}
			if f.Failed && len(advice(&f, "generic").NextSteps) == 0 {
				t.Errorf("no next step for %s", f.Verdict)
			}
		})
	}
}

// TestICMPVerdicts: a SYN answered by an ICMP error gets the verdict of its code, naming the
// sender; conn_state stays S0 (Zeek keeps ICMP apart from the TCP connection).
func TestICMPVerdicts(t *testing.T) {
	router := netip.MustParseAddr("10.0.9.254")
	cases := []struct {
		name      string
		from      netip.Addr
		v6        bool
		typ, code uint8
		mtu       uint32
		verdict   result.Verdict
		reason    string
	}{
		{"admin prohibited from a router", router, false, 3, 13, 0, result.VerdictFirewallReject, "router 10.0.9.254 (TTL 63: 1 hop from the capture point): a firewall there"},
		{"host admin prohibited", router, false, 3, 10, 0, result.VerdictFirewallReject, "host administratively prohibited"},
		{"port unreachable from the server host", testServer, false, 3, 3, 0, result.VerdictFirewallReject, "the server host's own firewall rejects port 8080"},
		{"port unreachable from a router", router, false, 3, 3, 0, result.VerdictFirewallReject, "ICMP port unreachable (type 3 code 3) from router 10.0.9.254"},
		{"net unreachable", router, false, 3, 0, 0, result.VerdictUnreachable, "it has no route to 10.0.0.2"},
		{"host unreachable", router, false, 3, 1, 0, result.VerdictUnreachable, "10.0.0.2 does not answer on its last hop"},
		{"fragmentation needed", router, false, 3, 4, 1400, result.VerdictPathMTU, "the path MTU is 1400 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ic := &capture.Packet{Time: time.Date(2026, 11, 1, 10, 0, 0, int(time.Millisecond), time.UTC), Kind: capture.KindICMPError, TTL: 63,
				SrcIP: tc.from, DstIP: testClient}
			ic.ICMP = capture.ICMPError{V6: tc.v6, Type: tc.typ, Code: tc.code, MTU: tc.mtu, QuotedSrc: testClient, QuotedDst: testServer,
				QuotedSrcPort: 50000, QuotedDstPort: 8080}
			fl := runPath(t, []pseg{{false, fS, 0, 0, 0, 64, 0, 0}}, ic)
			f := fl[0]
			if f.Verdict != tc.verdict || !strings.Contains(say(f.Reason), tc.reason) {
				t.Errorf("verdict %s (%s), want %s with %q", f.Verdict, say(f.Reason), tc.verdict, tc.reason)
			}
			if f.ConnState != "S0" || f.History != "S" {
				t.Errorf("conn_state %s history %q, want S0 S", f.ConnState, f.History)
			}
			if f.Path == nil || len(f.Path.ICMP) != 1 || string(f.Path.ICMP[0].From) != tc.from.String() || f.Path.ICMP[0].MTU != int(tc.mtu) {
				t.Errorf("path.icmp %+v", f.Path)
			}
		})
	}
}

// TestOneDirection: a capture that holds only the client's side of an established connection
// flags the flow and warns once.
func TestOneDirection(t *testing.T) {
	a := New(Options{Ports: []uint16{8080}})
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	segs := []pseg{{false, fA | fP, 1, 1, 100, 64, 0, 0}, {false, fA, 101, 500, 0, 64, 10, 0}, {false, fA | fP, 101, 900, 100, 64, 20, 0},
		{false, fA, 201, 1400, 0, 64, 30, 0}}
	for i, s := range segs {
		p := capture.Packet{Index: i + 1, Time: t0.Add(time.Duration(s.atMS) * time.Millisecond), Kind: capture.KindTCP, TTL: 64,
			SrcIP: testClient, DstIP: testServer}
		p.TCP = capture.TCPHeader{SrcPort: 50000, DstPort: 8080, Seq: 1000 + s.seq, Ack: 5000 + s.ack, Flags: s.flags, Window: 64240, PayloadLen: s.length}
		a.Packet(&p)
	}
	res := a.Finish(result.Input{})
	var codes []string
	for _, w := range res.Warnings {
		codes = append(codes, w.Code)
	}
	if !strings.Contains(strings.Join(codes, ","), "one-direction") {
		t.Errorf("warnings %v, want one-direction", codes)
	}
	if f := res.Flows.Slice()[0]; !strings.Contains(strings.Join(f.Flags, ","), "one-direction:server-to-client-missing") {
		t.Errorf("flags %v", f.Flags)
	}
}

// TestZeroWindowStall: a receiver that advertises a zero window until the capture ends is
// flagged as a stall, with the count and the time.
func TestZeroWindowStall(t *testing.T) {
	segs := []pseg{{false, fS, 0, 0, 0, 64, 0, 0}, {true, fS | fA, 0, 1, 0, 64, 1, 0}, {false, fA, 1, 1, 0, 64, 2, 0},
		{true, fA | fP, 1, 1, 1000, 64, 10, 0}, {false, fA, 1, 1001, 0, 64, 11, zw}, {true, fA, 1000, 1, 0, 64, 500, 0},
		{false, fA, 1, 1001, 0, 64, 501, zw}, {true, fA, 1000, 1, 0, 64, 1500, 0}, {false, fA, 1, 1001, 0, 64, 3011, zw}}
	f := runPath(t, segs, nil)[0]
	flags := strings.Join(f.Flags, ",")
	if !strings.Contains(flags, "zero-window:client:3:0.0s") || !strings.Contains(flags, "stalled:client-zero-window-for-3.0s-at-end") {
		t.Errorf("flags %s", flags)
	}
	if f.Path.ZeroWindows != 3 || f.ConnState != "S1" || f.History != "ShAdWa" {
		t.Errorf("zero windows %d, conn_state %s, history %s", f.Path.ZeroWindows, f.ConnState, f.History)
	}
}

// TestReorderAgainstWireshark: in the capture with loss and reordering, the flags tell
// retransmitted from reordered segments as Wireshark 4.0 does (tcp.analysis.retransmission and
// fast_retransmission: 4 server, 1 client; tcp.analysis.out_of_order: 6; duplicate ACKs up to
// #8), and the flow is ok.
func TestReorderAgainstWireshark(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "path-loss-reorder-ok.pcap"), manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Flows.Slice()[0]
	flags := strings.Join(f.Flags, ",")
	for _, want := range []string{"retransmissions:server:4", "out-of-order:server:6", "retransmissions:client:1", "dup-acks:client:8"} {
		if !strings.Contains(flags, want) {
			t.Errorf("flags %s, want %s", flags, want)
		}
	}
	if f.Verdict != result.VerdictOK || f.TCP.ServerRetrans != 10 {
		t.Errorf("verdict %s, server_retransmissions %d; want ok, 10 (4 retransmitted + 6 reordered)", f.Verdict, f.TCP.ServerRetrans)
	}
}
