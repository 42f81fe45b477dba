package analyze

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/connscope/connscope/result"
)

// exportAndReanalyse exports res (from path) to a pcapng file and analyses that file again: it
// reads back with no warning, but that it holds the same packets at two points if the capture did.
func exportAndReanalyse(t *testing.T, path string, res *result.Result, opts Options, o ExportOptions) (*result.Result, ExportStats) {
	t.Helper()
	var b bytes.Buffer
	st, err := Export(path, res, &b, o)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "export.pcapng")
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := File(out, opts)
	if err != nil {
		t.Fatalf("the export does not read back: %v", err)
	}
	// what the frames themselves show stays in the export: two points in one file, frames out
	// of time order
	kept := func(w result.Warning) bool {
		return (w.Code == "two-points-split" || w.Code == "time-back") &&
			slices.ContainsFunc(res.Warnings, func(o result.Warning) bool { return o.Code == w.Code })
	}
	if again.Input.Format != "pcapng" || !again.Input.Complete || slices.ContainsFunc(again.Warnings, func(w result.Warning) bool { return !kept(w) }) {
		t.Errorf("export read back as %s, complete %v, warnings %+v", again.Input.Format, again.Input.Complete, again.Warnings)
	}
	return again, st
}

// sameFlow checks that a re-analysed flow is the original one: endpoints, times to the
// nanosecond, TCP counts and state, TLS versions and the verdict.
func sameFlow(t *testing.T, got, want *result.Flow) {
	t.Helper()
	if got.Client != want.Client || got.Server != want.Server || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) ||
		got.TCP.ClientPackets != want.TCP.ClientPackets || got.TCP.ServerPackets != want.TCP.ServerPackets ||
		got.ConnState != want.ConnState || got.History != want.History || got.Verdict != want.Verdict ||
		!slices.Equal(got.OfferedVersions, want.OfferedVersions) {
		t.Errorf("re-analysed flow %s -> %s: %s %s %s %v..%v %d/%d packets; want %s %s %s %v..%v %d/%d",
			got.Client, got.Server, got.Verdict, got.ConnState, got.History, got.Start, got.End, got.TCP.ClientPackets, got.TCP.ServerPackets,
			want.Verdict, want.ConnState, want.History, want.Start, want.End, want.TCP.ClientPackets, want.TCP.ServerPackets)
	}
}

// TestExportFailing: the export of seed-reset-fleet.pcap holds the two failing flows and the one
// flow their evidence cites (the server choosing TLS 1.2 for another agent), and nothing else; it
// re-analyses to the same verdicts, tls-version-mismatch included, with the same packets and times.
func TestExportFailing(t *testing.T) {
	path := filepath.Join(ownCaptures, "seed-reset-fleet.pcap")
	res, err := File(path, manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	again, st := exportAndReanalyse(t, path, res, manifestOptions, ExportOptions{})
	want := []int{1, 4, 5} // flow IDs: the cited ok flow, the two mismatches
	packets := 0
	for _, id := range want {
		packets += res.Flows.Slice()[id-1].TCP.ClientPackets + res.Flows.Slice()[id-1].TCP.ServerPackets
	}
	if st.Flows != 3 || st.Context != 1 || st.Names != 0 || st.Packets != packets || again.Input.Frames != packets {
		t.Errorf("stats %+v, %d frames read back; want 3 flows (1 context), %d packets", st, again.Input.Frames, packets)
	}
	if again.Flows.Len() != len(want) {
		t.Fatalf("%d flows in the export, want %d", again.Flows.Len(), len(want))
	}
	for i, id := range want {
		sameFlow(t, &again.Flows.Slice()[i], &res.Flows.Slice()[id-1])
	}
	if again.Summary.Failed != 2 || !slices.Equal(again.Input.LinkTypes, []string{"Ethernet"}) {
		t.Errorf("failed %d, link types %v", again.Summary.Failed, again.Input.LinkTypes)
	}
}

// TestExportAll: --export-all keeps every flow; nanosecond timestamps and several link types in
// one pcapng survive.
func TestExportAll(t *testing.T) {
	for _, path := range []string{
		filepath.Join(ownCaptures, "seed-reset-fleet.pcap"),
		"../capture/testdata/tls-veth-nano.pcap",
		"../capture/testdata/linktypes.pcapng",
		"../capture/testdata/dumpcap-3if.pcapng",
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			res, err := File(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			again, st := exportAndReanalyse(t, path, res, Options{}, ExportOptions{All: true})
			if st.Flows != res.Flows.Len() || again.Flows.Len() != res.Flows.Len() {
				t.Fatalf("%d flows exported, %d read back; want %d", st.Flows, again.Flows.Len(), res.Flows.Len())
			}
			for i := range res.Flows.Slice() {
				sameFlow(t, &again.Flows.Slice()[i], &res.Flows.Slice()[i])
			}
			for _, lt := range again.Input.LinkTypes {
				if !slices.Contains(res.Input.LinkTypes, lt) {
					t.Errorf("link type %s in the export, not in the original %v", lt, res.Input.LinkTypes)
				}
			}
		})
	}
}

// TestExportNames: the lookups of a failing name go into the export with the connection by
// address that its evidence cites; the export gives the same name finding.
func TestExportNames(t *testing.T) {
	path := filepath.Join(ownCaptures, "dns-nxdomain-ip-works.pcap")
	opts := manifestOptions
	opts.ServerNames = []string{"apexone.connscope.test"}
	res, err := File(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	again, st := exportAndReanalyse(t, path, res, opts, ExportOptions{})
	if st.Names != 1 || st.Flows != 1 || st.Context != 1 || len(again.Names) != 1 || again.Flows.Len() != 1 {
		t.Fatalf("stats %+v; read back %d names, %d flows", st, len(again.Names), again.Flows.Len())
	}
	g, w := again.Names[0], res.Names[0]
	if g.Name != w.Name || g.Outcome != w.Outcome || g.Verdict != w.Verdict || !slices.Equal(g.Askers, w.Askers) ||
		g.Queries != w.Queries || g.Responses != w.Responses || say(g.Reason) != say(w.Reason) {
		t.Errorf("name read back %+v, want %+v", g, w)
	}
	sameFlow(t, &again.Flows.Slice()[0], &res.Flows.Slice()[0])
}

// TestExportNothing: a capture without failures exports a valid, empty pcapng.
func TestExportNothing(t *testing.T) {
	path := filepath.Join(ownCaptures, "tls12-ok.pcap")
	res, err := File(path, manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	again, st := exportAndReanalyse(t, path, res, manifestOptions, ExportOptions{})
	if st.Packets != 0 || st.Flows != 0 || again.Input.Frames != 0 || again.Flows.Len() != 0 {
		t.Errorf("stats %+v, %d frames read back", st, again.Input.Frames)
	}
}

// TestExportRewrite: the Rewrite hook (for redaction) sees every exported frame and can change or
// drop it.
func TestExportRewrite(t *testing.T) {
	path := filepath.Join(ownCaptures, "seed-reset-fleet.pcap")
	res, err := File(path, manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	var b bytes.Buffer
	st, err := Export(path, res, &b, ExportOptions{Rewrite: func(data []byte, _ layers.LinkType, wireLen int) ([]byte, int) {
		seen++
		if seen%2 == 0 {
			return nil, 0
		}
		return data[:14], wireLen // the Ethernet header only, cut as a snaplen of 14 would
	}})
	if err != nil {
		t.Fatal(err)
	}
	if seen != 27 || st.Packets != 14 || st.Bytes != 14*14 {
		t.Errorf("rewrite saw %d frames; stats %+v", seen, st)
	}
}
