package tls

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"testing"
)

// zeekSSLv2Hello is the SSLv2 CLIENT-HELLO of Zeek's ssl-v2.pcap (testdata/ssl_v2): version
// 0x0002, seven SSL 2.0 cipher specs, no session id, a 16-byte challenge.
const zeekSSLv2Hello = "802e0100020015000000100700c00500800300800100800600400400800200801c30e2b12f4c04525476f280c07abee5"

// firstSegment returns the first segment of a capture direction, which holds the SSLv2 hello.
func firstSegment(t *testing.T, capture string, server bool) []byte {
	c := loadCapture(t, capture)
	if server {
		return c.server[0]
	}
	return c.client[0]
}

func TestSSLv2ClientHello(t *testing.T) {
	data := mustHex(t, zeekSSLv2Hello)
	if !bytes.Equal(data, firstSegment(t, "ssl_v2", false)) {
		t.Fatal("zeekSSLv2Hello is not the first segment of testdata/ssl_v2")
	}
	java := firstSegment(t, "lo_sslv2hello_tls12", false)
	javaSuites := []CipherSuite{0xc02c, 0xc02b, 0xcca9, 0xc030, 0xcca8, 0xc02f, 0x009f, 0xccaa, 0x00a3, 0x009e,
		0x00a2, 0xc024, 0xc028, 0xc023, 0xc027, 0x006b, 0x006a, 0x0067, 0x0040, 0xc00a, 0xc014, 0xc009,
		0xc013, 0x0039, 0x0038, 0x0033, 0x0032, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff}
	cases := []struct {
		name string
		data []byte
		want ClientHello
	}{
		{"Zeek ssl-v2.pcap (SSL 2.0 only)", data, ClientHello{SSLv2: true, LegacyVersion: VersionSSL20,
			Random: data[len(data)-16:], SessionID: []byte{}, CipherSuites: []CipherSuite{}, SSLv2Ciphers: 7}},
		// Java 17 with SSLv2Hello enabled: version 0x0303 and two SSL 2.0 specs (0x0700c0, 0x060040)
		// among 36; the values are tshark's tls.handshake.cipherspec list.
		{"Java 17 SSLv2Hello", java, ClientHello{SSLv2: true, LegacyVersion: VersionTLS12,
			Random: java[len(java)-32:], SessionID: []byte{}, CipherSuites: javaSuites, SSLv2Ciphers: 2}},
	}
	for _, tc := range cases {
		var m ClientHello
		if !m.UnmarshalSSLv2(tc.data) {
			t.Errorf("%s: UnmarshalSSLv2 failed", tc.name)
			continue
		}
		if !reflect.DeepEqual(m, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, m, tc.want)
		}
		for i := range tc.data {
			if m.UnmarshalSSLv2(tc.data[:i]) {
				t.Errorf("%s: prefix of %d bytes parsed", tc.name, i)
			}
		}
		if m.Unmarshal(tc.data) {
			t.Errorf("%s: parsed as a TLS ClientHello", tc.name)
		}
	}
	if got := hex.EncodeToString(cases[0].want.Random); got != "1c30e2b12f4c04525476f280c07abee5" {
		t.Errorf("challenge = %s", got)
	}
}

func TestSSLv2ClientHelloMalformed(t *testing.T) {
	base := mustHex(t, zeekSSLv2Hello)
	// base: 0-1 header (0x802e), 2 type, 3-4 version, 5-6 cipher specs length (0x15), 7-8
	// session id length, 9-10 challenge length (0x10), 11-31 specs, 32-47 challenge.
	mod := func(f func(b []byte)) []byte { b := bytes.Clone(base); f(b); return b }
	cases := []struct {
		name string
		data []byte
	}{
		{"3-byte header form", mod(func(b []byte) { b[0] &^= 0x80 })},
		{"record length too long", mod(func(b []byte) { b[1]++ })},
		{"trailing byte", append(bytes.Clone(base), 0)},
		{"wrong type", mod(func(b []byte) { b[2] = 4 })},
		{"cipher specs not a multiple of 3", mod(func(b []byte) { b[6] = 0x14; b[10] = 0x11 })},
		{"challenge too short", withSSLv2Lengths(base, 0x15, 0, 15)},
		{"challenge too long", withSSLv2Lengths(base, 0x15, 0, 33)},
		{"session id too long", withSSLv2Lengths(base, 0x00, 0x21, 0x10)},
	}
	for _, tc := range cases {
		var m ClientHello
		if m.UnmarshalSSLv2(tc.data) {
			t.Errorf("%s: UnmarshalSSLv2 succeeded: %+v", tc.name, m)
		}
	}
	// The limits themselves parse.
	for _, ok := range [][]byte{withSSLv2Lengths(base, 3, 32, 16), withSSLv2Lengths(base, 0, 0, 32)} {
		var m ClientHello
		if !m.UnmarshalSSLv2(ok) {
			t.Errorf("%x did not parse", ok)
		}
	}
}

// withSSLv2Lengths rewrites the three lengths of an SSLv2 CLIENT-HELLO and its record length
// so that the record stays self-consistent with the bytes it has (padding with zeros).
func withSSLv2Lengths(base []byte, specs, sid, challenge int) []byte {
	b := bytes.Clone(base[:11])
	b[5], b[6], b[7], b[8], b[9], b[10] = byte(specs>>8), byte(specs), byte(sid>>8), byte(sid), byte(challenge>>8), byte(challenge)
	b = append(b, make([]byte, specs+sid+challenge)...)
	n := len(b) - 2
	b[0], b[1] = 0x80|byte(n>>8), byte(n)
	return b
}

func TestSSLv2ServerHello(t *testing.T) {
	data := firstSegment(t, "ssl_v2", true)
	var m ServerHello
	if !m.UnmarshalSSLv2(data) {
		t.Fatal("UnmarshalSSLv2 failed")
	}
	// tshark: version 0x0002, session id hit 0, six cipher specs, a 16-byte connection id.
	want := ServerHello{SSLv2: true, LegacyVersion: VersionSSL20, SSLv2CipherSpecs: 6,
		Random: mustHex(t, "b01a19a135e793cebecd5204d9e0c699")}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("\n got %+v\nwant %+v", m, want)
	}
	if m.ChosenVersion() != VersionSSL20 {
		t.Errorf("ChosenVersion = %v", m.ChosenVersion())
	}
	for i := range data {
		if m.UnmarshalSSLv2(data[:i]) {
			t.Errorf("prefix of %d bytes parsed", i)
		}
	}
	bad := bytes.Clone(data)
	bad[3] = 2 // session id hit must be 0 or 1
	if m.UnmarshalSSLv2(bad) {
		t.Error("session id hit 2 parsed")
	}
}
