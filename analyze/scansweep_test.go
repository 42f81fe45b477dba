package analyze

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// sweepVerdicts is what a result says in one line per verdict: its verdicts counted, each
// server row's verdicts, the agents and the failed count.
func sweepVerdicts(res *result.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "failed %d of %d;", res.Summary.Failed, res.Summary.Flows)
	for _, v := range res.Summary.Verdicts {
		fmt.Fprintf(&b, " %s %d", v.Verdict, v.Count)
	}
	b.WriteString("; servers")
	for _, s := range res.Summary.Servers {
		fmt.Fprintf(&b, " %s %d/%d", s.Server, s.Failed, s.Flows)
	}
	b.WriteString("; agents")
	for _, a := range res.Summary.Agents {
		fmt.Fprintf(&b, " %s %d/%d", a.Agent, a.Failed, a.Flows)
	}
	return b.String()
}

// TestPortSweep: accuracy/port-sweep.pcap (testdata/make-accuracy-captures.sh port-sweep: nmap
// -sS -Pn over port 4343 of 10.91.2.1-40 from 10.91.1.9, 2 of them listening, 2 refusing, the
// rest dropped or no host; a real agent failing to reach its server three times and one
// succeeding) names the sweep in summary.sweeps and a port-sweep warning, gives its 76 probes
// port-scan (the reason keeps what each got), and counts them in no server's row and no agent:
// the capture's failures are the agent 10.91.1.3's three syn-timeouts. Listed or not (max 4
// flows listed), the counts are the same.
func TestPortSweep(t *testing.T) {
	path := filepath.Join(ownCaptures, "accuracy", "port-sweep.pcap")
	wantSweep := result.Sweep{Client: "10.91.1.9", Port: 4343, Hosts: 40, Open: 2, Refused: 2, Silent: 36, Unreachable: 3, Flows: 76, FirstFrame: 4, LastFrame: 86}
	const (
		wantCounts = "failed 3 of 80; ok 1 syn-timeout 3 port-scan 76; servers 10.91.2.2:4343 0/1 10.91.2.5:4343 3/3; " +
			"agents 10.91.1.1 0/1 10.91.1.3 3/3"
		wantWarning = "10.91.1.9 probed port 4343 on 40 hosts (76 connection attempts without data over 503 ms, the first in " +
			"frame 4; 33 hosts never answered, 3 unreachable (the path answered with ICMP), 2 refused, 2 answered): a sweep of one port across hosts (a scanner, a worm, an " +
			"inventory tool), not agents failing; its attempts have the verdict port-scan and count in no server's row and no agent's"
		sweepOf = "one of 76 probes from 10.91.1.9 to port 4343 on 40 hosts (33 hosts never answered, 3 unreachable (the path answered with ICMP), 2 refused, " +
			"2 answered with a SYN-ACK) over 503 ms: a sweep of one port across hosts, not a client failing; this probe: "
		// The reason and the warning split the hosts alike (review: "38 of them never answered
		// with a SYN-ACK, 2 of those refused" beside the warning's "36 hosts never answered").
		sweepOfJa = "10.91.1.9 から 40 台のホストのポート 4343 への 76 件のプローブの一つです（33 台は応答なし、3 台は到達不能（経路上の機器が ICMP で応答）、" +
			"2 台は拒否、2 台が SYN-ACK で応答、期間 503 ms）。1 つのポートを多数のホストにわたって調べるスイープであり、クライアントの障害ではありません。このプローブ: "
	)
	ja := knowledge.CatalogOf(knowledge.Japanese)
	wantReasons := map[int]string{
		4: sweepOf + "the server answered the SYN with a reset: nothing listens on 10.91.2.4:4343, or a host firewall on the " +
			"server rejects the port with a reset (iptables REJECT --reject-with tcp-reset gives the same packet)",
		8: sweepOf + "the one SYN to 10.91.2.8:4343 was never answered; the SYN passed the capture point " +
			"and no answer came back through it: whatever drops it is beyond this point, towards the server; attempt 1 of 2 " +
			"from 10.91.1.9 to 10.91.2.8:4343 in this capture (flows #8, #23), each from a new source port",
	}
	for _, maxFlows := range []int{0, 4} {
		t.Run(fmt.Sprintf("max-flows %d", maxFlows), func(t *testing.T) {
			res, err := File(path, Options{MaxFlows: maxFlows})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Summary.Sweeps) != 1 || len(res.Summary.Scans) != 0 {
				t.Fatalf("sweeps %+v, scans %+v; want one sweep, no scan", res.Summary.Sweeps, res.Summary.Scans)
			}
			got := res.Summary.Sweeps[0]
			if got.End.Sub(got.Start) != 503406*time.Microsecond {
				t.Errorf("sweep from %v to %v, want 503.406 ms", got.Start, got.End)
			}
			got.Start, got.End = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, wantSweep) {
				t.Errorf("sweep %+v\nwant %+v", got, wantSweep)
			}
			if ws := warningsOf(res, "port-sweep", "port-scan"); len(ws) != 1 || ws[0].Code != "port-sweep" || ws[0].Frame != 4 || ws[0].Message != wantWarning {
				t.Errorf("warnings %+v\nwant one port-sweep at frame 4: %s", ws, wantWarning)
			}
			if got := sweepVerdicts(res); got != wantCounts {
				t.Errorf("counts\n%s\nwant\n%s", got, wantCounts)
			}
			for _, g := range res.Summary.Fleet {
				if slices.Contains(g.Agents, "10.91.1.9") {
					t.Errorf("the sweeper is in a fleet group: %+v", g)
				}
			}
			for _, f := range res.Flows.Slice() {
				if want, ok := wantReasons[f.ID]; ok && say(f.Reason) != want {
					t.Errorf("flow #%d's reason:\n%s\nwant\n%s", f.ID, say(f.Reason), want)
				}
				if _, ok := wantReasons[f.ID]; ok && !strings.HasPrefix(ja.Render(f.Reason), sweepOfJa) {
					t.Errorf("flow #%d's reason in Japanese:\n%s\nwant it to start\n%s", f.ID, ja.Render(f.Reason), sweepOfJa)
				}
				if strings.HasPrefix(string(f.Client), "10.91.1.9:") != (f.Verdict == result.VerdictPortScan) {
					t.Errorf("flow #%d %s -> %s: %s", f.ID, f.Client, f.Server, f.Verdict)
				}
			}
		})
	}
}

// TestSweepNegatives: accuracy/sweep-negatives.pcap (one agent's 30 short connect() attempts to
// its dead server, and 30 agents each trying it once) holds no sweep and no scan: every one of
// its 60 connections stays syn-timeout, counted in the server's row and its agent's.
func TestSweepNegatives(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "accuracy", "sweep-negatives.pcap"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Sweeps) != 0 || len(res.Summary.Scans) != 0 || len(warningsOf(res, "port-sweep", "port-scan")) != 0 {
		t.Errorf("sweeps %+v, scans %+v, warnings %+v; want none", res.Summary.Sweeps, res.Summary.Scans, warningsOf(res, "port-sweep", "port-scan"))
	}
	sum := res.Summary
	if sum.Failed != 60 || sum.Flows != 60 || len(sum.Verdicts) != 1 || sum.Verdicts[0] != (result.VerdictCount{Verdict: result.VerdictSYNTimeout, Count: 60}) ||
		len(sum.Servers) != 1 || sum.Servers[0].Server != "10.91.2.5:4343" || sum.Servers[0].Failed != 60 || len(sum.Agents) != 31 {
		t.Errorf("%s; want 60 of 60 failed, syn-timeout 60, one server row 10.91.2.5:4343 60/60, 31 agents", sweepVerdicts(res))
	}
	// The agent's 30 attempts are numbered out of 30, though the context keeps the IDs of the
	// first 16 only: those 16 by their number, the others as one of the 30.
	en := knowledge.CatalogOf(knowledge.English)
	const first16 = "flows #1, #2, #3, #4, #5, #6, #7, #8, #9, #10, #11, #12, #13, #14, #15, #16 and 14 more"
	for _, f := range res.Flows.All() {
		if f.Client[:len("10.91.1.1:")] != "10.91.1.1:" {
			continue
		}
		want := fmt.Sprintf("; attempt %d of 30 from 10.91.1.1 to 10.91.2.5:4343 in this capture (%s), each from a new source port", f.ID, first16)
		if f.ID > 16 {
			want = "; one of 30 attempts from 10.91.1.1 to 10.91.2.5:4343 in this capture (" + first16 + ", this one among them), each from a new source port"
		}
		if r := en.Render(f.Reason); !strings.HasSuffix(r, want) {
			t.Errorf("flow #%d reason %q; want it to end %q", f.ID, r, want)
		}
	}
}

// TestTwoPointScans: twopoint/scans-{agent,server}.pcap (testdata/make-twopoint-captures.sh scans:
// an nmap port scan of 10.92.2.2 and a sweep of port 4343 over 10.92.2.1-30 from 10.92.1.9, seen
// at the agent's side and the server's) read as two capture points name the capture each scan's
// frames are in, in summary.scans and .sweeps and in the warnings; narrowed to port 4343, the
// SYNs outside it seen at both points count once, and the first and last frame stay the agent
// capture's (frame numbers of two captures are not compared).
func TestTwoPointScans(t *testing.T) {
	dir := filepath.Join(ownCaptures, "twopoint")
	agent := &result.EvidenceAt{Vantage: 0, Name: result.Msg("vantage.file", result.File("name", "agent"))}
	ja := knowledge.CatalogOf(knowledge.Japanese)
	cases := []struct {
		name       string
		opts       Options
		scan       result.Scan
		sweepFlows int
		warnings   []string
	}{
		{name: "whole", scan: result.Scan{Client: "10.92.1.9", Server: "10.92.2.2", Ports: 31, Flows: 32, Open: 1, Refused: 20, OpenPorts: []int{4343},
			FirstFrame: 18, LastFrame: 71, FirstAt: agent, LastAt: agent}, sweepFlows: 31,
			warnings: []string{
				"port-scan 18: 10.92.1.9 probed 31 ports of 10.92.2.2 (32 connection attempts without data, the first in frame 18 of agent; " +
					"1 port answered, 20 refused, 10 never answered): a port scan, not clients failing; its attempts have the verdict port-scan and " +
					"count in no server's row",
				"port-sweep 51: 10.92.1.9 probed port 4343 on 30 hosts (31 connection attempts without data over 401 ms, the first in frame 51 " +
					"of agent; 29 hosts never answered, 0 unreachable (the path answered with ICMP), 0 refused, 1 answered): a sweep of one port across hosts (a scanner, a worm, an " +
					"inventory tool), not agents failing; its attempts have the verdict port-scan and count in no server's row and no agent's",
			}},
		{name: "--port 4343", opts: Options{Ports: []uint16{4343}}, scan: result.Scan{Client: "10.92.1.9", Server: "10.92.2.2", Ports: 31, Flows: 2,
			Open: 1, OpenPorts: []int{4343}, FirstFrame: 18, LastFrame: 71, OutsidePorts: 30, OutsideSYNs: 30, FirstAt: agent, LastAt: agent}, sweepFlows: 31,
			warnings: []string{
				"port-scan 18: 10.92.1.9 probed 31 ports of 10.92.2.2: 2 connection attempts without data on the analysed ports and hosts, and " +
					"30 SYNs to 30 other ports outside them (not analysed, but counted); the first in frame 18 of agent; 1 port answered with a " +
					"SYN-ACK, 0 of the analysed refused (a reset outside them is not counted): a port scan, not clients failing; its analysed attempts have the verdict port-scan and count in no server's row",
				"port-sweep 51: 10.92.1.9 probed port 4343 on 30 hosts (31 connection attempts without data over 401 ms, the first in frame 51 " +
					"of agent; 29 hosts never answered, 0 unreachable (the path answered with ICMP), 0 refused, 1 answered): a sweep of one port across hosts (a scanner, a worm, an " +
					"inventory tool), not agents failing; its attempts have the verdict port-scan and count in no server's row and no agent's",
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inputs := []pcapfile.Input{{Path: filepath.Join(dir, "scans-agent.pcap"), Point: "agent"}, {Path: filepath.Join(dir, "scans-server.pcap"), Point: "server"}}
			r, err := pcapfile.OpenInputs(inputs, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			opts := tc.opts
			opts.Reopen = func() (*pcapfile.Reader, error) { return pcapfile.OpenInputs(inputs, nil) }
			res, err := Reader(r, inputs[0].Path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Summary.Scans) != 1 || len(res.Summary.Sweeps) != 1 {
				t.Fatalf("scans %+v, sweeps %+v; want one of each", res.Summary.Scans, res.Summary.Sweeps)
			}
			sc := res.Summary.Scans[0]
			sc.Start, sc.End = time.Time{}, time.Time{}
			if !reflect.DeepEqual(sc, tc.scan) {
				t.Errorf("scan %+v\nwant %+v", sc, tc.scan)
			}
			sw := res.Summary.Sweeps[0]
			sw.Start, sw.End = time.Time{}, time.Time{}
			wantSweep := result.Sweep{Client: "10.92.1.9", Port: 4343, Hosts: 30, Open: 1, Silent: 29, Flows: tc.sweepFlows, FirstFrame: 51, LastFrame: 102,
				FirstAt: agent, LastAt: agent}
			if !reflect.DeepEqual(sw, wantSweep) {
				t.Errorf("sweep %+v\nwant %+v", sw, wantSweep)
			}
			var ws []string
			for _, w := range warningsOf(res, "port-scan", "port-sweep") {
				ws = append(ws, fmt.Sprintf("%s %d: %s", w.Code, w.Frame, w.Message))
			}
			if !slices.Equal(ws, tc.warnings) {
				t.Errorf("warnings\n%s\nwant\n%s", strings.Join(ws, "\n"), strings.Join(tc.warnings, "\n"))
			}
			// The scan's ports split as the packets do: 1 SYN-ACK, 20 RSTs, 10 without an answer
			// (review: "1 port answered" alone read as 30 ports dropped).
			// Narrowed, the resets outside the analysed ports are not seen: it says so.
			wantJa := "10.92.1.9 が 10.92.2.2 の 31 個のポートをプローブしました（データのない接続試行 32 件、最初は agent のフレーム 18。" +
				"1 個のポートが応答、20 個が拒否、10 個は応答なし）。ポートスキャンであり、クライアントの障害ではありません。" +
				"これらの試行の判定は port-scan で、どのサーバーの行にも数えていません"
			if tc.opts.Ports != nil {
				wantJa = "10.92.1.9 が 10.92.2.2 の 31 個のポートをプローブしました。分析対象のポートとホストではデータのない接続試行 2 件、" +
					"対象外の 30 個のポートへは SYN 30 個（分析はせず、数えています）。最初は agent のフレーム 18。1 個のポートが SYN-ACK で応答、" +
					"分析したポートのうち 0 個が拒否（対象外のポートのリセットは数えていません）。ポートスキャンであり、クライアントの障害ではありません。" +
					"分析した試行の判定は port-scan で、どのサーバーの行にも数えていません"
			}
			for _, w := range res.Warnings {
				if w.Code == "port-scan" && ja.Render(w.Message) != wantJa {
					t.Errorf("port-scan warning in Japanese:\n%s\nwant\n%s", ja.Render(w.Message), wantJa)
				}
			}
			if res.Summary.Failed != 0 {
				t.Errorf("%s; want nothing failed", sweepVerdicts(res))
			}
		})
	}
}

// TestSweepNotOnAgentPort: on a port the agents listen on (--agent-port), the management server
// connects to its agents, and a firewall that drops most of those connections looks like a sweep
// from the server (review: 36 of 40 notifications dropped became port-scan and "No connection
// failed"). port-sweep.pcap's probes to 4343, analysed with 4343 as the agents' port, keep their
// own verdicts, and the capture's failures count them.
func TestSweepNotOnAgentPort(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "accuracy", "port-sweep.pcap"), Options{AgentPorts: []uint16{4343}})
	if err != nil {
		t.Fatal(err)
	}
	if ws := warningsOf(res, "port-sweep"); ws != nil {
		t.Errorf("port-sweep warnings on the agents' port: %+v", ws)
	}
	const want = "failed 79 of 80; ok 1 refused 2 syn-timeout 69 unreachable 6 middlebox-reset 2"
	if got := sweepVerdicts(res); !strings.HasPrefix(got, want+";") {
		t.Errorf("counts %q, want them to start %q", got, want)
	}
}
