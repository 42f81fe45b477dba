package exportredact

import (
	"bytes"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"github.com/connscope/connscope/redact"
)

// nameSource gives the report's pseudonym of a host name.
type nameSource interface {
	Name(string) (string, bool)
}

// maxHelloTries bounds the searches for one hello's names. A search runs only when the bytes in
// reach the end of the next field it needs (an extension's header, its data), so a hello cut
// into many tiny segments costs one search per field it passes, not per segment.
const maxHelloTries = 128

// findServerName takes the next bytes b (at stream offset off) of the stream's first handshake
// record and notes, as each comes in, where the text a hello carries lies and what replaces it:
// a ClientHello's server name (server_name) and application protocol names (ALPN), a
// ServerHello's chosen protocol name. A first message that is neither hello ends the search, as
// does the end of the hello's extensions. It returns false when it gives up (a hello too long,
// in too many pieces, or beyond the Rewriter's buffer budget): the stream must be cut where b
// begins.
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
	found, done, need := locateNames(s.hello)
	for _, f := range found[s.helloFound:] {
		with := standIn(s.hello, f, w.names)
		if with == nil {
			continue // a public protocol name: kept
		}
		if !s.replace(start+int64(f.at), f.n, with) {
			s.endHello(w)
			return false
		}
	}
	s.helloFound = len(found)
	if !done {
		s.helloNeed = need
		return true
	}
	s.endHello(w)
	return true
}

// standIn is what replaces field f of hello b (the same length, so that every length stays as
// it is); nil to keep it. A name whose bytes are not all in yet cannot be known before the first
// of them leaves: it becomes all "x".
func standIn(b []byte, f helloField, names nameSource) []byte {
	if f.at+f.n > len(b) {
		return bytes.Repeat([]byte("x"), f.n)
	}
	text := string(b[f.at : f.at+f.n])
	if f.kind == fieldServerName {
		return []byte(sameLength(text, names))
	}
	if redact.PublicALPN(text) {
		return nil // as the report keeps it
	}
	return bytes.Repeat([]byte("x"), f.n)
}

// endHello ends the search for the hello's names and frees its buffer.
func (s *stream) endHello(w *Rewriter) {
	w.helloBytes -= len(s.hello)
	s.helloDone = true
	s.helloFound = 0
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

// helloField is text in a hello: where it lies in the handshake bytes, how long it is, and what
// it is.
type helloField struct {
	at, n int
	kind  int
}

// The kinds of a helloField.
const (
	fieldServerName = iota // a ClientHello's host name (server_name)
	fieldProtocol          // an ALPN protocol name
)

// Handshake and extension numbers locateNames reads.
const (
	typeClientHello = 1
	typeServerHello = 2
	extServerName   = 0  // RFC 6066, Section 3
	extALPN         = 16 // RFC 7301, Section 3.1
)

// locateNames finds the text of a ClientHello or ServerHello in the handshake bytes b (message
// header included): the host name of server_name and the names of ALPN, each as soon as its
// length is in (its bytes may not be yet: the bytes before them may be on their way out
// already). done is true when nothing more can be found (the extensions are all in, or b holds
// no hello); else need is how long b must be before another try can get further.
func locateNames(b []byte) (found []helloField, done bool, need int) {
	if len(b) < 4 {
		return nil, len(b) > 0 && b[0] != typeClientHello && b[0] != typeServerHello, 4
	}
	if b[0] != typeClientHello && b[0] != typeServerHello {
		return nil, true, 0
	}
	if len(b) >= 5 && b[4] != 3 {
		// legacy_version is 0x03NN: an encrypted record after change_cipher_spec that happens
		// to start with a 1 or 2 is no hello.
		return nil, true, 0
	}
	msgLen := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	all := false // the whole message is in: what is missing is not there
	in := cryptobyte.String(b[4:])
	if len(in) >= msgLen {
		in, all = in[:msgLen], true
	}
	// wanting is what a read that failed at in needs: a prefix of size bytes and what it counts.
	wanting := func(in cryptobyte.String, size int) ([]helloField, bool, int) {
		pos := len(b) - len(in)
		if len(in) < size {
			return found, all, pos + size
		}
		l := 0
		for _, c := range in[:size] {
			l = l<<8 | int(c)
		}
		return found, all, pos + size + l
	}
	// A length-prefixed read that fails has taken its prefix: wanting looks at a copy from before.
	var sessionID, suites, compression cryptobyte.String
	if !in.Skip(2 + 32) {
		return wanting(in, 34)
	}
	if rest := in; !in.ReadUint8LengthPrefixed(&sessionID) {
		return wanting(rest, 1)
	}
	if b[0] == typeServerHello {
		if !in.Skip(3) { // cipher_suite, compression_method
			return wanting(in, 3)
		}
	} else {
		if rest := in; !in.ReadUint16LengthPrefixed(&suites) {
			return wanting(rest, 2)
		}
		if rest := in; !in.ReadUint8LengthPrefixed(&compression) {
			return wanting(rest, 1)
		}
	}
	var extLen uint16
	if rest := in; !in.ReadUint16(&extLen) {
		if rest.Empty() && all {
			return nil, true, 0 // no extensions
		}
		return wanting(rest, 2)
	}
	extensions := in
	if len(in) >= int(extLen) {
		extensions, all = in[:extLen], true
	}
	for {
		pos := len(b) - len(extensions)
		var typ, length uint16
		if !extensions.ReadUint16(&typ) || !extensions.ReadUint16(&length) {
			return found, all, pos + 4
		}
		body := extensions
		if len(body) > int(length) {
			body = body[:length]
		}
		switch typ {
		case extServerName:
			// A list (uint16 length) of entries, each a type (0: host_name) and a name (uint16
			// length).
			var listLen uint16
			var nameType uint8
			var nameLen uint16
			if !body.ReadUint16(&listLen) || !body.ReadUint8(&nameType) || !body.ReadUint16(&nameLen) {
				if len(body) < int(length) && !all {
					return found, false, pos + 9
				}
				break
			}
			if nameType == 0 && int(nameLen)+5 <= int(length) {
				found = append(found, helloField{at: pos + 9, n: int(nameLen), kind: fieldServerName})
			}
		case extALPN:
			// A list (uint16 length) of names, each with a uint8 length.
			var listLen uint16
			if !body.ReadUint16(&listLen) {
				if !all {
					return found, false, pos + 6
				}
				break
			}
			at := pos + 6
			for at < pos+4+int(length) {
				var n uint8
				if !body.ReadUint8(&n) {
					if !all {
						return found, false, at + 1
					}
					break
				}
				if at+1+int(n) > pos+4+int(length) {
					break // a name longer than its extension: the rest of the hello is cut
				}
				found = append(found, helloField{at: at + 1, n: int(n), kind: fieldProtocol})
				if !body.Skip(int(n)) {
					if all {
						break
					}
					// Its bytes are not all in: the next name's length comes after them.
					return found, false, at + 1 + int(n) + 1
				}
				at += 1 + int(n)
			}
		}
		if !extensions.Skip(int(length)) {
			return found, all, pos + 4 + int(length)
		}
	}
}
