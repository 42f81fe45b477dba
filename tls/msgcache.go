package tls

import (
	"bytes"
	"hash/maphash"

	"golang.org/x/crypto/cryptobyte"
)

// MessageCache lets the Streams of many connections share what they parse: each distinct
// ClientHello, ServerHello and Certificate message is parsed once, and a Stream that meets an
// equal one again gets the parse already made. A fleet of agents sends a handful of distinct
// ClientHellos and gets a handful of server flights, so most messages are not parsed at all.
//
// Two messages are equal when they differ only in what a peer draws anew for each connection:
//   - a ClientHello: its random, its session ID (not its length), its key shares' keys (not
//     their groups), its server name (each Event carries its own, in ServerName), and the
//     contents of its pre_shared_key, padding, session_ticket, early_data, cookie and
//     encrypted_client_hello extensions; every other byte must be the same;
//   - a ServerHello: its random (except whether it is a HelloRetryRequest and which downgrade
//     sentinel it ends with), its session ID (not its length) and its key share's key;
//   - a Certificate: every byte.
//
// What a cache hit leaves out is checked as Unmarshal checks it, so that a message that would
// not parse never gets another's parse. The parses a cache hands out are shared: nobody may
// change them. Memory is bounded (MaxCachedMessages of each kind); past the bound messages are
// parsed as without a cache. A MessageCache is not safe for concurrent use.
type MessageCache struct {
	seeds   [2]maphash.Seed
	kb      []byte // the bytes of the key being built, hashed at once by key (many small writes cost more through maphash.Hash)
	hellos  map[msgKey]*ClientHello
	servers map[msgKey]*ServerHello
	certs   map[msgKey]*Certificate
	names   map[string]string // server names, interned
	seen    []uint16          // scratch: extension types of the message being scanned
	bufs    [][]byte          // buffers of records that spanned segments, for the next such record
}

// MaxCachedMessages bounds the messages of each kind a MessageCache keeps.
const MaxCachedMessages = 1024

// Record buffers the Streams of a cache share: a record that spans segments (a certificate
// chain's, in most handshakes) is gathered in one, which goes back to the cache when the
// record is parsed (parses copy what they keep), so that a busy capture's handshakes do not
// each allocate one.
const (
	maxSharedBuffers = 64
	sharedBufferMin  = 4096                               // a buffer's least capacity
	sharedBufferMax  = recordHeaderLen + MaxRecordPayload // the largest kept: the largest TLS record
)

// takeBuffer returns an empty buffer of at least n bytes holding a copy of have.
func (c *MessageCache) takeBuffer(n int, have []byte) []byte {
	var b []byte
	if k := len(c.bufs); k > 0 && cap(c.bufs[k-1]) >= n {
		b, c.bufs[k-1], c.bufs = c.bufs[k-1][:0], nil, c.bufs[:k-1]
	} else {
		b = make([]byte, 0, max(n, sharedBufferMin))
	}
	return append(b, have...)
}

// giveBuffer takes back a buffer whose record was parsed.
func (c *MessageCache) giveBuffer(b []byte) {
	if cap(b) <= sharedBufferMax && len(c.bufs) < maxSharedBuffers {
		c.bufs = append(c.bufs, b[:0])
	}
}

// msgKey is a 128-bit hash of what makes two messages equal.
type msgKey [2]uint64

// NewMessageCache returns an empty cache.
func NewMessageCache() *MessageCache {
	c := &MessageCache{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		hellos: map[msgKey]*ClientHello{}, servers: map[msgKey]*ServerHello{}, certs: map[msgKey]*Certificate{},
		names: map[string]string{}}
	return c
}

// maxKeyBuffer is the largest key buffer a cache keeps between messages (a Certificate
// message's key is the whole message, up to 16 MiB).
const maxKeyBuffer = 64 << 10

func (c *MessageCache) reset() {
	if cap(c.kb) > maxKeyBuffer {
		c.kb = nil
	}
	c.kb = c.kb[:0]
}

func (c *MessageCache) write(b []byte) { c.kb = append(c.kb, b...) }

func (c *MessageCache) writeUint16(v uint16) { c.write([]byte{byte(v >> 8), byte(v)}) }

func (c *MessageCache) key() msgKey {
	return msgKey{maphash.Bytes(c.seeds[0], c.kb), maphash.Bytes(c.seeds[1], c.kb)}
}

// name interns a server name.
func (c *MessageCache) name(b []byte) string {
	if s, ok := c.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(c.names) < MaxCachedMessages {
		c.names[s] = s
	}
	return s
}

// Extension types whose contents a ClientHello draws anew for each connection.
const (
	extensionPadding             ExtensionType = 21
	extensionSessionTicket       ExtensionType = 35
	extensionPreSharedKey        ExtensionType = 41
	extensionEarlyData           ExtensionType = 42
	extensionCookie              ExtensionType = 44
	extensionEncryptedClientHelo ExtensionType = 0xfe0d
)

// clientHelloKey scans a whole client_hello message (header included) as Unmarshal reads it and
// returns the key of what makes it equal to others, and its server name. ok is false when msg
// does not scan (Unmarshal decides, and reports, why).
func (c *MessageCache) clientHelloKey(msg []byte) (key msgKey, sni []byte, ok bool) {
	c.reset()
	s := cryptobyte.String(msg)
	var typ uint8
	var body, sessionID, suites, compression cryptobyte.String
	var vers uint16
	if !s.ReadUint8(&typ) || HandshakeType(typ) != HandshakeClientHello || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() ||
		!body.ReadUint16(&vers) || !body.Skip(32) || !body.ReadUint8LengthPrefixed(&sessionID) ||
		!body.ReadUint16LengthPrefixed(&suites) || !body.ReadUint8LengthPrefixed(&compression) {
		return key, nil, false
	}
	c.write([]byte{1, byte(vers >> 8), byte(vers), byte(len(sessionID))})
	c.writeUint16(uint16(len(suites)))
	c.write(suites)
	c.write([]byte{byte(len(compression))})
	c.write(compression)
	if body.Empty() {
		c.write([]byte{0})
		return c.key(), nil, true
	}
	var extensions cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&extensions) || !body.Empty() {
		return key, nil, false
	}
	c.write([]byte{1})
	c.seen = c.seen[:0]
	for !extensions.Empty() {
		var ext uint16
		var data cryptobyte.String
		if !extensions.ReadUint16(&ext) || !extensions.ReadUint16LengthPrefixed(&data) {
			return key, nil, false
		}
		for _, e := range c.seen {
			if e == ext {
				return key, nil, false // a duplicate: Unmarshal refuses it
			}
		}
		c.seen = append(c.seen, ext)
		c.writeUint16(ext)
		switch e := ExtensionType(ext); e {
		case ExtensionServerName:
			name, ok := scanServerName(data)
			if !ok {
				return key, nil, false
			}
			sni = name
		case ExtensionKeyShare:
			// The groups count; the keys are drawn anew.
			var shares cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&shares) || !data.Empty() {
				return key, nil, false
			}
			for !shares.Empty() {
				var group uint16
				var k cryptobyte.String
				if !shares.ReadUint16(&group) || !shares.ReadUint16LengthPrefixed(&k) || k.Empty() {
					return key, nil, false
				}
				c.writeUint16(group)
			}
			c.write([]byte{0xff})
		case extensionPadding, extensionSessionTicket, extensionPreSharedKey, extensionEarlyData, extensionCookie,
			extensionEncryptedClientHelo:
			// Drawn anew for each connection; Unmarshal ignores them.
		default:
			c.writeUint16(uint16(len(data)))
			c.write(data)
		}
	}
	return c.key(), sni, true
}

// scanServerName reads a server_name extension as Unmarshal does and returns its host_name.
func scanServerName(data cryptobyte.String) ([]byte, bool) {
	var list cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&list) || list.Empty() || !data.Empty() {
		return nil, false
	}
	var host []byte
	for !list.Empty() {
		var nameType uint8
		var name cryptobyte.String
		if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) || name.Empty() {
			return nil, false
		}
		if nameType != 0 {
			continue
		}
		if host != nil {
			return nil, false
		}
		host = name
	}
	return host, true
}

// clientHello returns the parse of msg: the cached one for an equal message, else a new one
// (cached), with the message's own server name; or why msg does not parse (a *HelloError).
func (c *MessageCache) clientHello(msg []byte) (ch *ClientHello, serverName string, err error) {
	key, sni, scanned := c.clientHelloKey(msg)
	if scanned {
		if ch, hit := c.hellos[key]; hit {
			return ch, c.name(sni), nil
		}
	}
	ch = new(ClientHello)
	if err := ch.Parse(bytes.Clone(msg)); err != nil {
		return nil, "", err
	}
	if scanned && len(c.hellos) < MaxCachedMessages {
		c.hellos[key] = ch
	}
	return ch, c.name([]byte(ch.ServerName)), nil
}

// serverHelloKey scans a whole server_hello message as Unmarshal reads it (not the short form of
// TLS 1.3 drafts before -22) and returns the key of what makes it equal to others.
func (c *MessageCache) serverHelloKey(msg []byte) (key msgKey, ok bool) {
	c.reset()
	s := cryptobyte.String(msg)
	var typ uint8
	var body, random, sessionID, extensions cryptobyte.String
	var vers, suite uint16
	var compression uint8
	if !s.ReadUint8(&typ) || HandshakeType(typ) != HandshakeServerHello || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() ||
		!body.ReadUint16(&vers) || !body.ReadBytes((*[]byte)(&random), 32) {
		return key, false
	}
	if n, draft := Version(vers).draftNumber(); draft && n < 22 {
		return key, false
	}
	if !body.ReadUint8LengthPrefixed(&sessionID) || !body.ReadUint16(&suite) || !body.ReadUint8(&compression) {
		return key, false
	}
	hrr := byte(0)
	if bytes.Equal(random, helloRetryRequestRandom) {
		hrr = 1
	}
	c.write([]byte{2, byte(vers >> 8), byte(vers), hrr, byte(len(sessionID)), byte(suite >> 8), byte(suite), compression})
	c.write(random[24:]) // the downgrade sentinel, if any
	if body.Empty() {
		c.write([]byte{0})
		return c.key(), true
	}
	if !body.ReadUint16LengthPrefixed(&extensions) || !body.Empty() {
		return key, false
	}
	c.write([]byte{1})
	c.seen = c.seen[:0]
	for !extensions.Empty() {
		var ext uint16
		var data cryptobyte.String
		if !extensions.ReadUint16(&ext) || !extensions.ReadUint16LengthPrefixed(&data) {
			return key, false
		}
		for _, e := range c.seen {
			if e == ext {
				return key, false
			}
		}
		c.seen = append(c.seen, ext)
		c.writeUint16(ext)
		if ExtensionType(ext) == ExtensionKeyShare && hrr == 0 {
			// A ServerHello's KeyShareEntry: the group counts, the key is drawn anew.
			var group uint16
			var k cryptobyte.String
			if !data.ReadUint16(&group) || !data.ReadUint16LengthPrefixed(&k) || k.Empty() || !data.Empty() {
				return key, false
			}
			c.writeUint16(group)
			continue
		}
		c.writeUint16(uint16(len(data)))
		c.write(data)
	}
	return c.key(), true
}

// serverHello returns the parse of msg: the cached one for an equal message, else a new one;
// or why msg does not parse (a *HelloError).
func (c *MessageCache) serverHello(msg []byte) (*ServerHello, error) {
	key, scanned := c.serverHelloKey(msg)
	if scanned {
		if sh, hit := c.servers[key]; hit {
			return sh, nil
		}
	}
	sh := new(ServerHello)
	if err := sh.Parse(bytes.Clone(msg)); err != nil {
		return nil, err
	}
	if scanned && len(c.servers) < MaxCachedMessages {
		c.servers[key] = sh
	}
	return sh, nil
}

// certificate returns the parse of msg (TLS 1.3 syntax when tls13): the cached one for a
// message with the same bytes, else a new one.
func (c *MessageCache) certificate(msg []byte, tls13 bool) (*Certificate, bool) {
	c.reset()
	if tls13 {
		c.write([]byte{1})
	} else {
		c.write([]byte{0})
	}
	c.write(msg)
	key := c.key()
	if cert, hit := c.certs[key]; hit {
		return cert, true
	}
	cert := new(Certificate)
	if !cert.Unmarshal(bytes.Clone(msg), tls13) {
		return nil, false
	}
	if len(c.certs) < MaxCachedMessages {
		c.certs[key] = cert
	}
	return cert, true
}
