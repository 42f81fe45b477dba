package redact

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"reflect"
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
		add(h)
	}
	text := func(s string) {
		for _, m := range regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]`).FindAllString(s, -1) {
			add(strings.Trim(m, "[]"))
		}
	}
	for _, f := range r.Flows.Slice() {
		for _, ep := range []string{f.Client, f.Server} {
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
			names = append(names, f.TLS.ClientHello.SNI)
		}
		if f.TLS != nil {
			for _, c := range f.TLS.ServerCertificates {
				names = append(names, c.DNSNames...)
				for _, dn := range []string{c.Subject, c.Issuer} {
					if _, cn, ok := strings.Cut(dn, "CN="); ok {
						cn, _, _ = strings.Cut(cn, ",")
						names = append(names, cn)
					}
				}
				names = append(names, c.SHA256, c.SerialNumber)
			}
		}
		if m := regexp.MustCompile(`GET (/\S+)`).FindStringSubmatch(say(f.NotTLS)); m != nil {
			names = append(names, m[1], filepath.Base(m[1]))
		}
	}
	base := filepath.Base(r.Input.File)
	names = append(names, r.Input.File, base, strings.TrimSuffix(base, filepath.Ext(base)))
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
			keep := deepCopy(t, orig)
			x := New()
			red := x.Result(orig)
			if !sameResult(orig, keep) {
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

func deepCopy(t *testing.T, r *result.Result) *result.Result {
	t.Helper()
	c := New() // a redactor that knows no originals rewrites nothing but copies everything
	v := c.rewrite(reflect.ValueOf(r).Elem(), "").Interface().(result.Result)
	v.Flows = result.FlowsOf(c.rewrite(reflect.ValueOf(r.Flows.Slice()), "").Interface().([]result.Flow))
	return &v
}

// sameResult reports whether two results hold the same: their flows made one by one, and the rest.
func sameResult(a, b *result.Result) bool {
	if !reflect.DeepEqual(a.Flows.Slice(), b.Flows.Slice()) {
		return false
	}
	x, y := *a, *b
	x.Flows, y.Flows = result.FlowList{}, result.FlowList{}
	return reflect.DeepEqual(x, y)
}

// TestRedactFields: a hand-made result with every kind of original, as each field holds it.
func TestRedactFields(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	r := &result.Result{
		Input:   result.Input{File: "/home/ops/ACME-HQ/incident 03-14.pcapng.gz", Format: "pcapng (gzip)", First: t0},
		Options: result.Options{Hosts: []string{"10.0.0.1", "fd00::1"}},
		Warnings: []result.Warning{{Code: "x", Message: lit("frame 3 from 00:1A:2b:3c:4d:5e via 10.0.0.1 in /home/ops/ACME-HQ/incident 03-14.pcapng.gz (incident 03-14.pcapng.gz)")},
			{Code: "y", Message: lit("198.18.0.1 is in the capture too; so is 00:1a:2b:3c:4d:5e")}},
		Flows: result.FlowsOf([]result.Flow{{
			ID: 1, Client: "10.0.0.5:50418", Server: "10.0.0.1:4343", Start: t0,
			TLS:      &result.TLS{ClientHello: &result.ClientHello{SNI: "apex.acme.example", CipherSuites: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}}},
			NotTLS:   lit(`a plain HTTP request "GET /officescan/cgi/acme.dll?x=1 HTTP/1.1" Host: apex.acme.example:8080`),
			Reason:   lit("the client rejected the certificate of apex.acme.example (not sub.apex.acme.example.org); see https://apex.acme.example:4343/officescan/cgi/acme.dll?x=1."),
			Filter:   "ip.addr==10.0.0.5 && ip.addr==10.0.0.1 && tcp.port==50418 && tcp.port==4343",
			Evidence: []result.Evidence{{Frame: 4, Time: t0, Text: lit("ClientHello SNI \"apex.acme.example\" from [fd00::5]:50418 to [fd00::1]:4343 (::ffff:10.0.0.5)")}},
			Verdict:  result.VerdictTLSCertificateRejected,
		}}),
		Summary: result.Summary{Servers: []result.ServerSummary{{Server: "10.0.0.1:4343", AcceptedVersions: []string{"TLS 1.2"}}}},
	}
	x := New()
	got := x.Result(r)
	want := []struct{ got, want string }{
		{got.Input.File, "capture-1.pcapng.gz"},
		{got.Options.Hosts[0], "198.18.0.2"}, // 198.18.0.1 is in the capture: skipped
		{got.Options.Hosts[1], "2001:db8::1"},
		{say(got.Warnings[0].Message), "frame 3 from 02:00:00:00:00:01 via 198.18.0.2 in capture-1.pcapng.gz (capture-1.pcapng.gz)"},
		{say(got.Warnings[1].Message), "198.18.0.3 is in the capture too; so is 02:00:00:00:00:01"},
		{got.Flows.Slice()[0].Client, "198.18.0.4:50418"},
		{got.Flows.Slice()[0].Server, "198.18.0.2:4343"},
		{got.Flows.Slice()[0].TLS.ClientHello.SNI, "host-1.example"},
		{say(got.Flows.Slice()[0].NotTLS), `a plain HTTP request "GET /path-1 HTTP/1.1" Host: host-1.example:8080`},
		{say(got.Flows.Slice()[0].Reason), "the client rejected the certificate of host-1.example (not sub.host-1.example.org); see https://host-1.example:4343/path-1."},
		{got.Flows.Slice()[0].Filter, "ip.addr==198.18.0.4 && ip.addr==198.18.0.2 && tcp.port==50418 && tcp.port==4343"},
		{say(got.Flows.Slice()[0].Evidence[0].Text), "ClientHello SNI \"host-1.example\" from [2001:db8::2]:50418 to [2001:db8::1]:4343 (::ffff:198.18.0.4)"},
		{got.Summary.Servers[0].Server, "198.18.0.2:4343"},
		{got.Flows.Slice()[0].TLS.ClientHello.CipherSuites[0], "TLS_RSA_WITH_AES_128_CBC_SHA"},
	}
	for i, w := range want {
		if w.got != w.want {
			t.Errorf("%d: got %q, want %q", i, w.got, w.want)
		}
	}
	if !got.Flows.Slice()[0].Start.Equal(t0) || got.Flows.Slice()[0].Verdict != result.VerdictTLSCertificateRejected {
		t.Error("times or verdicts changed")
	}
	if r.Flows.Slice()[0].Client != "10.0.0.5:50418" || r.Input.File != "/home/ops/ACME-HQ/incident 03-14.pcapng.gz" {
		t.Error("the input was modified")
	}
}

// TestRedactOneLabelName: an SNI of one label, such as "server", is replaced where the text
// quotes it, but the word "server" in a reason stays; a name with characters Go quotes with
// escapes is replaced in its quoted form too.
func TestRedactOneLabelName(t *testing.T) {
	r := &result.Result{Flows: result.FlowsOf([]result.Flow{
		{ID: 1, Client: "10.0.0.5:1", Server: "10.0.0.1:4343",
			TLS:      &result.TLS{ClientHello: &result.ClientHello{SNI: "server"}},
			Reason:   lit("the server reset the connection"),
			Evidence: []result.Evidence{{Text: lit(`ClientHello, SNI "server"`)}}},
		{ID: 2, Client: "10.0.0.6:1", Server: "10.0.0.1:4343",
			TLS:      &result.TLS{ClientHello: &result.ClientHello{SNI: "evil\x07.example"}},
			Evidence: []result.Evidence{{Text: lit(`ClientHello, SNI "evil\a.example"`)}}},
	})}
	got := Result(r)
	for _, tc := range []struct{ got, want string }{
		{got.Flows.Slice()[0].TLS.ClientHello.SNI, "host-1.example"},
		{say(got.Flows.Slice()[0].Reason), "the server reset the connection"},
		{say(got.Flows.Slice()[0].Evidence[0].Text), `ClientHello, SNI "host-1.example"`},
		{got.Flows.Slice()[1].TLS.ClientHello.SNI, "host-2.example"},
		{say(got.Flows.Slice()[1].Evidence[0].Text), `ClientHello, SNI "host-2.example"`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestRedactPathField: a field that holds an HTTP path (kindPath) gets a path pseudonym, and the
// path is replaced where a text quotes it; "/" and "*" stay.
func TestRedactPathField(t *testing.T) {
	x := New()
	x.collectString("/officescan/hotfix_pccnt/Common/OfcNTCer.dat", kindPath)
	x.collectString("/", kindPath)
	x.assign()
	for _, tc := range []struct {
		in   string
		kind fieldKind
		want string
	}{
		{"/officescan/hotfix_pccnt/Common/OfcNTCer.dat", kindPath, "/path-1"},
		{"/", kindPath, "/"},
		{`GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat answered 200`, kindText, `GET /path-1 answered 200`},
	} {
		if got := x.redactString(tc.in, tc.kind); got != tc.want {
			t.Errorf("redactString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestShortOpaqueAndAttributes: a short certificate serial number ("1") and a certificate
// attribute value that is also a plain word are replaced in their own fields, not wherever the
// text happens to hold them ("TLS 1.2", "the server"); an attribute quoted as one ("O=...") is.
func TestShortOpaqueAndAttributes(t *testing.T) {
	r := &result.Result{Flows: result.FlowsOf([]result.Flow{{
		Client: "10.0.0.5:50000", Server: "10.0.0.2:4343",
		Reason: lit("TLS 1.2 with the server; certificate O=Server Team, CN=apexone.example.test expired"),
		TLS: &result.TLS{ServerCertificates: []result.Certificate{{
			Subject: "CN=apexone.example.test,O=Server Team", Issuer: "CN=apexone.example.test,O=Server Team",
			SerialNumber: "1", DNSNames: []string{"apexone.example.test"},
		}}},
	}})}
	red := New().Result(r)
	f := red.Flows.Slice()[0]
	want := "TLS 1.2 with the server; certificate O=redacted-1, CN=host-1.example expired"
	if say(f.Reason) != want {
		t.Errorf("reason\n %s\nwant\n %s", say(f.Reason), want)
	}
	c := f.TLS.ServerCertificates[0]
	if c.SerialNumber != "redacted-2" || c.Subject != "dn-1" || c.DNSNames[0] != "host-1.example" {
		t.Errorf("certificate %+v, want serial redacted-2, subject dn-1, name host-1.example", c)
	}
}

// say words a message in English, as the reports do.
func say(m result.Message) string { return knowledge.CatalogOf(knowledge.English).Render(m) }

// lit is text already worded, as a message.
func lit(s string) result.Message { return result.Msg("literal", result.Capture("text", s)) }
