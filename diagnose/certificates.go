package diagnose

import (
	"crypto/x509"
	"net/netip"
	"time"

	"github.com/connscope/connscope/certcheck"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// certCheck is what the server's plaintext certificate chain shows, judged at the capture's own
// time (the time of the frame that carried it), against the name the client asked for.
type certCheck struct {
	findings []result.CertificateFinding
	leaf     *x509.Certificate // nil when the first certificate did not parse
}

// CertificateFindings are the problems of the server certificate chain that connection c got
// (nil when it got none in plain text), judged at the time of the frame that carried it. cfg
// (nil: none) shares the judgement of a chain with the analysis's other connections.
func CertificateFindings(c *facts.Conn, cfg *Config) []result.CertificateFinding {
	if cc := checkCertificates(c, cfg); cc != nil {
		return cc.findings
	}
	return nil
}

// checkCertificates inspects the server's chain and returns nil when the connection has none.
func checkCertificates(c *facts.Conn, cfg *Config) *certCheck {
	x := c.TLS
	if x == nil || x.ServerCert == nil || len(x.ServerCert.DER) == 0 {
		return nil
	}
	return inspectChain(cfg, x.ServerCert, x.CertRef.Time(), x.SNI, c.Server.Addr())
}

// inspectChain finds the problems of the server's own (first) certificate of chain with
// certcheck.Judge: validity at time at, name against sni (or, without SNI, the server address
// the client connected to), self-signature, key size and signature hash; and weak signatures in
// the rest of the chain. Within the certificate's validity nothing of this depends on the time,
// so a chain is judged there once per name (or address) in an analysis (memo): the certCheck
// returned is then shared, and read only.
func inspectChain(cfg *Config, chain *facts.Chain, at time.Time, sni string, server netip.Addr) *certCheck {
	parsed, _ := chain.Parsed()
	leaf := parsed[0]
	if leaf == nil || at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		return judgeChain(chain, at, sni, server)
	}
	type key struct {
		chain    *facts.Chain
		validFor string
		server   netip.Addr
	}
	k := key{chain: chain, validFor: sni}
	if sni == "" {
		k.server = server // Judge checks the name against the address only without SNI
	}
	return memo(cfg, k, func() *certCheck { return judgeChain(chain, at, sni, server) })
}

// judgeChain is inspectChain, the chain judged anew.
func judgeChain(chain *facts.Chain, at time.Time, sni string, server netip.Addr) *certCheck {
	parsed, errs := chain.Parsed()
	c := &certCheck{leaf: parsed[0]}
	// Judge reads only SelfSigned of each description: worked out once per chain.
	desc := make([]result.Certificate, len(parsed))
	for i := range desc {
		desc[i].SelfSigned = selfSignedAt(chain, i)
	}
	for _, fd := range certcheck.Judge(parsed, errs, desc, certcheck.Options{At: at, Name: sni, Addr: server, Seen: certcheck.InCapture}) {
		c.findings = append(c.findings, result.CertificateFinding{Code: fd.Code, Text: fd.Message})
	}
	return c
}

// selfSignedAt reports whether the chain's i-th certificate is self-signed, once per chain.
func selfSignedAt(chain *facts.Chain, i int) bool {
	type key struct{ selfSigned int }
	if v, ok := chain.Memo.Load(key{i}); ok {
		return v.(bool)
	}
	parsed, _ := chain.Parsed()
	v := parsed[i] != nil && certcheck.SelfSigned(parsed[i])
	chain.Memo.Store(key{i}, v)
	return v
}

// certReason is what the server's certificate shows, for the reason of a connection whose client
// rejected it ("; server certificate CN=... expired ..."), with its evidence; empty without a
// plaintext certificate or findings.
func (j *judge) certReason(name string) result.Arg {
	cc := checkCertificates(j.c, j.cfg)
	if cc == nil || len(cc.findings) == 0 {
		return result.Sub(name, result.Message{})
	}
	texts := make([]result.Message, len(cc.findings))
	for i, fd := range cc.findings {
		texts[i] = fd.Text
	}
	j.evidence(j.c.TLS.CertRef, "ev.server-certificate", result.List("findings", texts))
	return result.Sub(name, result.Msg("phrase.certificate-findings", result.List("findings", texts)))
}
