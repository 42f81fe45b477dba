package exportredact

import (
	"bytes"
	"encoding/binary"
	"net/netip"

	"github.com/connscope/connscope/tls"
)

// streamKey is one direction of a TCP connection, by its original addresses and ports.
type streamKey struct {
	src, dst netip.AddrPort
}

// span is a run of stream bytes that is replaced: by with (a ClientHello's server name), or by
// zeros when with is nil (a certificate, an encrypted record).
type span struct {
	at   int64
	n    int
	with []byte
}

// maxSpans bounds the spans a direction remembers; past it, the stream is cut instead.
const maxSpans = 64

// zeroRecords is how many application_data records of a direction are kept as zeros (header
// and length intact) before the rest of the stream is cut: TLS 1.3's encrypted handshake and
// the client's Finished travel in them, and the analysis tells an established TLS 1.3
// connection by their sizes.
const zeroRecords = 4

// maxHello bounds the ClientHello bytes buffered to find the server name (a record's payload).
const maxHello = tls.MaxRecordPayload + 5

// stream follows one direction of a TCP connection from its SYN: which TLS record each byte
// belongs to, and from which stream offset on nothing is kept.
type stream struct {
	isn  uint32 // the SYN's sequence number: stream offset 0 is isn+1
	next int64  // stream offset up to which the bytes are walked
	cut  int64  // stream offset from which nothing is kept (-1: none yet)

	hdr      [5]byte // the record header being read ...
	nh       int     // ... and how many of its bytes are in
	recStart int64   // stream offset of the current record's header
	typ      tls.ContentType
	remain   int  // body bytes of the current record still to come
	ccs      bool // change_cipher_spec passed: later handshake records are encrypted

	msg     [4]byte // the handshake message header being read ...
	nm      int     // ... and how many of its bytes are in
	mremain int     // body bytes of the current handshake message still to come
	mzero   bool    // the current handshake message's body is zeroed (it holds names)

	appRecords int // application_data records so far

	hello      []byte // the first record's payload so far, while it may be a ClientHello
	helloDone  bool
	helloTries int // searches for the hello's names so far
	helloNeed  int // how many hello bytes the next search needs
	helloFound int // the hello's names found (and replaced) so far
	spans      []span
}

// replace notes that n bytes at stream offset at are replaced (with nil: zeroed), merging
// with the last span when they continue it; it reports false when no more spans fit.
func (s *stream) replace(at int64, n int, with []byte) bool {
	if k := len(s.spans); with == nil && k > 0 {
		if l := &s.spans[k-1]; l.with == nil && l.at+int64(l.n) == at {
			l.n += n
			return true
		}
	}
	if len(s.spans) >= maxSpans {
		return false
	}
	s.spans = append(s.spans, span{at: at, n: n, with: with})
	return true
}

// tcpPayload decides how much of a TCP segment's captured payload to keep (rewriting a
// ClientHello's server name in place). hdr is the TCP header, wireLen the payload's length on
// the wire.
func (w *Rewriter) tcpPayload(src, dst, hdr, payload []byte, wireLen int) int {
	sa, _ := netip.AddrFromSlice(src)
	da, _ := netip.AddrFromSlice(dst)
	// src and dst hold the pseudonyms by now: the key is of pseudonyms, one to one with the
	// originals.
	k := streamKey{netip.AddrPortFrom(sa, binary.BigEndian.Uint16(hdr[0:2])), netip.AddrPortFrom(da, binary.BigEndian.Uint16(hdr[2:4]))}
	seq := binary.BigEndian.Uint32(hdr[4:8])
	flags := hdr[13]
	s := w.streams[k]
	if flags&0x02 != 0 { // SYN: a new stream (or the same one's retransmitted SYN)
		if s == nil || s.isn != seq {
			if s == nil && len(w.streams) >= maxStreams {
				return 0
			}
			s = &stream{isn: seq, cut: -1}
			w.streams[k] = s
		}
		seq++
	}
	if s == nil || len(payload) == 0 {
		return 0 // a stream whose start is not in the export: where its records begin is unknown
	}
	rel := int64(int32(seq - s.isn - 1))
	if rel < 0 || rel > s.next {
		return 0 // before the stream, or after a hole: not known to be handshake
	}
	end := rel + int64(len(payload))
	if end > s.next && s.cut < 0 && len(payload) == wireLen {
		s.walk(payload[s.next-rel:], s.next, w)
	}
	keep := len(payload)
	if end > s.next { // still not walked: a cut segment, or bytes after the cut
		keep = int(s.next - rel)
	}
	if s.cut >= 0 && s.cut < rel+int64(keep) {
		keep = int(max(s.cut-rel, 0))
	}
	for _, sp := range s.spans { // also in retransmissions
		lo, hi := max(sp.at, rel), min(sp.at+int64(sp.n), rel+int64(keep))
		for o := lo; o < hi; o++ {
			if sp.with == nil {
				payload[o-rel] = 0
			} else {
				payload[o-rel] = sp.with[o-sp.at]
			}
		}
	}
	return keep
}

// walk follows the stream bytes b, at stream offset off, through TLS records. It notes as
// spans the server names of ClientHellos (findServerName) and, to zero, the bodies of the
// handshake messages that hold names (messages), of the first zeroRecords application_data
// records and of every heartbeat record, and sets s.cut where
// the bytes to drop begin: the body of the next application_data record, or anything that is not
// TLS (after its first word, which tells what it is: "GET ", "HTTP/1.1 ").
func (s *stream) walk(b []byte, off int64, w *Rewriter) {
	s.next = off + int64(len(b))
	for i := 0; i < len(b); {
		if s.nh < 5 {
			if s.nh == 0 {
				s.recStart = off + int64(i)
			}
			n := copy(s.hdr[s.nh:], b[i:])
			s.nh += n
			i += n
			if s.nh < 5 {
				return
			}
			s.typ = tls.ContentType(s.hdr[0])
			s.remain = int(binary.BigEndian.Uint16(s.hdr[3:5]))
			valid := (s.typ >= tls.ContentChangeCipherSpec && s.typ <= tls.ContentApplicationData || s.typ == tls.ContentHeartbeat) &&
				(s.hdr[1] == 3 && s.hdr[2] <= 4 || s.hdr[1] == 0x7f) && s.remain <= tls.MaxRecordPayload
			if s.recStart == 0 && s.hdr[0]&0x80 != 0 && s.hdr[2] == 1 {
				// An SSLv2 CLIENT-HELLO (old clients' compatible hello, RFC 6101 Appendix E):
				// versions, cipher specs and a challenge, no names. It is kept whole; TLS
				// records follow it.
				s.typ, s.remain = 0, max(2+(int(s.hdr[0]&0x7f)<<8|int(s.hdr[1]))-5, 0)
				s.endHello(w)
				continue
			}
			if s.recStart == 0 && s.hdr[0]&0x80 != 0 && s.hdr[2] == 4 {
				// An SSLv2 SERVER-HELLO: type, session-id-hit, certificate type, version and
				// three lengths (13 bytes with the header) are kept, the certificate, cipher
				// specs and connection ID after them become zeros.
				s.typ, s.remain = 0, max(2+(int(s.hdr[0]&0x7f)<<8|int(s.hdr[1]))-5, 0)
				if s.remain > 8 && !s.replace(13, s.remain-8, nil) {
					s.cut = 13
				}
				s.endHello(w)
				continue
			}
			switch {
			case !valid && s.recStart == 0 && off == 0:
				s.cut = firstWord(b)
				return
			case !valid:
				s.cut = s.recStart
				return
			case s.typ == tls.ContentApplicationData:
				s.appRecords++
				if s.appRecords > zeroRecords || !s.replace(off+int64(i), s.remain, nil) {
					s.cut = off + int64(i)
					return
				}
			case s.typ == tls.ContentHeartbeat:
				// A heartbeat record (a Heartbleed probe, or the memory a vulnerable server
				// answered it with) is kept as zeros, header and length intact: its type and
				// size are what the analysis reads (heartbleed-probe).
				if !s.replace(off+int64(i), s.remain, nil) {
					s.cut = off + int64(i)
					return
				}
			}
			// A handshake record that starts a message may start a ClientHello: the first, or the
			// second after a HelloRetryRequest (in TLS 1.3 after the client's change_cipher_spec).
			s.endHello(w)
			if s.typ == tls.ContentHandshake && s.nm == 0 {
				s.helloDone, s.helloNeed, s.helloTries = false, 0, 0
			}
			continue
		}
		n := min(s.remain, len(b)-i)
		body := b[i : i+n]
		if s.typ == tls.ContentHandshake {
			if !s.helloDone && !s.findServerName(body, off+int64(i), w) {
				s.cut = off + int64(i) // the search gave up: what follows may hold the name
				return
			}
		}
		if s.typ == tls.ContentHandshake && !s.ccs {
			if at, ok := s.messages(body, off+int64(i)); !ok {
				s.cut = at
				return
			}
		}
		i += n
		s.remain -= n
		if s.remain == 0 {
			s.nh = 0
			if s.typ == tls.ContentChangeCipherSpec {
				s.ccs = true
			}
			if !s.helloDone {
				// A ClientHello longer than its first record: its server name may lie in the
				// next one, where it cannot be found; nothing after this record is kept.
				s.endHello(w)
				s.cut = off + int64(i)
				return
			}
		}
	}
}

// messages follows the handshake messages in a plaintext handshake record's body b (at stream
// offset off) and notes the bodies of Certificate (11), CertificateRequest (13) and
// CompressedCertificate (25) messages as spans to zero. It returns false, with the offset to
// cut at, when no more spans fit.
func (s *stream) messages(b []byte, off int64) (int64, bool) {
	for i := 0; i < len(b); {
		if s.nm < 4 {
			n := copy(s.msg[s.nm:], b[i:])
			s.nm += n
			i += n
			if s.nm < 4 {
				return 0, true
			}
			s.mremain = int(s.msg[1])<<16 | int(s.msg[2])<<8 | int(s.msg[3])
			switch tls.HandshakeType(s.msg[0]) {
			case 11, 13, 21, 22, 23, 25:
				// Certificate, CertificateRequest (CA names), CertificateURL, CertificateStatus
				// (an OCSP response), SupplementalData, CompressedCertificate
				s.mzero = true
			default:
				s.mzero = false
			}
			if s.mremain == 0 {
				s.nm = 0
			}
			continue
		}
		n := min(s.mremain, len(b)-i)
		if s.mzero && !s.replace(off+int64(i), n, nil) {
			return off + int64(i), false
		}
		i += n
		s.mremain -= n
		if s.mremain == 0 {
			s.nm = 0
		}
	}
	return 0, true
}

// firstWord returns how many leading bytes of a stream that is not TLS tell what it is without
// saying more: a protocol's fixed opening ("GET ", "HTTP/1.1 ", "SSH-2.0-", "220 ", "EHLO "),
// else its first byte. Nothing the peer chose (a path, a software version, a host name) is kept.
func firstWord(b []byte) int64 {
	n := 0
	for _, p := range protocolOpenings {
		if len(p) > n && bytes.HasPrefix(b, []byte(p)) {
			n = len(p)
		}
	}
	return int64(max(n, 1))
}

// protocolOpenings are the fixed first bytes of the protocols a non-TLS stream most often
// speaks: what connscope's analysis tells them by (its not-tls reasons and banner kinds).
var protocolOpenings = []string{
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ",
	"HTTP/1.0 ", "HTTP/1.1 ", "PRI * HTTP/2.0", "SSH-2.0-", "SSH-1.99-", "SSH-1.5-",
	"220 ", "220-", "+OK", "* OK", "RFB ", "EHLO ", "HELO ",
}
