package fleet

import (
	"testing"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// TestSplitByVersion: an agent's flows to a server are grouped as two kinds of ClientHello only
// when every flow of the lower kind failed in a way the versions may explain and every flow of
// the higher kind succeeded; otherwise it stays "mixed" (version-or-cipher.pcap shows the split
// itself: cmd/connscope TestContextWords).
func TestSplitByVersion(t *testing.T) {
	type flow struct {
		highest tls.Version
		verdict result.Verdict
	}
	mismatch, ok := result.VerdictTLSVersionMismatch, result.VerdictOK
	for _, tc := range []struct {
		name  string
		flows []flow
		split bool
	}{
		{"TLS 1.0 fails, TLS 1.2 succeeds", []flow{{tls.VersionTLS10, mismatch}, {tls.VersionTLS12, ok}, {tls.VersionTLS10, mismatch}}, true},
		{"the other way round", []flow{{tls.VersionTLS12, mismatch}, {tls.VersionTLS10, ok}}, false},
		{"TLS 1.2 fails too", []flow{{tls.VersionTLS10, mismatch}, {tls.VersionTLS12, ok}, {tls.VersionTLS12, mismatch}}, false},
		{"TLS 1.0 succeeds once", []flow{{tls.VersionTLS10, mismatch}, {tls.VersionTLS10, ok}, {tls.VersionTLS12, ok}}, false},
		{"a failure the versions do not explain", []flow{{tls.VersionTLS10, result.VerdictMiddleboxReset}, {tls.VersionTLS12, ok}}, false},
		{"three kinds", []flow{{tls.VersionTLS10, mismatch}, {tls.VersionTLS11, mismatch}, {tls.VersionTLS12, ok}}, false},
		{"one kind", []flow{{tls.VersionTLS12, mismatch}, {tls.VersionTLS12, ok}}, false},
	} {
		var ao agentOutcome
		for _, f := range tc.flows {
			ao.flows++
			versionish := f.verdict.Failed() && versionMayExplain(f.verdict, 0)
			ao.addKind(f.highest, 1, f.verdict == ok, versionish)
			if f.verdict == ok {
				ao.ok++
			} else {
				ao.failed++
			}
		}
		low, high, split := ao.splitByVersion()
		if split != tc.split {
			t.Errorf("%s: split %v, want %v", tc.name, split, tc.split)
			continue
		}
		if split && (low.highest != tls.VersionTLS10 || low.flows != 2 || high.highest != tls.VersionTLS12 || high.flows != 1) {
			t.Errorf("%s: kinds %+v and %+v", tc.name, low, high)
		}
	}
}
