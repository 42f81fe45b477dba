package tls

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"testing"
)

// serverHelloOf returns the bytes of case tc's server_hello message.
func serverHelloOf(t *testing.T, capture string, index int) []byte {
	t.Helper()
	msgs := handshakeMessages(join(loadCapture(t, capture).server), HandshakeServerHello)
	if index >= len(msgs) {
		t.Fatalf("%s: no server_hello #%d", capture, index)
	}
	return msgs[index]
}

func TestServerHelloUnmarshal(t *testing.T) {
	for _, tc := range serverHelloCases {
		var m ServerHello
		if !m.Unmarshal(serverHelloOf(t, tc.capture, tc.index)) {
			t.Errorf("%s #%d: Unmarshal failed", tc.capture, tc.index)
			continue
		}
		if got := hex.EncodeToString(m.Random); got != tc.random {
			t.Errorf("%s #%d: Random = %s, want %s", tc.capture, tc.index, got, tc.random)
		}
		if got := hex.EncodeToString(m.SessionID); got != tc.sessionID {
			t.Errorf("%s #%d: SessionID = %s, want %s", tc.capture, tc.index, got, tc.sessionID)
		}
		// Fields tshark does not give directly are derived from the Random it reports.
		want := tc.want
		random, _ := hex.DecodeString(tc.random)
		want.HelloRetryRequest = bytes.Equal(random, helloRetryRequestRandom)
		switch string(random[24:]) {
		case "DOWNGRD\x01":
			want.DowngradeSentinel = VersionTLS13
		case "DOWNGRD\x00":
			want.DowngradeSentinel = VersionTLS12
		}
		got := m
		got.Random, got.SessionID = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s #%d:\n got %+v\nwant %+v", tc.capture, tc.index, got, want)
		}
	}
}

func TestServerHelloPrefixes(t *testing.T) {
	for _, tc := range serverHelloCases {
		data := serverHelloOf(t, tc.capture, tc.index)
		for i := range data {
			var m ServerHello
			if m.Unmarshal(data[:i]) {
				t.Errorf("%s #%d: prefix of %d of %d bytes parsed", tc.capture, tc.index, i, len(data))
			}
		}
	}
}

// TestServerHelloMeaning checks the derived facts on real ServerHellos: the chosen version,
// HelloRetryRequest, the key share group and the downgrade sentinel.
func TestServerHelloMeaning(t *testing.T) {
	cases := []struct {
		capture   string
		index     int
		chosen    Version
		hrr       bool
		group     Group
		alpn      string
		downgrade Version
	}{
		{"hrr", 0, VersionTLS13, true, GroupSecp256r1, "", 0},
		{"hrr", 1, VersionTLS13, false, GroupSecp256r1, "", 0},
		{"lo_hrr", 0, VersionTLS13, true, GroupX25519, "", 0},
		{"lo_hrr", 1, VersionTLS13, false, GroupX25519, "", 0},
		{"lo_tls13_openssl", 0, VersionTLS13, false, GroupX25519, "", 0}, // TLS 1.3 ALPN is in EncryptedExtensions
		{"lo_tls13_go", 0, VersionTLS13, false, GroupX25519, "", 0},
		{"tls13draft16", 0, 0x7f10, false, GroupSecp384r1, "", 0},
		{"tls13_psk", 0, VersionTLS13, false, GroupX25519, "", 0},
		{"lo_tls12", 0, VersionTLS12, false, 0, "", 0},
		{"tls11", 0, VersionTLS11, false, 0, "", 0},
		{"tls10_sct", 0, VersionTLS10, false, 0, "", 0},
		{"lo_downgrade_tls12", 0, VersionTLS12, false, 0, "", VersionTLS13},
		{"lo_downgrade_tls11", 0, VersionTLS11, false, 0, "", VersionTLS12},
		{"lo_sslv2hello_tls12", 0, VersionTLS12, false, 0, "", VersionTLS13},
	}
	for _, tc := range cases {
		var m ServerHello
		if !m.Unmarshal(serverHelloOf(t, tc.capture, tc.index)) {
			t.Errorf("%s #%d: Unmarshal failed", tc.capture, tc.index)
			continue
		}
		got := []any{m.ChosenVersion(), m.HelloRetryRequest, m.KeyShareGroup, m.ALPN, m.DowngradeSentinel}
		want := []any{tc.chosen, tc.hrr, tc.group, tc.alpn, tc.downgrade}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s #%d: chosen, hrr, group, alpn, downgrade = %v, want %v", tc.capture, tc.index, got, want)
		}
	}
}

// tls12ServerHello is the server_hello of testdata/lo_downgrade_tls12 (OpenSSL 3.0.19).
const tls12ServerHello = "0200003d0303ee89c830477c1d908247a9e6f6da4054a5e06f427667f5af444f574e4752440100c0" +
	"30000015ff01000100000b0004030001020023000000170000"

// withServerExtensions returns tls12ServerHello with its extensions block replaced by exts.
func withServerExtensions(t *testing.T, exts ...byte) []byte {
	b := mustHex(t, tls12ServerHello)[:42]
	b = append(b, byte(len(exts)>>8), byte(len(exts)))
	b = append(b, exts...)
	n := len(b) - 4
	b[1], b[2], b[3] = byte(n>>16), byte(n>>8), byte(n)
	return b
}

func TestServerHelloMalformed(t *testing.T) {
	base := mustHex(t, tls12ServerHello)
	if !bytes.Equal(base, serverHelloOf(t, "lo_downgrade_tls12", 0)) {
		t.Fatal("tls12ServerHello is not the server_hello of testdata/lo_downgrade_tls12")
	}
	// base: 0 type, 1-3 length, 4-5 version, 6-37 random, 38 session id length (0), 39-40
	// suite, 41 compression, 42-43 extensions length, 44... extensions.
	mod := func(f func(b []byte)) []byte { b := bytes.Clone(base); f(b); return b }
	cases := []struct {
		name string
		data []byte
	}{
		{"wrong type", mod(func(b []byte) { b[0] = 1 })},
		{"length one too long", mod(func(b []byte) { b[3]++ })},
		{"trailing byte", append(bytes.Clone(base), 0)},
		{"session id past the end", mod(func(b []byte) { b[38] = 0xff })},
		{"extensions length short", mod(func(b []byte) { b[43]-- })},
		{"duplicate extension", withServerExtensions(t, 0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00)},
		{"supported_versions too short", withServerExtensions(t, 0x00, 0x2b, 0x00, 0x01, 0x03)},
		{"supported_versions too long", withServerExtensions(t, 0x00, 0x2b, 0x00, 0x03, 0x03, 0x04, 0x00)},
		{"key_share cut", withServerExtensions(t, 0x00, 0x33, 0x00, 0x05, 0x00, 0x1d, 0x00, 0x20, 0x01)},
		{"ALPN with two protocols", withServerExtensions(t, 0x00, 0x10, 0x00, 0x08, 0x00, 0x06, 0x02, 'h', '2', 0x02, 'h', '3')},
		{"empty ALPN protocol", withServerExtensions(t, 0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00)},
	}
	for _, tc := range cases {
		var m ServerHello
		if m.Unmarshal(tc.data) {
			t.Errorf("%s: Unmarshal succeeded: %+v", tc.name, m)
		}
	}
}

func TestServerHelloExtensionsAccepted(t *testing.T) {
	cases := []struct {
		name             string
		data             []byte
		exts             []ExtensionType
		supportedVersion Version
		group            Group
		alpn             string
	}{
		{"no extensions block", func() []byte {
			b := mustHex(t, tls12ServerHello)[:42]
			b[3] = 42 - 4 // an SSL 3.0-style ServerHello
			return b
		}(), nil, 0, 0, ""},
		{"selected_group only (HelloRetryRequest form)", withServerExtensions(t, 0x00, 0x33, 0x00, 0x02, 0x11, 0xec), []ExtensionType{51}, 0, GroupX25519MLKEM768, ""},
		{"key share entry", withServerExtensions(t, 0x00, 0x33, 0x00, 0x05, 0x00, 0x1d, 0x00, 0x01, 0x09), []ExtensionType{51}, 0, GroupX25519, ""},
		{"selected_version and ALPN", withServerExtensions(t, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2'),
			[]ExtensionType{43, 16}, VersionTLS13, 0, "h2"},
		{"unknown extension skipped", withServerExtensions(t, 0xaa, 0xaa, 0x00, 0x02, 0x01, 0x02), []ExtensionType{0xaaaa}, 0, 0, ""},
		{"unparsable draft key_share (40) skipped", withServerExtensions(t, 0x00, 0x28, 0x00, 0x01, 0x00), []ExtensionType{40}, 0, 0, ""},
		{"draft key_share (40) read", withServerExtensions(t, 0x00, 0x28, 0x00, 0x05, 0x00, 0x18, 0x00, 0x01, 0x04), []ExtensionType{40}, 0, GroupSecp384r1, ""},
	}
	for _, tc := range cases {
		var m ServerHello
		if !m.Unmarshal(tc.data) {
			t.Errorf("%s: Unmarshal failed", tc.name)
			continue
		}
		if !reflect.DeepEqual(m.Extensions, tc.exts) || m.SupportedVersion != tc.supportedVersion ||
			m.KeyShareGroup != tc.group || m.ALPN != tc.alpn {
			t.Errorf("%s: got %v %v %v %q", tc.name, m.Extensions, m.SupportedVersion, m.KeyShareGroup, m.ALPN)
		}
		if m.CipherSuite != 0xc030 || m.LegacyVersion != VersionTLS12 {
			t.Errorf("%s: suite %v version %v", tc.name, m.CipherSuite, m.LegacyVersion)
		}
	}
}

func TestChosenVersion(t *testing.T) {
	cases := []struct {
		m    ServerHello
		want Version
	}{
		{ServerHello{LegacyVersion: VersionTLS12}, VersionTLS12},
		{ServerHello{LegacyVersion: VersionTLS12, SupportedVersion: VersionTLS13}, VersionTLS13},
		{ServerHello{LegacyVersion: 0x7f10}, 0x7f10},
		{ServerHello{LegacyVersion: VersionSSL20, SSLv2: true}, VersionSSL20},
	}
	for _, tc := range cases {
		if got := tc.m.ChosenVersion(); got != tc.want {
			t.Errorf("%+v: ChosenVersion = %v, want %v", tc.m, got, tc.want)
		}
	}
}
