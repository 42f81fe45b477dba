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

// briefMismatches lists the flows of l whose brief (result.FlowList.Brief, known without making
// the flow) differs from the brief of the flow as made (result.BriefOf).
func briefMismatches(l result.FlowList) []string {
	if !l.HasBriefs() {
		return []string{"the list has no briefs"}
	}
	var out []string
	for i, f := range l.All() {
		got, _ := l.Brief(i)
		if want := result.BriefOf(f); got != want {
			out = append(out, fmt.Sprintf("flow #%d: brief %+v, the flow says %+v", f.ID, got, want))
		}
	}
	return out
}

// TestBriefMismatchesCaught checks the checker: a list whose brief of one flow is wrong in its
// verdict, in failed or in the legacy offer gives one mismatch; a list without briefs is caught.
func TestBriefMismatchesCaught(t *testing.T) {
	fs := []result.Flow{
		{ID: 1, Verdict: result.VerdictOK},
		{ID: 2, Verdict: result.VerdictReset, Failed: true},
		{ID: 3, Verdict: result.VerdictOK, OfferedVersions: []string{"TLS 1.0"},
			TLS: &result.TLS{ClientHello: &result.ClientHello{OfferedFromLegacy: true}}},
	}
	right := func(i int) result.Brief { return result.BriefOf(&fs[i]) }
	if got := briefMismatches(result.FlowsOf(fs).WithBriefs(right)); len(got) != 0 {
		t.Errorf("right briefs: %v", got)
	}
	if got := briefMismatches(result.FlowsOf(fs)); len(got) != 1 {
		t.Errorf("no briefs: %v, want 1 mismatch", got)
	}
	for _, wrong := range []func(b *result.Brief){
		func(b *result.Brief) { b.Verdict = result.VerdictSYNTimeout },
		func(b *result.Brief) { b.Failed = !b.Failed },
		func(b *result.Brief) { b.OfferedLegacy = !b.OfferedLegacy },
	} {
		for k := range fs {
			list := result.FlowsOf(fs).WithBriefs(func(i int) result.Brief {
				b := right(i)
				if i == k {
					wrong(&b)
				}
				return b
			})
			if got := briefMismatches(list); len(got) != 1 || !strings.HasPrefix(got[0], fmt.Sprintf("flow #%d:", k+1)) {
				t.Errorf("brief of flow #%d made wrong: %v, want 1 mismatch", k+1, got)
			}
		}
	}
}

// TestBriefsAgreeWithFlows: for every connection of every capture of testdata and of
// ../shared/captures (each alone, and the two-point scenarios' captures as the two points they
// are), the brief the analysis gives without making the flow (its verdict, failed, and whether
// it offered from the legacy version field) is the made flow's. A report that makes only the
// failing flows (findings.Of) relies on it. The captures hold failing flows, flows that worked,
// flows offered from the legacy version field and flows seen at two vantages, or the test fails.
func TestBriefsAgreeWithFlows(t *testing.T) {
	var flows, failed, worked, legacy, viewed int
	check := func(name string, res *result.Result) {
		for _, m := range briefMismatches(res.Flows) {
			t.Errorf("%s: %s", name, m)
		}
		for i, f := range res.Flows.All() {
			b, _ := res.Flows.Brief(i)
			flows++
			if b.Failed {
				failed++
			} else {
				worked++
			}
			if b.OfferedLegacy {
				legacy++
			}
			if f.Vantages != nil {
				viewed++
			}
		}
	}
	for _, path := range everyCapture(t) {
		res, err := File(path, Options{})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		check(path, res)
	}
	for _, row := range readTwopoint(t) {
		if row["server_file"] == "-" {
			continue
		}
		agent, server := filepath.Join(ownCaptures, row["agent_file"]), filepath.Join(ownCaptures, row["server_file"])
		check(agent+" + "+server, analyzeInputs(t, pcapfile.Input{Path: agent, Point: "agent"}, pcapfile.Input{Path: server, Point: "server"}))
	}
	if failed == 0 || worked == 0 || legacy == 0 || viewed == 0 {
		t.Errorf("%d flows: %d failed, %d worked, %d offered from the legacy version field, %d seen at two vantages: each kind must be checked",
			flows, failed, worked, legacy, viewed)
	}
	t.Logf("%d flows checked: %d failed, %d worked, %d legacy offers, %d seen at two vantages", flows, failed, worked, legacy, viewed)
}

// everyCapture lists the captures of testdata (in every folder) and of ../shared/captures,
// failing the test when the globs find too few.
func everyCapture(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, glob := range []string{"*.pcap*", "*/*.pcap*", "twopoint/*/*.pcap*"} {
		m, _ := filepath.Glob(filepath.Join(ownCaptures, glob))
		paths = append(paths, m...)
	}
	shared, _ := filepath.Glob(filepath.Join(sharedCaptures, "*", "*.pcap*"))
	if len(paths) < 110 || len(shared) < 20 {
		t.Fatalf("%d testdata and %d shared captures: the globs find too few", len(paths), len(shared))
	}
	return slices.DeleteFunc(append(paths, shared...), func(p string) bool { return strings.HasSuffix(p, ".tsv") })
}
