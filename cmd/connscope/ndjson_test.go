package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// ndjsonLine is what a pipeline needs of every line.
type ndjsonLine struct {
	Timestamp string `json:"@timestamp"`
	Event     struct {
		Dataset, Outcome string
	}
	Source, Destination struct {
		IP   string
		Port int
	}
	TLS *struct {
		Version string
	}
	Connscope struct {
		FlowID  int `json:"flow_id"`
		Verdict string
		Schema  string
	}
}

// readNDJSON parses an NDJSON report as Filebeat's ndjson parser does, line by line, each line
// one JSON object on its own; it returns the lines decoded, and every field path they hold
// ("source.ip", "connscope.alerts[].from").
func readNDJSON(t *testing.T, out string) ([]ndjsonLine, map[string]bool) {
	t.Helper()
	if out == "" || !strings.HasSuffix(out, "\n") {
		t.Fatalf("the output does not end with a line break: %q", out)
	}
	var lines []ndjsonLine
	paths := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var l ndjsonLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", len(lines)+1, err, sc.Text())
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		fieldPaths(m, "", paths)
		lines = append(lines, l)
	}
	return lines, paths
}

func fieldPaths(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			fieldPaths(sub, p, out)
		}
	case []any:
		for _, sub := range x {
			fieldPaths(sub, prefix+"[]", out)
		}
	}
}

// TestNDJSON runs every capture through --format ndjson and reads it as a log pipeline does:
// one object per line, a line per listed connection (in order, with the ECS fields a pipeline
// keys on: @timestamp, event.dataset and outcome, source.ip, destination.port, tls.version when
// a version was chosen), a line per DNS name, the summary last; every field is documented in
// docs/ndjson.md, whose example is a real line; the exit status is the JSON report's.
func TestNDJSON(t *testing.T) {
	toRoot(t)
	doc, err := os.ReadFile("docs/ndjson.md")
	if err != nil {
		t.Fatal(err)
	}
	captures, _ := filepath.Glob("testdata/captures/*.pcap")
	runs := [][]string{
		{"testdata/captures/seed-reset-fleet.pcap", "-p", "443"},                                // nothing on the analysed port
		{"testdata/captures/many-agents.pcap", "-p", "4343", "--max-flows", "3"},                // connections past the limit
		{"testdata/captures/plain-http-to-tls.pcap", "--profile", "apexone", "-p", "4343,8080"}, // http
	}
	for _, c := range captures {
		runs = append(runs, []string{c, "-p", "4343,8080", "--server-name", "apexone.connscope.test"})
	}
	for _, c := range sharedCaptures(t) {
		runs = append(runs, []string{c})
	}
	paths := map[string]bool{}
	for _, run := range runs {
		t.Run(filepath.Base(run[0])+strings.Join(run[1:], ""), func(t *testing.T) {
			args := append([]string{"analyze"}, run...)
			code, js, _ := runCLI(append(args, "-f", "json")...)
			var want struct {
				Flows []struct {
					ID      int
					Verdict string
					Chosen  *string `json:"chosen_version"`
				}
				Names []struct{ Name string }
			}
			if err := json.Unmarshal([]byte(js), &want); err != nil {
				t.Fatal(err)
			}
			c, out, stderr := runCLI(append(args, "-f", "ndjson")...)
			if c != code || stderr != "" {
				t.Errorf("exit %d, the JSON report's %d; stderr %q", c, code, stderr)
			}
			lines, p := readNDJSON(t, out)
			for k := range p {
				paths[k] = true
			}
			if len(lines) != len(want.Flows)+len(want.Names)+1 {
				t.Fatalf("%d lines for %d connections and %d names (and a summary)", len(lines), len(want.Flows), len(want.Names))
			}
			for i, f := range want.Flows {
				l := lines[i]
				if l.Event.Dataset != "connscope.connection" || l.Connscope.FlowID != f.ID || l.Connscope.Verdict != f.Verdict ||
					l.Timestamp == "" || l.Source.IP == "" || l.Destination.Port == 0 || l.Event.Outcome == "" {
					t.Errorf("line %d: %+v, want connection #%d %s", i+1, l, f.ID, f.Verdict)
				}
				if f.Chosen != nil && (l.TLS == nil || !strings.HasSuffix(*f.Chosen, " "+l.TLS.Version)) {
					t.Errorf("line %d: tls %+v, chosen %s", i+1, l.TLS, *f.Chosen)
				}
			}
			for i := range want.Names {
				if l := lines[len(want.Flows)+i]; l.Event.Dataset != "connscope.name" {
					t.Errorf("line %d: %+v, want a name", len(want.Flows)+i+1, l)
				}
			}
			if last := lines[len(lines)-1]; last.Event.Dataset != "connscope.summary" || last.Connscope.Schema != "connscope.ndjson/v1" {
				t.Errorf("last line %+v, want the summary", last)
			}
		})
	}
	var missing []string
	for p := range paths {
		if !strings.Contains(string(doc), "| `"+p+"` |") {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/ndjson.md has no row for %q", missing)
	}
	for _, want := range []string{"tls.version", "tls.client.ja3", "tls.server.ja3s", "http.response.status_code", "dns.question.name",
		"connscope.input.outside.ports[].port", "connscope.groups[].not_listed"} {
		if !paths[want] {
			t.Errorf("no capture gave %s: the test would not see it go wrong", want)
		}
	}
	_, out, _ := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "-p", "4343", "-f", "ndjson")
	if l := strings.Split(out, "\n"); len(l) < 4 || !strings.Contains(string(doc), "```json\n"+l[3]+"\n```") {
		t.Error("docs/ndjson.md's example is not the fourth line of the seed-reset-fleet report; paste it in")
	}

}
