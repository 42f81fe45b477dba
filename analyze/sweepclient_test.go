package analyze

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// flowVerdicts lists a result's flows as "client server verdict", in order.
func flowVerdicts(res *result.Result) []string {
	var out []string
	for _, f := range res.Flows.Slice() {
		out = append(out, fmt.Sprintf("%s %s %s", f.Client, f.Server, f.Verdict))
	}
	return out
}

// sweepWarnings lists a result's port-sweep and port-sweep-or-client warnings as "code frame:
// text".
func sweepWarnings(res *result.Result) []string {
	var out []string
	for _, w := range warningsOf(res, "port-sweep", "port-sweep-or-client") {
		out = append(out, fmt.Sprintf("%s %d: %s", w.Code, w.Frame, w.Message))
	}
	return out
}

// TestSweepNarrowed: a sweep is seen whole when the analysis is narrowed to some of its hosts
// (--host, with --port or not): the SYNs to the hosts outside the analysed ones, and their
// answers, are counted (track/unmatched), so the narrowed run names the same sweep (40 hosts, 76
// probes, frames 4-86 of port-sweep.pcap; 40 hosts, 76 probes, frames 1-84 of the connect()
// sweep), gives the same warning, and every analysed connection the verdict the whole run gives
// it: the swept addresses' probes port-scan (before: syn-timeout or refused, and "2 agents in 5
// connections get no answer" from the real agent's server 10.91.2.5), the real agent 10.91.1.3's
// three attempts to 10.91.2.5 syn-timeout.
func TestSweepNarrowed(t *testing.T) {
	host := func(a string) []netip.Addr { return []netip.Addr{netip.MustParseAddr(a)} }
	cases := []struct {
		file   string
		opts   Options
		counts string
		flows  []string
	}{
		{"port-sweep.pcap", Options{Hosts: host("10.91.2.5")}, "failed 3 of 5; syn-timeout 3 port-scan 2; servers 10.91.2.5:4343 3/3; agents 10.91.1.3 3/3",
			[]string{"10.91.1.3:45551 10.91.2.5:4343 syn-timeout", "10.91.1.9:45410 10.91.2.5:4343 port-scan", "10.91.1.3:44117 10.91.2.5:4343 syn-timeout",
				"10.91.1.9:45412 10.91.2.5:4343 port-scan", "10.91.1.3:46519 10.91.2.5:4343 syn-timeout"}},
		{"port-sweep.pcap", Options{Hosts: host("10.91.2.8")}, "failed 0 of 2; port-scan 2; servers; agents",
			[]string{"10.91.1.9:45410 10.91.2.8:4343 port-scan", "10.91.1.9:45412 10.91.2.8:4343 port-scan"}},
		{"port-sweep.pcap", Options{Hosts: host("10.91.2.4"), Ports: []uint16{4343}}, "failed 0 of 1; port-scan 1; servers; agents",
			[]string{"10.91.1.9:45410 10.91.2.4:4343 port-scan"}},
		{"port-sweep.pcap", Options{Hosts: host("10.91.2.2"), Ports: []uint16{4343}}, "failed 0 of 2; ok 1 port-scan 1; servers 10.91.2.2:4343 0/1; agents 10.91.1.1 0/1",
			[]string{"10.91.1.9:45410 10.91.2.2:4343 port-scan", "10.91.1.1:38196 10.91.2.2:4343 ok"}},
		{"port-sweep-connect.pcap", Options{Hosts: host("10.91.2.8")}, "failed 0 of 2; port-scan 2; servers; agents",
			[]string{"10.91.1.9:54668 10.91.2.8:4343 port-scan", "10.91.1.9:54678 10.91.2.8:4343 port-scan"}},
		{"port-sweep-connect.pcap", Options{Hosts: host("10.91.2.6")}, "failed 0 of 1; port-scan 1; servers; agents",
			[]string{"10.91.1.9:57600 10.91.2.6:4343 port-scan"}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %v %v", tc.file, tc.opts.Hosts, tc.opts.Ports), func(t *testing.T) {
			path := filepath.Join(ownCaptures, "accuracy", tc.file)
			whole, err := File(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := File(path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(whole.Summary.Sweeps) != 1 || !reflect.DeepEqual(res.Summary.Sweeps, whole.Summary.Sweeps) {
				t.Errorf("sweeps %+v\nwant the whole run's %+v", res.Summary.Sweeps, whole.Summary.Sweeps)
			}
			if got, want := sweepWarnings(res), sweepWarnings(whole); !slices.Equal(got, want) || len(want) != 1 {
				t.Errorf("warnings\n%s\nwant the whole run's\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if got := sweepVerdicts(res); got != tc.counts {
				t.Errorf("counts\n%s\nwant\n%s", got, tc.counts)
			}
			got := flowVerdicts(res)
			if !slices.Equal(got, tc.flows) {
				t.Errorf("flows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.flows, "\n"))
			}
			wholeFlows := flowVerdicts(whole)
			for _, f := range got {
				if !slices.Contains(wholeFlows, f) {
					t.Errorf("%s: not the whole run's verdict", f)
				}
			}
		})
	}
}

// TestSweepConnect: port-sweep-connect.pcap (testdata/make-accuracy-captures.sh
// port-sweep-connect: nmap -sT -Pn -T4 over port 4343 of 10.91.2.1-40 from 10.91.1.9, through
// the system's connect(), a new source port and the system's SYN each) is still a sweep: its
// probes to hosts that never answered are followed by the next host's within microseconds, in
// parallel, as no client walking its list does. Its 76 probes are port-scan; the agent's ok.
func TestSweepConnect(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "accuracy", "port-sweep-connect.pcap"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Sweeps) != 1 {
		t.Fatalf("sweeps %+v, want one", res.Summary.Sweeps)
	}
	sw := res.Summary.Sweeps[0]
	sw.Start, sw.End = sw.Start.UTC(), sw.End.UTC()
	want := "{Client:10.91.1.9 Port:4343 Hosts:40 Open:2 Refused:2 Silent:36 Unreachable:3 Flows:76 FirstFrame:1 LastFrame:84 " +
		"Start:2026-12-07 23:30:30.237349 +0000 UTC End:2026-12-07 23:30:30.738039 +0000 UTC FirstAt:<nil> LastAt:<nil>}"
	if got := fmt.Sprintf("%+v", sw); got != want {
		t.Errorf("sweep %s\nwant %s", got, want)
	}
	const counts = "failed 0 of 77; ok 1 port-scan 76; servers 10.91.2.2:4343 0/1; agents 10.91.1.1 0/1"
	if got := sweepVerdicts(res); got != counts {
		t.Errorf("counts\n%s\nwant\n%s", got, counts)
	}
	wantWarnings := []string{"port-sweep 1: 10.91.1.9 probed port 4343 on 40 hosts (76 connection attempts without data over 501 ms, " +
		"the first in frame 1; 33 hosts never answered, 3 unreachable (the path answered with ICMP), 2 refused, 2 answered): a sweep of one port across hosts (a scanner, a worm, an " +
		"inventory tool), not agents failing; its attempts have the verdict port-scan and count in no server's row and no agent's"}
	if got := sweepWarnings(res); !slices.Equal(got, wantWarnings) {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantWarnings, "\n"))
	}
}

// TestSweepClient: a real client walking its list of 30 server addresses on 4343 one after
// another, each connect() given up (1.5 s: 2 SYNs; 0.5 s: one) before the next, from a new
// source port each (testdata/make-accuracy-captures.sh sweep-client, sweep-client-short), fails
// on 30 hosts with one or two SYNs each, as a sweep does; nothing in its packets shows a scanner,
// so every attempt keeps its own verdict (29 syn-timeout, 10.91.2.6's refused), counted in its
// server's row and the client's, and the port-sweep-or-client warning names both readings: a
// client walking its list, or a scan as slow as one connection at a time. Narrowed to one of its
// servers, the same.
func TestSweepClient(t *testing.T) {
	const what = "mostly one host after another from a new source port each: a client walking its list of server addresses (several servers, a " +
		"name with many addresses) that fail it, or a scan as slow as one connection at a time (nmap -sT -T1); the packets show too little of a " +
		"scanner's signs (fewer than half the hosts probed from a source port another host's probe used, fewer than a quarter of the attempts " +
		"in parallel), so its attempts keep their own verdicts and count in their servers' rows"
	// In Japanese the two readings are a sentence of their own (review: an English colon before it).
	const whatJa = "ほぼ 1 台ずつ順に、ほぼ毎回新しい送信元ポートからの試行です。サーバーアドレスの一覧を順にたどるクライアント（複数のサーバー、" +
		"多数のアドレスを持つ名前）が接続できずにいるか、1 接続ずつ進む低速なスキャン（nmap -sT -T1）です。"
	ja := knowledge.CatalogOf(knowledge.Japanese)
	var servers strings.Builder
	servers.WriteString("10.91.2.2:4343 0/1 10.91.2.5:4343 1/1 10.91.2.6:4343 1/1")
	for i := 11; i <= 38; i++ {
		fmt.Fprintf(&servers, " 10.91.2.%d:4343 1/1", i)
	}
	cases := []struct {
		file, over string
		opts       Options
		counts     string
	}{
		{"sweep-client.pcap", "42.1 s", Options{}, "failed 30 of 31; ok 1 refused 1 syn-timeout 29; servers " + servers.String() + "; agents 10.91.1.1 0/1 10.91.1.7 30/30"},
		{"sweep-client.pcap", "42.1 s", Options{Hosts: []netip.Addr{netip.MustParseAddr("10.91.2.20")}},
			"failed 1 of 1; syn-timeout 1; servers 10.91.2.20:4343 1/1; agents 10.91.1.7 1/1"},
		{"sweep-client-short.pcap", "14.1 s", Options{}, "failed 30 of 31; ok 1 refused 1 syn-timeout 29; servers " + servers.String() + "; agents 10.91.1.1 0/1 10.91.1.7 30/30"},
		{"sweep-client-short.pcap", "14.1 s", Options{Hosts: []netip.Addr{netip.MustParseAddr("10.91.2.6")}, Ports: []uint16{4343}},
			"failed 1 of 1; refused 1; servers 10.91.2.6:4343 1/1; agents 10.91.1.7 1/1"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %v %v", tc.file, tc.opts.Hosts, tc.opts.Ports), func(t *testing.T) {
			res, err := File(filepath.Join(ownCaptures, "accuracy", tc.file), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Summary.Sweeps) != 0 || len(res.Summary.Scans) != 0 {
				t.Errorf("sweeps %+v, scans %+v; want none", res.Summary.Sweeps, res.Summary.Scans)
			}
			want := []string{"port-sweep-or-client 1: 10.91.1.7 tried port 4343 on 30 hosts (30 connection attempts without data over " + tc.over +
				", the first in frame 1; 29 hosts never answered, 0 unreachable (the path answered with ICMP), 1 refused, 0 answered), " + what}
			if got := sweepWarnings(res); !slices.Equal(got, want) {
				t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, w := range res.Warnings {
				if w.Code == "port-sweep-or-client" && !strings.Contains(ja.Render(w.Message), whatJa) {
					t.Errorf("warning in Japanese:\n%s\nwant it to hold\n%s", ja.Render(w.Message), whatJa)
				}
			}
			if got := sweepVerdicts(res); got != tc.counts {
				t.Errorf("counts\n%s\nwant\n%s", got, tc.counts)
			}
		})
	}
}

// TestSweepClientICMP: the client of sweep-client-short walks its list of 30 addresses while a
// router rejects 28 of them with ICMP host unreachable (testdata/make-accuracy-captures.sh
// sweep-client-icmp): its connect() fails at once, so each of those hosts is followed by the next
// one's SYN within a millisecond, as a scanner's quiet hosts are; but the ICMP errors answered
// them, so the whole run keeps each attempt's verdict (unreachable) and warns port-sweep-or-client.
// Narrowed to one of its servers (--host), tracking skips the other hosts' connections and so
// their ICMP errors too: it must still count those errors as their answers (track/unmatched),
// else the narrowed run sees 28 quiet hosts followed within 100 ms, a scanner's burst, and calls
// the analysed attempt port-scan (it did, before: for every one of the 31 servers). The warning
// counts the 28 hosts the router answered for as unreachable, not as hosts that never answered
// (before: "29 hosts never answered"), whole and narrowed alike.
func TestSweepClientICMP(t *testing.T) {
	path := filepath.Join(ownCaptures, "accuracy", "sweep-client-icmp.pcap")
	whole, err := File(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var servers strings.Builder
	servers.WriteString("10.91.2.2:4343 0/1 10.91.2.5:4343 1/1 10.91.2.6:4343 1/1")
	for i := 11; i <= 38; i++ {
		fmt.Fprintf(&servers, " 10.91.2.%d:4343 1/1", i)
	}
	wantWhole := "failed 30 of 31; ok 1 refused 1 syn-timeout 1 unreachable 28; servers " + servers.String() + "; agents 10.91.1.1 0/1 10.91.1.7 30/30"
	if got := sweepVerdicts(whole); got != wantWhole {
		t.Fatalf("whole run: counts\n%s\nwant\n%s", got, wantWhole)
	}
	wantWarning := []string{"port-sweep-or-client 1: 10.91.1.7 tried port 4343 on 30 hosts (30 connection attempts without data over 502 ms, " +
		"the first in frame 1; 1 host never answered, 28 unreachable (the path answered with ICMP), 1 refused, 0 answered), mostly one host after another from a new source port each: a " +
		"client walking its list of server addresses (several servers, a name with many addresses) that fail it, or a scan as slow as one " +
		"connection at a time (nmap -sT -T1); the packets show too little of a scanner's signs (fewer than half the hosts probed from a source " +
		"port another host's probe used, fewer than a quarter of the attempts in parallel), so its attempts keep their own verdicts and count " +
		"in their servers' rows"}
	if got := sweepWarnings(whole); !slices.Equal(got, wantWarning) {
		t.Errorf("whole run: warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantWarning, "\n"))
	}
	const countsJa = "1 台は応答なし、28 台は到達不能（経路上の機器が ICMP で応答）、1 台は拒否、0 台が応答"
	for _, w := range whole.Warnings {
		if got := knowledge.CatalogOf(knowledge.Japanese).Render(w.Message); w.Code == "port-sweep-or-client" && !strings.Contains(got, countsJa) {
			t.Errorf("whole run: warning in Japanese:\n%s\nwant it to hold\n%s", got, countsJa)
		}
	}
	cases := []struct {
		host, flow string
	}{
		{"10.91.2.20", "10.91.1.7:55279 10.91.2.20:4343 unreachable"},
		{"10.91.2.11", "10.91.1.7:49931 10.91.2.11:4343 unreachable"}, // the first rejected host
		{"10.91.2.5", "10.91.1.7:46561 10.91.2.5:4343 syn-timeout"},   // the one host that dropped the SYN
		{"10.91.2.6", "10.91.1.7:40385 10.91.2.6:4343 refused"},
	}
	wholeFlows := flowVerdicts(whole)
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			res, err := File(path, Options{Hosts: []netip.Addr{netip.MustParseAddr(tc.host)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := flowVerdicts(res); !slices.Equal(got, []string{tc.flow}) {
				t.Errorf("flows %q, want %q", got, tc.flow)
			}
			if !slices.Contains(wholeFlows, tc.flow) {
				t.Errorf("%s: not the whole run's verdict", tc.flow)
			}
			if len(res.Summary.Sweeps) != 0 {
				t.Errorf("sweeps %+v, want none", res.Summary.Sweeps)
			}
			if got := sweepWarnings(res); !slices.Equal(got, wantWarning) {
				t.Errorf("warnings\n%s\nwant the whole run's\n%s", strings.Join(got, "\n"), strings.Join(wantWarning, "\n"))
			}
		})
	}
}
