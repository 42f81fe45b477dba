package fingerprint

import (
	"crypto/md5"
	"encoding/hex"
	"testing"

	"github.com/connscope/connscope/tls"
)

// ja4SpecHello is the ClientHello of the worked example in FoxIO's JA4 specification
// (technical_details/JA4.md): its cipher, extension and signature algorithm lists as the spec
// gives them, with GREASE values added in the places Chrome sends them (the spec says to ignore
// them everywhere).
func ja4SpecHello() tls.ClientHello {
	return tls.ClientHello{
		LegacyVersion: tls.VersionTLS12,
		CipherSuites: []tls.CipherSuite{0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
			0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		Extensions: []tls.ExtensionType{0x0a0a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
			0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0x5a5a},
		SupportedVersions:   []tls.Version{0x7a7a, tls.VersionTLS13, tls.VersionTLS12},
		ServerName:          "www.google.com",
		ALPN:                []string{"h2", "http/1.1"},
		SignatureAlgorithms: []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601},
	}
}

// TestJA4Spec checks JA4, JA4_r and JA4_o against the values FoxIO's specification publishes for
// its worked example, and the variants the specification spells out: no signature algorithms,
// no ciphers, no extensions, and the ALPN rules.
func TestJA4Spec(t *testing.T) {
	ch := ja4SpecHello()
	if got, want := JA4(&ch), "t13d1516h2_8daaf6152771_e5627efa2ab1"; got != want {
		t.Errorf("JA4 = %s, want %s (JA4.md example)", got, want)
	}
	wantR := "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
	if got := JA4R(&ch); got != wantR {
		t.Errorf("JA4_r =\n %s\nwant\n %s", got, wantR)
	}
	if got, want := JA4O(&ch), "t13d1516h2_acb858a92679_18f69afefd3d"; got != want {
		t.Errorf("JA4_o = %s, want %s (JA4.md raw output section)", got, want)
	}

	noSigs := ja4SpecHello()
	noSigs.SignatureAlgorithms = nil
	if got, want := JA4(&noSigs), "t13d1516h2_8daaf6152771_6d807ffa2a79"; got != want {
		t.Errorf("JA4 without signature algorithms = %s, want %s (JA4.md: the string ends without an underscore)", got, want)
	}

	cases := []struct {
		name string
		edit func(*tls.ClientHello)
		want string
	}{
		{"no SNI, TLS 1.2 from legacy_version, http/1.1", func(c *tls.ClientHello) {
			c.Extensions = []tls.ExtensionType{0x000d, 0x0010}
			c.SupportedVersions = nil
			c.ALPN = []string{"http/1.1"}
		}, "t12i1502h1_8daaf6152771_"},
		{"no ciphers, no extensions", func(c *tls.ClientHello) {
			c.CipherSuites = []tls.CipherSuite{0x0a0a}
			c.Extensions = nil
			c.SupportedVersions = nil
			c.LegacyVersion = tls.VersionTLS10
			c.ALPN = nil
			c.SignatureAlgorithms = nil
		}, "t10i000000_000000000000_000000000000"},
		{"only SNI and ALPN: the hashed list is empty", func(c *tls.ClientHello) {
			c.Extensions = []tls.ExtensionType{0x0000, 0x0010}
		}, "t13d1502h2_8daaf6152771_000000000000"},
		{"ALPN of one character", func(c *tls.ClientHello) { c.ALPN = []string{"x"} }, "t13d1516xx_"},
		{"ALPN ending in a non-alphanumeric byte: hex", func(c *tls.ClientHello) { c.ALPN = []string{"0\xab"} }, "t13d15163b_"},
		{"ALPN 0x30 0xAB 0xCD 0x31", func(c *tls.ClientHello) { c.ALPN = []string{"0\xab\xcd1"} }, "t13d151601_"},
		{"SSL 3.0", func(c *tls.ClientHello) { c.SupportedVersions = nil; c.LegacyVersion = tls.VersionSSL30 }, "ts3d1516h2_"},
		{"unknown version", func(c *tls.ClientHello) { c.SupportedVersions = []tls.Version{0x7f17} }, "t00d1516h2_"},
	}
	for _, tc := range cases {
		c := ja4SpecHello()
		tc.edit(&c)
		got := JA4(&c)
		if len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
			t.Errorf("%s: JA4 = %s, want prefix %s", tc.name, got, tc.want)
		}
	}

	v2 := tls.ClientHello{SSLv2: true, LegacyVersion: tls.VersionTLS10, CipherSuites: []tls.CipherSuite{0x0035}}
	if JA4(&v2) != "" || JA3(&v2) != "" {
		t.Errorf("SSLv2-format hello: JA4 %q, JA3 %q, want none", JA4(&v2), JA3(&v2))
	}
}

// TestJA3 checks the JA3 and JA3S strings against Salesforce's format: decimal values, "-"
// within a field, "," between fields, GREASE removed, empty fields kept; the hash is the MD5 of
// the string.
func TestJA3(t *testing.T) {
	ch := tls.ClientHello{
		LegacyVersion:   tls.VersionTLS12,
		CipherSuites:    []tls.CipherSuite{0x2a2a, 0xc02b, 0x002f},
		Extensions:      []tls.ExtensionType{0xfafa, 0, 10, 11, 0x1a1a},
		SupportedGroups: []tls.Group{0x4a4a, 29, 23},
		ECPointFormats:  []uint8{0},
	}
	want := "771,49195-47,0-10-11,29-23,0"
	if got := JA3String(&ch); got != want {
		t.Fatalf("JA3 string %q, want %q", got, want)
	}
	sum := md5.Sum([]byte(want))
	if got := JA3(&ch); got != hex.EncodeToString(sum[:]) {
		t.Errorf("JA3 %s, want the MD5 of its string", got)
	}
	bare := tls.ClientHello{LegacyVersion: tls.VersionTLS12, CipherSuites: []tls.CipherSuite{136, 255}, Extensions: []tls.ExtensionType{35, 13, 15}}
	// From zeek/dhe.pcap, as tshark 4.0 computes it: no groups, no point formats.
	if got, want := JA3String(&bare), "771,136-255,35-13-15,,"; got != want {
		t.Errorf("JA3 string %q, want %q", got, want)
	}
	if got, want := JA3(&bare), "de84fb3130387884de22865d3d39d347"; got != want {
		t.Errorf("JA3 %s, want %s (tshark 4.0 on zeek/dhe.pcap)", got, want)
	}
	sh := tls.ServerHello{LegacyVersion: tls.VersionTLS10, CipherSuite: 57, Extensions: []tls.ExtensionType{65281, 35}}
	if got, want := JA3SString(&sh), "769,57,65281-35"; got != want {
		t.Errorf("JA3S string %q, want %q", got, want)
	}
	// From zeek/cert-no-cn.pcap, as tshark 4.0 computes it.
	if got, want := JA3S(&sh), "ae7ebaa87c327353949114a3b85f13cc"; got != want {
		t.Errorf("JA3S %s, want %s (tshark 4.0 on zeek/cert-no-cn.pcap)", got, want)
	}
}
