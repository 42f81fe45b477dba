package netpath

import (
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
)

// TestHops: the hop count is the usual initial TTL above the one seen, minus it.
func TestHops(t *testing.T) {
	cases := []struct {
		ttl           uint8
		initial, hops int
	}{
		{64, 64, 0}, {63, 64, 1}, {62, 64, 2}, {1, 64, 63},
		{65, 128, 63}, {127, 128, 1}, {128, 128, 0},
		{129, 255, 126}, {254, 255, 1}, {255, 255, 0},
	}
	for _, tc := range cases {
		if got := initialTTL(tc.ttl); got != tc.initial {
			t.Errorf("initialTTL(%d) = %d, want %d", tc.ttl, got, tc.initial)
		}
		if got := Hops(tc.ttl); got != tc.hops {
			t.Errorf("hops(%d) = %d, want %d", tc.ttl, got, tc.hops)
		}
	}
}

func secs(xs ...float64) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x * float64(time.Second))
	}
	return out
}

// TestMatchSYNSchedule: SYN times (seconds after the first) against the schedules of
// FIELD-NOTES.md, and the give-up time each implies (the last SYN plus twice the last interval).
func TestMatchSYNSchedule(t *testing.T) {
	cases := []struct {
		name   string
		times  []time.Duration
		want   string
		giveUp float64
	}{
		{"one SYN", secs(0), "", 0},
		{"one retry after 1 s", secs(0, 1), scheduleDoubling1s, 3},
		{"classic doubling, tcp_syn_retries=2", secs(0, 1, 3), scheduleDoubling1s, 7},
		{"classic doubling to 127 s (old Linux default)", secs(0, 1, 3, 7, 15, 31, 63), scheduleDoubling1s, 127},
		{"Linux 6.x linear, tcp_syn_retries=2 (dropped-syns.pcap)", secs(0, 1, 2, 3, 4, 5), scheduleLinuxLinear, 7},
		{"Linux 6.x linear then doubling (FIELD-NOTES)", secs(0, 1, 2, 3, 4, 5, 7, 11), scheduleLinuxLinear, 19},
		{"Linux 6.x as captured in path-syn-drop.pcap", secs(0, 1.013, 2.037, 3.065, 4.085, 5.109, 7.125, 11.349), scheduleLinuxLinear, 19.797},
		{"two linear retries", secs(0, 1, 2), scheduleLinuxLinear, 4},
		{"Windows 7: 3 s then 6 s", secs(0, 3, 9), scheduleWindows3s, 21},
		{"Windows, one retry", secs(0, 3), scheduleWindows3s, 9},
		{"fast retries", secs(0, 0.2, 0.6), scheduleUnknown, 1.4},
		{"irregular", secs(0, 1, 1.5), scheduleUnknown, 2.5},
		{"linear too long to be Linux's", secs(0, 1, 2, 3, 4, 5, 6, 7), scheduleUnknown, 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := matchSYNSchedule(tc.times)
			if s.name != tc.want {
				t.Errorf("schedule %q (intervals %s), want %q", s.name, s.intervalsText(), tc.want)
			}
			if got := s.giveUp.Seconds(); got < tc.giveUp-0.001 || got > tc.giveUp+0.001 {
				t.Errorf("give-up %.3f s, want %.3f s", got, tc.giveUp)
			}
			if len(tc.times) > 1 && len(s.intervals) != len(tc.times)-1 {
				t.Errorf("%d intervals for %d SYNs", len(s.intervals), len(tc.times))
			}
		})
	}
}

// TestInferVantage: where the capture was taken, from the two sides' TTLs and handshake timing.
func TestInferVantage(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name                   string
		clientTTL, serverTTL   uint8
		clientSeen, serverSeen bool
		t1, t2                 time.Duration // SYN to SYN-ACK, SYN-ACK to ACK
		where                  vantagePoint
		clientHops, serverHops int
	}{
		{"on the client: server one hop away", 64, 63, true, true, 0, 0, vantageClient, 0, 1},
		{"on a Windows server, Linux client 3 hops away", 61, 128, true, true, 0, 0, vantageServer, 3, 0},
		{"between: routers on both sides", 62, 126, true, true, 0, 0, vantageBetween, 2, 2},
		{"same link, client by timing", 64, 64, true, true, 30 * ms, 20 * time.Microsecond, vantageClient, 0, 0},
		{"same link, server by timing", 64, 64, true, true, 20 * time.Microsecond, 30 * ms, vantageServer, 0, 0},
		{"same link, too fast to tell", 64, 64, true, true, 50 * time.Microsecond, 12 * time.Microsecond, vantageSameLink, 0, 0},
		{"only client packets, initial TTL", 64, 0, true, false, 0, 0, vantageClient, 0, -1},
		{"only client packets, routed", 125, 0, true, false, 0, 0, vantageBetween, 3, -1},
		{"only server packets, initial TTL", 0, 255, false, true, 0, 0, vantageServer, -1, 0},
		{"nothing", 0, 0, false, false, 0, 0, vantageUnknown, -1, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := inferVantage(tc.clientTTL, tc.serverTTL, tc.clientSeen, tc.serverSeen, tc.t1, tc.t2)
			if v.where != tc.where || v.clientHops != tc.clientHops || v.serverHops != tc.serverHops {
				t.Errorf("vantage %s (hops %d/%d: %s), want %s (hops %d/%d)", v.where, v.clientHops, v.serverHops, v.describe(), tc.where, tc.clientHops, tc.serverHops)
			}
		})
	}
}

// TestICMPKinds: ICMP and ICMPv6 type/code to what they mean for a connection.
func TestICMPKinds(t *testing.T) {
	cases := []struct {
		v6        bool
		typ, code uint8
		want      icmpKind
	}{
		{false, 3, 13, icmpFirewall}, {false, 3, 9, icmpFirewall}, {false, 3, 10, icmpFirewall},
		{false, 3, 3, icmpFirewall}, {false, 3, 2, icmpFirewall},
		{false, 3, 0, icmpUnreachable}, {false, 3, 1, icmpUnreachable}, {false, 11, 0, icmpUnreachable},
		{false, 3, 4, icmpFragNeeded},
		{true, 1, 1, icmpFirewall}, {true, 1, 4, icmpFirewall}, {true, 1, 5, icmpFirewall}, {true, 1, 6, icmpFirewall},
		{true, 1, 0, icmpUnreachable}, {true, 1, 3, icmpUnreachable}, {true, 3, 0, icmpUnreachable},
		{true, 2, 0, icmpFragNeeded},
		{false, 5, 0, icmpOther}, {true, 4, 0, icmpOther},
	}
	for _, tc := range cases {
		if got := kindOf(facts.ICMP{V6: tc.v6, Type: tc.typ, Code: tc.code}); got != tc.want {
			t.Errorf("v6=%v type %d code %d: kind %d, want %d", tc.v6, tc.typ, tc.code, got, tc.want)
		}
	}
}

// TestSilentHost: a blackhole's packets fit a host that went down as well as a path that drops
// them, unless that host sent more after the loss began (data, or duplicate ACKs).
func TestSilentHost(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	ref := func(frame int) facts.Ref { return facts.MakeRef(frame, at) }
	lost := blackhole{from: facts.Client, lost: []facts.Segment{{Len: 82, Sends: 6, First: ref(25), Last: ref(31)}}}
	cases := []struct {
		name       string
		b          blackhole
		serverData int // frame of the server's last payload (0: none)
		serverDup  int // frame of the server's first duplicate ACK (0: none)
		clientData int
		host       int
		silent     bool
	}{
		{"receiver silent after the loss (path-data-blackhole.pcap)", lost, 20, 0, 25, facts.Server, true},
		{"receiver sent data after the loss", lost, 27, 0, 25, facts.Server, false},
		{"receiver sent duplicate ACKs after the loss", lost, 20, 28, 25, facts.Server, false},
		{"sender never filled the hole and sent nothing after", blackhole{from: facts.Client, hole: true}, 20, 0, 30, facts.Client, true},
		{"sender kept sending new data past the hole", blackhole{from: facts.Client, hole: true}, 20, 0, 35, facts.Client, false},
	}
	for _, tc := range cases {
		c := &facts.Conn{}
		c.Side[facts.Server].LastPayload = ref(tc.serverData)
		c.Side[facts.Client].LastPayload = ref(tc.clientData)
		c.Path.Side[facts.Server].Rare = &facts.PathRare{DupRef: ref(tc.serverDup)}
		if tc.b.hole {
			c.Path.Side[facts.Client].Rare = &facts.PathRare{Loss: &facts.Loss{Hole: true, HoleAfter: ref(30)}}
		}
		host, silent := silentHost(c, tc.b)
		if host != tc.host || silent != tc.silent {
			t.Errorf("%s: host %d, silent %v; want %d, %v", tc.name, host, silent, tc.host, tc.silent)
		}
	}
}
