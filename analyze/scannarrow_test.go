package analyze

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// TestPortScanNarrowed: accuracy/port-scan.pcap analysed with its ports or hosts narrowed
// (--port, a profile's ports, --host with --port) still sees the nmap scan of 10.91.1.9 whole:
// the SYNs to the ports outside the analysed ones are counted, so the scanner's analysed probes
// get port-scan (not syn-timeout, nor middlebox-reset for its reset of 4343's SYN-ACK), and the
// summary's scan is the whole run's (202 ports, 2 open, frames 1-209), with the analysed probes
// in flows and the other ports and their SYNs in outside_ports and outside_syns.
func TestPortScanNarrowed(t *testing.T) {
	path := filepath.Join(ownCaptures, "accuracy", "port-scan.pcap")
	whole, err := File(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Summary.Scans) != 1 || whole.Summary.Scans[0].OutsidePorts != 0 || whole.Summary.Scans[0].OutsideSYNs != 0 {
		t.Fatalf("whole capture: scans %+v, want one scan with nothing outside", whole.Summary.Scans)
	}
	server := netip.MustParseAddr("10.91.2.2")
	cases := []struct {
		name             string
		opts             Options
		flows            []string // "client server verdict", in order
		probes           int      // the scanner's analysed probes
		outside, syns    int      // the scan's ports outside the analysed ones, and their SYNs
		warning, reason3 string   // the port-scan warning; flow #3's reason ("": not checked)
	}{
		{
			name: "--port 1,3,4343", opts: Options{Ports: []uint16{1, 3, 4343}},
			flows: []string{"10.91.1.9:63131 10.91.2.2:1 port-scan", "10.91.1.9:63131 10.91.2.2:3 port-scan",
				"10.91.1.9:63131 10.91.2.2:4343 port-scan", "10.91.1.1:59138 10.91.2.2:4343 ok", "10.91.1.3:51779 10.91.2.2:4343 ok"},
			probes: 3, outside: 199, syns: 200,
			warning: "10.91.1.9 probed 202 ports of 10.91.2.2: 3 connection attempts without data on the analysed ports and hosts, " +
				"and 200 SYNs to 199 other ports outside them (not analysed, but counted); the first in frame 1; 2 ports answered with a SYN-ACK, " +
				"0 of the analysed refused (a reset outside them is not counted): a port scan, not clients failing; its analysed attempts have the verdict port-scan and count in no server's row",
			reason3: "one of 3 analysed probes from 10.91.1.9, which probed 202 ports of 10.91.2.2 (199 of them outside the analysed " +
				"ports and hosts, seen by their SYNs, whose resets are not counted; 2 answered with a SYN-ACK, 0 of the analysed refused) " +
				"over 1.3 s: a port scan, not a client failing; " +
				"this probe: the client reset the server's SYN-ACK; its TTL 64 differs from its SYN's 53, which a scanner's " +
				"crafted SYNs do (nmap -sS gives each a random TTL): most likely the scanner's own stack, not a device in the path",
		},
		{
			name: "the apexone profile's ports (4343, 8080)", opts: Options{Ports: []uint16{4343, 8080}},
			flows: []string{"10.91.1.9:63131 10.91.2.2:8080 port-scan", "10.91.1.9:63136 10.91.2.2:8080 port-scan",
				"10.91.1.9:63131 10.91.2.2:4343 port-scan", "10.91.1.1:59138 10.91.2.2:4343 ok", "10.91.1.3:51779 10.91.2.2:4343 ok"},
			probes: 3, outside: 200, syns: 200,
		},
		{
			name: "--host 10.91.2.2 --port 3,4343", opts: Options{Hosts: []netip.Addr{server}, Ports: []uint16{3, 4343}},
			flows: []string{"10.91.1.9:63131 10.91.2.2:3 port-scan", "10.91.1.9:63131 10.91.2.2:4343 port-scan",
				"10.91.1.1:59138 10.91.2.2:4343 ok", "10.91.1.3:51779 10.91.2.2:4343 ok"},
			probes: 2, outside: 200, syns: 201,
			warning: "10.91.1.9 probed 202 ports of 10.91.2.2: 2 connection attempts without data on the analysed ports and hosts, " +
				"and 201 SYNs to 200 other ports outside them (not analysed, but counted); the first in frame 1; 2 ports answered with a SYN-ACK, " +
				"0 of the analysed refused (a reset outside them is not counted): a port scan, not clients failing; its analysed attempts have the verdict port-scan and count in no server's row",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := File(path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var flows []string
			for _, f := range res.Flows.Slice() {
				flows = append(flows, fmt.Sprintf("%s %s %s", f.Client, f.Server, f.Verdict))
				if r := say(f.Reason); strings.Contains(r, "forged") {
					t.Errorf("flow #%d: %s", f.ID, r)
				}
				if f.ID == 3 && tc.reason3 != "" && say(f.Reason) != tc.reason3 {
					t.Errorf("flow #3's reason:\n%s\nwant\n%s", say(f.Reason), tc.reason3)
				}
			}
			if !slices.Equal(flows, tc.flows) {
				t.Errorf("flows:\n%s\nwant\n%s", strings.Join(flows, "\n"), strings.Join(tc.flows, "\n"))
			}
			want := whole.Summary.Scans[0]
			want.Flows, want.OutsidePorts, want.OutsideSYNs = tc.probes, tc.outside, tc.syns
			if !reflect.DeepEqual(res.Summary.Scans, []result.Scan{want}) {
				t.Errorf("scans %+v\nwant %+v", res.Summary.Scans, want)
			}
			ws := warningsOf(res, "port-scan")
			if len(ws) != 1 || ws[0].Frame != 1 || (tc.warning != "" && ws[0].Message != tc.warning) {
				t.Errorf("port-scan warnings %+v, want one at frame 1: %q", ws, tc.warning)
			}
			sum := res.Summary
			if sum.Failed != 0 || len(sum.Servers) != 1 || sum.Servers[0].Server != "10.91.2.2:4343" || sum.Servers[0].Flows != 2 {
				t.Errorf("failed %d, servers %+v; want 0 failed, one row 10.91.2.2:4343 with the 2 agents' flows", sum.Failed, sum.Servers)
			}
			for _, a := range sum.Agents {
				if a.Agent == "10.91.1.9" {
					t.Errorf("the scanner is listed as an agent: %+v", a)
				}
			}
		})
	}
}
