package tls

import (
	"errors"
	"fmt"
	"strconv"
)

// EventKind says what a Stream found.
type EventKind uint8

// Event kinds.
const (
	EventHandshake        EventKind = iota + 1 // a handshake message, or an encrypted handshake record
	EventAlert                                 // an alert record
	EventChangeCipherSpec                      // a change_cipher_spec record
	EventApplicationData                       // an application_data record (in TLS 1.3 also the encrypted handshake)
	EventHeartbeat                             // a heartbeat record (RFC 6520)
	EventNotTLS                                // the stream does not start with TLS or an SSLv2 hello
	EventError                                 // the stream stopped being valid TLS; the Stream is Done
)

// String returns "handshake", "alert", "change_cipher_spec", "application_data", "heartbeat",
// "not_tls", "error", or "event(N)".
func (k EventKind) String() string {
	switch k {
	case EventHandshake:
		return "handshake"
	case EventAlert:
		return "alert"
	case EventChangeCipherSpec:
		return "change_cipher_spec"
	case EventApplicationData:
		return "application_data"
	case EventHeartbeat:
		return "heartbeat"
	case EventNotTLS:
		return "not_tls"
	case EventError:
		return "error"
	}
	return "event(" + strconv.Itoa(int(k)) + ")"
}

// Event is one thing the Stream found, in stream order.
type Event struct {
	Kind EventKind // what was found

	// Start and End are stream offsets: Start is the first byte of the record in which this
	// message or record began, End one past the last byte of the record that completed it (for
	// a message spanning records: from the first record's start to the last one's end).
	Start, End int64

	RecordVersion Version       // version field of the (first) record carrying it; VersionSSL20 for an SSLv2 hello
	Encrypted     bool          // the content is encrypted: handshake records after this direction's change_cipher_spec (TLS 1.2 and before), application data, alert records whose length is not 2, heartbeats after change_cipher_spec
	HandshakeType HandshakeType // EventHandshake, when not Encrypted
	Length        int           // record payload length (alert, change_cipher_spec, application_data, heartbeat, encrypted handshake) or handshake message body length (for an SSLv2 hello: the message after its type byte)
	ClientHello   *ClientHello  // EventHandshake of a client_hello that parsed (TLS or SSLv2 format); shared with other Events when the Stream has a MessageCache
	ServerName    string        // EventHandshake of a client_hello: its server_name (SNI), "" for none (with a MessageCache, ClientHello.ServerName is another message's)
	ServerHello   *ServerHello  // EventHandshake of a server_hello that parsed (including a HelloRetryRequest and an SSLv2 SERVER-HELLO)
	HelloVersion  Version       // EventHandshake of a client_hello or server_hello (TLS format): its version field, also when it did not parse
	Certificate   *Certificate  // EventHandshake of a plaintext certificate message that parsed (TLS 1.3 syntax after a ServerHello choosing TLS 1.3)
	Alert         Alert         // EventAlert, when not Encrypted
	Err           error         // EventError: what was wrong; EventHandshake: why a hello was not parsed (a *HelloError, naming the field, for a TLS-format hello that is malformed)
	Prefix        []byte        // EventNotTLS: a copy of the first bytes of the stream, up to 64 of those that had arrived when the Stream decided (all of the first Feed, at least), e.g. "GET /officescan/... HTTP/1.1"
}

// Errors carried in Event.Err; test with errors.Is.
var (
	ErrContentType     = errors.New("invalid record content type")
	ErrRecordVersion   = errors.New("invalid record version")
	ErrRecordOverflow  = errors.New("record too long")
	ErrMalformed       = errors.New("malformed handshake message")
	ErrMessageTooLarge = errors.New("handshake message too large to parse")
)

// RecordError is a record header no TLS record has, the Err of an EventError. Kind is the Err
// value it belongs to (ErrContentType, ErrRecordVersion or ErrRecordOverflow), Value the field
// that is wrong (the content type byte, the two version bytes, or the length) and Offset the
// header's stream offset: what a report words in its own language.
type RecordError struct {
	Kind   error
	Value  int
	Offset int64
}

// Error returns the specific message, in English (for logs and tests: reports word the fields).
func (e *RecordError) Error() string {
	switch e.Kind {
	case ErrContentType:
		return fmt.Sprintf("invalid record content type %d at stream offset %d", e.Value, e.Offset)
	case ErrRecordVersion:
		return fmt.Sprintf("invalid record version 0x%04x at stream offset %d", e.Value, e.Offset)
	case ErrRecordOverflow:
		return fmt.Sprintf("record length %d exceeds the TLS maximum %d", e.Value, MaxRecordPayload)
	}
	return fmt.Sprintf("%v at stream offset %d", e.Kind, e.Offset)
}

// Unwrap returns the Err value the error belongs to.
func (e *RecordError) Unwrap() error { return e.Kind }

// streamError is an error with a specific message that matches one of the Err values above.
type streamError struct {
	kind error
	msg  string
}

// Error returns the specific message.
func (e *streamError) Error() string { return e.msg }

// Unwrap returns the Err value the error belongs to.
func (e *streamError) Unwrap() error { return e.kind }
