package correlate

import (
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/testtable"
	"github.com/connscope/connscope/track"
)

// captures is testdata/captures, where EXPECTED-TWOPOINT.tsv and its captures are.
const captures = "../testdata/captures"

// readExpected reads EXPECTED-TWOPOINT.tsv: its scenarios of one connection (the scans
// scenario, of many, is TestScansPairByEndpoints's).
func readExpected(t *testing.T) []testtable.Row {
	return slices.DeleteFunc(testtable.Read(t, filepath.Join(captures, "EXPECTED-TWOPOINT.tsv"), 6),
		func(r testtable.Row) bool { return r["scenario"] == "scans" })
}

// groupsOf tracks the inputs (each a capture point) and correlates their records.
func groupsOf(t *testing.T, inputs []pcapfile.Input) ([]Group, *Correlator) {
	t.Helper()
	r, err := pcapfile.OpenInputs(inputs, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var groups []Group
	k := New(len(r.Vantages()), func(g Group) { groups = append(groups, g) })
	tr := track.New(track.Config{StreamLimit: 1 << 16, IdleTimeout: 1 << 40, ClosedLinger: 5e9, MaxActiveFlows: 1 << 16,
		Sightings: true, OwnLadders: true}, func(c *facts.Conn) bool {
		if c.X == nil || c.X.Sightings == nil {
			t.Fatalf("record %d has no sightings", c.ID)
		}
		k.Add(c)
		return false
	})
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tr.Packet(&p)
	}
	tr.Flush()
	var vs []Vantage
	for _, v := range r.Vantages() {
		vs = append(vs, Vantage{Whole: v.Interface < 0 && v.Link == "", Frames: v.Frames, First: v.First, Last: v.Last})
	}
	k.Flush(vs)
	return groups, k
}

// Every two-point scenario's agent and server captures give one group per connection with the
// per-direction counts, first lost frames and clock offset that EXPECTED-TWOPOINT.tsv gives
// (worked out from the packets with tshark by testdata/tools/twopoint.py).
func TestExpectedTwoPoint(t *testing.T) {
	for _, row := range readExpected(t) {
		if row["server_file"] == "-" {
			continue
		}
		t.Run(row["scenario"], func(t *testing.T) {
			groups, k := groupsOf(t, []pcapfile.Input{
				{Path: filepath.Join(captures, row["agent_file"]), Point: "agent"},
				{Path: filepath.Join(captures, row["server_file"]), Point: "server"}})
			if len(groups) != 1 {
				t.Fatalf("%d groups, want 1", len(groups))
			}
			g := groups[0]
			if g.Primary.Vantage != 0 || g.Primary.Client.String() != row["client_at_agent"] || g.Primary.Server.String() != row["server_at_agent"] {
				t.Errorf("primary at vantage %d, %v -> %v", g.Primary.Vantage, g.Primary.Client, g.Primary.Server)
			}
			v := g.Views
			if v == nil {
				t.Fatal("no views")
			}
			if g.Primary.X != nil && g.Primary.X.Sightings != nil {
				t.Error("the primary still holds its sightings")
			}
			near, far := v.View[v.Near], v.View[v.Far]
			if near.Vantage != 0 || far.Vantage != 1 || !near.Seen {
				t.Errorf("near %+v far %+v", near, far)
			}
			if row["client_at_server"] == "-" {
				if far.Seen || far.Expected != facts.ExpectedEmpty {
					t.Errorf("far view %+v, want expected (empty capture) and not seen", far)
				}
			} else if !far.Seen || far.Client.String() != row["client_at_server"] || far.Server.String() != row["server_at_server"] {
				t.Errorf("far view %+v, want %s -> %s", far, row["client_at_server"], row["server_at_server"])
			}
			if nat := row["client_at_server"] != "-" && row["client_at_server"] != row["client_at_agent"]; v.NAT != nat {
				t.Errorf("NAT %v, want %v", v.NAT, nat)
			}
			for d, dir := range []string{"c2s", "s2c"} {
				del := v.Dir[d]
				at := map[string]string{"c2s": "agent", "s2c": "server"}[dir]
				got := []int32{del.Sent, del.Arrived, del.Lost, del.Injected}
				want := []string{row[dir+"_sent_at_"+at], row[dir+"_arrived_at_"+map[string]string{"c2s": "server", "s2c": "agent"}[dir]],
					row[dir+"_lost"], row[dir+"_injected_at_"+map[string]string{"c2s": "server", "s2c": "agent"}[dir]]}
				for i, w := range want {
					if strconv.Itoa(int(got[i])) != w {
						t.Errorf("%s sent/arrived/lost/injected %v, want %v", dir, got, want)
						break
					}
				}
				first := "-"
				if del.FirstLost.Seen() {
					first = strconv.Itoa(del.FirstLost.Num())
				}
				if w := row[dir+"_first_lost_"+at+"_frame"]; first != w {
					t.Errorf("%s first lost frame %s, want %s", dir, first, w)
				}
			}
			// twopoint.py gives the offset and transit rounded to the microsecond: the exact values
			// are within half a microsecond of them.
			if !v.Timed && row["offset_ms"] != "-" {
				t.Errorf("clock offset not measured, want %s ms", row["offset_ms"])
			}
			if v.Timed {
				if !nearMS(v.Transit, row["transit_ms"]) {
					t.Errorf("transit %s, want %s ms", v.Transit, row["transit_ms"])
				}
				if !nearMS(v.Offset, row["offset_ms"]) {
					t.Errorf("clock offset %s, want %s ms", v.Offset, row["offset_ms"])
				}
				if offs := k.Offsets(); len(offs) != 1 || offs[0].Offset != v.Offset || offs[0].Connections != 1 {
					t.Errorf("offsets %+v", offs)
				}
			}
		})
	}
}

// nearMS reports whether d is within half a microsecond of ms, a number of milliseconds given to
// the microsecond.
func nearMS(d time.Duration, ms string) bool {
	f, err := strconv.ParseFloat(ms, 64)
	if err != nil {
		return false
	}
	return math.Abs(float64(d)-f*1e6) <= 500.5
}

// TestScansPairByEndpoints: twopoint/scans-{agent,server}.pcap hold an nmap port scan and sweep,
// whose crafted SYNs all carry one ISN: each of the 23 connections seen at both points is paired
// with its own view at the other (same endpoints, no translator), none with another probe's,
// and the other 39 stay alone (62 groups).
func TestScansPairByEndpoints(t *testing.T) {
	groups, _ := groupsOf(t, []pcapfile.Input{
		{Path: filepath.Join(captures, "twopoint", "scans-agent.pcap"), Point: "agent"},
		{Path: filepath.Join(captures, "twopoint", "scans-server.pcap"), Point: "server"}})
	both := 0
	for _, g := range groups {
		v := g.Views
		if v == nil || !v.View[v.Far].Seen || !v.View[v.Near].Seen {
			continue
		}
		both++
		near, far := v.View[v.Near], v.View[v.Far]
		if v.NAT || near.Client != far.Client || near.Server != far.Server {
			t.Errorf("%v -> %v paired with %v -> %v (NAT %v)", near.Client, near.Server, far.Client, far.Server, v.NAT)
		}
	}
	if len(groups) != 62 || both != 23 {
		t.Errorf("%d groups, %d seen at both points; want 62, 23", len(groups), both)
	}
}
