package pcapfile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
)

// analyzeFile analyses a capture with the default options.
func analyzeFile(t *testing.T, path string) *result.Result {
	t.Helper()
	res, err := analyze.File(path, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// reportJSON is the result's JSON report but for its input, for comparing analyses.
func reportJSON(t *testing.T, res *result.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write(&b, res, report.FormatJSON, report.Options{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "input")
	return jsonOf(t, doc)
}

// jsonOf is v as JSON, for comparing results.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The analysis of a capture whose every frame is wrapped in a tunnel is the analysis of the
// unwrapped capture: the same flows, verdicts, TLS versions, evidence frames and times, word for
// word. Only the input's description (file name, bytes) differs.
func TestEncapsulatedAnalysis(t *testing.T) {
	want := analyzeFile(t, "../testdata/encap/inner.pcap")
	if want.Flows.Len() != 5 || want.Summary.Failed != 2 {
		t.Fatalf("inner.pcap: %d flows, %d failed; want 5 and 2 (the version mismatch and the refused port)", want.Flows.Len(), want.Summary.Failed)
	}
	wantJSON := reportJSON(t, want)
	for _, f := range []string{"mpls.pcap", "mpls-pw.pcap", "pppoe.pcap", "geneve.pcap", "gre.pcap", "pptp.pcap",
		"erspan2.pcap", "erspan3.pcap", "gtpu.pcap", "fabricpath.pcap", "vntag.pcap", "etag.pcap", "teredo.pcap",
		"ipip.pcap", "ip6ip6.pcap"} {
		t.Run(f, func(t *testing.T) {
			got := analyzeFile(t, filepath.Join("../testdata/encap", f))
			if g := reportJSON(t, got); g != wantJSON {
				t.Errorf("the analysis differs from inner.pcap's:\n%s\nwant\n%s", g, wantJSON)
			}
			if got.Input.Frames != want.Input.Frames {
				t.Errorf("%d frames, want %d", got.Input.Frames, want.Input.Frames)
			}
		})
	}
}

// The real VXLAN capture of the underlay gives, flow by flow, the facts the capture of the VXLAN
// device gives: endpoints, TCP states and histories, TLS versions offered and chosen, alerts and
// verdicts. Times and frame numbers differ (two capture points), so they are left out.
func TestVXLANAnalysis(t *testing.T) {
	type facts struct {
		Client, Server, ConnState, History string
		Offered                            []string
		Chosen                             *string
		Alerts                             []result.Alert
		Verdict                            result.Verdict
		Established                        bool
	}
	of := func(res *result.Result) []facts {
		var out []facts
		for _, f := range res.Flows.Slice() {
			x := facts{string(f.Client), string(f.Server), f.ConnState, f.History, f.OfferedVersions, f.ChosenVersion, nil, f.Verdict, false}
			for _, a := range f.Alerts {
				a.Frame, a.Time = 0, time.Time{}
				x.Alerts = append(x.Alerts, a)
			}
			if f.TLS != nil {
				x.Established = f.TLS.Established
			}
			out = append(out, x)
		}
		return out
	}
	device := of(analyzeFile(t, "../testdata/encap/inner.pcap"))
	underlay := of(analyzeFile(t, "../testdata/encap/vxlan.pcap"))
	if g, w := jsonOf(t, underlay), jsonOf(t, device); g != w {
		t.Errorf("underlay:\n%s\ndevice:\n%s", g, w)
	}
	established := 0
	for _, f := range device {
		if f.Established {
			established++
		}
	}
	if len(device) != 5 || established != 3 || device[2].Verdict != "tls-version-mismatch" {
		t.Errorf("device flows %+v", device)
	}
}

// A rotated set that real tcpdump -C 1 wrote (testdata/rotated/set) analyses as the single file
// another tcpdump wrote at the same time on the same interface (rotated/y.pcap): the same flows,
// frame numbers, verdicts and words, and the same times but for the microsecond or two by which
// the two tcpdumps' copies of a packet were stamped apart; the input lists the set's three files.
func TestRotatedSetAnalysis(t *testing.T) {
	want := analyzeFile(t, "../testdata/rotated/y.pcap")
	r, err := pcapfile.OpenInputs([]pcapfile.Input{{Path: "../testdata/rotated/set"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := analyze.Reader(r, "../testdata/rotated/set", analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	json.Unmarshal([]byte(reportJSON(t, got)), &g)
	json.Unmarshal([]byte(reportJSON(t, want)), &w)
	if diffs := differences(g, w, ""); len(diffs) > 0 {
		t.Errorf("the rotated set's analysis differs from y.pcap's: %s", strings.Join(diffs[:min(len(diffs), 10)], "; "))
	}
	if want.Flows.Len() != 7 || want.Summary.Failed != 2 {
		t.Errorf("y.pcap: %d flows, %d failed; want 7 and 2", want.Flows.Len(), want.Summary.Failed)
	}
	in := got.Input
	if in.Frames != want.Input.Frames || in.Bytes != want.Input.Bytes || in.First.Sub(want.Input.First).Abs() >= time.Millisecond ||
		in.Last.Sub(want.Input.Last).Abs() >= time.Millisecond ||
		in.File != "../testdata/rotated/set/x.pcap" || len(in.Points) != 1 || len(in.Points[0].Files) != 3 || !in.Complete {
		t.Fatalf("Input %+v, want that of %+v", in, want.Input)
	}
	frames := 0
	for i, f := range in.Points[0].Files {
		if string(f.Name) != "../testdata/rotated/set/"+[]string{"x.pcap", "x.pcap1", "x.pcap2"}[i] || !f.Complete || f.Format != "pcap" {
			t.Errorf("file %d: %+v", i, f)
		}
		frames += f.Frames
	}
	if frames != want.Input.Frames || want.Input.Points != nil {
		t.Errorf("the files hold %d frames, want %d; y.pcap's points %+v", frames, want.Input.Frames, want.Input.Points)
	}
}

// differences lists where two decoded JSON values differ, but for times (RFC 3339 strings) less
// than a millisecond apart and fractional numbers (seconds) less than a millisecond apart.
func differences(a, b any, path string) []string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return []string{path + ": not the same object"}
		}
		var out []string
		for k := range x {
			out = append(out, differences(x[k], y[k], path+"."+k)...)
		}
		return out
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return []string{path + ": not the same list"}
		}
		var out []string
		for i := range x {
			out = append(out, differences(x[i], y[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case string:
		ta, errA := time.Parse(time.RFC3339Nano, x)
		y, _ := b.(string)
		tb, errB := time.Parse(time.RFC3339Nano, y)
		if errA == nil && errB == nil && ta.Sub(tb).Abs() < time.Millisecond || x == y {
			return nil
		}
	case float64:
		y, ok := b.(float64)
		if ok && (x == y || x != math.Trunc(x) && math.Abs(x-y) < 0.001) {
			return nil
		}
	default:
		if a == b {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: %v, want %v", path, a, b)}
}
