package tls

import (
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// ClientHello is the content of a client_hello message (RFC 8446, Section 4.1.2; RFC 5246,
// Section 7.4.1.2), or of an SSLv2-format ClientHello (RFC 6101, Appendix E; RFC 5246,
// Appendix E.2) when SSLv2 is true.
//
// Unmarshal keeps references into the bytes it was given (Random, SessionID,
// CompressionMethods, ECPointFormats): pass it a copy that the ClientHello may own, as
// crypto/tls requires of its handshake message unmarshalers.
type ClientHello struct {
	SSLv2               bool            // sent in the SSLv2-compatible format (RFC 6101 appendix E / RFC 5246 E.2)
	LegacyVersion       Version         // client_version (TLS 1.2 and before) / legacy_version (TLS 1.3)
	Random              []byte          // 32 bytes; for SSLv2 format, the challenge as sent (16 to 32 bytes)
	SessionID           []byte          // legacy_session_id
	CipherSuites        []CipherSuite   // in order sent, GREASE kept; for SSLv2 format, the specs whose first byte is 0
	SSLv2Ciphers        int             // SSLv2 format only: cipher specs with a non-zero first byte (SSL 2.0 ciphers)
	CompressionMethods  []uint8         // legacy_compression_methods; nil for SSLv2 format
	Extensions          []ExtensionType // in order sent, GREASE kept
	SupportedVersions   []Version       // supported_versions in order sent, GREASE kept; nil when the extension is absent
	ServerName          string          // server_name host_name (RFC 6066, Section 3); "" when absent
	ALPN                []string        // application_layer_protocol_negotiation protocol names (RFC 7301)
	SupportedGroups     []Group         // supported_groups in order sent (RFC 8446, Section 4.2.7)
	ECPointFormats      []uint8         // ec_point_formats (RFC 8422, Section 5.1.2)
	SignatureAlgorithms []uint16        // signature_algorithms (RFC 8446, Section 4.2.3)
	KeyShareGroups      []Group         // groups of the key_share entries, in order sent (RFC 8446, Section 4.2.8)
}

// Unmarshal parses data, a whole client_hello handshake message including its 4-byte header,
// into m and reports whether it was well formed. Framing is strict: every length must match and
// no byte may be left over, and an extension may appear only once. Extensions it does not read
// are skipped, as crypto/tls does. m aliases data (see ClientHello).
func (m *ClientHello) Unmarshal(data []byte) bool { return m.unmarshal(data) == nil }

// Parse is Unmarshal that says where a message that is not well formed stopped parsing: nil, or
// a *HelloError.
func (m *ClientHello) Parse(data []byte) error { return asError(m.unmarshal(data)) }

func (m *ClientHello) unmarshal(data []byte) *HelloError {
	*m = ClientHello{}
	r := helloReader{msg: data, typ: HandshakeClientHello}
	body, err := r.header()
	if err != nil {
		return err
	}

	var vers uint16
	if err := r.uint16(&body, FieldLegacyVersion, &vers); err != nil {
		return err
	}
	m.LegacyVersion = Version(vers)
	if err := r.fixed(&body, FieldRandom, 32, &m.Random); err != nil {
		return err
	}
	if err := r.vector(&body, FieldSessionID, 1, (*cryptobyte.String)(&m.SessionID)); err != nil {
		return err
	}

	var cipherSuites cryptobyte.String
	suitesAt := body
	if err := r.vector(&body, FieldCipherSuites, 2, &cipherSuites); err != nil {
		return err
	}
	if len(cipherSuites)%2 != 0 {
		return r.fail(FieldCipherSuites, ProblemOddLength, suitesAt, len(cipherSuites), 0)
	}
	m.CipherSuites = make([]CipherSuite, 0, len(cipherSuites)/2)
	for !cipherSuites.Empty() {
		var suite uint16
		cipherSuites.ReadUint16(&suite)
		m.CipherSuites = append(m.CipherSuites, CipherSuite(suite))
	}

	if err := r.vector(&body, FieldCompressionMethods, 1, (*cryptobyte.String)(&m.CompressionMethods)); err != nil {
		return err
	}

	if body.Empty() {
		// ClientHello is optionally followed by extension data (RFC 5246, Section 7.4.1.2).
		return nil
	}
	var extensions cryptobyte.String
	if err := r.vector(&body, FieldExtensions, 2, &extensions); err != nil {
		return err
	}
	if err := r.trailing(body, FieldExtensions); err != nil {
		return err
	}

	if len(extensions) >= 4 {
		// Each extension takes at least 4 bytes: one allocation holds the list.
		m.Extensions = make([]ExtensionType, 0, len(extensions)/4)
	}
	var seen extensionSet
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
		if !seen.add(e) {
			return r.fail(FieldExtension, ProblemDuplicate, start, 0, 0)
		}
		m.Extensions = append(m.Extensions, e)

		switch e {
		case ExtensionServerName:
			// RFC 6066, Section 3
			var nameList cryptobyte.String
			if err := r.vector(&extData, FieldExtensionData, 2, &nameList); err != nil {
				return err
			}
			if nameList.Empty() {
				return r.fail(FieldExtensionData, ProblemEmpty, nameList, 0, 0)
			}
			for !nameList.Empty() {
				var nameType uint8
				var name cryptobyte.String
				entry := nameList
				if !nameList.ReadUint8(&nameType) {
					return r.fail(FieldExtensionData, ProblemShort, entry, 1, 0)
				}
				if err := r.vector(&nameList, FieldExtensionData, 2, &name); err != nil {
					return err
				}
				if name.Empty() {
					return r.fail(FieldExtensionData, ProblemEmpty, entry, 0, 0)
				}
				if nameType != 0 { // only host_name is defined
					continue
				}
				if m.ServerName != "" {
					// Multiple names of the same name_type are prohibited.
					return r.fail(FieldExtensionData, ProblemDuplicate, entry, 0, 0)
				}
				m.ServerName = string(name)
			}
		case ExtensionSupportedVersions:
			// RFC 8446, Section 4.2.1
			versList, err := r.list16(&extData, FieldExtensionData, 1)
			if err != nil {
				return err
			}
			m.SupportedVersions = make([]Version, 0, len(versList)/2)
			for !versList.Empty() {
				var v uint16
				versList.ReadUint16(&v)
				m.SupportedVersions = append(m.SupportedVersions, Version(v))
			}
		case ExtensionSupportedGroups:
			// RFC 4492, Section 5.1.1 and RFC 8446, Section 4.2.7
			groups, err := r.list16(&extData, FieldExtensionData, 2)
			if err != nil {
				return err
			}
			m.SupportedGroups = make([]Group, 0, len(groups)/2)
			for !groups.Empty() {
				var g uint16
				groups.ReadUint16(&g)
				m.SupportedGroups = append(m.SupportedGroups, Group(g))
			}
		case ExtensionECPointFormats:
			// RFC 4492, Section 5.1.2
			start := extData
			if err := r.vector(&extData, FieldExtensionData, 1, (*cryptobyte.String)(&m.ECPointFormats)); err != nil {
				return err
			}
			if len(m.ECPointFormats) == 0 {
				return r.fail(FieldExtensionData, ProblemEmpty, start, 0, 0)
			}
		case ExtensionSignatureAlgorithms:
			// RFC 5246, Section 7.4.1.4.1
			sigAlgs, err := r.list16(&extData, FieldExtensionData, 2)
			if err != nil {
				return err
			}
			m.SignatureAlgorithms = make([]uint16, 0, len(sigAlgs)/2)
			for !sigAlgs.Empty() {
				var alg uint16
				sigAlgs.ReadUint16(&alg)
				m.SignatureAlgorithms = append(m.SignatureAlgorithms, alg)
			}
		case ExtensionALPN:
			// RFC 7301, Section 3.1
			var protoList cryptobyte.String
			if err := r.vector(&extData, FieldExtensionData, 2, &protoList); err != nil {
				return err
			}
			if protoList.Empty() {
				return r.fail(FieldExtensionData, ProblemEmpty, protoList, 0, 0)
			}
			for !protoList.Empty() {
				var proto cryptobyte.String
				entry := protoList
				if err := r.vector(&protoList, FieldExtensionData, 1, &proto); err != nil {
					return err
				}
				if proto.Empty() {
					return r.fail(FieldExtensionData, ProblemEmpty, entry, 0, 0)
				}
				m.ALPN = append(m.ALPN, string(proto))
			}
		case ExtensionKeyShare:
			// RFC 8446, Section 4.2.8
			groups, err := r.keyShares(&extData)
			if err != nil {
				return err
			}
			m.KeyShareGroups = groups
		case ExtensionKeyShareDraft:
			// key_share of TLS 1.3 drafts before -23 (same syntax). Today the number is
			// reserved, so a body that does not parse is skipped like an unknown extension.
			if groups, err := r.keyShares(&extData); err == nil && extData.Empty() && m.KeyShareGroups == nil {
				m.KeyShareGroups = groups
			}
			continue
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

// extensionSet is a set of extension types: a bit for each of the 65536.
type extensionSet [65536 / 64]uint64

// add adds e and reports whether it was not in the set yet.
func (s *extensionSet) add(e ExtensionType) bool {
	w, bit := &s[e/64], uint64(1)<<(e%64)
	if *w&bit != 0 {
		return false
	}
	*w |= bit
	return true
}

// keyShares reads a KeyShareClientHello (RFC 8446, Section 4.2.8) and returns the group of
// each entry.
func (r *helloReader) keyShares(extData *cryptobyte.String) ([]Group, *HelloError) {
	var clientShares cryptobyte.String
	if err := r.vector(extData, FieldExtensionData, 2, &clientShares); err != nil {
		return nil, err
	}
	groups := []Group{}
	for !clientShares.Empty() {
		var group uint16
		var key cryptobyte.String
		entry := clientShares
		if err := r.uint16(&clientShares, FieldExtensionData, &group); err != nil {
			return nil, err
		}
		if err := r.vector(&clientShares, FieldExtensionData, 2, &key); err != nil {
			return nil, err
		}
		if key.Empty() {
			return nil, r.fail(FieldExtensionData, ProblemEmpty, entry, 0, 0)
		}
		groups = append(groups, Group(group))
	}
	return groups, nil
}

// readUint8LengthPrefixed acts like s.ReadUint8LengthPrefixed, but targets a []byte instead
// of a cryptobyte.String (as crypto/tls does).
func readUint8LengthPrefixed(s *cryptobyte.String, out *[]byte) bool {
	return s.ReadUint8LengthPrefixed((*cryptobyte.String)(out))
}

// VersionsFromExtension reports whether the ClientHello carried supported_versions, so that
// OfferedVersions is the exact list. Without it only the highest version (legacy_version) is
// known and OfferedVersions assumes every version below it down to TLS 1.0.
func (m *ClientHello) VersionsFromExtension() bool { return m.SupportedVersions != nil }

// OfferedVersions returns the versions the client offers, sorted ascending by Rank without
// duplicates. With supported_versions it is that list without GREASE values (RFC 8446, Section
// 4.2.1). Without it, it is every version from TLS 1.0 up to LegacyVersion (only SSL 3.0 when
// LegacyVersion is SSL 3.0); a legacy_version above TLS 1.2 counts as TLS 1.2, since a server
// must then negotiate TLS 1.2 or below. An SSLv2-format hello adds SSL 2.0 when it lists SSL
// 2.0 cipher specs or asks for version 0x0002.
func (m *ClientHello) OfferedVersions() []Version {
	var vs []Version
	if m.SupportedVersions != nil {
		for _, v := range m.SupportedVersions {
			if !v.IsGREASE() && !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
	} else {
		if m.SSLv2 && (m.SSLv2Ciphers > 0 || m.LegacyVersion == VersionSSL20) {
			vs = append(vs, VersionSSL20)
		}
		top := m.LegacyVersion
		if top.Rank() > VersionTLS12.Rank() || (top>>8 == 3 && top&0xff > 4) {
			top = VersionTLS12
		}
		switch {
		case top == VersionSSL30:
			vs = append(vs, VersionSSL30)
		case top.Rank() >= VersionTLS10.Rank():
			for _, v := range []Version{VersionTLS10, VersionTLS11, VersionTLS12} {
				if v.Rank() <= top.Rank() {
					vs = append(vs, v)
				}
			}
		}
	}
	slices.SortStableFunc(vs, func(a, b Version) int { return a.Rank() - b.Rank() })
	return vs
}

// HighestVersion returns the highest of OfferedVersions by Rank, or 0 when it is empty.
func (m *ClientHello) HighestVersion() Version {
	vs := m.OfferedVersions()
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1]
}
