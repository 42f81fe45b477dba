package analyze

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/internal/testtable"
	"github.com/connscope/connscope/result"
)

// readTwopoint reads testdata/captures/EXPECTED-TWOPOINT.tsv: its ten scenarios of one
// connection (the scans scenario, of many, is TestTwoPointScans's).
func readTwopoint(t *testing.T) []testtable.Row {
	t.Helper()
	rows := slices.DeleteFunc(testtable.Read(t, filepath.Join(ownCaptures, "EXPECTED-TWOPOINT.tsv"), 10),
		func(r testtable.Row) bool { return r["scenario"] == "scans" })
	if len(rows) != 10 {
		t.Fatalf("%d rows in EXPECTED-TWOPOINT.tsv, want 10", len(rows))
	}
	return rows
}

// twopointReasons is the exact reason each scenario's agent and server captures give together,
// labelled agent and server.
var twopointReasons = map[string]string{
	"syn-drop": "the SYNs left the client (6 in the capture at agent) and none reached the server's side (0 in the capture at server, " +
		"which holds no packet at all): dropped between them",
	"mtu-blackhole": "the server's 1448-byte segments left it 6 times (the capture at server) and none reached the capture at agent; " +
		"its smaller segments (up to 736 bytes) did: an MTU blackhole between them (a link with a smaller MTU whose ICMP " +
		"fragmentation-needed messages do not reach the server)",
	"forged-rst": "2 resets in the server's name reached the capture at agent, but the capture at server, on the server's side, " +
		"shows that the server never sent them: forged on the path between them; 17 of the client's 26 packets never reached the capture at server",
	"nat-masquerade":  "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"success":         "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"dns-ok":          "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"dns-timeout":     "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"dns-nxdomain":    "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"dns-answer-lost": "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
}

// analyzeInputs analyses inputs as the command line does (several capture points, a folder),
// able to read them again.
func analyzeInputs(t *testing.T, inputs ...pcapfile.Input) *result.Result {
	t.Helper()
	r, err := pcapfile.OpenInputs(inputs, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	opts := Options{Reopen: func() (*pcapfile.Reader, error) { return pcapfile.OpenInputs(inputs, nil) }}
	res, err := Reader(r, inputs[0].Path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Each two-point scenario (testdata/make-twopoint-captures.sh: a router between agent and
// server namespaces, captured at both ends at once) gives, from its agent-side and server-side
// captures, one connection with the expected verdict and reason, and the per-direction counts,
// first lost frames (in each side's own file) and clock offset of EXPECTED-TWOPOINT.tsv; labelled
// or not. The files mergecap made of each pair give the same verdict: the one-interface merge
// is found to hold two points and read as its two links, the two-interface merge likewise; a
// merge that holds only the agent's packets (the server saw none) is one point, as the agent's
// file alone.
func TestTwoPointScenarios(t *testing.T) {
	for _, row := range readTwopoint(t) {
		if row["server_file"] == "-" {
			continue
		}
		t.Run(row["scenario"], func(t *testing.T) {
			agent, server := filepath.Join(ownCaptures, row["agent_file"]), filepath.Join(ownCaptures, row["server_file"])
			labelled := analyzeInputs(t, pcapfile.Input{Path: agent, Point: "agent"}, pcapfile.Input{Path: server, Point: "server"})
			f := oneFlow(t, labelled, row)
			if got, want := say(f.Reason), twopointReasons[row["scenario"]]; got != want {
				t.Errorf("reason\n%s\nwant\n%s", got, want)
			}
			checkViews(t, f, row, "agent", "server", filepath.Base(agent), filepath.Base(server), true)
			if n := len(labelled.Input.Vantages); n != 2 || say(labelled.Input.Vantages[1].Name) != "server" {
				t.Errorf("input vantages %+v", labelled.Input.Vantages)
			}
			unlabelled := analyzeInputs(t, pcapfile.Input{Path: agent}, pcapfile.Input{Path: server})
			checkViews(t, oneFlow(t, unlabelled, row), row, filepath.Base(agent), filepath.Base(server), filepath.Base(agent), filepath.Base(server), true)

			for _, col := range []string{"merged_file", "merged_ifaces_file"} {
				path := filepath.Join(ownCaptures, row[col])
				merged, err := File(path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				f := oneFlow(t, merged, row)
				base := filepath.Base(path)
				if row["scenario"] == "syn-drop" {
					if f.Vantages != nil || len(merged.Warnings) != 0 {
						t.Errorf("%s: the agent's packets alone are one point: vantages %+v, warnings %+v", base, f.Vantages, merged.Warnings)
					}
					continue
				}
				if len(merged.Warnings) != 1 || merged.Warnings[0].Code != "two-points-split" {
					t.Errorf("%s: warnings %+v, want two-points-split", base, merged.Warnings)
				}
				near, far := "link 1", "link 2"
				if col == "merged_ifaces_file" {
					near, far = "interface 0", "interface 1"
				}
				checkViews(t, f, row, near, far, "", "", false)
			}
		})
	}
}

// oneFlow returns the result's one flow, checking that its client and verdict are the row's.
func oneFlow(t *testing.T, res *result.Result, row testtable.Row) *result.Flow {
	t.Helper()
	if res.Flows.Len() != 1 || res.Summary.Flows != 1 {
		t.Fatalf("%d flows listed, %d counted; want 1", res.Flows.Len(), res.Summary.Flows)
	}
	f := res.Flows.At(0)
	if string(f.Client) != row["client_at_agent"] || string(f.Server) != row["server_at_agent"] || string(f.Verdict) != row["expected_verdict"] {
		t.Errorf("flow %s -> %s %s, want %s -> %s %s", f.Client, f.Server, f.Verdict, row["client_at_agent"], row["server_at_agent"], row["expected_verdict"])
	}
	if f.Failed != (f.Verdict != result.VerdictOK) || (res.Summary.Failed == 1) != f.Failed {
		t.Errorf("failed %v, summary failed %d", f.Failed, res.Summary.Failed)
	}
	return &f
}

// checkViews checks a flow's vantages against the row: the views' names, sides and endpoints,
// the counts per direction, and, when exact, the first lost frame in each side's own file (for a
// merged file, which is the input's one file, no file is named).
func checkViews(t *testing.T, f *result.Flow, row testtable.Row, near, far, nearFile, farFile string, exact bool) {
	t.Helper()
	v := f.Vantages
	if v == nil {
		t.Fatal("no vantages")
	}
	if len(v.Views) != 2 || v.Near != 0 || v.Far != 1 {
		t.Fatalf("views %+v, near %d, far %d", v.Views, v.Near, v.Far)
	}
	nv, fv := &v.Views[0], &v.Views[1]
	if say(nv.Name) != near || say(fv.Name) != far || nv.Side != "client" || !nv.Seen || string(nv.Client) != row["client_at_agent"] {
		t.Errorf("near view %q %+v, want %q on the client's side", say(nv.Name), nv, near)
	}
	if row["client_at_server"] == "-" {
		if fv.Seen || fv.Expected != "empty-capture" || say(fv.Name) != far {
			t.Errorf("far view %q %+v, want %q not seen, expected (empty capture)", say(fv.Name), fv, far)
		}
	} else if !fv.Seen || fv.Side != "server" || string(fv.Client) != row["client_at_server"] || string(fv.Server) != row["server_at_server"] || say(fv.Name) != far {
		t.Errorf("far view %q %+v, want %q on the server's side, %s -> %s", say(fv.Name), fv, far, row["client_at_server"], row["server_at_server"])
	}
	if v.NAT != (row["client_at_server"] != "-" && row["client_at_server"] != row["client_at_agent"]) {
		t.Errorf("nat %v", v.NAT)
	}
	for _, d := range []struct {
		del            *result.Delivery
		dir, from, to  string
		fromAt, fromIx int
		file           string
	}{
		{&v.ClientToServer, "c2s", "agent", "server", 0, 0, nearFile},
		{&v.ServerToClient, "s2c", "server", "agent", 1, 1, farFile},
	} {
		got := []string{strconv.Itoa(d.del.Sent), strconv.Itoa(d.del.Arrived), strconv.Itoa(d.del.Lost), strconv.Itoa(d.del.Injected)}
		want := []string{row[d.dir+"_sent_at_"+d.from], row[d.dir+"_arrived_at_"+d.to], row[d.dir+"_lost"], row[d.dir+"_injected_at_"+d.to]}
		if !reflect.DeepEqual(got, want) || d.del.From != d.fromIx || d.del.To != 1-d.fromIx {
			t.Errorf("%s: sent/arrived/lost/injected %v from view %d to %d, want %v", d.dir, got, d.del.From, d.del.To, want)
		}
		wantFirst := row[d.dir+"_first_lost_"+d.from+"_frame"]
		switch {
		case wantFirst == "-" && d.del.FirstLost != nil:
			t.Errorf("%s: first lost %+v, want none", d.dir, d.del.FirstLost)
		case wantFirst == "-":
		case d.del.FirstLost == nil || filepath.Base(string(d.del.FirstLost.File)) != d.file && string(d.del.FirstLost.File) != d.file:
			t.Errorf("%s: first lost %+v, want in %s", d.dir, d.del.FirstLost, d.file)
		case exact && strconv.Itoa(d.del.FirstLost.Frame) != wantFirst:
			t.Errorf("%s: first lost frame %d, want %s", d.dir, d.del.FirstLost.Frame, wantFirst)
		}
	}
	offset := "-"
	if v.ClockOffsetMS != nil {
		offset = strconv.FormatFloat(*v.ClockOffsetMS, 'f', 3, 64)
	}
	// twopoint.py rounds the offset to the microsecond, the JSON report cuts it there (the exact
	// value is checked in package correlate): the two may differ by the last microsecond (dns-ok).
	if want := row["offset_ms"]; offset != want && !(!exact && offset != "-") && !withinMicrosecond(offset, want) {
		t.Errorf("clock offset %s ms, want %s", offset, want)
	}
}

// withinMicrosecond reports whether two offsets in milliseconds ("-" for none) differ by at most
// a microsecond.
func withinMicrosecond(a, b string) bool {
	x, errX := strconv.ParseFloat(a, 64)
	y, errY := strconv.ParseFloat(b, 64)
	return errX == nil && errY == nil && math.Abs(x-y) < 0.0015
}

// A rotated set (tcpdump -C 1) analyses as the single file a second tcpdump wrote at the same
// time: the same flow, verdict, counts and summary, given as its folder or as its files in any
// order.
func TestTwoPointRotatedSet(t *testing.T) {
	var row testtable.Row
	for _, r := range readTwopoint(t) {
		if r["scenario"] == "rotated" {
			row = r
		}
	}
	single, err := File(filepath.Join(ownCaptures, row["agent_file"]), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(ownCaptures, row["merged_file"])
	for _, inputs := range [][]pcapfile.Input{
		{{Path: dir}},
		{{Path: filepath.Join(dir, "rotated-agent.pcap2")}, {Path: filepath.Join(dir, "rotated-agent.pcap")}, {Path: filepath.Join(dir, "rotated-agent.pcap1")}},
	} {
		set := analyzeInputs(t, inputs...)
		if set.Flows.Len() != 1 || single.Flows.Len() != 1 {
			t.Fatalf("%d and %d flows", set.Flows.Len(), single.Flows.Len())
		}
		// The two tcpdumps stamped each packet a few microseconds apart: all else is the same.
		g, w := set.Flows.At(0), single.Flows.At(0)
		if !sameButTimes(&g, &w) || set.Summary.Flows != 1 || set.Summary.Failed != single.Summary.Failed ||
			!reflect.DeepEqual(set.Summary.Verdicts, single.Summary.Verdicts) || len(set.Warnings) != 0 || len(set.Input.Vantages) != 0 {
			t.Errorf("the set gives %+v\nthe file %+v", g, w)
		}
		if string(g.Client) != row["client_at_agent"] || string(g.Verdict) != row["expected_verdict"] ||
			strconv.Itoa(g.TCP.ClientPackets) != row["c2s_sent_at_agent"] || strconv.Itoa(g.TCP.ServerPackets) != row["s2c_arrived_at_agent"] {
			t.Errorf("flow %s %s %d/%d packets, want %s", g.Client, g.Verdict, g.TCP.ClientPackets, g.TCP.ServerPackets, row["expected_verdict"])
		}
		if set.Input.Frames != single.Input.Frames || len(set.Input.Points) != 1 || len(set.Input.Points[0].Files) != 3 {
			t.Errorf("set input %+v", set.Input)
		}
	}
}

// sameButTimes reports whether two flows are the same but for their packets' times.
func sameButTimes(a, b *result.Flow) bool {
	key := func(f *result.Flow) any {
		frames := func(rs []result.PacketRef) (out []int) {
			for _, r := range rs {
				out = append(out, r.Frame)
			}
			return out
		}
		return []any{f.ID, f.Client, f.Server, f.ConnState, f.History, f.Verdict, say(f.Reason), f.Flags, f.OfferedVersions, *f.ChosenVersion,
			f.FirstFrame, f.LastFrame, f.TCP.ClientPackets, f.TCP.ServerPackets, f.TCP.ClientBytes, f.TCP.ServerBytes,
			f.TCP.ClientRetrans, f.TCP.ServerRetrans, frames(f.TCP.SYNs), frames(f.TCP.FINs), f.TCP.SYNACK.Frame, len(f.Evidence)}
	}
	return reflect.DeepEqual(key(a), key(b))
}

// twopointEvidence is the exact evidence of a scenario's agent and server captures given
// together (labelled agent and server): each line after the capture its frame is in, then as the
// table prints it. The lines of the connection's own packets come from its own view (the
// agent's); the lines that compare the views cite the capture that holds the packet (the
// server's, for the first of its packets that never reached the agent).
var twopointEvidence = map[string][]string{
	"forged-rst": {
		"[agent] frame 2 23:43:43.930326 a packet the server did send: TTL 63",
		"[agent] frame 39 23:43:43.953664 RST in the server's name: TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop) in frame 2; " +
			"IP ID 0x0000 where the server's packets had reached 0x30bb",
		"[agent] frame 72 23:43:45.423231 data from the server after the reset in its name",
		"[agent] frame 28 23:43:43.953640 the first client to server packet that never reached server (17 of 26 lost between them)",
		"[agent] frame 73 23:43:45.423252 1 client to server packet sent that would have reached server while it was not capturing " +
			"(after its capture stopped): not compared, as whether it arrived cannot be told",
		"[agent] frame 39 23:43:43.953664 2 packets in the server's name that the server never sent (none at server; TTL 64, where the real ones " +
			"arrive with 63): injected on the path between them",
	},
	"mtu-blackhole": {
		"[agent] frame 6 23:39:29.400759 736-byte segment from the server that arrived after a gap of 1448 bytes (relative seq 1-1449) never seen here",
		"[agent] frame 7 23:39:29.400766 duplicate ACK from the client: still waiting for the missing bytes",
		"[server] frame 6 23:39:29.400684 the first server to client packet that never reached agent (6 of 10 lost between them)",
		"[server] frame 16 23:39:35.923177 1 server to client packet sent that would have reached agent while it was not capturing " +
			"(after its capture stopped): not compared, as whether it arrived cannot be told",
	},
	"nat-masquerade": {
		"[agent] frame 4 23:40:28.323712 ClientHello offering TLS 1.0, TLS 1.1, TLS 1.2 (legacy_version TLS 1.2, no supported_versions extension)",
		"[agent] frame 6 23:40:28.326635 ServerHello choosing TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"[server] frame 1 23:40:28.313367 the connection is 10.92.2.254:60432 -> 10.92.2.2:4343; at agent it is 10.92.1.1:60432 -> 10.92.2.2:4343: " +
			"an address translator between them",
	},
}

// Every evidence line of a connection seen at several vantages names the vantage whose capture
// holds its frame (Evidence.EvidenceAt, as the input's vantages name it), and that capture's
// frame of that number has the line's time: the label is the right one. Each scenario's two
// captures given together give the lines of twopointEvidence exactly; the files mergecap made
// of each pair (one file, two links or two interfaces) name their links or interfaces, the
// frames being the merged file's; each capture alone, one vantage, names none.
func TestTwoPointEvidenceNamesItsCapture(t *testing.T) {
	for _, row := range readTwopoint(t) {
		if row["server_file"] == "-" {
			continue
		}
		t.Run(row["scenario"], func(t *testing.T) {
			agent, server := filepath.Join(ownCaptures, row["agent_file"]), filepath.Join(ownCaptures, row["server_file"])
			res := analyzeInputs(t, pcapfile.Input{Path: agent, Point: "agent"}, pcapfile.Input{Path: server, Point: "server"})
			f := oneFlow(t, res, row)
			lines := checkEvidenceAt(t, res, f, frameTimes(t, agent), frameTimes(t, server))
			if want, ok := twopointEvidence[row["scenario"]]; ok && !slices.Equal(lines, want) {
				t.Errorf("evidence\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
			}
			if len(lines) == 0 {
				t.Error("no evidence")
			}
			for _, col := range []string{"merged_file", "merged_ifaces_file"} {
				path := filepath.Join(ownCaptures, row[col])
				merged, err := File(path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				f := oneFlow(t, merged, row)
				times := frameTimes(t, path)
				if len(merged.Input.Vantages) == 0 { // syn-drop: only the agent's packets, one point
					for _, e := range f.Evidence {
						if e.EvidenceAt != nil {
							t.Errorf("%s: one vantage, yet frame %d names %q", row[col], e.Frame, say(e.Name))
						}
					}
					continue
				}
				if len(checkEvidenceAt(t, merged, f, times, times)) != len(f.Evidence) {
					t.Errorf("%s: evidence %+v", row[col], f.Evidence)
				}
			}
			for _, path := range []string{agent, server} {
				alone, err := File(path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				for _, fl := range alone.Flows.All() {
					for _, e := range fl.Evidence {
						if e.EvidenceAt != nil {
							t.Errorf("%s alone: frame %d names %q", filepath.Base(path), e.Frame, say(e.Name))
						}
					}
				}
			}
		})
	}
}

// checkEvidenceAt checks that each evidence line of f names a vantage of res, by its index and
// its name, whose capture's frame of that number has the line's time (times: by vantage), and
// returns the lines, each after its vantage's name.
func checkEvidenceAt(t *testing.T, res *result.Result, f *result.Flow, times ...map[int]time.Time) []string {
	t.Helper()
	var lines []string
	for _, e := range f.Evidence {
		if e.EvidenceAt == nil {
			t.Errorf("frame %d names no vantage: %s", e.Frame, say(e.Text))
			continue
		}
		if e.Vantage < 0 || e.Vantage >= len(res.Input.Vantages) || e.Vantage >= len(times) {
			t.Errorf("frame %d: vantage %d of %d", e.Frame, e.Vantage, len(res.Input.Vantages))
			continue
		}
		if got, want := say(e.Name), say(res.Input.Vantages[e.Vantage].Name); got != want {
			t.Errorf("frame %d: vantage %d named %q, the input names it %q", e.Frame, e.Vantage, got, want)
		}
		if at, ok := times[e.Vantage][e.Frame]; !ok || !at.Equal(e.Time) {
			t.Errorf("frame %d at %s: that frame of vantage %d's capture is at %s", e.Frame, e.Time, e.Vantage, at)
		}
		lines = append(lines, "["+say(e.Name)+"] "+evidenceLine(e))
	}
	return lines
}
