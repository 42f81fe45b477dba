package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

func TestProbeUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"probe"}, "probe needs a target"},
		{[]string{"probe", "10.0.0.2"}, "give the port"},
		{[]string{"probe", "10.0.0.2:4343", "--ciphers", "some"}, `--ciphers "some"`},
		{[]string{"probe", "10.0.0.2:4343", "--client-versions", "1.4"}, `"1.4" is not one of`},
		{[]string{"probe", "10.0.0.2:4343", "--url", "x.dat"}, "starts with /"},
		{[]string{"probe", "10.0.0.2:4343", "--profile", "nope"}, "--profile"},
		{[]string{"probe", "10.0.0.2:4343", "--format", "xml"}, "unknown format"},
		{[]string{"probe", "10.0.0.2:4343", "--lang", "fr"}, "--lang"},
		{[]string{"probe", "10.0.0.2:4343", "--dns", "dns.example"}, "--dns"},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
	var out bytes.Buffer
	if code := run([]string{"help", "probe"}, &out, &out); code != 0 || !strings.Contains(out.String(), "connscope probe [options] HOST[:PORT]...") {
		t.Errorf("help probe: %d %q", code, out.String())
	}
}

// TestProbeCommand probes a Go HTTPS server on loopback (TLS 1.2 and 1.3): an agent with TLS 1.0
// has no common version (exit 1); one with TLS 1.2 settles on it and fetches the URL (exit 0,
// the test certificate's unknown issuer is a warning).
func TestProbeCommand(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/check.dat" {
			w.Write([]byte("0123456789"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "https://")

	var out, errb bytes.Buffer
	code := run([]string{"probe", addr, "--client-versions", "1.0", "--no-url", "--timeout", "1s"}, &out, &errb)
	if code != exitFailed || !strings.Contains(out.String(), "PROBLEM tls-version-mismatch: no common version: the agent has TLS 1.0, "+addr+" accepts TLS 1.2, TLS 1.3: they cannot connect") {
		t.Errorf("exit %d:\n%s%s", code, out.String(), errb.String())
	}

	out.Reset()
	code = run([]string{"probe", addr, "--client-versions", "1.0,1.1,1.2", "--url", "/check.dat", "--timeout", "1s", "-f", "json"}, &out, &errb)
	var r result.ProbeResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	ep := r.Targets[0].Endpoints[0]
	if code != exitOK || ep.Settled != "TLS 1.2" || len(ep.HTTP) != 1 || ep.HTTP[0].Status != 200 || ep.HTTP[0].Bytes != 10 || r.Problems != 0 {
		t.Errorf("exit %d, settled %q, HTTP %+v, %d problems: %s", code, ep.Settled, ep.HTTP, r.Problems, out.String())
	}

	out.Reset()
	run([]string{"probe", addr, "--client-versions", "1.0", "--no-url", "--timeout", "1s", "--redact", "-f", "markdown"}, &out, &errb)
	if strings.Contains(out.String(), "127.0.0.1") || !strings.Contains(out.String(), "198.18.0.") {
		t.Errorf("redacted markdown:\n%s", out.String())
	}
}
