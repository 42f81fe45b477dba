package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/internal/pcapedit"
)

// TestTimeOutOfRange: a real pcapng capture (seed-reset-fleet, microsecond timestamps) with
// the upper four bytes of three frames' timestamps overwritten, so that they lie in the year
// 11103: the first frame, a failing connection's ClientHello and the last frame (a RST). Every
// format and mode writes a report and exits as for the undamaged capture (1: a connection
// failed); JSON and NDJSON stay valid and give each such time as its whole seconds since 1970
// (every field that holds one: input.first and .last, the connections' start, end, evidence,
// packets and resets); the text formats write the year 11103 as it is; the result warns with the
// frames named, and the two connections with such a packet say so (damaged-flows); the same
// capture undamaged has no such warning.
func TestTimeOutOfRange(t *testing.T) {
	toRoot(t)
	b, err := os.ReadFile("testdata/captures/edited/seed-reset-fleet.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	if blocks, err := pcapedit.PacketBlocks(b); err != nil || len(blocks) != 72 {
		t.Fatalf("%d packet blocks (%v), want 72", len(blocks), err)
	}
	want := map[int]int64{} // frame -> its time in whole Unix seconds, once damaged
	for _, frame := range []int{1, 62, 72} {
		us, err := pcapedit.SetTimestampHigh(b, frame, 0x04000000)
		if err != nil {
			t.Fatal(err)
		}
		want[frame] = int64(us / 1e6)
	}
	path := filepath.Join(t.TempDir(), "damaged.pcapng")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI("analyze", "testdata/captures/edited/seed-reset-fleet.pcapng", "-f", "json"); code != 1 || strings.Contains(out, "time-out-of-range") {
		t.Fatalf("the undamaged capture: exit %d, or it warns of times out of range", code)
	}
	const warned = "3 frames carry a time outside the years 0-9999 (frames 1, 62, 72)"
	for _, format := range []string{"table", "json", "ndjson", "markdown", "html"} {
		for _, mode := range [][]string{nil, {"-v"}, {"--list"}, {"--redact"}} {
			args := append([]string{"analyze", path, "-f", format}, mode...)
			code, out, stderr := runCLI(args...)
			if code != 1 || out == "" {
				t.Fatalf("%v: exit %d, %d bytes: %s", args[2:], code, len(out), stderr)
			}
			if !strings.Contains(out, warned) {
				t.Errorf("%v: no warning naming the frames", args[2:])
			}
			switch format {
			case "json":
				checkOddTimesJSON(t, out, want)
			case "ndjson":
				for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					if !json.Valid([]byte(l)) {
						t.Fatalf("ndjson: a line is not JSON: %s", l)
					}
				}
				if !strings.Contains(out, `"end":288230379097`) {
					t.Errorf("ndjson: the last connection's end is not written in seconds")
				}
			case "table":
				// The table gives times of day; the ClientHello's is the damaged one's.
				if ev := "frame 62  " + time.Unix(want[62], 0).UTC().Format("15:04:05"); len(mode) > 0 && mode[0] == "-v" && !strings.Contains(out, ev) {
					t.Errorf("%v: no %q: the damaged time is not shown as it is", args[2:], ev)
				}
			default:
				if !strings.Contains(out, "11103-08-29") {
					t.Errorf("%v: the damaged times are not shown as they are", args[2:])
				}
			}
		}
	}
}

// checkOddTimesJSON checks that every time field holding a damaged frame's time is that time in
// whole seconds, and that the warning names the first frame.
func checkOddTimesJSON(t *testing.T, out string, want map[int]int64) {
	t.Helper()
	var doc struct {
		Input struct{ First, Last json.RawMessage }
		Flows []struct {
			End      json.RawMessage
			Evidence []struct {
				Frame int
				Time  json.RawMessage
			}
			Packets []struct {
				Frame int
				Time  json.RawMessage
			}
			TCP struct {
				RSTs []struct {
					Frame int
					Time  json.RawMessage
				}
			}
		}
		Warnings []struct {
			Code  string
			Frame int
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v", err)
	}
	seconds := func(what string, raw json.RawMessage, frame int) {
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil || n != want[frame] {
			t.Errorf("json: %s (frame %d) is %s, want %d", what, frame, raw, want[frame])
		}
	}
	seconds("input.first", doc.Input.First, 1)
	seconds("input.last", doc.Input.Last, 72)
	seconds("flows[4].end", doc.Flows[4].End, 72)
	found := 0
	for _, f := range doc.Flows {
		for _, e := range f.Evidence {
			if _, ok := want[e.Frame]; ok {
				seconds("evidence", e.Time, e.Frame)
				found++
			}
		}
		for _, p := range f.Packets {
			if _, ok := want[p.Frame]; ok {
				seconds("packet", p.Time, p.Frame)
				found++
			}
		}
		for _, r := range f.TCP.RSTs {
			if _, ok := want[r.Frame]; ok {
				seconds("rst", r.Time, r.Frame)
				found++
			}
		}
	}
	// frame 62: its evidence (the ClientHello, and that it arrived damaged) and packet; frame 72:
	// its evidence (the RST, and that it arrived damaged), packet and reset
	if found != 7 {
		t.Errorf("json: %d damaged times in the flows, want 7", found)
	}
	// the times, then the connections that carry such packets (frame 1 is an ARP request's)
	if n := len(doc.Warnings); n < 2 || doc.Warnings[n-2].Code != "time-out-of-range" || doc.Warnings[n-2].Frame != 1 ||
		doc.Warnings[n-1].Code != "damaged-flows" || doc.Warnings[n-1].Frame != 62 {
		t.Errorf("json: warnings %+v, want time-out-of-range at frame 1, then damaged-flows at frame 62, last", doc.Warnings)
	}
}
