package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The agent's and the server's captures of one incident, given as two capture points: one
// connection with both views, the loss and the forged resets between them, in the table (the
// README shows this report) and in the JSON's vantages.
func TestAnalyzeTwoPoints(t *testing.T) {
	toRoot(t)
	args := []string{"analyze", "--vantage", "agent=testdata/captures/twopoint/forged-rst-agent.pcap",
		"--vantage", "server=testdata/captures/twopoint/forged-rst-server.pcap"}
	code, table, stderr := runCLI(args...)
	if code != exitFailed || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	checkGolden(t, "twopoint-forged-rst.txt", table)
	code, md, _ := runCLI(append(args, "-f", "markdown")...)
	if code != exitFailed {
		t.Fatalf("markdown: exit %d", code)
	}
	checkGolden(t, "twopoint-forged-rst.md", md)
	_, js, _ := runCLI(append(args, "-f", "json")...)
	var res struct {
		Input struct {
			Vantages []struct {
				Name   string `json:"name"`
				Frames int    `json:"frames"`
			} `json:"vantages"`
			ClockOffsets []struct {
				OffsetMS    float64 `json:"offset_ms"`
				Connections int     `json:"connections"`
			} `json:"clock_offsets"`
		} `json:"input"`
		Flows []struct {
			Verdict  string `json:"verdict"`
			Vantages struct {
				ClientToServer struct {
					Sent, Arrived, Lost, Injected int
					FirstLost                     struct {
						File  string `json:"file"`
						Frame int    `json:"frame"`
					} `json:"first_lost"`
				} `json:"client_to_server"`
				ServerToClient struct {
					Sent, Arrived, Lost, Injected int
					FirstInjected                 struct {
						File  string `json:"file"`
						Frame int    `json:"frame"`
					} `json:"first_injected"`
				} `json:"server_to_client"`
				Ladder []struct {
					Fate string `json:"fate"`
				} `json:"ladder"`
			} `json:"vantages"`
		} `json:"flows"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	in := res.Input
	if len(in.Vantages) != 2 || in.Vantages[0].Name != "agent" || in.Vantages[1].Frames != 53 || len(in.ClockOffsets) != 1 ||
		in.ClockOffsets[0].OffsetMS != -0.008 || in.ClockOffsets[0].Connections != 1 {
		t.Errorf("input %+v", in)
	}
	if len(res.Flows) != 1 {
		t.Fatalf("%d flows", len(res.Flows))
	}
	v := res.Flows[0].Vantages
	c, s := v.ClientToServer, v.ServerToClient
	if res.Flows[0].Verdict != "middlebox-reset" || c.Sent != 26 || c.Arrived != 9 || c.Lost != 17 || c.Injected != 0 ||
		c.FirstLost.File != "testdata/captures/twopoint/forged-rst-agent.pcap" || c.FirstLost.Frame != 28 ||
		s.Sent != 44 || s.Arrived != 44 || s.Injected != 2 || s.FirstInjected.Frame != 39 {
		t.Errorf("flow %+v", res.Flows[0])
	}
	fates := map[string]int{}
	for _, st := range v.Ladder {
		fates[st.Fate]++
	}
	if fates["injected"] != 2 || fates["lost"] == 0 || fates["arrived"] == 0 {
		t.Errorf("ladder fates %v", fates)
	}
}

// Captures of unrelated traffic given together are capture points that share no connection:
// each connection is listed as on its own, with no vantages section: two files, and the folder
// of every capture made here (made one after the other, some seconds apart, many of the same
// addresses), whose connections get the verdicts each file gives alone.
func TestAnalyzeUnrelatedPoints(t *testing.T) {
	toRoot(t)
	count := func(args ...string) (int, int) {
		code, js, stderr := runCLI(append(args, "-f", "json")...)
		var res struct {
			Flows []struct {
				Vantages *json.RawMessage `json:"vantages"`
			} `json:"flows"`
		}
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatalf("%v: %v (stderr %s)", args, err, stderr)
		}
		views := 0
		for _, f := range res.Flows {
			if f.Vantages != nil {
				views++
			}
		}
		return code*1000 + len(res.Flows), views
	}
	a, _ := count("analyze", "testdata/captures/closed-port.pcap")
	b, _ := count("analyze", "testdata/captures/many-agents.pcap")
	both, views := count("analyze", "testdata/captures/closed-port.pcap", "testdata/captures/many-agents.pcap")
	if both != 1000+(a%1000)+(b%1000) || views != 0 {
		t.Errorf("together: exit and flows %d, %d with vantages; apart %d and %d", both, views, a, b)
	}
	verdicts := func(args ...string) map[string]int {
		_, js, _ := runCLI(append(args, "-f", "json", "-p", "4343,8080")...)
		var res struct {
			Flows []struct {
				Client, Server, Verdict string
				Vantages                *json.RawMessage `json:"vantages"`
			} `json:"flows"`
		}
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, f := range res.Flows {
			out[f.Client+" "+f.Server+" "+f.Verdict]++
			if f.Vantages != nil {
				t.Errorf("%v: %s -> %s has vantages", args, f.Client, f.Server)
			}
		}
		return out
	}
	files, err := filepath.Glob("testdata/captures/*.pcap*")
	if err != nil || len(files) < 40 {
		t.Fatalf("%d captures, %v", len(files), err)
	}
	alone := map[string]int{}
	for _, f := range files {
		for k, n := range verdicts("analyze", f) {
			alone[k] += n
		}
	}
	if folder := verdicts("analyze", "testdata/captures"); !reflect.DeepEqual(folder, alone) {
		for k := range alone {
			if folder[k] != alone[k] {
				t.Errorf("%s: %d in the folder, %d in its files alone", k, folder[k], alone[k])
			}
		}
		for k := range folder {
			if alone[k] == 0 {
				t.Errorf("%s: %d in the folder, none in its files alone", k, folder[k])
			}
		}
	}
}

// A file that mergecap made of the agent's and the server's captures, piped into standard input,
// gives the report of the file: standard input is kept while it is read, so that it can be read
// again with its two points told apart; nothing is left behind.
func TestAnalyzeMergedStdin(t *testing.T) {
	toRoot(t)
	const f = "testdata/captures/twopoint/mtu-blackhole-merged.pcapng"
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, extra := range [][]string{nil, {"-f", "json"}} {
		wc, want, _ := runCLI(append([]string{"analyze", f}, extra...)...)
		gc, got, _ := runWithStdin(t, b, append([]string{"analyze", "-"}, extra...)...)
		if extra != nil {
			got = strings.ReplaceAll(got, `"file": "-"`, `"file": "`+f+`"`)
			got = strings.ReplaceAll(got, `"name": "-"`, `"name": "`+f+`"`)
		}
		if gc != wc || got != want || !strings.Contains(want, "link 2") {
			t.Errorf("%v: exit %d, want %d:\n%s", extra, gc, wc, diffLines(want, got))
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
	}
}

// Every report format names, on each evidence line of a two-point run, the capture its frame is
// in, in the same words: the table, Markdown and HTML before the line's text ("[agent] ..."), the
// JSON report and NDJSON in the keys vantage and capture of each evidence item (the text then
// without it). A single capture's evidence has neither.
func TestTwoPointEvidenceEveryFormat(t *testing.T) {
	toRoot(t)
	type line struct {
		frame          int
		time, at, text string
		vantage        int
	}
	for _, tc := range []struct {
		scenario string
		lines    []line // each format's lines, in order
	}{
		{"forged-rst", []line{
			{2, "23:43:43.930326", "agent", "a packet the server did send: TTL 63", 0},
			{39, "23:43:43.953664", "agent", "RST in the server's name: TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop) in frame 2; " +
				"IP ID 0x0000 where the server's packets had reached 0x30bb", 0},
			{72, "23:43:45.423231", "agent", "data from the server after the reset in its name", 0},
			{28, "23:43:43.953640", "agent", "the first client to server packet that never reached server (17 of 26 lost between them)", 0},
			{73, "23:43:45.423252", "agent", "1 client to server packet sent that would have reached server while it was not capturing " +
				"(after its capture stopped): not compared, as whether it arrived cannot be told", 0},
			{39, "23:43:43.953664", "agent", "2 packets in the server's name that the server never sent (none at server; TTL 64, where the real " +
				"ones arrive with 63): injected on the path between them", 0},
		}},
		{"mtu-blackhole", []line{
			{6, "23:39:29.400759", "agent", "736-byte segment from the server that arrived after a gap of 1448 bytes (relative seq 1-1449) never seen here", 0},
			{7, "23:39:29.400766", "agent", "duplicate ACK from the client: still waiting for the missing bytes", 0},
			{6, "23:39:29.400684", "server", "the first server to client packet that never reached agent (6 of 10 lost between them)", 1},
			{16, "23:39:35.923177", "server", "1 server to client packet sent that would have reached agent while it was not capturing " +
				"(after its capture stopped): not compared, as whether it arrived cannot be told", 1},
		}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			dir := "testdata/captures/twopoint/"
			args := []string{"analyze", "--vantage", "agent=" + dir + tc.scenario + "-agent.pcap", "--vantage", "server=" + dir + tc.scenario + "-server.pcap"}
			out := map[string]string{}
			for _, format := range []string{"table", "markdown", "html", "json", "ndjson"} {
				code, s, stderr := runCLI(append(args, "-f", format)...)
				if code != exitFailed || stderr != "" {
					t.Fatalf("%s: exit %d, stderr %q", format, code, stderr)
				}
				out[format] = s
			}
			width := 0
			for _, l := range tc.lines {
				width = max(width, len(strconv.Itoa(l.frame)))
			}
			var table, md, html []string
			for _, l := range tc.lines {
				table = append(table, fmt.Sprintf("    frame %*d  %s  [%s] %s", width, l.frame, l.time, l.at, l.text))
				md = append(md, fmt.Sprintf("- Frame %d, %s UTC: \\[%s\\] %s", l.frame, l.time, l.at, l.text))
				html = append(html, fmt.Sprintf(`<tr><td class="num mono">frame %d</td><td class="mono">%s</td><td>[%s] %s</td></tr>`,
					l.frame, l.time, l.at, strings.ReplaceAll(l.text, "'", "&#39;")))
			}
			for _, f := range []struct {
				format, prefix string // the prefix of its evidence lines, past their indentation
				want           []string
			}{{"table", "frame ", table}, {"markdown", "- Frame ", md}, {"html", `<tr><td class="num mono">frame `, html}} {
				format, want := f.format, f.want
				if got := linesLike(out[format], f.prefix); !slices.Equal(got, want) {
					t.Errorf("%s evidence:\n%s\nwant\n%s", format, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
			type item struct {
				Frame   int     `json:"frame"`
				Text    string  `json:"text"`
				Vantage *int    `json:"vantage"`
				Capture *string `json:"capture"`
			}
			var js struct {
				Flows []struct{ Evidence []item } `json:"flows"`
			}
			var nd struct {
				Connscope struct{ Evidence []item } `json:"connscope"`
			}
			if err := json.Unmarshal([]byte(out["json"]), &js); err != nil || len(js.Flows) != 1 {
				t.Fatalf("json: %v, %d flows", err, len(js.Flows))
			}
			first, _, _ := strings.Cut(out["ndjson"], "\n")
			if err := json.Unmarshal([]byte(first), &nd); err != nil {
				t.Fatalf("ndjson: %v", err)
			}
			for format, got := range map[string][]item{"json": js.Flows[0].Evidence, "ndjson": nd.Connscope.Evidence} {
				ok := len(got) == len(tc.lines)
				for i := 0; ok && i < len(got); i++ {
					g, w := got[i], tc.lines[i]
					ok = g.Frame == w.frame && g.Text == w.text && g.Vantage != nil && *g.Vantage == w.vantage && g.Capture != nil && *g.Capture == w.at
				}
				if !ok {
					b, _ := json.Marshal(got)
					t.Errorf("%s evidence %s, want %+v", format, b, tc.lines)
				}
			}
			// The agent's capture alone: the same lines of its own packets, no capture named.
			_, alone, _ := runCLI("analyze", dir+tc.scenario+"-agent.pcap", "-f", "json")
			if strings.Contains(alone, `"capture"`) || strings.Contains(alone, `"vantage": 0`) || !strings.Contains(alone, `"text": "`+tc.lines[0].text) {
				t.Errorf("the agent's capture alone:\n%s", alone)
			}
		})
	}
}

// linesLike returns the lines of s that start, past their indentation, with prefix.
func linesLike(s, prefix string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if strings.HasPrefix(strings.TrimLeft(l, " "), prefix) {
			out = append(out, strings.TrimSuffix(l, "\n"))
		}
	}
	return out
}

// TestTwoPointJapaneseBrackets: the Japanese two-point report brackets its asides with the
// full-width （） of the rest of the catalog; it read "送出されました (server のキャプチャ) が" and
// "agent (9 フレーム)".
func TestTwoPointJapaneseBrackets(t *testing.T) {
	toRoot(t)
	_, out, stderr := runCLI("analyze", "--lang", "ja", "-v", "--port", "4343",
		"--vantage", "agent=testdata/captures/twopoint/mtu-blackhole-agent.pcap",
		"--vantage", "server=testdata/captures/twopoint/mtu-blackhole-server.pcap")
	for _, want := range []string{
		"\nキャプチャ地点: agent（9 フレーム）、server（16 フレーム）\n",
		"\nserver の時計から agent の時計を引いた差: -0.009 ms（両方で見えた接続 1 件から算出）\n",
		"\n  理由: サーバーの 1448 バイトのセグメントは 6 回送出されました（server のキャプチャ）が、agent のキャプチャには一つも届いていません。" +
			"それより小さいセグメント（736 バイトまで）は届いています。両地点の間の MTU ブラックホールです（MTU の小さいリンクがあり、" +
			"その ICMP fragmentation-needed がサーバーに届いていません）\n",
		"\n    フレーム  6  23:39:29.400684  [server] agent に届かなかった最初のサーバー→クライアント方向のパケット（両地点の間で 10 個中 6 個が消失）\n",
		"\n  観測点: agent（クライアント側: クライアントからパケット 5 個、サーバーから 4 個）、server（サーバー側: クライアントからパケット 5 個、サーバーから 11 個）\n",
		"\n    サーバー→クライアント方向: server で 10 個送出、agent に 4 個到着、両地点の間で 6 個消失（最初: mtu-blackhole-server.pcap のフレーム 6）\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s%s", want, out, stderr)
		}
	}
}
