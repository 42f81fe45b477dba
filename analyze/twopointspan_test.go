package analyze

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// Two capture points that did not capture over the same span, or whose clocks differ, or of
// which one shows the segments its host's TSO/GSO cut at the NIC: the captures of
// testdata/captures/twopoint/derived (testdata/make-twopoint-derived.sh: editcap of the real
// ones) and twopoint/gso-*.pcap (make-twopoint-captures.sh gso: offloads on at the server). Each
// gives one connection, numbered 1, with its per-direction counts (sent/arrived/lost/injected:
// only packets both points could have seen are compared), the evidence lines of its views
// exactly, and the warnings.
func TestTwoPointSpans(t *testing.T) {
	tp := func(name string) string { return filepath.Join(ownCaptures, "twopoint", name) }
	der := func(name string) string { return filepath.Join(ownCaptures, "twopoint", "derived", name) }
	type spanCase struct {
		name     string
		inputs   []pcapfile.Input
		verdict  result.Verdict
		c2s, s2c string
		views    []string // the evidence lines of the views (ev.views-*)
		warnings []string
	}
	// clockAhead is forged-rst with the agent's clock s seconds ahead.
	clockAhead := func(s string) spanCase {
		return spanCase{
			name:    "clock-" + s + "s",
			inputs:  []pcapfile.Input{{Path: der("forged-rst-agent-" + s + "s.pcap"), Point: "agent"}, {Path: tp("forged-rst-server.pcap"), Point: "server"}},
			verdict: result.VerdictMiddleboxReset, c2s: "26/9/17/0", s2c: "44/44/0/2",
			views: []string{
				"[agent] frame 28: the first client to server packet that never reached server (17 of 26 lost between them)",
				"[agent] frame 73: 1 client to server packet sent that would have reached server while it was not capturing (after its capture stopped): " +
					"not compared, as whether it arrived cannot be told",
				"[agent] frame 39: 2 packets in the server's name that the server never sent (none at server; TTL 64, where the real ones arrive with 63): " +
					"injected on the path between them",
			},
			warnings: []string{"clock-offset: the clocks of the captures differ: the clock of server runs " + s + ".0 s behind that of agent " +
				"(measured on 1 connection both saw): each capture's times are on its own clock; packets were matched by their sequence numbers " +
				"and IP IDs, not by their times"},
		}
	}
	for _, tc := range []spanCase{{
		// The server's capture begins at the agent's frame 6 (its frame 2, IP ID 0x9456, is the
		// agent's frame 7): one connection, matched by its endpoints and sequence numbers without
		// the SYN; the agent's first five packets came before the server captured.
		name:    "server-late",
		inputs:  []pcapfile.Input{{Path: tp("success-agent.pcap"), Point: "agent"}, {Path: der("success-server-late.pcap"), Point: "server"}},
		verdict: result.VerdictOK, c2s: "6/6/0/0", s2c: "6/6/0/0",
		views: []string{
			"[agent] frame 1: 3 client to server packets sent that would have reached server while it was not capturing (before its capture began): " +
				"not compared, as whether they arrived cannot be told",
			"[agent] frame 2: 2 server to client packets received while server was not capturing (before its capture began): " +
				"not compared, as whether the sender sent them cannot be told",
		},
	}, {
		// The agent's capture stops at .724656: the server's frames 13-17 come after it.
		name:    "agent-early",
		inputs:  []pcapfile.Input{{Path: der("success-agent-early.pcap"), Point: "agent"}, {Path: tp("success-server.pcap"), Point: "server"}},
		verdict: result.VerdictOK, c2s: "6/6/0/0", s2c: "6/6/0/0",
		views: []string{
			"[server] frame 13: 3 client to server packets received while agent was not capturing (after its capture stopped): " +
				"not compared, as whether the sender sent them cannot be told",
			"[server] frame 15: 2 server to client packets sent that would have reached agent while it was not capturing (after its capture stopped): " +
				"not compared, as whether they arrived cannot be told",
		},
	}, {
		// The merged file cut after its frame 65, both links at once: the server's last ten
		// segments (frames 53-62, at link 2) were on their way to link 1, and the agent's last
		// ACK (frame 65, at link 1) to link 2; none of them is lost.
		name:    "merged-half",
		inputs:  []pcapfile.Input{{Path: der("forged-rst-merged-half.pcapng")}},
		verdict: result.VerdictOK, c2s: "9/9/0/0", s2c: "18/18/0/0",
		views: []string{
			"[link 1] frame 65: 1 client to server packet sent that would have reached link 2 while it was not capturing (after its capture stopped): " +
				"not compared, as whether it arrived cannot be told",
			"[link 2] frame 53: 10 server to client packets sent that would have reached link 1 while it was not capturing (after its capture stopped): " +
				"not compared, as whether they arrived cannot be told",
		},
		warnings: []string{"two-points-split"},
	},
		// The agent's clock 90 s ahead: one connection still (the SYN's ISN and endpoints are the
		// same at both), the offset measured and warned of. 5 s ahead: within the minute records
		// were matched in before, but the merged connection was numbered as the agent's record
		// (read second).
		clockAhead("90"), clockAhead("5"), {
			// GSO/TSO at the server: its capture holds segments of up to 23168 bytes, the agent's the
			// 1448-byte packets the router cut them into; every byte arrived.
			name:    "gso",
			inputs:  []pcapfile.Input{{Path: tp("gso-agent.pcap"), Point: "agent"}, {Path: tp("gso-server.pcap"), Point: "server"}},
			verdict: result.VerdictOK, c2s: "12/12/0/0", s2c: "11/11/0/0",
		}, {
			// One 1448-byte piece (the agent's frame 14) of the server's 8688-byte segment (its frame
			// 11) taken out: that segment did not arrive whole; its other five pieces are not
			// injected.
			name:    "gso-piece-lost",
			inputs:  []pcapfile.Input{{Path: der("gso-agent-piece-lost.pcap"), Point: "agent"}, {Path: tp("gso-server.pcap"), Point: "server"}},
			verdict: result.VerdictOK, c2s: "12/12/0/0", s2c: "11/10/1/0",
			views: []string{
				"[server] frame 11: the first server to client packet that never reached agent (1 of 11 lost between them)",
			},
		}} {
		t.Run(tc.name, func(t *testing.T) {
			res := analyzeInputs(t, tc.inputs...)
			if res.Flows.Len() != 1 || res.Summary.Flows != 1 {
				t.Fatalf("%d flows listed, %d counted; want 1", res.Flows.Len(), res.Summary.Flows)
			}
			f := res.Flows.At(0)
			if f.ID != 1 || f.Verdict != tc.verdict || f.Vantages == nil {
				t.Fatalf("flow #%d %s, vantages %v; want #1 %s with vantages", f.ID, f.Verdict, f.Vantages != nil, tc.verdict)
			}
			count := func(d result.Delivery) string {
				return fmt.Sprintf("%d/%d/%d/%d", d.Sent, d.Arrived, d.Lost, d.Injected)
			}
			if c2s, s2c := count(f.Vantages.ClientToServer), count(f.Vantages.ServerToClient); c2s != tc.c2s || s2c != tc.s2c {
				t.Errorf("c2s %s, s2c %s; want %s, %s", c2s, s2c, tc.c2s, tc.s2c)
			}
			var views []string
			for _, e := range f.Evidence {
				if strings.HasPrefix(e.Text.Key, "ev.views-") {
					views = append(views, fmt.Sprintf("[%s] frame %d: %s", say(e.EvidenceAt.Name), e.Frame, say(e.Text)))
				}
			}
			if !slices.Equal(views, tc.views) {
				t.Errorf("views' evidence\n%s\nwant\n%s", strings.Join(views, "\n"), strings.Join(tc.views, "\n"))
			}
			var warnings []string
			for _, w := range res.Warnings {
				s := w.Code
				if w.Code != "two-points-split" {
					s += ": " + say(w.Message)
				}
				warnings = append(warnings, s)
			}
			if !slices.Equal(warnings, tc.warnings) {
				t.Errorf("warnings\n%s\nwant\n%s", strings.Join(warnings, "\n"), strings.Join(tc.warnings, "\n"))
			}
		})
	}
}
