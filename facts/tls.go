package facts

import (
	"crypto/x509"
	"sync"

	"github.com/connscope/connscope/tls"
)

// TLS is what the TLS parsers of both directions found, tied to frames.
type TLS struct {
	// Hello is the client's ClientHello (shared by every connection that sent an equal one);
	// nil when none was parsed.
	Hello *Hello
	// SNI and ALPN are this connection's server_name and ALPN protocols (they differ between
	// connections that otherwise send equal ClientHellos).
	SNI  string
	ALPN []string
	// HelloLast is the frame that completed the ClientHello.
	HelloLast Ref

	ServerHello *ServerHello // nil when none came
	SHRef       Ref

	Alerts []Alert // in order, at most MaxAlerts
	// CCS is each side's first ChangeCipherSpec; FirstEncrypted is each side's first encrypted
	// record after the ServerHello.
	CCS            [2]Ref
	FirstEncrypted [2]Ref
	// ServerMessages are the handshake messages the server sent in plain text, in order
	// (shared by every connection that got the same).
	ServerMessages []tls.HandshakeType
	// ServerCert is the server's first plaintext Certificate message (shared by every connection
	// that got the same chain), and CertRef the frame that completed it.
	ServerCert *Chain
	CertRef    Ref

	// X holds what few connections have: nil when none of it. Read it through R.
	X *TLSRare

	// AppData counts each side's application_data records; FirstEncryptedLen is the length of
	// each side's first encrypted record.
	AppData           [2]int32
	FirstEncryptedLen [2]int32
	// ServerAfterFlight counts the server's application_data records that came after the
	// client's first encrypted record (in TLS 1.3 the client's second flight): what the server
	// answered that flight with. A record beyond the analysed stream counts too.
	ServerAfterFlight int32
	// HelloFirst is the frame with the ClientHello's first byte (and that frame's time: the
	// evidence cites it), HelloSegments the TCP segments it spanned and HelloRecord its record's
	// version.
	HelloFirst    Ref
	HelloSegments int32
	HelloRecord   tls.Version
	// STARTTLS: TLS began after a plain-text exchange.
	STARTTLS bool
}

// RecordErr is a record header no TLS record has, as codes and numbers for a report to word.
type RecordErr struct {
	Kind RecordErrKind
	// Value is the field that is wrong: the content type byte (RecordErrContentType), the two
	// version bytes (RecordErrVersion) or the record length (RecordErrLength).
	Value int32
	// Offset is the header's offset in the side's TLS stream.
	Offset int64
}

// RecordErrKind says what was wrong with a record header.
type RecordErrKind uint8

// Record error kinds.
const (
	RecordErrNone        RecordErrKind = iota // no record error
	RecordErrContentType                      // a content type TLS does not define
	RecordErrVersion                          // a version field no TLS record carries
	RecordErrLength                           // a length above the TLS maximum
	RecordErrOther                            // another framing error
)

// HelloErr is why a ClientHello (or ServerHello) did not parse, as codes and numbers for a report
// to word.
type HelloErr struct {
	Kind HelloErrKind
	// Length is the handshake message's body length, for HelloErrTooLarge.
	Length int32
	// Where a malformed hello stopped parsing (tls.HelloError; Field tls.FieldNone when that is
	// not known, as for an SSLv2-format hello): the field, what was wrong with it, the extension
	// of an extension field, the field's offset in the handshake message (header included) and
	// the lengths the problem describes.
	Field               tls.HelloField
	Problem             tls.HelloProblem
	Extension           tls.ExtensionType
	Offset              int32
	Declared, Available int32
}

// HelloErrKind says why a hello did not parse.
type HelloErrKind uint8

// Hello error kinds.
const (
	HelloErrNone      HelloErrKind = iota // it parsed, or none came
	HelloErrMalformed                     // its fields do not parse as the message's (tls.ErrMalformed)
	HelloErrTooLarge                      // longer than the parser takes (tls.ErrMessageTooLarge)
)

// TLSRare is what few connections' TLS shows.
type TLSRare struct {
	// HelloErr says why the client's ClientHello did not parse (Kind HelloErrNone when it did, or
	// none came).
	HelloErr HelloErr
	HRR      *ServerHello // a HelloRetryRequest, nil when none came
	HRRRef   Ref
	// NotTLS is, per side, where its stream turned out not to be TLS and how it began.
	NotTLS [2]NotTLS
	// Errs is, per side, the first TLS record error (Kind RecordErrNone when none came), and
	// ErrRefs where it was.
	Errs    [2]RecordErr
	ErrRefs [2]Ref
	// ClientCert is the client's plaintext Certificate message (TLS 1.2 and before) and
	// ClientCerts the certificates it holds (0: an empty one, the answer of a client that has
	// none to give).
	ClientCert  Ref
	ClientCerts int32
	// BadServerHello is a ServerHello that did not parse, BadSHVersion its version field and
	// BadSHErr why it did not parse.
	BadServerHello Ref
	BadSHVersion   tls.Version
	BadSHErr       HelloErr
	// ShortAnswer is the server's first application_data record after the client's first
	// encrypted record when it is no longer than an encrypted alert (EncryptedAlertMaxLen; its
	// content is encrypted and unknown), and ShortAnswerLen its length.
	ShortAnswer    Ref
	ShortAnswerLen int32
	// ClientReply is the client's first application_data record after ShortAnswer (a client that
	// got a close_notify answers with its own; one that got a fatal alert sends nothing), and
	// ClientReplyLen its length.
	ClientReply    Ref
	ClientReplyLen int32
	// Heartbeat is, per side, the frame that completed its first plaintext heartbeat record
	// (content type 24, RFC 6520) — one sent before that side's ChangeCipherSpec, while the
	// handshake was not complete — and HeartbeatLen that record's length.
	Heartbeat    [2]Ref
	HeartbeatLen [2]int32
	// Cut is, per side, where the capture's snaplen cut its stream before its first record or
	// message could be read (Ref unset where it did not).
	Cut [2]StreamCut
}

// StreamCut is where the capture's snaplen cut a side's stream before anything in it could be
// read: the bytes before the hole were too few to tell its protocol, or began a TLS record or
// message that the hole cut.
type StreamCut struct {
	Ref // the frame the snaplen cut
	// Captured and Wire are that frame's payload bytes in the capture and on the wire.
	Captured, Wire int32
	// Prefix is the side's first stream bytes, those the capture holds (at most MaxCutPrefix);
	// nil when the frame that was cut did not begin the stream.
	Prefix []byte
}

// MaxCutPrefix is how many of a side's first bytes a StreamCut keeps: a TLS record header and
// the type of the handshake message it begins.
const MaxCutPrefix = 6

// EncryptedAlertMaxLen is the longest record payload read as an encrypted alert: 2 bytes of
// alert, 1 of content type and a 16-byte AEAD tag (some stacks pad it a little); a TLS 1.3
// Finished is at least 32+4+1+16 bytes, an empty client Certificate 8+1+16.
const EncryptedAlertMaxLen = 24

// R returns the connection's rare TLS facts (zero values when it has none).
func (x *TLS) R() *TLSRare {
	if x == nil || x.X == nil {
		return &noTLSRare
	}
	return x.X
}

var noTLSRare TLSRare

// Rare returns x.X, allocating it.
func (x *TLS) Rare() *TLSRare {
	if x.X == nil {
		x.X = &TLSRare{}
	}
	return x.X
}

// SideRead reports whether side d's stream showed anything its parser read: a TLS record or
// message, or bytes that are not TLS.
func (x *TLS) SideRead(d int) bool {
	r := x.R()
	if r.NotTLS[d].Seen() || r.Errs[d].Kind != RecordErrNone || r.Heartbeat[d].Seen() ||
		x.CCS[d].Seen() || x.FirstEncrypted[d].Seen() || x.AppData[d] != 0 {
		return true
	}
	for _, a := range x.Alerts {
		if int(a.From) == d {
			return true
		}
	}
	if d == Client {
		return x.Hello != nil || r.HelloErr.Kind != HelloErrNone || r.ClientCert.Seen()
	}
	return x.ServerHello != nil || len(x.ServerMessages) > 0 || r.HRR != nil || r.BadServerHello.Seen()
}

// Hello is a ClientHello's facts that connections with equal ClientHellos share: the message as
// parsed (its per-connection fields, such as the random, the SNI and ALPN, are those of the first
// connection that sent it: use TLS.SNI and TLS.ALPN) and what is computed from it once.
type Hello struct {
	CH      *tls.ClientHello
	Offered []tls.Version // every version offered, lowest first
	Highest tls.Version
	// JA3 and JA4 fingerprints (hashed and raw), "" for an SSLv2-format hello.
	JA3, JA3String, JA4, JA4R string
}

// ServerHello is a ServerHello (or HelloRetryRequest) that connections share when the server
// answered them alike.
type ServerHello struct {
	SH *tls.ServerHello
}

// Alert is one TLS alert.
type Alert struct {
	Ref
	From              uint8 // Client or Server
	Level             tls.AlertLevel
	Description       tls.AlertDescription
	Encrypted         bool // an encrypted record of alert size (its contents unknown)
	BeforeServerHello bool
}

// Alert returns the alert as the tls package has it.
func (a Alert) Alert() tls.Alert { return tls.Alert{Level: a.Level, Description: a.Description} }

// NotTLS is where one side's stream turned out not to be TLS, and its first bytes.
type NotTLS struct {
	Ref
	Prefix []byte
}

// Chain is a certificate chain as a server sent it (the DER certificates, its own first), shared
// by every connection that got it and parsed once on first use.
type Chain struct {
	DER [][]byte

	once  sync.Once
	certs []*x509.Certificate
	errs  []error
	Memo  sync.Map // results computed from the chain once, by whoever needs them (key: their own type)
}

// Parsed returns the chain's certificates as crypto/x509 reads them: certs[i] is nil where
// errs[i] says why. It parses once; it is safe for concurrent use.
func (c *Chain) Parsed() (certs []*x509.Certificate, errs []error) {
	c.once.Do(func() {
		c.certs = make([]*x509.Certificate, len(c.DER))
		c.errs = make([]error, len(c.DER))
		for i, der := range c.DER {
			c.certs[i], c.errs[i] = x509.ParseCertificate(der)
		}
	})
	return c.certs, c.errs
}

// IsTLS reports whether either side spoke TLS.
func (x *TLS) IsTLS() bool {
	return x != nil && (x.Hello != nil || x.ServerHello != nil || x.R().HRR != nil || x.R().HelloErr.Kind != HelloErrNone)
}

// FatalAlert returns the first fatal (or, lacking one, the first non-close_notify) plaintext
// alert, if any.
func (x *TLS) FatalAlert() (Alert, bool) {
	for _, a := range x.Alerts {
		if !a.Encrypted && a.Level == 2 {
			return a, true
		}
	}
	for _, a := range x.Alerts {
		if !a.Encrypted && a.Description != tls.AlertCloseNotify {
			return a, true
		}
	}
	return Alert{}, false
}

// EarlyCloseNotify returns the first plaintext close_notify sent before any ServerHello.
func (x *TLS) EarlyCloseNotify() (Alert, bool) {
	for _, a := range x.Alerts {
		if !a.Encrypted && a.Description == tls.AlertCloseNotify && a.BeforeServerHello {
			return a, true
		}
	}
	return Alert{}, false
}
