package result

import "iter"

// Brief is what a report needs to know of a listed flow to tell whether it must make the flow:
// its verdict, whether it failed, and whether its offer came from the legacy version field. An
// analysis knows it of every flow without making any (FlowList.Brief), so that a report that
// details only the failing flows makes only those.
type Brief struct {
	Verdict       Verdict
	Failed        bool
	OfferedLegacy bool
}

// BriefOf is the brief of a flow already made.
func BriefOf(f *Flow) Brief {
	return Brief{Verdict: f.Verdict, Failed: f.Failed, OfferedLegacy: f.OfferedLegacy()}
}

// OfferedLegacy reports whether the flow's offer came from a ClientHello without the
// supported_versions extension (only its highest version is on the wire).
func (f *Flow) OfferedLegacy() bool {
	return f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.OfferedFromLegacy && len(f.OfferedVersions) > 0
}

// WithBriefs returns l with the brief of each flow: brief(i) must equal BriefOf of flow i as l
// makes it (the analysis that makes the list tests that it does), and be safe for concurrent
// use when l is Concurrent.
func (l FlowList) WithBriefs(brief func(i int) Brief) FlowList {
	l.brief = brief
	return l
}

// HasBriefs reports whether the list knows its flows' briefs without making them.
func (l FlowList) HasBriefs() bool { return l.brief != nil }

// Brief returns the brief of flow i (0-based) without making the flow, and true; false when
// the list has no briefs (HasBriefs), for a caller that then makes the flow.
func (l FlowList) Brief(i int) (Brief, bool) {
	if l.brief == nil {
		return Brief{}, false
	}
	return l.brief(i), true
}

// Where yields, in order, the flows whose brief keep accepts (keep is given the flow's index
// and brief), as Ahead yields them: with briefs only those flows are made (ahead, on the other
// CPUs, when there are many); without, every flow is made and its brief read from it. The
// *Flow is valid until the loop's next step. keep must not depend on what the loop does: with
// briefs it is asked of every flow before the first is yielded.
func (l FlowList) Where(keep func(i int, b Brief) bool) iter.Seq2[int, *Flow] {
	if l.brief == nil {
		return func(yield func(int, *Flow) bool) {
			for i, f := range l.Ahead() {
				if keep(i, BriefOf(f)) && !yield(i, f) {
					return
				}
			}
		}
	}
	var idx []int
	for i := range l.n {
		if keep(i, l.brief(i)) {
			idx = append(idx, i)
		}
	}
	return l.aheadOf(idx)
}
