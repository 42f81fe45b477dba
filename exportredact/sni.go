package exportredact

import (
	"bytes"
	"strings"

	"golang.org/x/crypto/cryptobyte"
)

// nameSource gives the report's pseudonym of a host name.
type nameSource interface {
	Name(string) (string, bool)
}

// maxHelloTries bounds the searches for one ClientHello's server name. A search runs only when
// the bytes in reach the end of the next field it needs (an extension's header, its data), so a
// hello cut into many tiny segments costs one search per field it passes, not per segment.
const maxHelloTries = 128

// findServerName takes the next bytes b (at stream offset off) of the stream's first handshake
// record and, once the ClientHello's server_name extension is in, notes where its host name
// lies and what replaces it. A first message that is no ClientHello, or one without a server
// name, ends the search. It returns false when it gives up (a hello too long, in too many
// pieces, or beyond the Rewriter's buffer budget): the stream must be cut where b begins.
func (s *stream) findServerName(b []byte, off int64, w *Rewriter) bool {
	if len(s.hello)+len(b) > maxHello || w.helloBytes+len(b) > maxHelloBytes {
		s.endHello(w)
		return false
	}
	start := off - int64(len(s.hello)) // stream offset of the record body
	s.hello = append(s.hello, b...)
	w.helloBytes += len(b)
	if len(s.hello) < s.helloNeed {
		return true // not yet enough for the next field
	}
	if s.helloTries++; s.helloTries > maxHelloTries {
		s.endHello(w)
		return false
	}
	at, n, status, need := locateServerName(s.hello)
	switch status {
	case helloMore:
		s.helloNeed = need
		return true
	case helloFound:
		// The name's bytes start in this segment or a later one. When they are all in, its
		// stand-in ends in the report's pseudonym; otherwise it cannot be known before the
		// first of them leaves: it is all "x".
		with := bytes.Repeat([]byte("x"), n)
		if at+n <= len(s.hello) {
			with = []byte(sameLength(string(s.hello[at:at+n]), w.names))
		}
		if !s.replace(start+int64(at), n, with) {
			s.endHello(w)
			return false
		}
	}
	s.endHello(w)
	return true
}

// endHello ends the search for the server name and frees its buffer.
func (s *stream) endHello(w *Rewriter) {
	w.helloBytes -= len(s.hello)
	s.helloDone = true
	s.hello = nil
}

// sameLength returns a stand-in for the server name of the same length (a ClientHello's lengths
// stay as they are): the report's pseudonym ("host-1.example") when it fits, preceded by as many
// "x" as make up the length ("xxxxxxx.host-1.example" for "apexone.connscope.test"), so that
// the reader can match it to the report; "x" repeated when the pseudonym is longer than the name
// or the report holds none.
func sameLength(name string, names nameSource) string {
	p, ok := names.Name(strings.TrimSuffix(strings.ToLower(name), "."))
	switch d := len(name) - len(p); {
	case !ok || d < 0:
		return strings.Repeat("x", len(name))
	case d == 0:
		return p
	case d == 1:
		return "x" + p
	default:
		return strings.Repeat("x", d-1) + "." + p
	}
}

type helloStatus int

const (
	helloMore     helloStatus = iota // the bytes so far end before the server name
	helloFound                       // the server name is in
	helloNoServer                    // no ClientHello, or no server name in it
)

// locateServerName finds the host name of a ClientHello's server_name extension (RFC 6066,
// Section 3) in the handshake bytes b (message header included): its offset and length, as soon
// as its length is in (its bytes may not be yet). When b ends before it (helloMore), need is how
// long b must be before another try can get further.
func locateServerName(b []byte) (at, n int, status helloStatus, need int) {
	if len(b) < 4 {
		if len(b) > 0 && b[0] != 1 {
			return 0, 0, helloNoServer, 0
		}
		return 0, 0, helloMore, 4
	}
	if b[0] != 1 {
		return 0, 0, helloNoServer, 0
	}
	if len(b) >= 5 && b[4] != 3 {
		// legacy_version is 0x03NN: an encrypted record after change_cipher_spec that happens
		// to start with a 1 is no ClientHello.
		return 0, 0, helloNoServer, 0
	}
	msgLen := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	more := helloMore
	in := cryptobyte.String(b[4:])
	if len(in) >= msgLen {
		in, more = in[:msgLen], helloNoServer // the whole message is in: what is missing is not there
	}
	// wanting is what a read that failed at in needs: a prefix of size bytes and what it counts.
	wanting := func(in cryptobyte.String, size int) (int, int, helloStatus, int) {
		pos := len(b) - len(in)
		if len(in) < size {
			return 0, 0, more, pos + size
		}
		l := 0
		for _, c := range in[:size] {
			l = l<<8 | int(c)
		}
		return 0, 0, more, pos + size + l
	}
	// A length-prefixed read that fails has taken its prefix: wanting looks at a copy from before.
	var sessionID, suites, compression cryptobyte.String
	if !in.Skip(2 + 32) {
		return wanting(in, 34)
	}
	if rest := in; !in.ReadUint8LengthPrefixed(&sessionID) {
		return wanting(rest, 1)
	}
	if rest := in; !in.ReadUint16LengthPrefixed(&suites) {
		return wanting(rest, 2)
	}
	if rest := in; !in.ReadUint8LengthPrefixed(&compression) {
		return wanting(rest, 1)
	}
	var extLen uint16
	if rest := in; !in.ReadUint16(&extLen) {
		in = rest
		if in.Empty() && more == helloNoServer {
			return 0, 0, helloNoServer, 0 // no extensions
		}
		return wanting(in, 2)
	}
	extensions := in
	if len(in) >= int(extLen) {
		extensions, more = in[:extLen], helloNoServer
	}
	for {
		pos := len(b) - len(extensions)
		var typ, length uint16
		if !extensions.ReadUint16(&typ) || !extensions.ReadUint16(&length) {
			return 0, 0, more, pos + 4
		}
		if typ != 0 {
			if !extensions.Skip(int(length)) {
				return 0, 0, more, pos + 4 + int(length)
			}
			continue
		}
		// server_name: a list (uint16 length) of entries, each a type (0: host_name) and a name
		// (uint16 length). The name is located as soon as its length is in, before its bytes:
		// the bytes before them may be on their way out already.
		var listLen uint16
		var nameType uint8
		var nameLen uint16
		if !extensions.ReadUint16(&listLen) || !extensions.ReadUint8(&nameType) || !extensions.ReadUint16(&nameLen) {
			if more == helloNoServer {
				return 0, 0, helloNoServer, 0
			}
			return 0, 0, more, pos + 9
		}
		if nameType != 0 || int(nameLen)+5 > int(length) {
			return 0, 0, helloNoServer, 0
		}
		return pos + 9, int(nameLen), helloFound, 0
	}
}
