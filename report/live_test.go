package report

import (
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
)

// TestFlowLine checks the live line of a flow: time, id, verdict, endpoints, TCP state, versions
// (with the legacy mark), and the reason's first clause, whole when it holds parentheses.
func TestFlowLine(t *testing.T) {
	chosen := "TLS 1.2"
	cases := []struct {
		f    result.Flow
		want string
	}{
		{result.Flow{ID: 3, Start: time.Date(2026, 11, 29, 6, 31, 20, 321e6, time.UTC), Verdict: result.VerdictTLSVersionMismatch,
			Client: "10.55.0.1:46954", Server: "10.55.0.2:4343", ConnState: "SF", OfferedVersions: []string{"TLS 1.0"},
			TLS:    &result.TLS{ClientHello: &result.ClientHello{OfferedFromLegacy: true}},
			Reason: lit("the server sent protocol_version before any ServerHello: no TLS version in common (the client offers TLS 1.0); this server chose TLS 1.2")},
			"06:31:20.321 #3 tls-version-mismatch 10.55.0.1:46954 -> 10.55.0.2:4343 SF offered TLS 1.0* chosen - : the server sent protocol_version before any ServerHello: no TLS version in common (the client offers TLS 1.0)"},
		{result.Flow{ID: 4, Start: time.Date(2026, 11, 29, 6, 31, 21, 939e6, time.UTC), Verdict: result.VerdictSYNTimeout,
			Client: "[fd00:55::1]:46968", Server: "[fd00:55::2]:4343", ConnState: "S0",
			Reason: lit("3 SYN(s) were never answered (sent at 0.0, 1.0, 2.0 s; intervals 1.0, 1.0 s); no SYN followed")},
			"06:31:21.939 #4 syn-timeout [fd00:55::1]:46968 -> [fd00:55::2]:4343 S0 offered - chosen - : 3 SYN(s) were never answered (sent at 0.0, 1.0, 2.0 s; intervals 1.0, 1.0 s)"},
		{result.Flow{ID: 1, Start: time.Date(2026, 11, 29, 6, 31, 19, 977e6, time.UTC), Verdict: result.VerdictOK, Client: "10.55.0.1:46946",
			Server: "10.55.0.2:4343", ConnState: "SF", OfferedVersions: []string{"TLS 1.2", "TLS 1.3"}, ChosenVersion: &chosen,
			Reason: lit("TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 and a very long tail that goes on and on past the cap of the live line, which is there to keep it on one terminal row")},
			"06:31:19.977 #1 ok 10.55.0.1:46946 -> 10.55.0.2:4343 SF offered TLS 1.2–1.3 chosen TLS 1.2 : TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 and a very long tail that goes on and on past the cap of t…"},
	}
	for _, tc := range cases {
		if got := FlowLine(&tc.f); got != tc.want {
			t.Errorf("FlowLine:\n got %q\nwant %q", got, tc.want)
		}
	}
	long := FlowLine(&cases[2].f)
	if _, reason, _ := strings.Cut(long, " : "); len([]rune(reason)) != liveReasonRunes {
		t.Errorf("a long reason is cut to %d runes, want %d", len([]rune(reason)), liveReasonRunes)
	}
}
