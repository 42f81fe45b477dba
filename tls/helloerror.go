package tls

import (
	"fmt"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// HelloField is the field of a ClientHello or ServerHello at which parsing stopped (RFC 8446,
// Section 4.1.2 and 4.1.3; RFC 5246, Section 7.4.1.2 and 7.4.1.3).
type HelloField uint8

// Hello fields, in the order they come.
const (
	FieldNone               HelloField = iota
	FieldHeader                        // the handshake header: msg_type and the 24-bit length
	FieldLegacyVersion                 // legacy_version (client_version / server_version)
	FieldRandom                        // random
	FieldSessionID                     // legacy_session_id (legacy_session_id_echo)
	FieldCipherSuites                  // cipher_suites (ClientHello)
	FieldCompressionMethods            // legacy_compression_methods (ClientHello)
	FieldCipherSuite                   // cipher_suite (ServerHello)
	FieldCompressionMethod             // legacy_compression_method (ServerHello)
	FieldExtensions                    // the extensions block (its length)
	FieldExtension                     // one extension's type and length (HelloError.Extension)
	FieldExtensionData                 // what one extension holds (HelloError.Extension)
)

var helloFieldNames = [...]string{
	FieldNone:               "none",
	FieldHeader:             "handshake_header",
	FieldLegacyVersion:      "legacy_version",
	FieldRandom:             "random",
	FieldSessionID:          "legacy_session_id",
	FieldCipherSuites:       "cipher_suites",
	FieldCompressionMethods: "legacy_compression_methods",
	FieldCipherSuite:        "cipher_suite",
	FieldCompressionMethod:  "legacy_compression_method",
	FieldExtensions:         "extensions",
	FieldExtension:          "extension",
	FieldExtensionData:      "extension_data",
}

// String returns the field's name in the RFC's presentation language, such as "cipher_suites"
// (what Wireshark shows too), or "field(N)".
func (f HelloField) String() string {
	if int(f) < len(helloFieldNames) {
		return helloFieldNames[f]
	}
	return "field(" + strconv.Itoa(int(f)) + ")"
}

// HelloProblem says what was wrong with the field at which parsing stopped.
type HelloProblem uint8

// Hello problems. Declared and Available of a HelloError mean what each says.
const (
	ProblemNone HelloProblem = iota
	// ProblemType: the handshake header's msg_type is not the message's, or its length does
	// not frame the bytes given (Declared the length, Available the bytes after the header).
	ProblemType
	// ProblemShort: the field takes Declared bytes (a fixed-size field, or a length prefix) and
	// only Available remain.
	ProblemShort
	// ProblemOverrun: the field's length prefix says Declared bytes, and only Available remain
	// after the prefix.
	ProblemOverrun
	// ProblemOddLength: the field's length (Declared) is odd, and its entries are 2 bytes each.
	ProblemOddLength
	// ProblemEmpty: a list or name that must hold at least one entry or byte is empty.
	ProblemEmpty
	// ProblemTrailing: Available bytes are left over at Offset, after the last thing that
	// parsed, within what holds them (the message, or the extension of FieldExtensionData).
	ProblemTrailing
	// ProblemDuplicate: the extension (FieldExtension) comes a second time, or the server_name
	// extension (FieldExtensionData) names a second host_name.
	ProblemDuplicate
)

var helloProblemNames = [...]string{
	ProblemNone:      "none",
	ProblemType:      "type",
	ProblemShort:     "short",
	ProblemOverrun:   "overrun",
	ProblemOddLength: "odd-length",
	ProblemEmpty:     "empty",
	ProblemTrailing:  "trailing",
	ProblemDuplicate: "duplicate",
}

// String returns a short code, such as "overrun", or "problem(N)".
func (p HelloProblem) String() string {
	if int(p) < len(helloProblemNames) {
		return helloProblemNames[p]
	}
	return "problem(" + strconv.Itoa(int(p)) + ")"
}

// HelloError says where a ClientHello or ServerHello stopped parsing: which field, what was wrong
// with it, and where, as codes and numbers for a report to word in its own language (Wireshark's
// "Malformed Packet" with the field named). It matches ErrMalformed (errors.Is).
type HelloError struct {
	Message   HandshakeType // HandshakeClientHello or HandshakeServerHello
	Field     HelloField
	Problem   HelloProblem
	Extension ExtensionType // the extension's type, for FieldExtension and FieldExtensionData
	// Offset is where the field (its length prefix, for a length that is wrong) begins, or where
	// the stray bytes begin (ProblemTrailing), counted from the first byte of the handshake
	// message, its 4-byte header included.
	Offset int
	// Declared and Available are the lengths the Problem describes (0 when it has none).
	Declared, Available int
}

// Error returns the codes and numbers, for logs and tests (reports word them).
func (e *HelloError) Error() string {
	f := e.Field.String()
	if e.Field == FieldExtension || e.Field == FieldExtensionData {
		f += fmt.Sprintf(" 0x%04x", uint16(e.Extension))
	}
	return fmt.Sprintf("malformed %v: %s: %v at offset %d (declared %d, available %d)",
		e.Message, f, e.Problem, e.Offset, e.Declared, e.Available)
}

// Unwrap returns ErrMalformed.
func (e *HelloError) Unwrap() error { return ErrMalformed }

// helloReader reads one hello message with cryptobyte and says where it stopped. Every String
// it reads is a slice of msg, so that a String's offset in the message is cap(msg) - cap(s).
type helloReader struct {
	msg []byte
	typ HandshakeType
	ext ExtensionType // the extension being read
}

// at returns the offset of s, a slice of r.msg, from the message's first byte.
func (r *helloReader) at(s cryptobyte.String) int { return cap(r.msg) - cap(s) }

// fail returns the error of field f at the offset of s.
func (r *helloReader) fail(f HelloField, p HelloProblem, s cryptobyte.String, declared, available int) *HelloError {
	e := &HelloError{Message: r.typ, Field: f, Problem: p, Offset: r.at(s), Declared: declared, Available: available}
	if f == FieldExtension || f == FieldExtensionData {
		e.Extension = r.ext
	}
	return e
}

// fixed reads the n bytes of field f into out.
func (r *helloReader) fixed(s *cryptobyte.String, f HelloField, n int, out *[]byte) *HelloError {
	if len(*s) < n {
		return r.fail(f, ProblemShort, *s, n, len(*s))
	}
	s.ReadBytes(out, n)
	return nil
}

// uint16 reads the 2-byte field f into out.
func (r *helloReader) uint16(s *cryptobyte.String, f HelloField, out *uint16) *HelloError {
	if !s.ReadUint16(out) {
		return r.fail(f, ProblemShort, *s, 2, len(*s))
	}
	return nil
}

// vector reads field f, a vector with a lenLen-byte (1 or 2) length prefix, into out.
func (r *helloReader) vector(s *cryptobyte.String, f HelloField, lenLen int, out *cryptobyte.String) *HelloError {
	start := *s
	if len(*s) < lenLen {
		return r.fail(f, ProblemShort, start, lenLen, len(*s))
	}
	var n int
	if lenLen == 1 {
		var v uint8
		s.ReadUint8(&v)
		n = int(v)
	} else {
		var v uint16
		s.ReadUint16(&v)
		n = int(v)
	}
	if !s.ReadBytes((*[]byte)(out), n) {
		return r.fail(f, ProblemOverrun, start, n, len(*s))
	}
	return nil
}

// list16 reads field f, a non-empty vector of 2-byte entries with a lenLen-byte length prefix,
// and returns its entries.
func (r *helloReader) list16(s *cryptobyte.String, f HelloField, lenLen int) (cryptobyte.String, *HelloError) {
	start := *s
	var list cryptobyte.String
	if err := r.vector(s, f, lenLen, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, r.fail(f, ProblemEmpty, start, 0, 0)
	}
	if len(list)%2 != 0 {
		return nil, r.fail(f, ProblemOddLength, start, len(list), 0)
	}
	return list, nil
}

// header reads the handshake header and returns the body.
func (r *helloReader) header() (cryptobyte.String, *HelloError) {
	s := cryptobyte.String(r.msg)
	var typ uint8
	var body cryptobyte.String
	if !s.ReadUint8(&typ) || HandshakeType(typ) != r.typ || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() {
		n := 0
		if len(r.msg) >= handshakeHeaderLen {
			n = int(r.msg[1])<<16 | int(r.msg[2])<<8 | int(r.msg[3])
		}
		return nil, r.fail(FieldHeader, ProblemType, cryptobyte.String(r.msg), n, max(len(r.msg)-handshakeHeaderLen, 0))
	}
	return body, nil
}

// trailing returns ProblemTrailing for what is left in s (field f: what holds it), or nil when
// nothing is.
func (r *helloReader) trailing(s cryptobyte.String, f HelloField) *HelloError {
	if len(s) == 0 {
		return nil
	}
	return r.fail(f, ProblemTrailing, s, 0, len(s))
}

// asError returns e as an error: nil (not a nil *HelloError) when e is nil.
func asError(e *HelloError) error {
	if e == nil {
		return nil
	}
	return e
}
