package tls

import (
	"slices"
	"strings"
	"testing"
)

func TestVersionString(t *testing.T) {
	cases := []struct {
		v    Version
		want string
	}{
		{VersionSSL20, "SSL 2.0"},
		{VersionSSL30, "SSL 3.0"},
		{VersionTLS10, "TLS 1.0"},
		{VersionTLS11, "TLS 1.1"},
		{VersionTLS12, "TLS 1.2"},
		{VersionTLS13, "TLS 1.3"},
		{0x7f10, "TLS 1.3 draft 16"},
		{0x7f1c, "TLS 1.3 draft 28"},
		{0x7f00, "TLS 1.3 draft 0"},
		{0xfb17, "0xfb17"},
		{0x0a0a, "GREASE (0x0a0a)"},
		{0xfafa, "GREASE (0xfafa)"},
		{0x0305, "0x0305"},
		{0, "0x0000"},
		{0x0a1a, "0x0a1a"},
	}
	for _, tc := range cases {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("Version(0x%04x).String() = %q, want %q", uint16(tc.v), got, tc.want)
		}
	}
}

func TestVersionIsGREASE(t *testing.T) {
	var grease []Version
	for v := 0; v <= 0xffff; v++ {
		if Version(v).IsGREASE() {
			grease = append(grease, Version(v))
		}
	}
	want := []Version{0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
		0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa}
	if !slices.Equal(grease, want) {
		t.Errorf("GREASE values = %v", grease)
	}
}

func TestVersionRank(t *testing.T) {
	ascending := []Version{VersionSSL20, VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12,
		0x7f00, 0x7f10, 0x7f12, 0x7f1c, 0x7fff, VersionTLS13}
	for i := 1; i < len(ascending); i++ {
		if a, b := ascending[i-1], ascending[i]; a.Rank() >= b.Rank() {
			t.Errorf("Rank(%v) = %d >= Rank(%v) = %d", a, a.Rank(), b, b.Rank())
		}
	}
	for _, v := range []Version{0, 0x0a0a, 0xfafa, 0xfb17, 0x0305, 0x0200, 0x0001} {
		if r := v.Rank(); r != 0 {
			t.Errorf("Rank(%v) = %d, want 0", v, r)
		}
	}
	if VersionSSL20.Rank() <= 0 {
		t.Error("SSL 2.0 must rank above unknown values")
	}
}

func TestParseVersion(t *testing.T) {
	cases := []struct {
		in   string
		want Version
		ok   bool
	}{
		{"TLS 1.2", VersionTLS12, true},
		{"TLS 1.3", VersionTLS13, true},
		{"SSL 3.0", VersionSSL30, true},
		{"SSL 2.0", VersionSSL20, true},
		{"TLS 1.0", VersionTLS10, true},
		{"tls 1.1", VersionTLS11, true},
		{"TLSv1.2", VersionTLS12, true},
		{"TLSv1", VersionTLS10, true},
		{"tls1.3", VersionTLS13, true},
		{"SSLv3", VersionSSL30, true},
		{" TLS 1.2 ", VersionTLS12, true},
		{"0x7f10", 0x7f10, true},
		{"0x0303", VersionTLS12, true},
		{"0X0303", VersionTLS12, true},
		{"TLS 1.3 draft 16", 0x7f10, true},
		{"GREASE (0x0a0a)", 0x0a0a, true},
		{"GREASE (0x0a0b)", 0, false},
		{"0x", 0, false},
		{"0x10000", 0, false},
		{"0x7f10zz", 0, false},
		{"TLS 1.4", 0, false},
		{"TLS 1.3 draft 300", 0, false},
		{"", 0, false},
		{"HTTP/1.1", 0, false},
	}
	for _, tc := range cases {
		got, ok := ParseVersion(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// String and ParseVersion are inverses for every value.
	for v := 0; v <= 0xffff; v++ {
		s := Version(v).String()
		if got, ok := ParseVersion(s); !ok || got != Version(v) {
			t.Fatalf("ParseVersion(%q) = %v, %v; want 0x%04x", s, got, ok, v)
		}
	}
}

func TestOfferedVersions(t *testing.T) {
	tls10to12 := []Version{VersionTLS10, VersionTLS11, VersionTLS12}
	cases := []struct {
		name    string
		ch      ClientHello
		offered []Version
		highest Version
		fromExt bool
	}{
		{"TLS 1.2 without supported_versions", ClientHello{LegacyVersion: VersionTLS12}, tls10to12, VersionTLS12, false},
		{"TLS 1.1", ClientHello{LegacyVersion: VersionTLS11}, []Version{VersionTLS10, VersionTLS11}, VersionTLS11, false},
		{"TLS 1.0", ClientHello{LegacyVersion: VersionTLS10}, []Version{VersionTLS10}, VersionTLS10, false},
		{"SSL 3.0", ClientHello{LegacyVersion: VersionSSL30}, []Version{VersionSSL30}, VersionSSL30, false},
		{"0x0304 without supported_versions counts as TLS 1.2 (RFC 8446 4.2.1)", ClientHello{LegacyVersion: VersionTLS13}, tls10to12, VersionTLS12, false},
		{"0x0305 without supported_versions", ClientHello{LegacyVersion: 0x0305}, tls10to12, VersionTLS12, false},
		{"garbage legacy version", ClientHello{LegacyVersion: 0x0100}, nil, 0, false},
		{"SSLv2 format, version 2", ClientHello{SSLv2: true, LegacyVersion: VersionSSL20, SSLv2Ciphers: 7}, []Version{VersionSSL20}, VersionSSL20, false},
		{"SSLv2 format, TLS 1.2, SSL 2.0 specs", ClientHello{SSLv2: true, LegacyVersion: VersionTLS12, SSLv2Ciphers: 2},
			[]Version{VersionSSL20, VersionTLS10, VersionTLS11, VersionTLS12}, VersionTLS12, false},
		{"SSLv2 format, TLS 1.0, no SSL 2.0 specs", ClientHello{SSLv2: true, LegacyVersion: VersionTLS10}, []Version{VersionTLS10}, VersionTLS10, false},
		{"SSLv2 format, SSL 3.0", ClientHello{SSLv2: true, LegacyVersion: VersionSSL30, SSLv2Ciphers: 1}, []Version{VersionSSL20, VersionSSL30}, VersionSSL30, false},
		{"supported_versions sorted, GREASE and duplicates dropped",
			ClientHello{LegacyVersion: VersionTLS12, SupportedVersions: []Version{0x0a0a, VersionTLS13, VersionTLS12, VersionTLS13, 0x7f10, 0xfb17}},
			[]Version{0xfb17, VersionTLS12, 0x7f10, VersionTLS13}, VersionTLS13, true},
		{"supported_versions of GREASE only", ClientHello{LegacyVersion: VersionTLS12, SupportedVersions: []Version{0x1a1a}}, nil, 0, true},
		{"supported_versions ignores legacy_version", ClientHello{LegacyVersion: VersionTLS10, SupportedVersions: []Version{VersionTLS12}},
			[]Version{VersionTLS12}, VersionTLS12, true},
	}
	for _, tc := range cases {
		if got := tc.ch.OfferedVersions(); !slices.Equal(got, tc.offered) {
			t.Errorf("%s: OfferedVersions = %v, want %v", tc.name, got, tc.offered)
		}
		if got := tc.ch.HighestVersion(); got != tc.highest {
			t.Errorf("%s: HighestVersion = %v, want %v", tc.name, got, tc.highest)
		}
		if got := tc.ch.VersionsFromExtension(); got != tc.fromExt {
			t.Errorf("%s: VersionsFromExtension = %v, want %v", tc.name, got, tc.fromExt)
		}
	}
}

// TestOfferedVersionsCaptures checks real ClientHellos against the supported_versions column of
// shared/captures/EXPECTED.tsv (tshark's dissection) and, without the extension, the range up
// to legacy_version.
func TestOfferedVersionsCaptures(t *testing.T) {
	cases := []struct {
		capture string
		offered string // versions ascending, as ParseVersion reads them
		fromExt bool
	}{
		{"hrr", "TLS 1.3", true},
		{"tls13_psk", "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3", true},
		{"tls13_wolfssl", "TLS 1.1,TLS 1.2,TLS 1.3", true},
		{"tls13draft16", "TLS 1.0,TLS 1.1,TLS 1.2,0x7f10", true},
		{"tls13draft16_unknown_ca", "TLS 1.0,TLS 1.1,TLS 1.2,0x7f10", true},
		{"https_to_http", "TLS 1.2,TLS 1.3", true},
		{"lo_tls13_go", "TLS 1.2,TLS 1.3", true},
		{"lo_tls13_openssl", "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3", true},
		{"tls12_handshake_failure", "TLS 1.0,TLS 1.1,TLS 1.2", false},
		{"tls12", "TLS 1.0,TLS 1.1,TLS 1.2", false},
		{"tls11", "TLS 1.0,TLS 1.1", false},
		{"tls10_sct", "TLS 1.0", false},
		{"lo_protocol_version", "TLS 1.0", false},
		{"ssl_v2", "SSL 2.0", false},
		{"lo_sslv2hello_tls12", "SSL 2.0,TLS 1.0,TLS 1.1,TLS 1.2", false},
	}
	for _, tc := range cases {
		evs, _ := feedAll(0, loadCapture(t, tc.capture).client)
		if len(evs) == 0 || evs[0].ClientHello == nil {
			t.Errorf("%s: no ClientHello", tc.capture)
			continue
		}
		ch := evs[0].ClientHello
		var want []Version
		for _, s := range strings.Split(tc.offered, ",") {
			v, ok := ParseVersion(s)
			if !ok {
				t.Fatalf("bad version %q", s)
			}
			want = append(want, v)
		}
		if got := ch.OfferedVersions(); !slices.Equal(got, want) {
			t.Errorf("%s: OfferedVersions = %v, want %v", tc.capture, got, want)
		}
		if got := ch.HighestVersion(); got != want[len(want)-1] {
			t.Errorf("%s: HighestVersion = %v", tc.capture, got)
		}
		if got := ch.VersionsFromExtension(); got != tc.fromExt {
			t.Errorf("%s: VersionsFromExtension = %v", tc.capture, got)
		}
	}
}
