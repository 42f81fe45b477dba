package redact

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
)

// originals lists what a result holds that redaction must hide, gathered from its fields
// independently of the redactor: addresses of every endpoint and of every address in a text,
// SNIs, the file name (and its stem) and the HTTP paths in not-TLS text.
func originals(t *testing.T, r *result.Result) (addrs []netip.Addr, names []string) {
	t.Helper()
	seen := map[netip.Addr]bool{}
	add := func(s string) {
		if a, err := netip.ParseAddr(s); err == nil && !seen[a.Unmap()] {
			seen[a.Unmap()] = true
			addrs = append(addrs, a.Unmap())
		}
	}
	for _, h := range r.Options.Hosts {
		add(string(h))
	}
	text := func(s string) {
		for _, m := range regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]`).FindAllString(s, -1) {
			add(strings.Trim(m, "[]"))
		}
	}
	for _, f := range r.Flows.Slice() {
		for _, ep := range []string{string(f.Client), string(f.Server)} {
			ap, err := netip.ParseAddrPort(ep)
			if err != nil {
				t.Fatalf("flow %d endpoint %q: %v", f.ID, ep, err)
			}
			add(ap.Addr().String())
		}
		text(say(f.Reason))
		text(strings.Join(knowledge.Default().Advise(knowledge.English, f.Verdict, &f.Advice, nil).NextSteps, " "))
		for _, e := range f.Evidence {
			text(say(e.Text))
		}
		if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.SNI != "" {
			names = append(names, string(f.TLS.ClientHello.SNI))
		}
		if f.TLS != nil {
			for _, c := range f.TLS.ServerCertificates {
				names = append(names, result.Strings(c.DNSNames)...)
				for _, dn := range []string{string(c.Subject), string(c.Issuer)} {
					if _, cn, ok := strings.Cut(dn, "CN="); ok {
						cn, _, _ = strings.Cut(cn, ",")
						names = append(names, cn)
					}
				}
				names = append(names, string(c.SHA256), string(c.SerialNumber))
			}
		}
		if m := regexp.MustCompile(`GET (/\S+)`).FindStringSubmatch(say(f.NotTLS)); m != nil {
			names = append(names, m[1], filepath.Base(m[1]))
		}
	}
	base := filepath.Base(string(r.Input.File))
	names = append(names, string(r.Input.File), base, strings.TrimSuffix(base, filepath.Ext(base)))
	return addrs, names
}

// countAddr counts the occurrences of a as a whole address in s (not inside a longer one).
func countAddr(s string, a netip.Addr) int {
	q := regexp.QuoteMeta(a.String())
	if a.Is4() {
		return len(regexp.MustCompile(`(^|[^0-9.])`+q+`($|[^0-9])`).FindAllStringIndex(s, -1))
	}
	return len(regexp.MustCompile(`(?i)(^|[^0-9a-f:])`+q+`($|[^0-9a-f:])`).FindAllStringIndex(s, -1))
}

// TestRedactCaptures: for captures with many agents, IPv6, an HTTP path, an SNI and public
// addresses, in every format, no original address or name is left in the redacted report, and
// each original's pseudonym appears exactly where the original appeared in the report made
// without --redact: the same original maps to the same pseudonym everywhere.
func TestRedactCaptures(t *testing.T) {
	captures := []string{
		"../testdata/captures/seed-reset-fleet.pcap",
		"../testdata/captures/seed-close-fleet.pcap",
		"../testdata/captures/plain-http-to-tls.pcap",
		"../testdata/captures/ipv6-tls12-ok.pcap",
		"../testdata/captures/closed-port.pcap",
		"../testdata/captures/expired-cert.pcap",
		"../testdata/captures/weak-cert.pcap",
		"../../shared/captures/zeek/tls-conn-with-extensions.pcap",
		"../../shared/captures/zeek/https-to-http.pcap",
	}
	for _, path := range captures {
		t.Run(filepath.Base(path), func(t *testing.T) {
			orig, err := analyze.File(path, analyze.Options{})
			if err != nil {
				t.Fatal(err)
			}
			before := encode(t, orig)
			x := New()
			red := x.Result(orig)
			if !bytes.Equal(encode(t, orig), before) {
				t.Fatal("Result modified its input")
			}
			addrs, names := originals(t, orig)
			if len(addrs) < 1 {
				t.Fatalf("found %d addresses in %s", len(addrs), path)
			}
			pseudo := map[netip.Addr]netip.Addr{}
			for _, a := range addrs {
				p, ok := x.Pseudonym(a.String())
				if !ok {
					t.Fatalf("no pseudonym for %s", a)
				}
				pa := netip.MustParseAddr(p)
				if pa.Is4() != a.Is4() || (pa.Is4() && !netip.MustParsePrefix("198.18.0.0/15").Contains(pa)) ||
					(!pa.Is4() && !netip.MustParsePrefix("2001:db8::/32").Contains(pa)) {
					t.Errorf("pseudonym of %s is %s: not of the same family in the reserved range", a, p)
				}
				pseudo[a] = pa
			}
			for _, f := range report.Formats() {
				var before, after bytes.Buffer
				if err := report.Write(&before, orig, f, report.Options{Verbose: true}); err != nil {
					t.Fatal(err)
				}
				if err := report.Write(&after, red, f, report.Options{Verbose: true}); err != nil {
					t.Fatal(err)
				}
				out := after.String()
				for _, a := range addrs {
					if n := countAddr(out, a); n > 0 {
						t.Errorf("%s: original address %s left %d times", f, a, n)
					}
					if nb, na := countAddr(before.String(), a), countAddr(out, pseudo[a]); nb != na || nb == 0 {
						t.Errorf("%s: %s appears %d times without --redact, its pseudonym %s %d times with it", f, a, nb, pseudo[a], na)
					}
				}
				for _, n := range names {
					if n != "" && strings.Contains(out, n) {
						t.Errorf("%s: original name %q left in the redacted report", f, n)
					}
				}
			}
		})
	}
}

// encode is everything r holds, its flows made one by one, as encoding/json writes it: for
// telling whether Result modified r.
func encode(t *testing.T, r *result.Result) []byte {
	t.Helper()
	c := *r
	c.Flows = result.FlowList{}
	b, err := json.Marshal(struct {
		R     result.Result
		Flows []result.Flow
	}{c, r.Flows.Slice()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRedactFields: a hand-made result with every kind of original, as each field holds it, and
// the same originals as message parameters: each gets the pseudonym of its kind, the same in the
// fields and in the messages, and program text stays.
func TestRedactFields(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	r := &result.Result{
		Input:   result.Input{File: "/home/ops/ACME-HQ/incident 03-14.pcapng.gz", Format: "pcapng (gzip)", First: t0},
		Options: result.Options{Hosts: []result.IP{"10.0.0.1", "fd00::1"}, ServerNames: []result.Host{"apex.acme.example"}},
		Warnings: []result.Warning{{Code: "x", Message: result.Msg("warning.file-truncated-at",
			result.Quoted(result.File("file", "/home/ops/ACME-HQ/incident 03-14.pcapng.gz")), result.Int("offset", 10), result.Text("error", "cut"))}},
		Flows: result.FlowsOf([]result.Flow{{
			ID: 1, Client: "10.0.0.5:50418", Server: "10.0.0.1:4343", Start: t0,
			TLS: &result.TLS{ClientHello: &result.ClientHello{SNI: "apex.acme.example", ALPN: []result.Raw{"h2", "acme-internal/7"},
				CipherSuites: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}},
				ServerCertificates: []result.Certificate{{Subject: "CN=apex<|>\\*.acme,O=ACME Corp", Issuer: "CN=ACME CA",
					SerialNumber: "1", SHA256: "ab12", DNSNames: []result.Host{}, IPAddresses: []result.IP{"10.0.0.1"}}}},
			HTTP: &result.HTTP{Method: "GET", Path: `/officescan/cgi/acme.dll?x="1" y`, Host: "apex.acme.example:8080",
				StatusLine: "HTTP/1.0 404 File not found"},
			NotTLS: result.Msg("prefix.http-request", result.Quoted(result.Capture("line", `GET /officescan/cgi/acme.dll?x="1" y HTTP/1.1`))),
			Reason: result.Msg("name.meanwhile-ok", result.Int("flow", 2), result.Endpoint("client", "[fd00::5]:50418"),
				result.Endpoint("server", "10.0.0.1:4343")),
			Evidence: []result.Evidence{{Frame: 4, Time: t0, Text: result.Msg("phrase.sni", result.Quoted(result.HostName("sni", "apex.acme.example")))},
				{Frame: 5, Time: t0, Text: result.Msg("cert.cn-only", result.HostName("name", "apex<|>\\*.acme"))}},
			Verdict: result.VerdictTLSCertificateRejected,
		}}),
		Names:   []result.Name{{Name: "other.acme.example", Answers: []result.IP{"10.0.0.9"}, Askers: []result.IP{"10.0.0.5"}}},
		Summary: result.Summary{Servers: []result.ServerSummary{{Server: "10.0.0.1:4343", AcceptedVersions: []string{"TLS 1.2"}}}},
	}
	x := New()
	got := x.Result(r)
	f := got.Flows.At(0)
	c := f.TLS.ServerCertificates[0]
	for i, w := range []struct{ got, want string }{
		{string(got.Input.File), "capture-1.pcapng.gz"},
		{string(got.Options.Hosts[0]), "198.18.0.1"},
		{string(got.Options.Hosts[1]), "2001:db8::1"},
		{string(got.Options.ServerNames[0]), "host-1.example"},
		{say(got.Warnings[0].Message), `capture "capture-1.pcapng.gz" is truncated at byte 10: cut`},
		{string(f.Client), "198.18.0.2:50418"},
		{string(f.Server), "198.18.0.1:4343"},
		{f.WiresharkFilter(), "ip.addr==198.18.0.2 && ip.addr==198.18.0.1 && tcp.port==50418 && tcp.port==4343"},
		{string(f.TLS.ClientHello.SNI), "host-1.example"},
		{string(f.TLS.ClientHello.ALPN[0]), "h2"}, // a registered protocol name: kept
		{string(f.TLS.ClientHello.ALPN[1]), "redacted-1"},
		{f.TLS.ClientHello.CipherSuites[0], "TLS_RSA_WITH_AES_128_CBC_SHA"},
		{string(c.Subject), "dn-1"},
		{string(c.Issuer), "dn-2"},
		{string(c.SerialNumber), "redacted-2"},
		{string(c.SHA256), "redacted-3"},
		{string(c.IPAddresses[0]), "198.18.0.1"},
		{string(f.HTTP.Method), "GET"},
		{string(f.HTTP.Path), "/path-1"},
		{string(f.HTTP.Host), "host-1.example:8080"},
		{string(f.HTTP.StatusLine), "HTTP/1.0 404 redacted-4"},
		{say(f.NotTLS), `a plain HTTP request "GET /path-1 HTTP/1.1"`},
		{say(f.Reason), "; meanwhile connections by address work (e.g. flow #2, [2001:db8::2]:50418 -> 198.18.0.1:4343)"},
		{say(f.Evidence[0].Text), `, SNI "host-1.example"`},
		{say(f.Evidence[1].Text), "host-2.example (CN only, no subjectAltName)"},
		{string(got.Names[0].Name), "host-3.example"},
		{string(got.Names[0].Answers[0]), "198.18.0.3"},
		{string(got.Names[0].Askers[0]), "198.18.0.2"},
		{string(got.Summary.Servers[0].Server), "198.18.0.1:4343"},
	} {
		if w.got != w.want {
			t.Errorf("%d: got %q, want %q", i, w.got, w.want)
		}
	}
	if !f.Start.Equal(t0) || f.Verdict != result.VerdictTLSCertificateRejected {
		t.Error("times or verdicts changed")
	}
	if r.Flows.At(0).Client != "10.0.0.5:50418" || r.Input.File != "/home/ops/ACME-HQ/incident 03-14.pcapng.gz" {
		t.Error("the input was modified")
	}
}

// TestRawValues: text of no more definite kind is replaced whole unless it is a public protocol
// word; an HTTP request line keeps its public method and version, a status line its version,
// code and standard reason.
func TestRawValues(t *testing.T) {
	x := New()
	for _, tc := range []struct{ in, want string }{
		{"http/1.1", "http/1.1"},
		{"HTTP/1.1", "redacted-1"}, // not an ALPN name (they are lower case)
		{"PROPFIND", "redacted-2"},
		{"HTTP/1.1 200 OK", "HTTP/1.1 200 OK"},
		{"HTTP/1.1 200 ok", "HTTP/1.1 200 ok"},
		{"HTTP/1.1 403 Forbidden by ACME", "HTTP/1.1 403 redacted-3"},
		{"HTTP/1.1 204", "HTTP/1.1 204"},
		{"HTTP/1.1 2044", "redacted-4"},
		{"GET / HTTP/1.1", "GET / HTTP/1.1"},
		{"GET /a b HTTP/1.1", "GET /path-1 HTTP/1.1"},
		{"BREW /pot HTTP/1.0", "redacted-5 /path-2 HTTP/1.0"},
		{"GET /a b", "GET /path-1"}, // the same target, the same pseudonym
		{"GET http://acme.example/x HTTP/1.1", "GET /path-3 HTTP/1.1"},
		{"GET acme HTTP/1.1", "redacted-6"},
		{"SSH-2.0-OpenSSH_9.2p1 acme", "redacted-7"},
		{"", ""},
	} {
		if got := x.Value(result.KindCapture, tc.in); got != tc.want {
			t.Errorf("Value(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNamesAndAddresses: a name with a port keeps the port, an address literal (bracketed or
// not) gets the address's pseudonym, "/" and "*" stay as paths, and the same original gets the
// same pseudonym under every kind that can hold it.
func TestNamesAndAddresses(t *testing.T) {
	x := New()
	for _, tc := range []struct {
		k        result.ArgKind
		in, want string
	}{
		{result.KindName, "apex.acme.example", "host-1.example"},
		{result.KindName, "apex.acme.example:4343", "host-1.example:4343"},
		{result.KindName, "10.1.1.1", "198.18.0.1"},
		{result.KindName, "[fd00::1]", "[2001:db8::1]"},
		{result.KindName, "10.1.1.1:8080", "198.18.0.1:8080"},
		{result.KindAddr, "10.1.1.1", "198.18.0.1"},
		{result.KindAddr, "::ffff:10.1.1.1", "198.18.0.1"},
		{result.KindEndpoint, "[fd00::1]:443", "[2001:db8::1]:443"},
		{result.KindEndpoint, "apex.acme.example:443", "host-1.example:443"},
		{result.KindAddr, "not an address", "redacted-1"},
		{result.KindPath, "/", "/"},
		{result.KindPath, "*", "*"},
		{result.KindPath, "/x", "/path-1"},
		{result.KindFile, `C:\caps\acme.pcap`, "capture-1.pcap"},
		{result.KindDN, "CN=a,O=b", "dn-1"},
		{result.KindText, "10.1.1.1 stays", "10.1.1.1 stays"},
	} {
		if got := x.Value(tc.k, tc.in); got != tc.want {
			t.Errorf("Value(%d, %q) = %q, want %q", tc.k, tc.in, got, tc.want)
		}
	}
}

// say words a message in English, as the reports do.
func say(m result.Message) string { return knowledge.CatalogOf(knowledge.English).Render(m) }
