package report

import (
	"fmt"
	"strings"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// liveReasonRunes caps the reason on a live line; the final report has it whole.
const liveReasonRunes = 110

// FlowLine renders a finished flow as one line for a live capture: start time (UTC), id, verdict,
// client -> server, TCP state, offered and chosen versions, and the reason's first clause, e.g.
//
//	05:31:02.123 #3 tls-version-mismatch 10.55.0.1:40412 -> 10.55.0.2:4343 SF offered TLS 1.0 chosen - : the server sent a fatal protocol_version alert ...
func FlowLine(f *result.Flow) string { return FlowLineIn(f, knowledge.English) }

// FlowLineIn is FlowLine with the reason worded in language lang.
func FlowLineIn(f *result.Flow, lang knowledge.Lang) string {
	wd := wordsFor(&result.Result{}, lang)
	offered := versionRange(f.OfferedVersions)
	if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.OfferedFromLegacy && len(f.OfferedVersions) > 0 {
		offered += legacyMark
	}
	chosen := "-"
	if f.ChosenVersion != nil && *f.ChosenVersion != "" {
		chosen = clean(*f.ChosenVersion)
	}
	reason := firstClause(clean(wd.msg(f.Reason)))
	if r := []rune(reason); len(r) > liveReasonRunes {
		reason = string(r[:liveReasonRunes-1]) + "…"
	}
	return fmt.Sprintf("%s #%d %s %s -> %s %s offered %s chosen %s : %s",
		utc(f.Start, "15:04:05.000"), f.ID, clean(string(f.Verdict)), orDash(f.Client), orDash(f.Server),
		orDash(f.ConnState), offered, chosen, orDash(reason))
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
