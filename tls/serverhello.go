package tls

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

// helloRetryRequestRandom is the Random of a HelloRetryRequest: SHA-256 of
// "HelloRetryRequest" (RFC 8446, Section 4.1.3).
var helloRetryRequestRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
	0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
	0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// Downgrade sentinels: the last 8 bytes of a ServerHello's Random (RFC 8446, Section 4.1.3).
var (
	downgradeTLS12 = []byte("DOWNGRD\x01") // a TLS 1.3 server negotiating TLS 1.2
	downgradeTLS11 = []byte("DOWNGRD\x00") // a TLS 1.2 or 1.3 server negotiating TLS 1.1 or below
)

// ServerHello is the content of a server_hello message (RFC 8446, Section 4.1.3; RFC 5246,
// Section 7.4.1.3), including a HelloRetryRequest, which is a server_hello with a special
// Random. It can also hold an SSLv2 SERVER-HELLO (SSLv2 true; see UnmarshalSSLv2).
//
// Unmarshal keeps references into the bytes it was given (Random, SessionID).
type ServerHello struct {
	LegacyVersion     Version         // server_version (TLS 1.2 and before) / legacy_version (TLS 1.3)
	Random            []byte          // 32 bytes
	SessionID         []byte          // legacy_session_id_echo; nil in TLS 1.3 drafts before -22
	CipherSuite       CipherSuite     // the suite chosen; 0 for SSLv2
	CompressionMethod uint8           // legacy_compression_method
	Extensions        []ExtensionType // in order sent
	SupportedVersion  Version         // selected_version from supported_versions; 0 when absent
	HelloRetryRequest bool            // Random equals the RFC 8446, Section 4.1.3 HelloRetryRequest value
	KeyShareGroup     Group           // key_share: the server's share group, or a HelloRetryRequest's selected_group
	ALPN              string          // the protocol selected by application_layer_protocol_negotiation

	// DowngradeSentinel is set when Random ends in a downgrade sentinel (RFC 8446, Section
	// 4.1.3): VersionTLS13 for "DOWNGRD\x01" (the server supports TLS 1.3 but negotiated TLS 1.2)
	// and VersionTLS12 for "DOWNGRD\x00" (the server supports TLS 1.2 or above but negotiated
	// TLS 1.1 or below). It is a lower bound of what the server supports; 0 when absent.
	DowngradeSentinel Version

	SSLv2             bool // an SSLv2 SERVER-HELLO (RFC 6101, Appendix E); LegacyVersion is then the version chosen
	SSLv2CipherSpecs  int  // SSLv2 only: the number of cipher specs the server listed
	SSLv2SessionIDHit bool // SSLv2 only: SESSION-ID-HIT
}

// Unmarshal parses data, a whole server_hello handshake message including its 4-byte header,
// into m and reports whether it was well formed. It also reads the shorter ServerHello of
// TLS 1.3 drafts before -22 (no session id, no compression method), recognised by a
// legacy_version of 0x7f00..0x7f15. m aliases data.
func (m *ServerHello) Unmarshal(data []byte) bool { return m.unmarshal(data) == nil }

// Parse is Unmarshal that says where a message that is not well formed stopped parsing: nil, or
// a *HelloError.
func (m *ServerHello) Parse(data []byte) error { return asError(m.unmarshal(data)) }

func (m *ServerHello) unmarshal(data []byte) *HelloError {
	*m = ServerHello{}
	r := helloReader{msg: data, typ: HandshakeServerHello}
	body, err := r.header()
	if err != nil {
		return err
	}

	var vers, suite uint16
	if err := r.uint16(&body, FieldLegacyVersion, &vers); err != nil {
		return err
	}
	m.LegacyVersion = Version(vers)
	if err := r.fixed(&body, FieldRandom, 32, &m.Random); err != nil {
		return err
	}
	if n, ok := m.LegacyVersion.draftNumber(); ok && n < 22 {
		// draft-ietf-tls-tls13-21, Section 4.1.3: version, random, cipher_suite, extensions.
		if err := r.uint16(&body, FieldCipherSuite, &suite); err != nil {
			return err
		}
	} else {
		if err := r.vector(&body, FieldSessionID, 1, (*cryptobyte.String)(&m.SessionID)); err != nil {
			return err
		}
		if err := r.uint16(&body, FieldCipherSuite, &suite); err != nil {
			return err
		}
		if !body.ReadUint8(&m.CompressionMethod) {
			return r.fail(FieldCompressionMethod, ProblemShort, body, 1, 0)
		}
	}
	m.CipherSuite = CipherSuite(suite)
	m.HelloRetryRequest = bytes.Equal(m.Random, helloRetryRequestRandom)
	switch tail := m.Random[24:]; {
	case bytes.Equal(tail, downgradeTLS12):
		m.DowngradeSentinel = VersionTLS13
	case bytes.Equal(tail, downgradeTLS11):
		m.DowngradeSentinel = VersionTLS12
	}

	if body.Empty() {
		// ServerHello is optionally followed by extension data
		return nil
	}
	var extensions cryptobyte.String
	if err := r.vector(&body, FieldExtensions, 2, &extensions); err != nil {
		return err
	}
	if err := r.trailing(body, FieldExtensions); err != nil {
		return err
	}

	seen := make(map[ExtensionType]bool)
	for !extensions.Empty() {
		var ext uint16
		var extData cryptobyte.String
		if len(extensions) < 4 {
			// Too few bytes for another extension's type and length.
			return r.trailing(extensions, FieldExtensions)
		}
		start := extensions
		extensions.ReadUint16(&ext)
		r.ext = ExtensionType(ext)
		if err := r.vector(&extensions, FieldExtension, 2, &extData); err != nil {
			err.Offset = r.at(start)
			return err
		}
		e := ExtensionType(ext)
		if seen[e] {
			return r.fail(FieldExtension, ProblemDuplicate, start, 0, 0)
		}
		seen[e] = true
		m.Extensions = append(m.Extensions, e)

		switch e {
		case ExtensionSupportedVersions:
			// RFC 8446, Section 4.2.1: selected_version
			var v uint16
			if err := r.uint16(&extData, FieldExtensionData, &v); err != nil {
				return err
			}
			m.SupportedVersion = Version(v)
		case ExtensionKeyShare:
			// RFC 8446, Section 4.2.8: a HelloRetryRequest carries only selected_group, a
			// ServerHello a KeyShareEntry.
			group, err := r.serverKeyShare(&extData)
			if err != nil {
				return err
			}
			m.KeyShareGroup = group
		case ExtensionKeyShareDraft:
			// key_share of TLS 1.3 drafts before -23; skipped like an unknown extension when it
			// does not parse.
			if group, err := r.serverKeyShare(&extData); err == nil && extData.Empty() && m.KeyShareGroup == 0 {
				m.KeyShareGroup = group
			}
			continue
		case ExtensionALPN:
			// RFC 7301, Section 3.1: exactly one protocol
			var protoList, proto cryptobyte.String
			if err := r.vector(&extData, FieldExtensionData, 2, &protoList); err != nil {
				return err
			}
			entry := protoList
			if err := r.vector(&protoList, FieldExtensionData, 1, &proto); err != nil {
				return err
			}
			if proto.Empty() {
				return r.fail(FieldExtensionData, ProblemEmpty, entry, 0, 0)
			}
			if err := r.trailing(protoList, FieldExtensionData); err != nil {
				return err
			}
			m.ALPN = string(proto)
		default:
			// Ignore unknown extensions.
			continue
		}

		if err := r.trailing(extData, FieldExtensionData); err != nil {
			return err
		}
	}
	return nil
}

// serverKeyShare reads a KeyShareServerHello or a KeyShareHelloRetryRequest (RFC 8446,
// Section 4.2.8) and returns its group.
func (r *helloReader) serverKeyShare(extData *cryptobyte.String) (Group, *HelloError) {
	var group uint16
	if err := r.uint16(extData, FieldExtensionData, &group); err != nil {
		return 0, err
	}
	if !extData.Empty() {
		var key cryptobyte.String
		if err := r.vector(extData, FieldExtensionData, 2, &key); err != nil {
			return 0, err
		}
	}
	return Group(group), nil
}

// ChosenVersion returns the version the server selected: SupportedVersion when the server sent
// supported_versions (TLS 1.3), else LegacyVersion.
func (m *ServerHello) ChosenVersion() Version {
	if m.SupportedVersion != 0 {
		return m.SupportedVersion
	}
	return m.LegacyVersion
}
