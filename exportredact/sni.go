package exportredact

import (
	"strings"

	"golang.org/x/crypto/cryptobyte"
)

// nameSource gives the report's pseudonym of a host name.
type nameSource interface {
	Name(string) (string, bool)
}

// maxHelloTries bounds the searches for one ClientHello's server name (one per segment that
// brings more of it), so that a hello cut into many tiny segments costs bounded work.
const maxHelloTries = 32

// findServerName takes the next bytes b (at stream offset off) of the stream's first handshake
// record and, once the ClientHello's server_name extension is in, notes where its host name
// lies and what replaces it. A first message that is no ClientHello, or one without a server
// name, ends the search. It returns false when it gives up (a hello too long, in too many
// pieces, or beyond the Rewriter's buffer budget): the stream must be cut where b begins.
func (s *stream) findServerName(b []byte, off int64, w *Rewriter) bool {
	s.helloTries++
	if len(s.hello)+len(b) > maxHello || s.helloTries > maxHelloTries || w.helloBytes+len(b) > maxHelloBytes {
		s.endHello(w)
		return false
	}
	start := off - int64(len(s.hello)) // stream offset of the record body
	s.hello = append(s.hello, b...)
	w.helloBytes += len(b)
	at, n, status := locateServerName(s.hello)
	switch status {
	case helloMore:
		return true
	case helloFound:
		name := string(s.hello[at : at+n])
		s.replace(start+int64(at), n, []byte(sameLength(name, w.names))) // the first span: it fits
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
// Section 3) in the handshake bytes b (message header included): its offset and length.
func locateServerName(b []byte) (int, int, helloStatus) {
	if len(b) == 0 {
		return 0, 0, helloMore
	}
	if b[0] != 1 {
		return 0, 0, helloNoServer
	}
	if len(b) < 4 {
		return 0, 0, helloMore
	}
	msgLen := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	more := helloMore
	in := cryptobyte.String(b[4:])
	if len(in) >= msgLen {
		in, more = in[:msgLen], helloNoServer // the whole message is in: what is missing is not there
	}
	var sessionID, suites, compression cryptobyte.String
	var extensions cryptobyte.String
	if !in.Skip(2+32) || !in.ReadUint8LengthPrefixed(&sessionID) ||
		!in.ReadUint16LengthPrefixed(&suites) || !in.ReadUint8LengthPrefixed(&compression) {
		return 0, 0, more
	}
	if in.Empty() {
		return 0, 0, more // no extensions (or not yet)
	}
	var extLen uint16
	if !in.ReadUint16(&extLen) {
		return 0, 0, more
	}
	if len(in) >= int(extLen) {
		extensions = in[:extLen]
		more = helloNoServer
	} else {
		extensions = in
	}
	for {
		var typ uint16
		var data cryptobyte.String
		if !extensions.ReadUint16(&typ) || !extensions.ReadUint16LengthPrefixed(&data) {
			return 0, 0, more
		}
		if typ != 0 {
			continue
		}
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) {
			return 0, 0, helloNoServer
		}
		for !list.Empty() {
			var nameType uint8
			var name cryptobyte.String
			if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
				return 0, 0, helloNoServer
			}
			if nameType == 0 {
				// name is a slice of b: its offset in b is what lies between their ends.
				return cap(b) - cap(name), len(name), helloFound
			}
		}
		return 0, 0, helloNoServer
	}
}
