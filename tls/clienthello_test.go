package tls

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"slices"
	"testing"
)

// clientHelloOf returns the bytes of case tc's client_hello message.
func clientHelloOf(t *testing.T, tc clientHelloCase) []byte {
	t.Helper()
	msgs := handshakeMessages(join(loadCapture(t, tc.capture).client), HandshakeClientHello)
	if tc.index >= len(msgs) {
		t.Fatalf("%s: no client_hello #%d", tc.capture, tc.index)
	}
	return msgs[tc.index]
}

// normalize makes empty slices nil so that DeepEqual compares contents only. SupportedVersions
// is left alone: nil and non-nil mean different things there.
func normalizeCH(m ClientHello) ClientHello {
	m.Random, m.SessionID = nil, nil
	if len(m.CipherSuites) == 0 {
		m.CipherSuites = nil
	}
	if len(m.CompressionMethods) == 0 {
		m.CompressionMethods = nil
	}
	if len(m.ECPointFormats) == 0 {
		m.ECPointFormats = nil
	}
	if len(m.KeyShareGroups) == 0 {
		m.KeyShareGroups = nil
	}
	return m
}

func TestClientHelloUnmarshal(t *testing.T) {
	for _, tc := range clientHelloCases {
		data := clientHelloOf(t, tc)
		var m ClientHello
		if !m.Unmarshal(data) {
			t.Errorf("%s #%d: Unmarshal failed", tc.capture, tc.index)
			continue
		}
		if got := hex.EncodeToString(m.Random); got != tc.random {
			t.Errorf("%s #%d: Random = %s, want %s", tc.capture, tc.index, got, tc.random)
		}
		if got := hex.EncodeToString(m.SessionID); got != tc.sessionID {
			t.Errorf("%s #%d: SessionID = %s, want %s", tc.capture, tc.index, got, tc.sessionID)
		}
		if got, want := normalizeCH(m), normalizeCH(tc.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s #%d:\n got %+v\nwant %+v", tc.capture, tc.index, got, want)
		}
	}
}

// TestClientHelloPrefixes checks, as crypto/tls's tests do, that no strict prefix of a valid
// message parses.
func TestClientHelloPrefixes(t *testing.T) {
	for _, tc := range clientHelloCases {
		data := clientHelloOf(t, tc)
		for i := range data {
			var m ClientHello
			if m.Unmarshal(data[:i]) {
				t.Errorf("%s #%d: prefix of %d of %d bytes parsed", tc.capture, tc.index, i, len(data))
			}
		}
	}
}

// wolfsslHello is the client_hello of testdata/tls13_wolfssl (Zeek's tls13_wolfssl.pcap).
const wolfsslHello = "010000c30303c6e550c8939853f74bb084d6f54e6e450b980bf96a3119f4bd5bc8ab82ec56200000" +
	"021302010000980033004700450017004104a664a53c214d4bf17548d86c6d86d36413fd2d9b9fd3" +
	"fe9e9e0adeeb422476cc5c9399970c001b39e33b91928f00f496c98090a7571bf31e6a90f6717efa" +
	"9021002b000706030403030302000d0020001e06030503040302030806080b0805080a0804080906" +
	"010501040103010201000b00020100000a0010000e001900180017001500130010010000170000"

func TestClientHelloSmallExact(t *testing.T) {
	data := mustHex(t, wolfsslHello)
	if !bytes.Equal(data, clientHelloOf(t, clientHelloCase{capture: "tls13_wolfssl"})) {
		t.Fatal("wolfsslHello is not the client_hello of testdata/tls13_wolfssl")
	}
	var m ClientHello
	if !m.Unmarshal(data) {
		t.Fatal("Unmarshal failed")
	}
	want := ClientHello{
		LegacyVersion:       VersionTLS12,
		Random:              data[6:38],
		SessionID:           []byte{},
		CipherSuites:        []CipherSuite{0x1302},
		CompressionMethods:  []uint8{0},
		Extensions:          []ExtensionType{51, 43, 13, 11, 10, 23},
		SupportedVersions:   []Version{VersionTLS13, VersionTLS12, VersionTLS11},
		SupportedGroups:     []Group{0x19, 0x18, 0x17, 0x15, 0x13, 0x10, 0x100},
		ECPointFormats:      []uint8{0},
		SignatureAlgorithms: []uint16{0x0603, 0x0503, 0x0403, 0x0203, 0x0806, 0x080b, 0x0805, 0x080a, 0x0804, 0x0809, 0x0601, 0x0501, 0x0401, 0x0301, 0x0201},
		KeyShareGroups:      []Group{GroupSecp256r1},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("\n got %+v\nwant %+v", m, want)
	}
	if got := m.CipherSuites[0].String(); got != "TLS_AES_256_GCM_SHA384" {
		t.Errorf("suite = %q", got)
	}
}

// withExtensions returns the real wolfsslHello with its extensions block replaced by exts.
func withExtensions(t *testing.T, exts ...byte) []byte {
	b := mustHex(t, wolfsslHello)[:45] // up to the extensions length
	b = append(b, byte(len(exts)>>8), byte(len(exts)))
	b = append(b, exts...)
	n := len(b) - 4
	b[1], b[2], b[3] = byte(n>>16), byte(n>>8), byte(n)
	return b
}

// withoutExtensions returns the real wolfsslHello without its extensions block, as an SSL 3.0
// or early TLS client may send it.
func withoutExtensions(t *testing.T) []byte {
	b := mustHex(t, wolfsslHello)[:45]
	b[1], b[2], b[3] = 0, 0, 45-4
	return b
}

// TestClientHelloMalformed corrupts a real ClientHello in the ways crypto/tls rejects.
func TestClientHelloMalformed(t *testing.T) {
	base := mustHex(t, wolfsslHello)
	// base: 0 type, 1-3 length, 4-5 version, 6-37 random, 38 session id length (0), 39-40
	// cipher suites length (2), 41-42 suite, 43 compression length (1), 44 method, 45-46
	// extensions length, 47... extensions.
	mod := func(f func(b []byte)) []byte { b := bytes.Clone(base); f(b); return b }
	cases := []struct {
		name string
		data []byte
	}{
		{"wrong type", mod(func(b []byte) { b[0] = 2 })},
		{"length one too long", mod(func(b []byte) { b[3]++ })},
		{"length one too short", mod(func(b []byte) { b[3]-- })},
		{"trailing byte", append(bytes.Clone(base), 0)},
		{"odd cipher suites length", mod(func(b []byte) { b[40] = 3 })},
		{"session id past the end", mod(func(b []byte) { b[38] = 0xff })},
		{"compression methods past the end", mod(func(b []byte) { b[43] = 0xff })},
		{"extensions length short", mod(func(b []byte) { b[46]-- })},
		{"truncated extension header", withExtensions(t, 0x00, 0x17, 0x00)},
		{"duplicate extension", withExtensions(t, 0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00)},
		{"extension data past its end", withExtensions(t, 0x00, 0x2a, 0x00, 0x05, 0x00)},
		{"empty supported_versions", withExtensions(t, 0x00, 0x2b, 0x00, 0x01, 0x00)},
		{"odd supported_versions", withExtensions(t, 0x00, 0x2b, 0x00, 0x04, 0x03, 0x03, 0x04, 0x03)},
		{"supported_versions with a trailing byte", withExtensions(t, 0x00, 0x2b, 0x00, 0x04, 0x02, 0x03, 0x04, 0x00)},
		{"empty server_name list", withExtensions(t, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00)},
		{"empty host_name", withExtensions(t, 0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00)},
		{"two host_names", withExtensions(t, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x00, 0x01, 'a', 0x00, 0x00, 0x01, 'b')},
		{"empty ALPN protocol", withExtensions(t, 0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00)},
		{"empty supported_groups", withExtensions(t, 0x00, 0x0a, 0x00, 0x02, 0x00, 0x00)},
		{"odd supported_groups", withExtensions(t, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x17)},
		{"empty ec_point_formats", withExtensions(t, 0x00, 0x0b, 0x00, 0x01, 0x00)},
		{"empty signature_algorithms", withExtensions(t, 0x00, 0x0d, 0x00, 0x02, 0x00, 0x00)},
		{"key share without key", withExtensions(t, 0x00, 0x33, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x00)},
		{"key share entry cut", withExtensions(t, 0x00, 0x33, 0x00, 0x05, 0x00, 0x03, 0x00, 0x17, 0x00)},
	}
	for _, tc := range cases {
		var m ClientHello
		if m.Unmarshal(tc.data) {
			t.Errorf("%s: Unmarshal succeeded: %+v", tc.name, m)
		}
	}
}

// TestClientHelloExtensionsAccepted checks what a well-formed but unusual extensions block
// yields.
func TestClientHelloExtensionsAccepted(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want ClientHello // compared on the fields set here
	}{
		{"no extensions block", withoutExtensions(t), ClientHello{}},
		{"empty extensions block", withExtensions(t), ClientHello{}},
		{"unknown and GREASE extensions", withExtensions(t, 0xfe, 0xfe, 0x00, 0x01, 0x07, 0x3a, 0x3a, 0x00, 0x00),
			ClientHello{Extensions: []ExtensionType{0xfefe, 0x3a3a}}},
		{"server_name of another type is skipped", withExtensions(t, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x08, 0x01, 0x00, 0x01, 'x', 0x00, 0x00, 0x01, 'h'),
			ClientHello{Extensions: []ExtensionType{0}, ServerName: "h"}},
		{"GREASE kept in supported_versions", withExtensions(t, 0x00, 0x2b, 0x00, 0x07, 0x06, 0x7a, 0x7a, 0x03, 0x04, 0x03, 0x03),
			ClientHello{Extensions: []ExtensionType{43}, SupportedVersions: []Version{0x7a7a, VersionTLS13, VersionTLS12}}},
		{"draft key_share (40) read when key_share is absent", withExtensions(t, 0x00, 0x28, 0x00, 0x07, 0x00, 0x05, 0x00, 0x1d, 0x00, 0x01, 0x09),
			ClientHello{Extensions: []ExtensionType{40}, KeyShareGroups: []Group{GroupX25519}}},
		{"unparsable 40 is ignored", withExtensions(t, 0x00, 0x28, 0x00, 0x01, 0x00),
			ClientHello{Extensions: []ExtensionType{40}}},
		{"ALPN list", withExtensions(t, 0x00, 0x10, 0x00, 0x0c, 0x00, 0x0a, 0x02, 'h', '2', 0x06, 'o', 'f', 'f', 'i', 'c', 'e'),
			ClientHello{Extensions: []ExtensionType{16}, ALPN: []string{"h2", "office"}}},
	}
	for _, tc := range cases {
		var m ClientHello
		if !m.Unmarshal(tc.data) {
			t.Errorf("%s: Unmarshal failed", tc.name)
			continue
		}
		got := ClientHello{Extensions: m.Extensions, SupportedVersions: m.SupportedVersions,
			ServerName: m.ServerName, ALPN: m.ALPN, KeyShareGroups: m.KeyShareGroups}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		if m.LegacyVersion != VersionTLS12 || !slices.Equal(m.CipherSuites, []CipherSuite{0x1302}) {
			t.Errorf("%s: version %v suites %v", tc.name, m.LegacyVersion, m.CipherSuites)
		}
	}
}
