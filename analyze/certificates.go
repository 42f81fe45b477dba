package analyze

import (
	"crypto/x509"
	"net/netip"
	"strings"
	"time"

	"github.com/connscope/connscope/certcheck"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// certCheck is what the server's plaintext certificate chain shows, judged at the capture's own
// time (the time of the frame that carried it), against the name the client asked for.
type certCheck struct {
	chain    []result.Certificate
	findings []result.CertificateFinding
	leaf     *x509.Certificate // nil when the first certificate did not parse
}

// checkCertificates inspects the server's chain (once per flow) and returns nil when the flow
// has none.
func (f *flow) checkCertificates() *certCheck {
	x := &f.tls
	if x.serverCert == nil || len(x.serverCert.Chain) == 0 {
		return nil
	}
	if x.certs != nil {
		return x.certs
	}
	sni := ""
	if x.ch != nil {
		sni = x.ch.ServerName
	}
	x.certs = inspectChain(x.serverCert.Chain, f.shared.certs.parse(x.serverCert), x.serverCertRef.time(), sni, f.server.Addr())
	return x.certs
}

// inspectChain describes every certificate of chain (pc: as crypto/x509 read them) and finds
// the problems of the server's own (first) certificate with certcheck.Judge, at time at, against
// sni (or, without SNI, the server address the client connected to); the findings' texts are
// their English wording.
func inspectChain(chain [][]byte, pc *parsedChain, at time.Time, sni string, server netip.Addr) *certCheck {
	c := &certCheck{chain: pc.describe(chain), leaf: pc.certs[0]} // chain shared with every flow of the chain: read only
	en := knowledge.CatalogOf(knowledge.English)
	for _, fd := range certcheck.Judge(pc.certs, pc.errs, c.chain, certcheck.Options{At: at, Name: sni, Addr: server}) {
		c.findings = append(c.findings, result.CertificateFinding{Code: fd.Code, Text: en.Render(fd.Message)})
	}
	return c
}

// summary joins the findings' texts, for a flow's reason.
func (c *certCheck) summary() string {
	if c == nil || len(c.findings) == 0 {
		return ""
	}
	texts := make([]string, len(c.findings))
	for i, fd := range c.findings {
		texts[i] = fd.Text
	}
	return strings.Join(texts, "; ")
}

// certReason is what the server's certificate shows, for the reason of a flow whose client
// rejected it: "; server certificate CN=... expired ...", with its evidence; "" without a
// plaintext certificate or findings.
func (f *flow) certReason() string {
	c := f.checkCertificates()
	if c == nil || len(c.findings) == 0 {
		return ""
	}
	f.addEvidence(f.tls.serverCertRef, "Certificate from the server: %s", c.summary())
	return "; " + c.summary()
}

// describe returns the result form of every certificate of the chain, computed once per
// parsedChain (the names, the SHA-256 and the self-signature check are the same for every flow).
func (pc *parsedChain) describe(chain [][]byte) []result.Certificate {
	if pc.desc == nil {
		pc.desc = certcheck.Describe(chain, pc.certs, pc.errs)
	}
	return pc.desc
}
