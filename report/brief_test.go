package report

import (
	"bytes"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// withBriefs returns r with its flows in a list as the analysis makes it: Concurrent, with the
// flows' briefs (result.FlowList.WithBriefs), counting in made the flows it makes.
func withBriefs(r *result.Result, made *atomic.Int64) *result.Result {
	fs := r.Flows.Slice()
	out := *r
	out.Flows = result.NewConcurrentFlowList(len(fs), func(i int, f *result.Flow) {
		made.Add(1)
		*f = fs[i]
	}).WithBriefs(func(i int) result.Brief { return result.BriefOf(&fs[i]) })
	return &out
}

// legacyOKFlow is okFlow offered from the legacy version field (a ClientHello of TLS 1.2
// without supported_versions).
func legacyOKFlow(id int) result.Flow {
	f := okFlow(id)
	ch := *f.TLS.ClientHello
	ch.SupportedVersions, ch.OfferedVersions, ch.OfferedFromLegacy = nil, []string{"TLS 1.2"}, true
	t := *f.TLS
	t.ClientHello = &ch
	f.TLS, f.OfferedVersions = &t, ch.OfferedVersions
	return f
}

// fleet is a result of n flows, the fixtures' flows over and over (a third of them failing);
// a flow that worked offers from the legacy version field only with legacy set.
func fleet(n int, legacy bool) *result.Result {
	last := okFlow
	if legacy {
		last = legacyOKFlow
	}
	makers := []func(int) result.Flow{okFlow, okFlow, okFlow, okFlow, okFlow, okFlow, mismatchFlow, refusedFlow, ipv6Flow, japaneseFlow,
		legacyFlow, last}
	flows := make([]result.Flow, n)
	for i := range flows {
		flows[i] = makers[i%len(makers)](i + 1)
	}
	r := build(flows...)
	r.Options.MaxFlows = n
	return r
}

// TestBriefsChangeNoByte: every format writes the same bytes whether the result's list has
// briefs (and so the reports make only the flows they show) or not (every flow is made): the
// golden cases, with each table option, and a result of two thousand flows whose failing ones
// are made ahead on several CPUs. The findings are the same too.
func TestBriefsChangeNoByte(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	type tcase struct {
		name string
		r    func() *result.Result
	}
	var cases []tcase
	for _, tc := range tableCases {
		cases = append(cases, tcase{"table-" + tc.name, tc.r})
	}
	for _, tc := range ticketCases {
		cases = append(cases, tcase{"ticket-" + tc.name, tc.r})
	}
	cases = append(cases, tcase{"fleet", func() *result.Result { return fleet(2000, false) }},
		tcase{"fleet-legacy", func() *result.Result { return fleet(2000, true) }},
		tcase{"legacy-ok", func() *result.Result { return build(okFlow(1), legacyOKFlow(2), mismatchFlow(3)) }})
	options := []Options{{}, {Verbose: true}, {List: true}, {Failed: true}, {Failed: true, Verbose: true}}
	for _, tc := range cases {
		var made atomic.Int64
		if plain, briefed := findings.Of(tc.r()), findings.Of(withBriefs(tc.r(), &made)); !reflect.DeepEqual(plain, briefed) {
			t.Errorf("%s: the findings differ with briefs:\n%+v\nwithout:\n%+v", tc.name, briefed, plain)
		}
		for _, f := range Formats() {
			for _, o := range options {
				var plain, briefed bytes.Buffer
				var made atomic.Int64
				if err := Write(&plain, tc.r(), f, o); err != nil {
					t.Fatal(err)
				}
				if err := Write(&briefed, withBriefs(tc.r(), &made), f, o); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(plain.Bytes(), briefed.Bytes()) {
					t.Errorf("%s, %s %+v: the report differs with briefs:\n--- with\n%s\n--- without\n%s", tc.name, f, o, briefed.Bytes(), plain.Bytes())
				}
			}
		}
	}
}

// TestBriefsMakeOnlyFailingFlows: with briefs, the default table and the findings make the
// failing flows and the groups' examples, not the flows that worked.
func TestBriefsMakeOnlyFailingFlows(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	r := fleet(2000, true)
	fs := findings.Of(r)
	want := int64(fs.ListedFailed)
	for _, g := range fs.Groups {
		want += int64(len(g.Examples))
	}
	if fs.ListedFailed == 0 || fs.ListedFailed >= fs.Listed/2 {
		t.Fatalf("%d of %d flows failed: the fixture must have some, and more flows that worked", fs.ListedFailed, fs.Listed)
	}
	var made atomic.Int64
	if err := Write(&bytes.Buffer{}, withBriefs(r, &made), FormatTable, Options{}); err != nil {
		t.Fatal(err)
	}
	if made.Load() != want {
		t.Errorf("the table made %d flows, want %d (%d failing, and the examples)", made.Load(), want, fs.ListedFailed)
	}
	made.Store(0)
	withBriefs(r, &made) // the list made, no flow
	if made.Load() != 0 {
		t.Errorf("%d flows made by making the list", made.Load())
	}
}
