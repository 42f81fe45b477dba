package tls

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// TestHelloErrorField: real hellos of testdata (OpenSSL 3.0, Go 1.26, GnuTLS 3.7, wolfSSL, and
// a Chrome ClientHello of Zeek's hrr trace), each with one field corrupted as a buggy peer or a
// broken middlebox would send it, say exactly which field stopped the parse, what was wrong
// with it and where (offsets count from the handshake message's first byte, header included;
// each group's comment gives the offsets of the real message's fields that the cases use). The
// corrupted message also reaches a Stream's Event and a MessageCache's parse with the same error.
func TestHelloErrorField(t *testing.T) {
	put16 := func(at int, v uint16) func([]byte) []byte {
		return func(m []byte) []byte { binary.BigEndian.PutUint16(m[at:], v); return m }
	}
	put8 := func(at int, v byte) func([]byte) []byte {
		return func(m []byte) []byte { m[at] = v; return m }
	}
	cases := []struct {
		name    string
		capture string
		typ     HandshakeType
		corrupt func([]byte) []byte
		want    HelloError
	}{
		// lo_tls13_openssl's ClientHello (333 bytes): cipher_suites length at 71 (62 bytes of
		// suites), extensions from 137.
		{"cipher_suites length past the end", "lo_tls13_openssl", HandshakeClientHello, put16(71, 600),
			HelloError{Field: FieldCipherSuites, Problem: ProblemOverrun, Offset: 71, Declared: 600, Available: 260}},
		{"odd cipher_suites length", "lo_tls13_openssl", HandshakeClientHello, put16(71, 61),
			HelloError{Field: FieldCipherSuites, Problem: ProblemOddLength, Offset: 71, Declared: 61}},
		{"duplicate extension", "lo_tls13_openssl", HandshakeClientHello, put16(196, 0x000a), // session_ticket made supported_groups
			HelloError{Field: FieldExtension, Problem: ProblemDuplicate, Extension: ExtensionSupportedGroups, Offset: 196}},
		{"empty host_name", "lo_tls13_openssl", HandshakeClientHello, put16(146, 0), // server_name entry at 145
			HelloError{Field: FieldExtensionData, Problem: ProblemEmpty, Extension: ExtensionServerName, Offset: 145}},
		{"stray byte in ec_point_formats", "lo_tls13_openssl", HandshakeClientHello, put8(166, 2), // 3 formats
			HelloError{Field: FieldExtensionData, Problem: ProblemTrailing, Extension: ExtensionECPointFormats, Offset: 169, Available: 1}},
		{"wrong message type", "lo_tls13_openssl", HandshakeClientHello, put8(0, byte(HandshakeServerHello)),
			HelloError{Field: FieldHeader, Problem: ProblemType, Declared: 329, Available: 329}},
		{"random cut short", "lo_tls13_openssl", HandshakeClientHello, func(m []byte) []byte {
			m[1], m[2], m[3] = 0, 0, 20 // a 20-byte body: legacy_version and 18 bytes of random
			return m[:4+20]
		}, HelloError{Field: FieldRandom, Problem: ProblemShort, Offset: 6, Declared: 32, Available: 18}},
		// lo_tls13_go's ClientHello (1519 bytes): extensions length at 101, key_share at 257.
		{"extensions length past the end", "lo_tls13_go", HandshakeClientHello, put16(101, 1417),
			HelloError{Field: FieldExtensions, Problem: ProblemOverrun, Offset: 101, Declared: 1417, Available: 1416}},
		{"extension length past the end", "lo_tls13_go", HandshakeClientHello, put16(259, 1259), // key_share's length
			HelloError{Field: FieldExtension, Problem: ProblemOverrun, Extension: ExtensionKeyShare, Offset: 257, Declared: 1259, Available: 1258}},
		// lo_gnutls_unknown_ca's ClientHello (368 bytes).
		{"compression methods length past the end", "lo_gnutls_unknown_ca", HandshakeClientHello, put8(131, 240),
			HelloError{Field: FieldCompressionMethods, Problem: ProblemOverrun, Offset: 131, Declared: 240, Available: 236}},
		{"empty supported_groups", "lo_gnutls_unknown_ca", HandshakeClientHello, put16(148, 0),
			HelloError{Field: FieldExtensionData, Problem: ProblemEmpty, Extension: ExtensionSupportedGroups, Offset: 148}},
		// lo_tls12's ClientHello (315 bytes): extensions length at 137 (176 bytes).
		{"extensions shorter than the rest", "lo_tls12", HandshakeClientHello, put16(137, 175),
			HelloError{Field: FieldExtensions, Problem: ProblemTrailing, Offset: 314, Available: 1}},
		// tls13_wolfssl's ClientHello (199 bytes): an empty session id, signature_algorithms at 133.
		{"session id length past the end", "tls13_wolfssl", HandshakeClientHello, put8(38, 255),
			HelloError{Field: FieldSessionID, Problem: ProblemOverrun, Offset: 38, Declared: 255, Available: 160}},
		{"odd signature_algorithms length", "tls13_wolfssl", HandshakeClientHello, put16(137, 29),
			HelloError{Field: FieldExtensionData, Problem: ProblemOddLength, Extension: ExtensionSignatureAlgorithms, Offset: 137, Declared: 29}},
		// hrr's first ClientHello: supported_versions at 151 is 3 bytes, a list of 2.
		{"supported_versions list past the extension", "hrr", HandshakeClientHello, put8(155, 4),
			HelloError{Field: FieldExtensionData, Problem: ProblemOverrun, Extension: ExtensionSupportedVersions, Offset: 155, Declared: 4, Available: 2}},

		// lo_tls13_openssl's ServerHello (122 bytes): supported_versions at 76.
		{"selected_version cut", "lo_tls13_openssl", HandshakeServerHello, put16(78, 1),
			HelloError{Field: FieldExtensionData, Problem: ProblemShort, Extension: ExtensionSupportedVersions, Offset: 80, Declared: 2, Available: 1}},
		// lo_tls13_go's ServerHello: key_share at 82 made a second supported_versions.
		{"duplicate extension in a ServerHello", "lo_tls13_go", HandshakeServerHello, put16(82, 0x002b),
			HelloError{Field: FieldExtension, Problem: ProblemDuplicate, Extension: ExtensionSupportedVersions, Offset: 82}},
		// lo_tls12's ServerHello (65 bytes): an empty session id echo.
		{"session id echo past the end", "lo_tls12", HandshakeServerHello, put8(38, 64),
			HelloError{Field: FieldSessionID, Problem: ProblemOverrun, Offset: 38, Declared: 64, Available: 26}},
		// tls13_wolfssl's ServerHello (123 bytes): extensions length at 42.
		{"ServerHello extensions past the end", "tls13_wolfssl", HandshakeServerHello, put16(42, 80),
			HelloError{Field: FieldExtensions, Problem: ProblemOverrun, Offset: 42, Declared: 80, Available: 79}},
	}
	for _, tc := range cases {
		c := loadCapture(t, tc.capture)
		stream := c.client
		if tc.typ == HandshakeServerHello {
			stream = c.server
		}
		msgs := handshakeMessages(join(stream), tc.typ)
		if len(msgs) == 0 {
			t.Fatalf("%s: no %v in %s", tc.name, tc.typ, tc.capture)
		}
		msg := tc.corrupt(bytes.Clone(msgs[0]))
		want := tc.want
		want.Message = tc.typ

		var err error
		if tc.typ == HandshakeClientHello {
			err = new(ClientHello).Parse(bytes.Clone(msg))
		} else {
			err = new(ServerHello).Parse(bytes.Clone(msg))
		}
		var got *HelloError
		if !errors.As(err, &got) || *got != want || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v\nwant %v", tc.name, err, &want)
			continue
		}

		// The same through a Stream (a record around the message) and a MessageCache.
		if tc.typ == HandshakeClientHello && tc.want.Field == FieldHeader {
			continue // a Stream parses a message as its own type byte says
		}
		record := append([]byte{byte(ContentHandshake), 3, 3, byte(len(msg) >> 8), byte(len(msg))}, msg...)
		for _, cache := range []*MessageCache{nil, NewMessageCache()} {
			s := NewStream(0)
			if cache != nil {
				s.SetCache(cache)
			}
			evs := s.Feed(record)
			if len(evs) != 1 || !errors.As(evs[0].Err, &got) || *got != want {
				t.Errorf("%s (cache %v): events %q; want one with %v", tc.name, cache != nil, describeAll(evs), &want)
			}
		}
	}
}

// TestHelloErrorZero: a hello that parses has no error, and Parse returns a nil error, not a nil
// *HelloError.
func TestHelloErrorZero(t *testing.T) {
	c := loadCapture(t, "lo_tls13_openssl")
	if err := new(ClientHello).Parse(handshakeMessages(join(c.client), HandshakeClientHello)[0]); err != nil {
		t.Errorf("ClientHello: %v", err)
	}
	if err := new(ServerHello).Parse(handshakeMessages(join(c.server), HandshakeServerHello)[0]); err != nil {
		t.Errorf("ServerHello: %v", err)
	}
}
