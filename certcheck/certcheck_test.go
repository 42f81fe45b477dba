package certcheck_test

import (
	"crypto/x509"
	"encoding/pem"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/certcheck"
	"github.com/connscope/connscope/knowledge"
)

func pemFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/pki/" + name)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	return blk.Bytes
}

// TestJudge: the test PKI's certificates (testdata/pki/make-pki.sh) give exactly these findings,
// worded in English and Japanese, in a capture and by a probe.
func TestJudge(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ca := x509.NewCertPool()
	caCert, _ := x509.ParseCertificate(pemFile(t, "ca.pem"))
	ca.AddCert(caCert)
	cases := []struct {
		name  string
		chain []string
		o     certcheck.Options
		want  []string // "code: English text"
	}{
		{"ok by CA", []string{"server.pem"}, certcheck.Options{At: at, Name: "apexone.connscope.test", Seen: certcheck.ByProbe, CheckIssuer: true, Roots: ca}, nil},
		{"unknown issuer", []string{"server.pem"}, certcheck.Options{At: at, Name: "apexone.connscope.test", Seen: certcheck.ByProbe, CheckIssuer: true, Roots: x509.NewCertPool()},
			[]string{"unknown-issuer: server certificate CN=apexone.connscope.test is issued by CN=connscope Test CA, which this machine's trusted roots do not know: clients that check the chain refuse it unless that CA is installed on them"}},
		{"expired in capture", []string{"expired.pem"}, certcheck.Options{At: at, Name: "apexone.connscope.test"},
			[]string{"expired: server certificate CN=apexone.connscope.test expired 2021-01-01, 5 years before this capture"}},
		{"expired by probe", []string{"expired.pem"}, certcheck.Options{At: at, Addr: netip.MustParseAddr("10.77.1.2"), Seen: certcheck.ByProbe},
			[]string{"expired: server certificate CN=apexone.connscope.test expired 2021-01-01, 5 years ago"}},
		{"not yet valid", []string{"notyet.pem"}, certcheck.Options{At: at, Name: "apexone.connscope.test", Seen: certcheck.ByProbe},
			[]string{"not-yet-valid: server certificate CN=apexone.connscope.test is not valid until 2090-01-01, 63 years from now (or this machine's or the server's clock is wrong)"}},
		{"name mismatch probed", []string{"server.pem"}, certcheck.Options{At: at, Name: "apexone.example", Seen: certcheck.ByProbe},
			[]string{`name-mismatch: server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not "apexone.example", the name probed`}},
		{"address mismatch", []string{"server.pem"}, certcheck.Options{At: at, Addr: netip.MustParseAddr("10.9.9.9")},
			[]string{"name-mismatch: server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not the address 10.9.9.9 the client connected to (no SNI)"}},
		{"self-signed weak", []string{"weak.pem"}, certcheck.Options{At: at, Name: "legacy.connscope.test", Seen: certcheck.ByProbe, CheckIssuer: true},
			[]string{
				"self-signed: server certificate CN=legacy.connscope.test is self-signed: only a client that trusts this very certificate accepts it",
				"weak-key: server certificate CN=legacy.connscope.test has a 1024-bit RSA key (below 2048 bits): current clients refuse it",
				"weak-signature: server certificate CN=legacy.connscope.test is signed with SHA1-RSA: current clients refuse SHA-1 and MD5 signatures",
			}},
	}
	en, ja := knowledge.CatalogOf(knowledge.English), knowledge.CatalogOf(knowledge.Japanese)
	for _, tc := range cases {
		var der [][]byte
		for _, f := range tc.chain {
			der = append(der, pemFile(t, f))
		}
		certs, errs := certcheck.Parse(der)
		got := certcheck.Judge(certs, errs, certcheck.Describe(der, certs, errs), tc.o)
		var texts []string
		for _, f := range got {
			texts = append(texts, f.Code+": "+en.Render(f.Message))
			if j := ja.Render(f.Message); strings.ContainsAny(j, "[{") || j == en.Render(f.Message) {
				t.Errorf("%s: Japanese %q", tc.name, j)
			}
		}
		if strings.Join(texts, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, texts, tc.want)
		}
	}
}

func TestSpan(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	en := knowledge.CatalogOf(knowledge.English)
	for d, want := range map[time.Duration]string{
		400 * 24 * time.Hour: "1 year", 800 * 24 * time.Hour: "2 years", 3 * 24 * time.Hour: "3 days",
		5 * time.Hour: "5 hours", 61 * time.Second: "1 minute", 30 * time.Minute: "30 minutes",
	} {
		if got := en.Render(certcheck.Span(base, base.Add(d))); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
