package track

import (
	"crypto/sha256"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
)

// maxCachedChains bounds the certificate chains kept for sharing; past it, chains are kept per
// connection as they come.
const maxCachedChains = 1024

// certCache shares certificate chains between connections. A server sends the same chain to
// every client, so a capture of a hundred thousand handshakes with one server holds one copy,
// parsed once by crypto/x509 when the diagnosis first needs it, rather than a hundred thousand.
type certCache struct {
	chains  map[[32]byte]*facts.Chain
	byParse map[*tls.Certificate]*facts.Chain // parses the TLS parsers share
}

// intern returns the cached chain equal to c's, caching it when it is new and there is room.
func (cc *certCache) intern(c *tls.Certificate) *facts.Chain {
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
func (cc *certCache) internByHash(c *tls.Certificate) *facts.Chain {
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
