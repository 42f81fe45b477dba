// Package intern shares what many connections have in common, so that a capture of a hundred
// thousand handshakes holds, and works out, each distinct thing once: ClientHellos and
// ServerHellos with their fingerprints (Hellos), and certificate chains (Chains). Neither is safe
// for concurrent use.
package intern

import (
	"crypto/sha256"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/tls/fingerprint"
)

// maxCachedFingerprints bounds Hellos; past it, fingerprints are computed per flow.
const maxCachedFingerprints = 4096

// Hellos interns ClientHellos and ServerHellos: connections that sent (or got) equal
// ones share one facts.Hello (facts.ServerHello), whose fingerprints are computed once. The
// fingerprints are functions of a few fields only (versions, cipher suites, extensions, groups,
// point formats, signature algorithms, the first ALPN value), and a fleet of agents sends a
// handful of distinct ClientHellos, so a capture of a hundred thousand handshakes hashes a
// handful of times.
type Hellos struct {
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
	h := &facts.Hello{CH: ch, Offered: offered, JA3: fingerprint.JA3(ch), JA3String: fingerprint.JA3String(ch), JA4: fingerprint.JA4(ch), JA4R: fingerprint.JA4R(ch)}
	if len(offered) > 0 {
		h.Highest = offered[len(offered)-1]
	}
	return h
}

// Hello returns the interned facts of ch.
func (c *Hellos) Hello(ch *tls.ClientHello) *facts.Hello {
	return byParse(&c.byParse, ch, c.helloByKey)
}

// byParse returns the facts m keeps of parse p, else those byKey finds, which m then keeps while
// it holds fewer than maxCachedFingerprints.
func byParse[P comparable, V any](m *map[P]V, p P, byKey func(P) V) V {
	if v, ok := (*m)[p]; ok {
		return v
	}
	v := byKey(p)
	if *m == nil {
		*m = map[P]V{}
	}
	if len(*m) < maxCachedFingerprints {
		(*m)[p] = v
	}
	return v
}

// helloByKey returns the interned facts of ch, found by the fields they depend on.
func (c *Hellos) helloByKey(ch *tls.ClientHello) *facts.Hello {
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

// ServerHello returns the interned facts of sh: a server answers its clients alike.
func (c *Hellos) ServerHello(sh *tls.ServerHello) *facts.ServerHello {
	return byParse(&c.serverByParse, sh, c.serverHelloByKey)
}

// serverHelloByKey returns the interned facts of sh, found by its fields.
func (c *Hellos) serverHelloByKey(sh *tls.ServerHello) *facts.ServerHello {
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

// maxCachedChains bounds the certificate chains kept for sharing; past it, chains are kept per
// connection as they come.
const maxCachedChains = 1024

// Chains shares certificate chains between connections. A server sends the same chain to
// every client, so a capture of a hundred thousand handshakes with one server holds one copy,
// parsed once by crypto/x509 when the diagnosis first needs it, rather than a hundred thousand.
type Chains struct {
	chains  map[[32]byte]*facts.Chain
	byParse map[*tls.Certificate]*facts.Chain // parses the TLS parsers share
}

// Intern returns the cached chain equal to c's, caching it when it is new and there is room.
func (cc *Chains) Intern(c *tls.Certificate) *facts.Chain {
	if ch, ok := cc.byParse[c]; ok {
		return ch
	}
	if cc.chains == nil {
		cc.chains = make(map[[32]byte]*facts.Chain)
		cc.byParse = make(map[*tls.Certificate]*facts.Chain)
	}
	ch := cc.internByHash(c)
	if len(cc.byParse) < maxCachedChains {
		cc.byParse[c] = ch
	}
	return ch
}

// internByHash returns the cached chain with the same certificates as c's.
func (cc *Chains) internByHash(c *tls.Certificate) *facts.Chain {
	h := sha256.New()
	for _, der := range c.Chain {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(der)>>24), byte(len(der)>>16), byte(len(der)>>8), byte(len(der))
		h.Write(n[:])
		h.Write(der)
	}
	var key [32]byte
	h.Sum(key[:0])
	if got, ok := cc.chains[key]; ok {
		return got
	}
	ch := &facts.Chain{DER: c.Chain}
	if len(cc.chains) < maxCachedChains {
		cc.chains[key] = ch
	}
	return ch
}
