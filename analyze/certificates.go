package analyze

import (
	"crypto"
	"crypto/dsa" //nolint:staticcheck // only to name the key type of old certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/connscope/connscope/result"
)

// certCheck is what the server's plaintext certificate chain shows, judged at the capture's own
// time (the time of the frame that carried it), against the name the client asked for.
type certCheck struct {
	chain    []result.Certificate
	findings []result.CertificateFinding
	leaf     *x509.Certificate // nil when the first certificate did not parse
}

// minRSABits is the smallest RSA key not flagged as weak (NIST SP 800-131A, CA/Browser Forum).
const minRSABits = 2048

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
// the problems of the server's own (first) certificate: validity at time at, name against sni (or, without SNI, the
// server address the client connected to), self-signature, key size and signature hash.
func inspectChain(chain [][]byte, pc *parsedChain, at time.Time, sni string, server netip.Addr) *certCheck {
	c := &certCheck{chain: pc.describe(chain)} // shared with every flow of the chain: read only
	parsed := pc.certs
	if pc.errs[0] != nil {
		c.add("unparsable", "the server's certificate could not be read: %v", pc.errs[0])
	}
	leaf := parsed[0]
	if leaf == nil {
		return c
	}
	c.leaf = leaf
	name := certName(leaf)
	switch {
	case at.After(leaf.NotAfter):
		c.add("expired", "server certificate %s expired %s, %s before this capture", name, leaf.NotAfter.UTC().Format("2006-01-02"), ago(leaf.NotAfter, at))
	case at.Before(leaf.NotBefore):
		c.add("not-yet-valid", "server certificate %s is not valid until %s, %s after this capture (or the capture's clock is wrong)", name, leaf.NotBefore.UTC().Format("2006-01-02"), ago(at, leaf.NotBefore))
	}
	if sni != "" {
		if err := leaf.VerifyHostname(sni); err != nil {
			c.add("name-mismatch", "server certificate %s is for %s, not %q, the name the client asked for (SNI)", name, certNames(leaf), sni)
		}
	} else if server.IsValid() {
		if err := leaf.VerifyHostname(server.Unmap().String()); err != nil {
			c.add("name-mismatch", "server certificate %s is for %s, not the address %s the client connected to (no SNI)", name, certNames(leaf), server.Unmap())
		}
	}
	if c.chain[0].SelfSigned {
		c.add("self-signed", "server certificate %s is self-signed: only a client that trusts this very certificate accepts it", name)
	}
	if kt, bits := keyInfo(leaf); kt == "RSA" && bits < minRSABits || kt == "DSA" {
		c.add("weak-key", "server certificate %s has a %d-bit %s key (below %d bits): current clients refuse it", name, bits, kt, minRSABits)
	}
	for i, cert := range parsed {
		if cert == nil || c.chain[i].SelfSigned && i > 0 {
			continue // a root's own signature is not checked by anyone
		}
		if weakSignature(cert.SignatureAlgorithm) {
			who := "server certificate " + name
			if i > 0 {
				who = "intermediate certificate " + certName(cert)
			}
			c.add("weak-signature", "%s is signed with %s: current clients refuse SHA-1 and MD5 signatures", who, cert.SignatureAlgorithm)
		}
	}
	return c
}

func (c *certCheck) add(code, format string, args ...any) {
	c.findings = append(c.findings, result.CertificateFinding{Code: code, Text: fmt.Sprintf(format, args...)})
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

// certName names a certificate by its subject's CN, else its whole subject.
func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "(empty subject)"
}

// certNames lists the names a certificate is valid for.
func certNames(c *x509.Certificate) string {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName+" (CN only, no subjectAltName)")
	}
	if len(names) == 0 {
		return "no name"
	}
	return strings.Join(names, ", ")
}

func keyInfo(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	case *dsa.PublicKey:
		return "DSA", k.P.BitLen()
	}
	return "unknown", 0
}

func selfSigned(c *x509.Certificate) bool {
	if c.Issuer.String() != c.Subject.String() {
		return false
	}
	if c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
		return true
	}
	// crypto/x509 refuses to check SHA-1 signatures at all; old self-signed certificates use them.
	h := sha1.Sum(c.RawTBSCertificate)
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return c.SignatureAlgorithm == x509.SHA1WithRSA && rsa.VerifyPKCS1v15(k, crypto.SHA1, h[:], c.Signature) == nil
	case *ecdsa.PublicKey:
		return c.SignatureAlgorithm == x509.ECDSAWithSHA1 && ecdsa.VerifyASN1(k, h[:], c.Signature)
	}
	return false
}

func weakSignature(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1, x509.MD5WithRSA, x509.MD2WithRSA:
		return true
	}
	return false
}

// ago says how long from a to b in years, days or hours.
func ago(a, b time.Time) string {
	d := b.Sub(a)
	switch days := int(d.Hours() / 24); {
	case days >= 730:
		return fmt.Sprintf("%d years", days/365)
	case days >= 365:
		return "1 year"
	case days >= 2:
		return fmt.Sprintf("%d days", days)
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
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
	if pc.desc != nil {
		return pc.desc
	}
	pc.desc = make([]result.Certificate, len(chain))
	for i, der := range chain {
		sum := sha256.Sum256(der)
		rc := result.Certificate{SHA256: hex.EncodeToString(sum[:]), DNSNames: []string{}, IPAddresses: []string{}}
		cert, err := pc.certs[i], pc.errs[i]
		if err != nil {
			rc.ParseError = err.Error()
			pc.desc[i] = rc
			continue
		}
		rc.Subject = cert.Subject.String()
		rc.Issuer = cert.Issuer.String()
		rc.SerialNumber = cert.SerialNumber.Text(16)
		rc.NotBefore, rc.NotAfter = cert.NotBefore.UTC(), cert.NotAfter.UTC()
		rc.DNSNames = append(rc.DNSNames, cert.DNSNames...)
		for _, ip := range cert.IPAddresses {
			rc.IPAddresses = append(rc.IPAddresses, ip.String())
		}
		rc.KeyType, rc.KeyBits = keyInfo(cert)
		rc.SignatureAlgorithm = cert.SignatureAlgorithm.String()
		rc.SelfSigned = selfSigned(cert)
		rc.IsCA = cert.IsCA
		pc.desc[i] = rc
	}
	return pc.desc
}
