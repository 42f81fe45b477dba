package report

import (
	"strconv"
	"strings"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// liveReasonRunes caps the reason on a live line; the final report has it whole.
const liveReasonRunes = 110

// FlowLine renders a finished flow as one line for a live capture: start time (UTC), id, verdict,
// client -> server, TCP state, offered and chosen versions, and the reason's first clause, e.g.
//
//	05:31:02.123 #3 tls-version-mismatch 10.55.0.1:40412 -> 10.55.0.2:4343 SF offered TLS 1.0 chosen - : the server sent a fatal protocol_version alert ...
func FlowLine(f *result.Flow) string { return FlowLineIn(f, knowledge.English) }

// FlowLineIn is FlowLine worded in language lang.
func FlowLineIn(f *result.Flow, lang knowledge.Lang) string {
	wd := wordsFor(&result.Result{}, lang).wording()
	offered := wording.Clean(findings.VersionRange(f.OfferedVersions))
	if findings.OfferedLegacy(f) {
		offered += wording.LegacyMark
	}
	reason := firstClause(wording.Clean(wd.Msg(f.Reason)))
	if r := []rune(reason); len(r) > liveReasonRunes {
		reason = string(r[:liveReasonRunes-1]) + "…"
	}
	return wd.Say("report.live", result.Text("time", wording.UTC(f.Start, "15:04:05.000")), result.Text("id", strconv.Itoa(f.ID)),
		result.Text("verdict", wording.Clean(wd.VerdictCell(f))), result.Endpoint("client", wording.OrDash(f.Client)), result.Endpoint("server", wording.OrDash(f.Server)),
		result.Text("state", wording.OrDash(f.ConnState)), result.Text("offered", offered), result.Text("chosen", wording.OrDash(findings.Chosen(f))),
		result.Capture("reason", wording.OrDash(reason)))
}

// firstClause returns s up to its first "; " (Japanese: 「。」) outside parentheses.
func firstClause(s string) string {
	depth := 0
	for i, r := range s {
		switch {
		case r == '(' || r == '（':
			depth++
		case (r == ')' || r == '）') && depth > 0:
			depth--
		case r == ';' && depth == 0 && strings.HasPrefix(s[i:], "; "), r == '。' && depth == 0:
			return s[:i]
		}
	}
	return s
}
