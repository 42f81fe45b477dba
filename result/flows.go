package result

import (
	"encoding/json"
	"iter"
)

// FlowList is the listed connections of a result, in order. An analysis keeps compact records
// of facts and makes each Flow only when a report asks for it, so that a report of a hundred
// thousand connections never holds them all at once: a FlowList hands out flows one at a time.
type FlowList struct {
	n   int
	at  func(i int, into *Flow)
	fns []func(*Flow) // applied in order to every flow handed out (Map)
	// concurrent: at may be called from several goroutines at once (NewConcurrentFlowList), and
	// no Map function was added.
	concurrent bool
	brief      func(i int) Brief // nil: no briefs (WithBriefs)
	// atInto is at for a caller that keeps nothing of the flow it asks for (FillOwn): it may
	// make the flow into the memory *mem holds from the flow before; nil: none.
	atInto func(i int, into *Flow, mem *any)
}

// NewReusingFlowList is NewConcurrentFlowList for a maker that can make a flow into memory it
// made the caller's flow before into (FillOwn): at(i, into, mem) makes flow i into *into, with
// *mem what it left there the time before (mem is nil for a caller that keeps the flow).
func NewReusingFlowList(n int, at func(i int, into *Flow, mem *any)) FlowList {
	return FlowList{n: n, at: func(i int, into *Flow) { at(i, into, nil) }, atInto: at, concurrent: true}
}

// NewConcurrentFlowList is NewFlowList for an at that may be called from several goroutines at
// once, so that a report may make flows in parallel (Concurrent).
func NewConcurrentFlowList(n int, at func(i int, into *Flow)) FlowList {
	return FlowList{n: n, at: at, concurrent: true}
}

// Concurrent reports whether At may be called from several goroutines at once.
func (l FlowList) Concurrent() bool { return l.concurrent }

// NewFlowList returns a list of n flows; at fills *into with flow i (0-based), from scratch.
func NewFlowList(n int, at func(i int, into *Flow)) FlowList { return FlowList{n: n, at: at} }

// FlowsOf returns a list of flows already made (for tests and small results). The list shares
// fs: its flows are copied when handed out.
func FlowsOf(fs []Flow) FlowList {
	return FlowList{n: len(fs), at: func(i int, into *Flow) { *into = fs[i] }}
}

// Len is the number of flows.
func (l FlowList) Len() int { return l.n }

// At returns flow i (0-based), made anew.
func (l FlowList) At(i int) Flow {
	var f Flow
	l.fill(i, &f)
	return f
}

// Fill makes flow i (0-based) into *f, reusing what f's slices do not share with others: for a
// caller that makes many flows in turn.
func (l FlowList) Fill(i int, f *Flow) { l.fill(i, f) }

// FillOwn is Fill for a caller that keeps nothing of the flow it made into *f before (no
// pointer into it, no copy of it: what its slices and pointers hold may be written over) and
// hands *f to nobody: the flow may be made into the memory of that one, held in *mem between
// calls, rather than into new memory.
func (l FlowList) FillOwn(i int, f *Flow, mem *any) {
	if l.atInto == nil || len(l.fns) > 0 {
		l.fill(i, f)
		return
	}
	*f = Flow{}
	l.atInto(i, f, mem)
}

func (l FlowList) fill(i int, f *Flow) {
	*f = Flow{}
	l.at(i, f)
	for _, fn := range l.fns {
		fn(f)
	}
}

// All yields each flow in order. The *Flow is reused from one step to the next: copy what must
// outlive the step (At gives a flow of one's own).
func (l FlowList) All() iter.Seq2[int, *Flow] {
	return func(yield func(int, *Flow) bool) {
		var f Flow
		for i := range l.n {
			l.fill(i, &f)
			if !yield(i, &f) {
				return
			}
		}
	}
}

// Slice returns every flow, made anew: for small results only.
func (l FlowList) Slice() []Flow {
	out := make([]Flow, l.n)
	for i := range out {
		l.fill(i, &out[i])
	}
	return out
}

// Map returns a list whose flows pass through fn when handed out (after those of l). The list
// is not Concurrent: fn may not be safe for concurrent use. It keeps l's briefs: fn must not
// change what a flow's brief says (BriefOf).
func (l FlowList) Map(fn func(*Flow)) FlowList {
	out := l
	out.concurrent = false
	out.fns = append(append([]func(*Flow){}, l.fns...), fn)
	return out
}

// UnmarshalJSON reads a report's "flows" list back (for programs that read connscope's JSON
// with encoding/json).
func (l *FlowList) UnmarshalJSON(b []byte) error {
	var fs []Flow
	if err := json.Unmarshal(b, &fs); err != nil {
		return err
	}
	*l = FlowsOf(fs)
	return nil
}
