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
// FIELD-NOTES.md, and the give-up time each implies: the last SYN plus the next timeout (twice the
// last interval, but 1 s in Linux's linear phase and 2 s after its five 1 s intervals).
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
		{"two linear retries: the next SYN was due 1 s after the last (accuracy/port-sweep.pcap)", secs(0, 1, 2), scheduleLinuxLinear, 3},
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
				t.Errorf("schedule %q (intervals %s), want %q", s.name, s.intervalTexts(), tc.want)
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

// TestHostAfterLoss: a blackhole's packets fit a host that went down as well as a path that
// drops them, unless that host sent anything after the loss began: data, duplicate ACKs, a FIN,
// a reset, or a pure ACK that does not cover the data (Loss.PeerLast; Loss.Last for the sender
// of a hole). The first such packet is the one named.
func TestHostAfterLoss(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	ref := func(frame int) facts.Ref {
		if frame == 0 {
			return facts.Ref{}
		}
		return facts.MakeRef(frame, at)
	}
	lost := blackhole{from: facts.Client, lost: []facts.Segment{{Len: 82, Sends: 6, First: ref(25), Last: ref(31)}}}
	hole := blackhole{from: facts.Client, hole: true}
	type host struct{ data, dup, fin, rst, last int } // frames of the silent host's packets (0: none)
	cases := []struct {
		name   string
		b      blackhole
		h      host
		client int // the client's last payload
		host   int
		later  int // frame of the packet named (0: silent)
		key    string
	}{
		{"receiver silent after the loss (path-data-blackhole.pcap)", lost, host{data: 20, last: 24}, 25, facts.Server, 0, ""},
		{"receiver sent data after the loss", lost, host{data: 27, last: 27}, 25, facts.Server, 27, "path.sent-data"},
		{"receiver sent duplicate ACKs after the loss", lost, host{data: 20, dup: 28, last: 30}, 25, facts.Server, 28, "path.sent-dup-ack"},
		{"receiver sent a FIN after the loss (data-unacked-server-fin.pcap)", lost, host{fin: 29, last: 29}, 25, facts.Server, 29, "path.sent-fin"},
		{"receiver's FIN came before the loss", lost, host{fin: 22, last: 22}, 25, facts.Server, 0, ""},
		{"receiver sent a pure ACK after the loss (data-unacked-server-ack.pcap)", lost, host{last: 29}, 25, facts.Server, 29, "path.sent-packet"},
		{"receiver reset after the loss", lost, host{rst: 33, last: 33}, 25, facts.Server, 33, "path.sent-rst"},
		{"receiver's FIN, then its data: the first named", lost, host{fin: 26, data: 30, last: 30}, 25, facts.Server, 26, "path.sent-fin"},
		{"sender never filled the hole and sent nothing after", hole, host{}, 30, facts.Client, 0, ""},
		{"sender kept sending new data past the hole", hole, host{}, 35, facts.Client, 35, "path.sent-data"},
		{"sender sent only a pure ACK past the hole", hole, host{last: 36}, 30, facts.Client, 36, "path.sent-packet"},
	}
	for _, tc := range cases {
		c := &facts.Conn{}
		h := 1 - tc.b.from
		if tc.b.hole {
			h = tc.b.from
		}
		c.Side[facts.Client].LastPayload = ref(tc.client)
		if h != facts.Client {
			c.Side[h].LastPayload = ref(tc.h.data)
		}
		c.Side[h].FIN = ref(tc.h.fin)
		c.Path.Side[h].Rare = &facts.PathRare{DupRef: ref(tc.h.dup)}
		if tc.h.rst != 0 {
			c.RSTs = []facts.RST{{Ref: ref(tc.h.rst), From: uint8(h)}}
		}
		l := &facts.Loss{PeerLast: ref(tc.h.last)}
		if tc.b.hole {
			l = &facts.Loss{Hole: true, HoleAfter: ref(30), Last: ref(max(tc.h.last, tc.client))}
		}
		c.Path.Side[tc.b.from].Rare = &facts.PathRare{Loss: l}
		host, later := hostAfterLoss(c, tc.b)
		if host != tc.host || later.ref.Num() != tc.later || later.key != tc.key {
			t.Errorf("%s: host %d, later frame %d %q; want %d, %d %q", tc.name, host, later.ref.Num(), later.key, tc.host, tc.later, tc.key)
		}
	}
}
