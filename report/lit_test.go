package report

import "github.com/connscope/connscope/result"

// lit is text already worded, as a message.
func lit(s string) result.Message { return result.Msg("literal", result.Capture("text", s)) }

// edit changes flow i of r.
func edit(r *result.Result, i int, fn func(*result.Flow)) {
	flows := r.Flows.Slice()
	fn(&flows[i])
	r.Flows = result.FlowsOf(flows)
}
