package track

import (
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
)

// maxCachedFingerprints bounds fingerprintCache; past it, fingerprints are computed per flow.
const maxCachedFingerprints = 4096

// fingerprintCache interns ClientHellos and ServerHellos: connections that sent (or got) equal
// ones share one facts.Hello (facts.ServerHello), whose fingerprints are computed once. The
// fingerprints are functions of a few fields only (versions, cipher suites, extensions, groups,
// point formats, signature algorithms, the first ALPN value), and a fleet of agents sends a
// handful of distinct ClientHellos, so a capture of a hundred thousand handshakes hashes a
// handful of times.
type fingerprintCache struct {
	m       map[string]*facts.Hello
	servers map[string]*facts.ServerHello
	// byParse finds the facts of a parse the TLS parsers share (tls.MessageCache) without
	// building its key.
	byParse       map[*tls.ClientHello]*facts.Hello
	serverByParse map[*tls.ServerHello]*facts.ServerHello
	key           []byte // scratch
}

// newHello computes ch's fingerprints.
func newHello(ch *tls.ClientHello) *facts.Hello {
	offered := ch.OfferedVersions()
	h := &facts.Hello{CH: ch, Offered: offered, JA3: ch.JA3(), JA3String: ch.JA3String(), JA4: ch.JA4(), JA4R: ch.JA4R()}
	if len(offered) > 0 {
		h.Highest = offered[len(offered)-1]
	}
	return h
}

// hello returns the interned facts of ch.
func (c *fingerprintCache) hello(ch *tls.ClientHello) *facts.Hello {
	if h, ok := c.byParse[ch]; ok {
		return h
	}
	h := c.helloByKey(ch)
	if c.byParse == nil {
		c.byParse = map[*tls.ClientHello]*facts.Hello{}
	}
	if len(c.byParse) < maxCachedFingerprints {
		c.byParse[ch] = h
	}
	return h
}

// helloByKey returns the interned facts of ch, found by the fields they depend on.
func (c *fingerprintCache) helloByKey(ch *tls.ClientHello) *facts.Hello {
	k := c.key[:0]
	u16 := func(v uint16) { k = append(k, byte(v>>8), byte(v)) }
	switch {
	case ch.SSLv2 && ch.SSLv2Ciphers > 0: // SSL 2.0 cipher specs add SSL 2.0 to the offered versions
		k = append(k, 2)
	case ch.SSLv2:
		k = append(k, 1)
	default:
		k = append(k, 0)
	}
	u16(uint16(ch.LegacyVersion))
	u16(uint16(len(ch.CipherSuites)))
	for _, v := range ch.CipherSuites {
		u16(uint16(v))
	}
	u16(uint16(len(ch.Extensions)))
	for _, v := range ch.Extensions {
		u16(uint16(v))
	}
	u16(uint16(len(ch.SupportedGroups)))
	for _, v := range ch.SupportedGroups {
		u16(uint16(v))
	}
	u16(uint16(len(ch.ECPointFormats)))
	k = append(k, ch.ECPointFormats...)
	u16(uint16(len(ch.SignatureAlgorithms)))
	for _, v := range ch.SignatureAlgorithms {
		u16(v)
	}
	if ch.SupportedVersions == nil {
		k = append(k, 0)
	} else {
		k = append(k, 1)
		u16(uint16(len(ch.SupportedVersions)))
		for _, v := range ch.SupportedVersions {
			u16(uint16(v))
		}
	}
	if len(ch.ALPN) > 0 {
		u16(uint16(len(ch.ALPN[0])))
		k = append(k, ch.ALPN[0]...)
	} else {
		k = append(k, 0xff, 0xff)
	}
	c.key = k
	if h, ok := c.m[string(k)]; ok {
		return h
	}
	h := newHello(ch)
	if c.m == nil {
		c.m = make(map[string]*facts.Hello)
	}
	if len(c.m) < maxCachedFingerprints {
		c.m[string(k)] = h
	}
	return h
}

// serverHello returns the interned facts of sh: a server answers its clients alike.
func (c *fingerprintCache) serverHello(sh *tls.ServerHello) *facts.ServerHello {
	if r, ok := c.serverByParse[sh]; ok {
		return r
	}
	r := c.serverHelloByKey(sh)
	if c.serverByParse == nil {
		c.serverByParse = map[*tls.ServerHello]*facts.ServerHello{}
	}
	if len(c.serverByParse) < maxCachedFingerprints {
		c.serverByParse[sh] = r
	}
	return r
}

// serverHelloByKey returns the interned facts of sh, found by its fields.
func (c *fingerprintCache) serverHelloByKey(sh *tls.ServerHello) *facts.ServerHello {
	k := c.key[:0]
	u16 := func(v uint16) { k = append(k, byte(v>>8), byte(v)) }
	if sh.SSLv2 {
		k = append(k, 1)
	} else {
		k = append(k, 0)
	}
	if sh.HelloRetryRequest {
		k = append(k, 1)
	} else {
		k = append(k, 0)
	}
	u16(uint16(sh.LegacyVersion))
	u16(uint16(sh.CipherSuite))
	u16(uint16(sh.SupportedVersion))
	u16(uint16(sh.KeyShareGroup))
	u16(uint16(sh.DowngradeSentinel))
	k = append(k, byte(sh.SSLv2CipherSpecs>>24), byte(sh.SSLv2CipherSpecs>>16), byte(sh.SSLv2CipherSpecs>>8), byte(sh.SSLv2CipherSpecs))
	u16(uint16(len(sh.Extensions)))
	for _, v := range sh.Extensions {
		u16(uint16(v))
	}
	k = append(k, sh.ALPN...)
	c.key = k
	if r, ok := c.servers[string(k)]; ok {
		return r
	}
	r := &facts.ServerHello{SH: sh}
	if c.servers == nil {
		c.servers = make(map[string]*facts.ServerHello)
	}
	if len(c.servers) < maxCachedFingerprints {
		c.servers[string(k)] = r
	}
	return r
}
