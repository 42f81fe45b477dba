package analyze

import (
	"crypto/sha256"
	"crypto/x509"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// maxCachedChains bounds the certificate chains kept for sharing; past it, chains are kept per
// flow as they come.
const maxCachedChains = 1024

// certCache shares certificate chains between flows. A server sends the same chain to every
// client, so a capture of a hundred thousand handshakes with one server holds one copy, parsed
// once by crypto/x509, rather than a hundred thousand.
type certCache struct {
	chains map[[32]byte]*tls.Certificate
	parsed map[*tls.Certificate]*parsedChain
}

// parsedChain is a chain as crypto/x509 read it: certs[i] is nil where errs[i] says why.
type parsedChain struct {
	certs []*x509.Certificate
	errs  []error
	desc  []result.Certificate // describe's result, once computed
}

// intern returns the cached chain equal to c, caching c when it is new and there is room.
func (cc *certCache) intern(c *tls.Certificate) *tls.Certificate {
	if cc.chains == nil {
		cc.chains = make(map[[32]byte]*tls.Certificate)
		cc.parsed = make(map[*tls.Certificate]*parsedChain)
	}
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
	if len(cc.chains) < maxCachedChains {
		cc.chains[key] = c
	}
	return c
}

// parse returns c's certificates parsed with crypto/x509, once per cached chain.
func (cc *certCache) parse(c *tls.Certificate) *parsedChain {
	if p, ok := cc.parsed[c]; ok {
		return p
	}
	p := &parsedChain{certs: make([]*x509.Certificate, len(c.Chain)), errs: make([]error, len(c.Chain))}
	for i, der := range c.Chain {
		p.certs[i], p.errs[i] = x509.ParseCertificate(der)
	}
	if cc.parsed != nil && cc.chains != nil && len(cc.parsed) < maxCachedChains {
		cc.parsed[c] = p
	}
	return p
}
