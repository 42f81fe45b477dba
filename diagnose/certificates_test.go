package diagnose

import (
	"encoding/pem"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
)

// TestCertificateFindingsOneChain: connections of one analysis (one Config) that got the same
// chain (one facts.Chain, as the records share it) at different times and under different names
// each get the findings of their own time and name, although the chain is judged once per name
// within its validity. The
// chain is testdata/pki/expired.pem, which the captures' server sent: valid in 2020 for
// apexone.connscope.test and 10.77.1.2, issued by the test CA.
func TestCertificateFindingsOneChain(t *testing.T) {
	b, err := os.ReadFile("../testdata/pki/expired.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	chain := &facts.Chain{DER: [][]byte{blk.Bytes}}
	cfg := &Config{}
	day := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		at, sni, server string
		want            string // the findings, worded
	}{
		{"2020-06-01T00:00:00Z", "apexone.connscope.test", "10.77.1.2", ""},
		{"2026-12-01T00:00:00Z", "apexone.connscope.test", "10.77.1.2", "server certificate CN=apexone.connscope.test expired 2021-01-01, 5 years before this capture"},
		{"2022-12-01T00:00:00Z", "apexone.connscope.test", "10.77.1.2", "server certificate CN=apexone.connscope.test expired 2021-01-01, 1 year before this capture"},
		{"2019-06-01T00:00:00Z", "apexone.connscope.test", "10.77.1.2", "server certificate CN=apexone.connscope.test is not valid until 2020-01-01, 214 days after this capture (or the capture's clock is wrong)"},
		{"2020-07-01T00:00:00Z", "other.connscope.test", "10.77.1.2", `server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not "other.connscope.test", the name the client asked for (SNI)`},
		{"2020-08-01T00:00:00Z", "", "10.77.1.2", ""},
		{"2020-08-01T00:00:00Z", "", "10.77.1.9", "server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not the address 10.77.1.9 the client connected to (no SNI)"},
		{"2020-09-01T00:00:00Z", "apexone.connscope.test", "10.77.1.2", ""},
		{"2021-01-01T00:00:00Z", "apexone.connscope.test", "10.77.1.2", ""}, // the last second of its validity
		{"2020-09-01T00:00:00Z", "other.connscope.test", "10.77.1.2", `server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not "other.connscope.test", the name the client asked for (SNI)`},
	}
	for _, tc := range cases {
		c := &facts.Conn{Server: netip.AddrPortFrom(netip.MustParseAddr(tc.server), 4343),
			TLS: &facts.TLS{ServerCert: chain, SNI: tc.sni, CertRef: facts.MakeRef(7, day(tc.at))}}
		var got []string
		for _, fd := range CertificateFindings(c, cfg) {
			got = append(got, say(fd.Text))
		}
		if strings.Join(got, "; ") != tc.want {
			t.Errorf("at %s, SNI %q, server %s: findings\n%q\nwant\n%q", tc.at, tc.sni, tc.server, strings.Join(got, "; "), tc.want)
		}
	}
}
