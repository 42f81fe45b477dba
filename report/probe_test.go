package report

import (
	"bytes"
	"encoding/pem"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/certcheck"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/probe"
	"github.com/connscope/connscope/redact"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// probeFixture is a fixed probe result: an Apex One server that accepts only TLS 1.2 probed for
// an agent with TLS 1.0 (by name: the name resolves with the system resolver, not with a second
// DNS server), its plain-HTTP port, and an agent's listener that does not answer. The facts are
// fixed; the findings are probe.Diagnose's.
func probeFixture(t *testing.T) *result.ProbeResult {
	t.Helper()
	at := time.Date(2026, 11, 29, 3, 14, 0, 0, time.UTC)
	prof, err := knowledge.ProfileByName("apexone")
	if err != nil {
		t.Fatal(err)
	}
	opts := probe.Options{Profile: prof, ClientVersions: []tls.Version{tls.VersionTLS10}, ClientSource: "flag",
		ClientDetail: result.Msg("probe.client-versions-flag"), Timeout: 3 * time.Second, Now: func() time.Time { return at }}
	b, err := os.ReadFile("../testdata/pki/server.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	chain := [][]byte{blk.Bytes}
	certs, errs := certcheck.Parse(chain)
	desc := certcheck.Describe(chain, certs, errs)
	pc := &result.ProbeCertificate{Version: "TLS 1.2", Source: "certificate-message", Chain: desc, Findings: []result.ProbeCertificateFinding{}}
	for _, f := range certcheck.Judge(certs, errs, desc, certcheck.Options{At: at, Name: "apexone.connscope.test", Seen: certcheck.ByProbe, CheckIssuer: true}) {
		pc.Findings = append(pc.Findings, result.ProbeCertificateFinding{Code: f.Code})
		pc.Messages = append(pc.Messages, f.Message)
	}
	check := "/officescan/hotfix_pccnt/Common/OfcNTCer.dat"
	server := result.ProbeTarget{Input: "apexone.connscope.test", Name: "apexone.connscope.test", Port: 4343, Role: probe.RoleServer,
		Lookups: []result.ProbeLookup{
			{Resolver: "system", Outcome: "ok", Addresses: []string{"10.77.1.2"}, Seconds: 0.002},
			{Resolver: "10.77.1.53:53", Outcome: "nxdomain", Addresses: []string{}, Error: "lookup apexone.connscope.test on 10.77.1.53:53: no such host", Seconds: 0.001},
		},
		Endpoints: []result.ProbeEndpoint{{Address: "10.77.1.2:4343", Via: "resolved",
			TCP: result.ProbeTCP{Verdict: "ok", ConnectMS: 0.4, Answer: "syn-ack"},
			Versions: []result.ProbeVersion{
				{Version: "SSL 3.0", Outcome: "tls-version-mismatch", Answer: "alert", Alert: "handshake_failure", HelloBytes: 67},
				{Version: "TLS 1.0", Outcome: "tls-version-mismatch", Answer: "alert", Alert: "protocol_version", HelloBytes: 512},
				{Version: "TLS 1.1", Outcome: "tls-version-mismatch", Answer: "reset", HelloBytes: 512},
				{Version: "TLS 1.2", Outcome: "accepted", Answer: "server-hello", Chosen: "TLS 1.2", Cipher: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", HelloBytes: 596},
				{Version: "TLS 1.3", Outcome: "no-server-hello", Answer: "silence", HelloBytes: 512},
			},
			Accepted: []string{"TLS 1.2"},
			Ciphers: &result.ProbeCiphers{Version: "TLS 1.2", Mode: "common", Offered: 34,
				Accepted: []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"},
				Clients: []result.ProbeClientCipher{{Client: "Windows 8.1 / Server 2012 R2", Cipher: "TLS_RSA_WITH_AES_256_GCM_SHA384"},
					{Client: "Windows 10 1607 / Server 2016", Cipher: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}}},
			Certificate: pc,
			HTTP:        []result.ProbeHTTP{{URL: "https://10.77.1.2:4343" + check, By: "address", Address: "10.77.1.2:4343", Status: 200, Bytes: 1187, Version: "TLS 1.2"}},
		}},
		HTTP: []result.ProbeHTTP{{URL: "https://apexone.connscope.test:4343" + check, By: "name", Address: "10.77.1.2:4343", Status: 200, Bytes: 1187, Version: "TLS 1.2"}},
	}
	plain := result.ProbeTarget{Input: "10.77.1.2:8080", Port: 8080, Role: probe.RoleServer, Lookups: []result.ProbeLookup{},
		Endpoints: []result.ProbeEndpoint{{Address: "10.77.1.2:8080", Via: "given", TCP: result.ProbeTCP{Verdict: "ok", ConnectMS: 0.3, Answer: "syn-ack"},
			Accepted: []string{}, HTTP: []result.ProbeHTTP{{URL: "http://10.77.1.2:8080" + check, By: "address", Address: "10.77.1.2:8080", Status: 200, Bytes: 1187}}}},
		HTTP: []result.ProbeHTTP{}}
	for _, v := range []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"} {
		plain.Endpoints[0].Versions = append(plain.Endpoints[0].Versions, result.ProbeVersion{Version: v, Outcome: "not-tls", Answer: "not-tls", NotTLS: "HTTP/1.1 400 Bad Request"})
	}
	agent := result.ProbeTarget{Input: "10.77.1.9:21112", Port: 21112, Role: probe.RoleAgentListener, Lookups: []result.ProbeLookup{},
		Endpoints: []result.ProbeEndpoint{{Address: "10.77.1.9:21112", Via: "given", TCP: result.ProbeTCP{Verdict: "syn-timeout", ConnectMS: 3000, Answer: "none",
			Error: "dial tcp 10.77.1.9:21112: i/o timeout"}, Versions: []result.ProbeVersion{}, Accepted: []string{}, HTTP: []result.ProbeHTTP{}}},
		HTTP: []result.ProbeHTTP{}}
	r := &result.ProbeResult{Schema: result.ProbeSchemaVersion, Started: at, Finished: at.Add(4200 * time.Millisecond),
		Options: result.ProbeOptions{Profile: "apexone", Timeout: 3, Ciphers: "common", URL: check, Resolvers: true},
		Client:  result.ProbeClient{Versions: []string{"TLS 1.0"}, Source: "flag", Detail: result.Msg("probe.client-versions-flag")},
		Targets: []result.ProbeTarget{server, plain, agent}, Connections: 31}
	for i := range r.Targets {
		r.Targets[i].Findings = probe.Diagnose(opts, &r.Targets[i])
	}
	probe.Summarize(r, opts)
	return r
}

func TestProbeReportGolden(t *testing.T) {
	r := probeFixture(t)
	cases := []struct {
		name   string
		format Format
		lang   knowledge.Lang
		redact bool
	}{
		{"probe-table", FormatTable, knowledge.English, false},
		{"probe-table-ja", FormatTable, knowledge.Japanese, false},
		{"probe-json", FormatJSON, knowledge.English, false},
		{"probe-markdown", FormatMarkdown, knowledge.English, false},
		{"probe-markdown-ja", FormatMarkdown, knowledge.Japanese, false},
		{"probe-html", FormatHTML, knowledge.English, false},
		{"probe-table-redacted", FormatTable, knowledge.English, true},
		{"probe-json-redacted", FormatJSON, knowledge.English, true},
	}
	for _, tc := range cases {
		shown := r
		if tc.redact {
			shown = redact.New().Probe(r)
		}
		var b bytes.Buffer
		if err := WriteProbe(&b, shown, tc.format, ProbeOptions{Lang: tc.lang}); err != nil {
			t.Fatal(err)
		}
		golden(t, tc.name, b.Bytes())
		out := b.String()
		if tc.redact {
			for _, original := range []string{"10.77.1", "apexone.connscope.test", "OfcNTCer", "connscope Test CA"} {
				if strings.Contains(out, original) {
					t.Errorf("%s: %q is in the redacted report", tc.name, original)
				}
			}
		}
		if tc.format == FormatHTML && (strings.Contains(out, "<script") || strings.Contains(out, "src=\"http")) {
			t.Errorf("%s: the page runs or fetches something", tc.name)
		}
		if strings.Contains(out, "[probe.") || strings.Contains(out, "[cert.") {
			t.Errorf("%s: a message key without a template: %s", tc.name, out)
		}
	}
	if r.Problems != 2 {
		t.Errorf("%d problems, want 2 (no common version, the agent's listener)", r.Problems)
	}
}

// TestProbeReportEscapes: text from the network cannot break the markdown or the page.
func TestProbeReportEscapes(t *testing.T) {
	r := probeFixture(t)
	r.Targets[1].Endpoints[0].Versions[0].NotTLS = "<script>alert(1)</script>|x"
	prof, _ := knowledge.ProfileByName("apexone")
	r.Targets[1].Findings = probe.Diagnose(probe.Options{Profile: prof}, &r.Targets[1])
	probe.Summarize(r, probe.Options{Profile: prof, ClientVersions: []tls.Version{tls.VersionTLS10}})
	for _, f := range []Format{FormatHTML, FormatMarkdown} {
		var b bytes.Buffer
		if err := WriteProbe(&b, r, f, ProbeOptions{}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "<script>") {
			t.Errorf("%s: unescaped <script>", f)
		}
	}
}

// TestProbeSchemaDoc: docs/probe-json.md names every JSON key of the probe's result.
func TestProbeSchemaDoc(t *testing.T) {
	doc, err := os.ReadFile("../docs/probe-json.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ == reflect.TypeFor[time.Time]() {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || name == "" {
				continue
			}
			if !strings.Contains(string(doc), "`"+name+"`") {
				t.Errorf("docs/probe-json.md does not name %s.%s (`%s`)", typ.Name(), f.Name, name)
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[result.ProbeResult]())
}
