// Package hello writes TLS ClientHello messages and records from a specification, for probing
// servers: the writing half of package tls, which parses them. It uses
// golang.org/x/crypto/cryptobyte as crypto/tls does for its own messages.
package hello

import (
	"errors"
	"fmt"

	"github.com/connscope/connscope/tls"
	"golang.org/x/crypto/cryptobyte"
)

// MaxHelloCipherSuites is the most cipher suites a written ClientHello lists: servers and load
// balancers are reported to reject longer lists with illegal_parameter or to drop them (testssl.sh
// issue 806), so testssl.sh never sends more.
const MaxHelloCipherSuites = 128

// sslv2ClientHello is the SSLv2 MSG-CLIENT-HELLO message type (RFC 5246, Appendix E.2).
const sslv2ClientHello = 1

// KeyShare is one key_share entry of a ClientHello (RFC 8446, Section 4.2.8).
type KeyShare struct {
	Group tls.Group
	Data  []byte // the public key as the group encodes it; never empty
}

// RawExtension is an extension written as given: its type and its body.
type RawExtension struct {
	Type tls.ExtensionType
	Data []byte
}

// ClientHelloSpec is what a ClientHello is written from: the mirror of ClientHello, with the
// bodies that parsing does not keep (key shares, raw extensions). Marshal writes the TLS form
// (RFC 8446, Section 4.1.2; RFC 5246, Section 7.4.1.2; SSL 3.0 when there are no extensions),
// MarshalSSLv2 the SSLv2-compatible one (RFC 5246, Appendix E.2), each with
// golang.org/x/crypto/cryptobyte as crypto/tls writes its own.
//
// Extensions are written in this order, each only when its field is set: server_name,
// supported_groups, ec_point_formats, signature_algorithms, application_layer_protocol_negotiation,
// the Raw extensions in their order, supported_versions, psk_key_exchange_modes, key_share,
// then padding (RFC 7685) when Pad asks for it. The last extension is never empty (an empty
// last extension breaks WebSphere 7 and others): when it would be, the last non-empty extension
// is moved to the end.
type ClientHelloSpec struct {
	LegacyVersion       tls.Version // client_version / legacy_version
	Random              []byte      // 32 bytes; for MarshalSSLv2, the challenge (16 to 32 bytes)
	SessionID           []byte      // legacy_session_id, at most 32 bytes
	CipherSuites        []tls.CipherSuite
	CompressionMethods  []uint8 // nil writes the null method alone
	ServerName          string  // server_name host_name; "" writes no server_name
	SupportedGroups     []tls.Group
	ECPointFormats      []uint8
	SignatureAlgorithms []uint16
	ALPN                []string
	Raw                 []RawExtension // other extensions, written as given (e.g. renegotiation_info)
	SupportedVersions   []tls.Version  // supported_versions; nil writes none
	PSKModes            []uint8        // psk_key_exchange_modes (RFC 8446, Section 4.2.9)
	KeyShares           []KeyShare     // key_share entries; nil writes none, an empty non-nil list an empty key_share
	// NoExtensions writes no extensions block at all, as SSL 3.0 clients do; the fields above
	// that would make extensions must then be empty.
	NoExtensions bool
	// Pad applies the size rules of testssl.sh and BoringSSL: a hello whose handshake message
	// would be 256 to 511 bytes long is padded to 512 (F5 devices hang on those; RFC 7685), and
	// one whose length modulo 256 is 10 or 14 gets 5 more bytes (testssl.sh pull 1120). It
	// needs extensions.
	Pad bool
}

// Errors of Marshal and MarshalSSLv2.
var (
	ErrHelloTooManySuites = errors.New("more than 128 cipher suites")
	ErrHelloInvalid       = errors.New("invalid ClientHello")
)

// helloExtension is an extension ready to write.
type helloExtension struct {
	typ  tls.ExtensionType
	data []byte
}

// extensions builds the extension list in the documented order, bodies written.
func (s *ClientHelloSpec) extensions() ([]helloExtension, error) {
	var exts []helloExtension
	add := func(t tls.ExtensionType, f func(b *cryptobyte.Builder)) error {
		var b cryptobyte.Builder
		f(&b)
		data, err := b.Bytes()
		if err != nil {
			return fmt.Errorf("%w: extension %v: %v", ErrHelloInvalid, t, err)
		}
		exts = append(exts, helloExtension{t, data})
		return nil
	}
	var err error
	if s.ServerName != "" {
		// RFC 6066, Section 3
		err = errors.Join(err, add(tls.ExtensionServerName, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0) // host_name
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.ServerName)) })
			})
		}))
	}
	if len(s.SupportedGroups) > 0 {
		// RFC 8446, Section 4.2.7
		err = errors.Join(err, add(tls.ExtensionSupportedGroups, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, g := range s.SupportedGroups {
					b.AddUint16(uint16(g))
				}
			})
		}))
	}
	if len(s.ECPointFormats) > 0 {
		// RFC 8422, Section 5.1.2
		err = errors.Join(err, add(tls.ExtensionECPointFormats, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.ECPointFormats) })
		}))
	}
	if len(s.SignatureAlgorithms) > 0 {
		// RFC 8446, Section 4.2.3
		err = errors.Join(err, add(tls.ExtensionSignatureAlgorithms, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, a := range s.SignatureAlgorithms {
					b.AddUint16(a)
				}
			})
		}))
	}
	if len(s.ALPN) > 0 {
		// RFC 7301, Section 3.1
		for _, p := range s.ALPN {
			if p == "" || len(p) > 255 {
				return nil, fmt.Errorf("%w: ALPN protocol names are 1 to 255 bytes", ErrHelloInvalid)
			}
		}
		err = errors.Join(err, add(tls.ExtensionALPN, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, p := range s.ALPN {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
				}
			})
		}))
	}
	for _, r := range s.Raw {
		err = errors.Join(err, add(r.Type, func(b *cryptobyte.Builder) { b.AddBytes(r.Data) }))
	}
	if s.SupportedVersions != nil {
		// RFC 8446, Section 4.2.1
		if len(s.SupportedVersions) == 0 {
			return nil, fmt.Errorf("%w: an empty supported_versions", ErrHelloInvalid)
		}
		err = errors.Join(err, add(tls.ExtensionSupportedVersions, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, v := range s.SupportedVersions {
					b.AddUint16(uint16(v))
				}
			})
		}))
	}
	if len(s.PSKModes) > 0 {
		err = errors.Join(err, add(tls.ExtensionPSKModes, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.PSKModes) })
		}))
	}
	if s.KeyShares != nil {
		// RFC 8446, Section 4.2.8
		for _, ks := range s.KeyShares {
			if len(ks.Data) == 0 {
				return nil, fmt.Errorf("%w: key_share for %v has no key", ErrHelloInvalid, ks.Group)
			}
		}
		err = errors.Join(err, add(tls.ExtensionKeyShare, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, ks := range s.KeyShares {
					b.AddUint16(uint16(ks.Group))
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ks.Data) })
				}
			})
		}))
	}
	if err != nil {
		return nil, err
	}
	seen := make(map[tls.ExtensionType]bool, len(exts))
	for _, e := range exts {
		if seen[e.typ] {
			return nil, fmt.Errorf("%w: extension %v appears twice", ErrHelloInvalid, e.typ)
		}
		seen[e.typ] = true
	}
	return exts, nil
}

// Marshal writes the ClientHello as a whole client_hello handshake message, its 4-byte header
// included, which ClientHello.Unmarshal reads back.
func (s *ClientHelloSpec) Marshal() ([]byte, error) {
	if len(s.Random) != 32 {
		return nil, fmt.Errorf("%w: the random is %d bytes, not 32", ErrHelloInvalid, len(s.Random))
	}
	if len(s.SessionID) > 32 {
		return nil, fmt.Errorf("%w: a session id of %d bytes (at most 32)", ErrHelloInvalid, len(s.SessionID))
	}
	if len(s.CipherSuites) == 0 {
		return nil, fmt.Errorf("%w: no cipher suites", ErrHelloInvalid)
	}
	if len(s.CipherSuites) > MaxHelloCipherSuites {
		return nil, fmt.Errorf("%w: %d suites", ErrHelloTooManySuites, len(s.CipherSuites))
	}
	exts, err := s.extensions()
	if err != nil {
		return nil, err
	}
	if s.NoExtensions && len(exts) > 0 {
		return nil, fmt.Errorf("%w: NoExtensions with %d extensions set", ErrHelloInvalid, len(exts))
	}
	if s.Pad && s.NoExtensions {
		return nil, fmt.Errorf("%w: padding needs extensions", ErrHelloInvalid)
	}
	exts = nonEmptyLast(exts)
	msg, err := s.write(exts)
	if err != nil || !s.Pad {
		return msg, err
	}
	if pad := paddingFor(len(msg)); pad > 0 {
		// The padding extension costs 4 bytes of header itself; its body is pad-4 zeros,
		// at least one so that the last extension is not empty.
		body := max(pad-4, 1)
		exts = append(exts, helloExtension{tls.ExtensionPadding, make([]byte, body)})
		return s.write(exts)
	}
	return msg, nil
}

// paddingFor returns how many bytes (its 4-byte header included) a padding extension must add
// to a handshake message of n bytes, or 0 when none is needed.
func paddingFor(n int) int {
	add := 0
	if n >= 256 && n < 512 {
		add = 512 - n
		if add < 5 {
			add = 5 // the padding extension's header and one byte
		}
	}
	if m := (n + add) % 256; m == 10 || m == 14 {
		add += 5
	}
	return add
}

// nonEmptyLast moves the last non-empty extension to the end when the last one is empty.
func nonEmptyLast(exts []helloExtension) []helloExtension {
	n := len(exts)
	if n < 2 || len(exts[n-1].data) > 0 {
		return exts
	}
	for i := n - 2; i >= 0; i-- {
		if len(exts[i].data) > 0 {
			e := exts[i]
			out := append(append(exts[:i:i], exts[i+1:]...), e)
			return out
		}
	}
	return exts
}

// write builds the handshake message from the fields and the given extensions.
func (s *ClientHelloSpec) write(exts []helloExtension) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(uint8(tls.HandshakeClientHello))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(uint16(s.LegacyVersion))
		b.AddBytes(s.Random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.SessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range s.CipherSuites {
				b.AddUint16(uint16(c))
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			if s.CompressionMethods == nil {
				b.AddUint8(0) // null
			} else {
				b.AddBytes(s.CompressionMethods)
			}
		})
		if s.NoExtensions {
			return
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, e := range exts {
				b.AddUint16(uint16(e.typ))
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.data) })
			}
		})
	})
	msg, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHelloInvalid, err)
	}
	return msg, nil
}

// Record writes the ClientHello in one handshake record whose header carries recordVersion
// (0x0301 for every version from TLS 1.0 on, as clients send it; 0x0300 for SSL 3.0).
func (s *ClientHelloSpec) Record(recordVersion tls.Version) ([]byte, error) {
	msg, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	return WrapRecord(tls.ContentHandshake, recordVersion, msg)
}

// WrapRecord puts payload into one record of type typ with version vers in its header
// (RFC 8446, Section 5.1). The payload must fit one plaintext record (2^14 bytes).
func WrapRecord(typ tls.ContentType, vers tls.Version, payload []byte) ([]byte, error) {
	if len(payload) > 1<<14 {
		return nil, fmt.Errorf("%w: %d bytes do not fit one record", ErrHelloInvalid, len(payload))
	}
	var b cryptobyte.Builder
	b.AddUint8(uint8(typ))
	b.AddUint16(uint16(vers))
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(payload) })
	return b.Bytes()
}

// MarshalSSLv2 writes the ClientHello in the SSLv2-compatible format (RFC 6101, Appendix E;
// RFC 5246, Appendix E.2): a 2-byte record header, then MSG-CLIENT-HELLO with the version, the
// cipher suites as 3-byte specs (first byte 0), the session id and Random as the challenge.
// Extensions cannot be sent in this format: setting any is an error. ClientHello.UnmarshalSSLv2
// reads it back.
func (s *ClientHelloSpec) MarshalSSLv2() ([]byte, error) {
	if len(s.Random) < 16 || len(s.Random) > 32 {
		return nil, fmt.Errorf("%w: an SSLv2 challenge is 16 to 32 bytes, not %d", ErrHelloInvalid, len(s.Random))
	}
	if len(s.SessionID) != 0 && len(s.SessionID) != 16 {
		return nil, fmt.Errorf("%w: an SSLv2 session id is empty or 16 bytes", ErrHelloInvalid)
	}
	if len(s.CipherSuites) == 0 || len(s.CipherSuites) > MaxHelloCipherSuites {
		return nil, fmt.Errorf("%w: %d cipher suites (1 to %d)", ErrHelloInvalid, len(s.CipherSuites), MaxHelloCipherSuites)
	}
	if exts, err := s.extensions(); err != nil || len(exts) > 0 || s.Pad {
		return nil, fmt.Errorf("%w: an SSLv2-format hello carries no extensions", ErrHelloInvalid)
	}
	var body cryptobyte.Builder
	body.AddUint8(sslv2ClientHello)
	body.AddUint16(uint16(s.LegacyVersion))
	body.AddUint16(uint16(3 * len(s.CipherSuites)))
	body.AddUint16(uint16(len(s.SessionID)))
	body.AddUint16(uint16(len(s.Random)))
	for _, c := range s.CipherSuites {
		body.AddUint8(0)
		body.AddUint16(uint16(c))
	}
	body.AddBytes(s.SessionID)
	body.AddBytes(s.Random)
	p, err := body.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHelloInvalid, err)
	}
	var b cryptobyte.Builder
	b.AddUint16(0x8000 | uint16(len(p)))
	b.AddBytes(p)
	return b.Bytes()
}

// SpecOf returns the spec that writes the fields m holds: the mirror of Unmarshal, for
// round-trip tests and for replaying a captured hello. Extensions whose bodies parsing does not
// keep (key_share keys, unknown extensions) are not in it.
func SpecOf(m *tls.ClientHello) ClientHelloSpec {
	s := ClientHelloSpec{
		LegacyVersion: m.LegacyVersion, Random: m.Random, SessionID: m.SessionID,
		CipherSuites: m.CipherSuites, CompressionMethods: m.CompressionMethods, ServerName: m.ServerName,
		SupportedGroups: m.SupportedGroups, ECPointFormats: m.ECPointFormats,
		SignatureAlgorithms: m.SignatureAlgorithms, ALPN: m.ALPN, SupportedVersions: m.SupportedVersions,
	}
	if m.CompressionMethods != nil && len(m.CompressionMethods) == 0 {
		s.CompressionMethods = []uint8{}
	}
	s.NoExtensions = m.Extensions == nil
	return s
}
