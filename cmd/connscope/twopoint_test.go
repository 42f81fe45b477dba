package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
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
	if res.Flows[0].Verdict != "middlebox-reset" || c.Sent != 27 || c.Arrived != 9 || c.Lost != 18 || c.Injected != 0 ||
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
