package tls

import (
	"bytes"
	"fmt"
)

// DefaultStreamLimit is the number of stream bytes a Stream parses when NewStream is given 0.
const DefaultStreamLimit = 65536

// maxPrefix is how many leading bytes an EventNotTLS carries.
const maxPrefix = 64

type streamState uint8

const (
	stateDetect     streamState = iota // nothing decided yet
	stateSSLv2Hello                    // the first record is an SSLv2 hello
	stateAfterSSLv2                    // after an SSLv2 CLIENT-HELLO: TLS records (the server answered in TLS) or SSLv2 ones (stop)
	stateTLS                           // TLS records
)

// Stream parses one direction of a TCP connection from its first byte, fed in order. It frames
// records (which may be split anywhere across Feed calls), reassembles handshake messages
// (several per record, or one over several records), parses ClientHello and ServerHello, and
// reports alerts, change_cipher_spec, application data and errors as Events.
//
// Memory is bounded: at most one record (MaxRecordPayload plus its header, or an SSLv2 hello
// of up to 32 KiB) and one handshake message (MaxHandshakeMessage plus its header) are
// buffered, and never more than the limit given to NewStream. A Stream is not safe for
// concurrent use.
type Stream struct {
	limit int64
	off   int64  // stream offset of buf[0]; every byte before it is processed
	buf   []byte // the record being assembled (or, before detection, the first bytes)
	// skipped counts the body bytes of an application_data record taken in but not kept in
	// buf (which holds only its header).
	skipped int
	state   streamState
	done    bool
	events  []Event // where emit appends, during Feed or AppendEvents
	own     []Event // Feed's events, kept for reuse

	cache *MessageCache // parses shared with other Streams; nil: none

	ccs   bool // this direction sent change_cipher_spec: later handshake records are encrypted (TLS 1.2 and before)
	tls13 bool // this direction sent a ServerHello selecting TLS 1.3: its handshake records stay plaintext after change_cipher_spec

	// Handshake message reassembly (RFC 8446, Section 5.1: messages may span records).
	hs         []byte // header and body so far of the message being assembled
	hsStart    int64  // stream offset of the record where it began
	hsVersion  Version
	skipType   HandshakeType // a message longer than MaxHandshakeMessage being skipped ...
	skipLen    int           // ... its body length ...
	skipRemain int           // ... and body bytes still to skip (> 0 while skipping)
}

// NewStream returns a Stream that parses at most limit stream bytes (0 or less means
// DefaultStreamLimit); past that it is Done. Memory use is bounded by roughly limit.
func NewStream(limit int) *Stream {
	if limit <= 0 {
		limit = DefaultStreamLimit
	}
	return &Stream{limit: int64(limit)}
}

// maxKeptBuffer is the largest buffer Reset keeps for reuse.
const maxKeptBuffer = 4096

// Reset makes s the Stream that NewStream(limit) returns, keeping its buffers (up to a few KiB)
// for reuse, so that a caller parsing many connections in turn need not allocate a Stream and
// its buffers for each.
func (s *Stream) Reset(limit int) {
	if limit <= 0 {
		limit = DefaultStreamLimit
	}
	keep := func(b []byte) []byte {
		if cap(b) > maxKeptBuffer {
			return nil
		}
		return b[:0]
	}
	clear(s.own[:cap(s.own)]) // let go of the hellos the last events pointed to
	*s = Stream{limit: int64(limit), buf: keep(s.buf), hs: keep(s.hs), own: s.own[:0], cache: s.cache}
}

// SetCache makes s share its parses of ClientHello, ServerHello and Certificate messages with
// the other Streams of c: an Event may then carry a parse that other Events carry too, which
// nobody may change. Reset keeps the cache.
func (s *Stream) SetCache(c *MessageCache) { s.cache = c }

// Done reports whether feeding more cannot produce more events: the stream is not TLS, had a
// fatal framing error, reached its limit, had a Gap, or is an SSLv2 session past its hellos.
// Application data does not make a Stream Done: every record is counted up to the limit.
func (s *Stream) Done() bool { return s.done }

// Offset returns the number of stream bytes taken in so far (parsed, or buffered as part of
// an incomplete record).
func (s *Stream) Offset() int64 { return s.off + int64(len(s.buf)+s.skipped) }

// Gap tells the Stream that the caller lost bytes here and cannot fill the hole: parsing stops,
// Done becomes true, and nothing further is emitted. Partial still describes what was pending.
func (s *Stream) Gap() { s.done = true }

// Feed parses b, the next in-order bytes of the stream, and returns the events completed by
// them. b is not retained, and no event refers to it. The returned slice is valid until the
// next call to Feed.
func (s *Stream) Feed(b []byte) []Event {
	if s.done {
		return nil
	}
	s.own = s.AppendEvents(s.own[:0], b)
	return s.own
}

// AppendEvents is Feed appending the events to dst and returning the extended slice, so that a
// caller feeding many Streams can reuse one buffer for all of them. The Stream keeps no reference
// to dst.
func (s *Stream) AppendEvents(dst []Event, b []byte) []Event {
	if s.done {
		return dst
	}
	s.events = dst
	atLimit := false
	if room := s.limit - s.Offset(); int64(len(b)) >= room {
		b, atLimit = b[:room], true
	}
	for len(b) > 0 && !s.done {
		if s.state == stateDetect {
			b = s.detect(b)
		} else {
			b = s.record(b)
		}
	}
	if atLimit {
		s.done = true
	}
	out := s.events
	s.events = nil
	return out
}

type detection uint8

const (
	detectMore detection = iota
	detectTLS
	detectSSLv2
	detectNotTLS
)

// detectLen is the most bytes classify needs.
const detectLen = 7

// classify decides from the first bytes of a stream (at most detectLen) whether it is TLS:
// a record header with a content type 20..24 and version 0x0300..0x0304 or 0x7fNN (RFC 8446,
// Section 5.1), or an SSLv2 CLIENT-HELLO (version 0x0002 or 0x03NN) or SERVER-HELLO with a
// 2-byte header (RFC 6101, Appendix E).
func classify(p []byte) detection {
	switch b0 := p[0]; {
	case ContentType(b0).valid():
		if len(p) < 3 {
			if len(p) == 2 && p[1] != 3 && p[1] != 0x7f {
				return detectNotTLS
			}
			return detectMore
		}
		if validRecordVersion(p[1], p[2]) {
			return detectTLS
		}
	case b0&0x80 != 0:
		if len(p) < 3 {
			return detectMore
		}
		length := int(b0&0x7f)<<8 | int(p[1])
		switch p[2] {
		case sslv2ClientHello: // type, version, three lengths: 9 bytes at least
			if length < 9 {
				return detectNotTLS
			}
			if len(p) < 5 {
				return detectMore
			}
			if p[3] == 0 && p[4] == 2 || p[3] == 3 && p[4] <= 4 {
				return detectSSLv2
			}
		case sslv2ServerHello: // type, hit, cert type, version, three lengths: 11 bytes at least
			if length < 11 {
				return detectNotTLS
			}
			if len(p) < 7 {
				return detectMore
			}
			if p[3] <= 1 && (p[5] == 0 && p[6] == 2 || p[5] == 3 && p[6] <= 4) {
				return detectSSLv2
			}
		}
	}
	return detectNotTLS
}

// detect classifies the stream from its first bytes (s.buf then b) and returns the bytes of b
// left for record parsing.
func (s *Stream) detect(b []byte) []byte {
	var peek [detectLen]byte
	n := copy(peek[:], s.buf)
	n += copy(peek[n:], b)
	switch classify(peek[:n]) {
	case detectMore: // then len(s.buf)+len(b) < detectLen
		s.buf = append(s.buf, b...)
		return nil
	case detectTLS:
		s.state = stateTLS
		return b
	case detectSSLv2:
		s.state = stateSSLv2Hello
		return b
	}
	prefix := make([]byte, 0, maxPrefix)
	prefix = append(prefix, s.buf...)
	prefix = append(prefix, b[:min(len(b), maxPrefix-len(prefix))]...)
	s.emit(Event{Kind: EventNotTLS, Start: 0, End: int64(len(prefix)), Prefix: prefix})
	s.off += int64(len(s.buf) + len(b))
	s.buf = nil
	s.done = true
	return nil
}

// headerLen is the size of the record header in the current state.
func (s *Stream) headerLen() int {
	if s.state == stateSSLv2Hello {
		return sslv2HeaderLen
	}
	return recordHeaderLen
}

// recordLen checks a record header and returns the whole record's length.
func (s *Stream) recordLen(h []byte) (int, error) {
	if s.state == stateSSLv2Hello {
		return sslv2HeaderLen + (int(h[0]&0x7f)<<8 | int(h[1])), nil
	}
	if typ := ContentType(h[0]); !typ.valid() {
		return 0, &RecordError{ErrContentType, int(h[0]), s.off}
	}
	if !validRecordVersion(h[1], h[2]) {
		return 0, &RecordError{ErrRecordVersion, int(h[1])<<8 | int(h[2]), s.off}
	}
	n := int(h[3])<<8 | int(h[4])
	if n > MaxRecordPayload {
		return 0, &RecordError{ErrRecordOverflow, n, s.off}
	}
	return recordHeaderLen + n, nil
}

// record takes bytes from b into the current record, processes it when complete, and returns
// the rest of b.
func (s *Stream) record(b []byte) []byte {
	hl := s.headerLen()
	if len(s.buf) == 0 && len(b) >= hl {
		// Fast path: a whole record in b.
		n, err := s.recordLen(b[:hl])
		if err != nil {
			s.fail(err)
			return nil
		}
		if len(b) >= n {
			s.unit(b[:n])
			return b[n:]
		}
	}
	if len(s.buf) < hl {
		k := min(hl-len(s.buf), len(b))
		s.buf, b = append(s.buf, b[:k]...), b[k:]
		if len(s.buf) < hl {
			return b
		}
	}
	n, err := s.recordLen(s.buf[:hl])
	if err != nil {
		s.fail(err)
		return nil
	}
	if s.state == stateTLS && ContentType(s.buf[0]) == ContentApplicationData {
		// Encrypted application data: only its length matters, so the body is counted, not
		// buffered (a 16 KiB record over a dozen segments would otherwise be copied in).
		taken := len(s.buf) + s.skipped
		k := min(n-taken, len(b))
		s.skipped, b = s.skipped+k, b[k:]
		if taken+k == n {
			start := s.off
			s.off += int64(n)
			s.emit(Event{Kind: EventApplicationData, Encrypted: true, Start: start, End: s.off,
				RecordVersion: Version(s.buf[1])<<8 | Version(s.buf[2]), Length: n - recordHeaderLen})
			s.buf, s.skipped = s.buf[:0], 0
		}
		return b
	}
	k := min(n-len(s.buf), len(b))
	if s.cache != nil && cap(s.buf) < n && k < n-len(s.buf) {
		s.buf = s.cache.takeBuffer(n, s.buf) // the record spans segments
	}
	s.buf, b = append(s.buf, b[:k]...), b[k:]
	if len(s.buf) == n {
		s.unit(s.buf)
		if s.cache != nil && cap(s.buf) > keptBetween {
			s.cache.giveBuffer(s.buf)
			s.buf = nil
		} else {
			s.buf = spent(s.buf)
		}
	}
	return b
}

// keptBetween is the largest buffer a Stream keeps between records or messages: a certificate
// chain's record takes kilobytes once, and a connection that goes on for minutes should not
// hold them.
const keptBetween = 512

// spent empties a buffer whose contents were processed, letting a large one go.
func spent(b []byte) []byte {
	if cap(b) > keptBetween {
		return nil
	}
	return b[:0]
}

// fail reports a framing error in the record header that starts at s.off, takes the header
// in, and stops.
func (s *Stream) fail(err error) {
	start := s.off
	s.off += int64(s.headerLen())
	s.buf = s.buf[:0]
	s.done = true
	if s.state == stateAfterSSLv2 {
		// Not a TLS record after an SSLv2 CLIENT-HELLO: the session goes on in SSLv2, encrypted.
		return
	}
	s.emit(Event{Kind: EventError, Start: start, End: s.off, Err: err})
}

func (s *Stream) emit(ev Event) {
	s.events = append(s.events, ev)
}

// unit processes one complete record u that starts at stream offset s.off.
func (s *Stream) unit(u []byte) {
	start, end := s.off, s.off+int64(len(u))
	s.off = end
	switch s.state {
	case stateSSLv2Hello:
		s.sslv2Hello(u, start, end)
		return
	case stateAfterSSLv2:
		s.state = stateTLS
	}

	typ, vers, p := ContentType(u[0]), Version(u[1])<<8|Version(u[2]), u[recordHeaderLen:]
	ev := Event{Start: start, End: end, RecordVersion: vers, Length: len(p)}
	switch typ {
	case ContentChangeCipherSpec:
		// RFC 5246, Section 7.1 (and RFC 8446, Section 5: a TLS 1.3 compatibility record)
		ev.Kind = EventChangeCipherSpec
		s.ccs = true
	case ContentAlert:
		// RFC 8446, Section 6: a plaintext alert is two bytes, even in TLS 1.3 where an OpenSSL
		// client sends its unknown_ca unencrypted. Anything else is an encrypted alert.
		ev.Kind = EventAlert
		if len(p) == 2 {
			ev.Alert = Alert{Level: AlertLevel(p[0]), Description: AlertDescription(p[1])}
		} else {
			ev.Encrypted = true
		}
	case ContentApplicationData:
		ev.Kind, ev.Encrypted = EventApplicationData, true
	case ContentHeartbeat:
		ev.Kind, ev.Encrypted = EventHeartbeat, s.ccs
	case ContentHandshake:
		if s.handshakeEncrypted(p) {
			// TLS 1.2 and before: Finished and later handshake messages are encrypted.
			s.hs, s.skipRemain = s.hs[:0], 0
			ev.Kind, ev.Encrypted = EventHandshake, true
			break
		}
		s.handshake(p, start, end, vers)
		return
	}
	s.emit(ev)
}

// handshakeEncrypted reports whether handshake record payload p is encrypted. Before this
// direction's change_cipher_spec it is not. After it, it is (TLS 1.2 and before) unless this
// direction chose TLS 1.3 in its ServerHello, or p plainly starts with a hello: TLS 1.3
// middlebox compatibility mode (RFC 8446, Appendix D.4) puts a dummy change_cipher_spec before
// the second ClientHello that answers a HelloRetryRequest, and after the HelloRetryRequest
// before the ServerHello.
func (s *Stream) handshakeEncrypted(p []byte) bool {
	if !s.ccs || s.tls13 {
		return false
	}
	return !plausibleHello(p, true)
}

// plausibleHello reports whether p starts with a client_hello or server_hello header and
// version; complete also asks that the whole message be in p.
func plausibleHello(p []byte, complete bool) bool {
	if len(p) < handshakeHeaderLen+2 {
		return false
	}
	typ := HandshakeType(p[0])
	if typ != HandshakeClientHello && typ != HandshakeServerHello {
		return false
	}
	n := int(p[1])<<16 | int(p[2])<<8 | int(p[3])
	if n < 2+32 || complete && handshakeHeaderLen+n > len(p) {
		return false
	}
	return p[4] == 3 || p[4] == 0x7f
}

// handshake adds plaintext handshake record payload p to the message being assembled and
// emits every message it completes.
func (s *Stream) handshake(p []byte, start, end int64, vers Version) {
	for len(p) > 0 {
		if s.skipRemain > 0 {
			k := min(s.skipRemain, len(p))
			s.skipRemain, p = s.skipRemain-k, p[k:]
			if s.skipRemain == 0 {
				s.emitSkipped(end)
			}
			continue
		}
		if len(s.hs) == 0 {
			s.hsStart, s.hsVersion = start, vers
			if len(p) >= handshakeHeaderLen {
				// Fast path: a whole message in p.
				if n := int(p[1])<<16 | int(p[2])<<8 | int(p[3]); n <= MaxHandshakeMessage && len(p) >= handshakeHeaderLen+n {
					s.message(p[:handshakeHeaderLen+n], start, end, vers)
					p = p[handshakeHeaderLen+n:]
					continue
				}
			}
		}
		if len(s.hs) < handshakeHeaderLen {
			k := min(handshakeHeaderLen-len(s.hs), len(p))
			s.hs, p = append(s.hs, p[:k]...), p[k:]
			if len(s.hs) < handshakeHeaderLen {
				return
			}
			if n := int(s.hs[1])<<16 | int(s.hs[2])<<8 | int(s.hs[3]); n > MaxHandshakeMessage {
				// Too long to buffer (a big Certificate, say): count its bytes instead.
				s.skipType, s.skipLen, s.skipRemain = HandshakeType(s.hs[0]), n, n
				s.hs = s.hs[:0]
				continue
			}
		}
		n := int(s.hs[1])<<16 | int(s.hs[2])<<8 | int(s.hs[3])
		k := min(handshakeHeaderLen+n-len(s.hs), len(p))
		s.hs, p = append(s.hs, p[:k]...), p[k:]
		if len(s.hs) == handshakeHeaderLen+n {
			s.message(s.hs, s.hsStart, end, s.hsVersion)
			s.hs = spent(s.hs)
		}
	}
}

// emitSkipped reports a message that was too long to buffer, now that all of it went past.
func (s *Stream) emitSkipped(end int64) {
	ev := Event{Kind: EventHandshake, Start: s.hsStart, End: end, RecordVersion: s.hsVersion,
		HandshakeType: s.skipType, Length: s.skipLen}
	if s.skipType == HandshakeClientHello || s.skipType == HandshakeServerHello {
		ev.Err = &streamError{ErrMessageTooLarge, fmt.Sprintf("%v of %d bytes exceeds the %d-byte parse limit",
			s.skipType, s.skipLen, MaxHandshakeMessage)}
	}
	s.emit(ev)
}

// message emits one complete handshake message msg (header included), parsing hellos from a
// copy of it so that no event aliases the caller's or the Stream's buffers.
func (s *Stream) message(msg []byte, start, end int64, vers Version) {
	typ := HandshakeType(msg[0])
	ev := Event{Kind: EventHandshake, Start: start, End: end, RecordVersion: vers, HandshakeType: typ,
		Length: len(msg) - handshakeHeaderLen}
	if (typ == HandshakeClientHello || typ == HandshakeServerHello) && len(msg) >= handshakeHeaderLen+2 {
		ev.HelloVersion = Version(msg[4])<<8 | Version(msg[5])
	}
	switch typ {
	case HandshakeClientHello:
		if s.cache != nil {
			if ch, name, err := s.cache.clientHello(msg); err == nil {
				ev.ClientHello, ev.ServerName = ch, name
			} else {
				ev.Err = err
			}
			break
		}
		ch := new(ClientHello)
		if err := ch.Parse(bytes.Clone(msg)); err == nil {
			ev.ClientHello, ev.ServerName = ch, ch.ServerName
		} else {
			ev.Err = err
		}
	case HandshakeServerHello:
		var sh *ServerHello
		var err error
		if s.cache != nil {
			sh, err = s.cache.serverHello(msg)
		} else {
			sh = new(ServerHello)
			if err = sh.Parse(bytes.Clone(msg)); err != nil {
				sh = nil
			}
		}
		if sh == nil {
			ev.Err = err
			break
		}
		ev.ServerHello = sh
		if sh.ChosenVersion().isTLS13() {
			s.tls13 = true
		}
	case HandshakeCertificate:
		var c *Certificate
		if s.cache != nil {
			c, _ = s.cache.certificate(msg, s.tls13)
		} else if c = new(Certificate); !c.Unmarshal(bytes.Clone(msg), s.tls13) {
			c = nil
		}
		if c == nil {
			ev.Err = malformed(typ)
			break
		}
		ev.Certificate = c
	}
	s.emit(ev)
}

func malformed(typ HandshakeType) error {
	return &streamError{ErrMalformed, "malformed " + typ.String()}
}

// sslv2Hello emits the SSLv2 hello record u.
func (s *Stream) sslv2Hello(u []byte, start, end int64) {
	ev := Event{Kind: EventHandshake, Start: start, End: end, RecordVersion: VersionSSL20,
		Length: len(u) - sslv2HeaderLen - 1}
	if u[2] == sslv2ClientHello {
		ev.HandshakeType = HandshakeClientHello
		ch := new(ClientHello)
		if ch.UnmarshalSSLv2(bytes.Clone(u)) {
			ev.ClientHello, ev.ServerName = ch, ch.ServerName
		} else {
			ev.Err = malformed(ev.HandshakeType)
		}
		s.state = stateAfterSSLv2
	} else {
		ev.HandshakeType = HandshakeServerHello
		sh := new(ServerHello)
		if sh.UnmarshalSSLv2(bytes.Clone(u)) {
			ev.ServerHello = sh
		} else {
			ev.Err = malformed(ev.HandshakeType)
		}
		// An SSLv2 session goes on encrypted; there is nothing more to read.
		s.done = true
	}
	s.emit(ev)
}

// Partial describes a handshake message begun but not completed (for example a ClientHello of
// which 1200 of 1519 body bytes arrived), counting the bytes of an incomplete record too: its
// type, the body bytes seen, and the body length its header announces (0 while the 4-byte
// header itself is incomplete). ok is false when no message is pending.
func (s *Stream) Partial() (typ HandshakeType, have, want int, ok bool) {
	switch s.state {
	case stateSSLv2Hello:
		if len(s.buf) < sslv2HeaderLen+1 {
			return 0, 0, 0, false
		}
		typ = HandshakeServerHello
		if s.buf[2] == sslv2ClientHello {
			typ = HandshakeClientHello
		}
		n := int(s.buf[0]&0x7f)<<8 | int(s.buf[1])
		return typ, len(s.buf) - sslv2HeaderLen - 1, n - 1, true
	case stateTLS, stateAfterSSLv2:
	default:
		return 0, 0, 0, false
	}

	// Plaintext handshake bytes of an incomplete record.
	var pending []byte
	if len(s.buf) > recordHeaderLen && ContentType(s.buf[0]) == ContentHandshake {
		p := s.buf[recordHeaderLen:]
		if !s.ccs || s.tls13 || plausibleHello(p, false) {
			pending = p
		}
	}
	if s.skipRemain > 0 {
		return s.skipType, s.skipLen - s.skipRemain + min(len(pending), s.skipRemain), s.skipLen, true
	}
	msgs := make([]byte, 0, len(s.hs)+len(pending))
	msgs = append(append(msgs, s.hs...), pending...)
	for len(msgs) >= handshakeHeaderLen {
		typ = HandshakeType(msgs[0])
		n := int(msgs[1])<<16 | int(msgs[2])<<8 | int(msgs[3])
		if have := len(msgs) - handshakeHeaderLen; have < n {
			return typ, have, n, true
		}
		msgs = msgs[handshakeHeaderLen+n:]
	}
	if len(msgs) > 0 {
		return HandshakeType(msgs[0]), 0, 0, true
	}
	return 0, 0, 0, false
}
