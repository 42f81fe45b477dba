package capture_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/connscope/connscope/analyze"
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
	want := analyzeFile(t, "testdata/encap/inner.pcap")
	if len(want.Flows) != 5 || want.Summary.Failed != 2 {
		t.Fatalf("inner.pcap: %d flows, %d failed; want 5 and 2 (the version mismatch and the refused port)", len(want.Flows), want.Summary.Failed)
	}
	wantJSON := jsonOf(t, []any{want.Warnings, want.Flows, want.Summary, want.Names})
	for _, f := range []string{"mpls.pcap", "mpls-pw.pcap", "pppoe.pcap", "geneve.pcap", "gre.pcap", "pptp.pcap",
		"erspan2.pcap", "erspan3.pcap", "gtpu.pcap", "fabricpath.pcap", "vntag.pcap", "etag.pcap", "teredo.pcap",
		"ipip.pcap", "ip6ip6.pcap"} {
		t.Run(f, func(t *testing.T) {
			got := analyzeFile(t, filepath.Join("testdata/encap", f))
			if g := jsonOf(t, []any{got.Warnings, got.Flows, got.Summary, got.Names}); g != wantJSON {
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
		for _, f := range res.Flows {
			x := facts{f.Client, f.Server, f.ConnState, f.History, f.OfferedVersions, f.ChosenVersion, nil, f.Verdict, false}
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
	device := of(analyzeFile(t, "testdata/encap/inner.pcap"))
	underlay := of(analyzeFile(t, "testdata/encap/vxlan.pcap"))
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
