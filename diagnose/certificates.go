package diagnose

import (
	"crypto"
	"crypto/dsa" //nolint:staticcheck // only to name the key type of old certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"net/netip"
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// certCheck is what the server's plaintext certificate chain shows, judged at the capture's own
// time (the time of the frame that carried it), against the name the client asked for.
type certCheck struct {
	findings []result.CertificateFinding
	leaf     *x509.Certificate // nil when the first certificate did not parse
}

// minRSABits is the smallest RSA key not flagged as weak (NIST SP 800-131A, CA/Browser Forum).
const minRSABits = 2048

// CertificateFindings are the problems of the server certificate chain that connection c got
// (nil when it got none in plain text), judged at the time of the frame that carried it.
func CertificateFindings(c *facts.Conn) []result.CertificateFinding {
	if cc := checkCertificates(c); cc != nil {
		return cc.findings
	}
	return nil
}

// checkCertificates inspects the server's chain and returns nil when the connection has none.
func checkCertificates(c *facts.Conn) *certCheck {
	x := c.TLS
	if x == nil || x.ServerCert == nil || len(x.ServerCert.DER) == 0 {
		return nil
	}
	return inspectChain(x.ServerCert, x.CertRef.Time(), x.SNI, c.Server.Addr())
}

// inspectChain finds the problems of the server's own (first) certificate of chain: validity
// at time at, name against sni (or, without SNI, the server address the client connected to),
// self-signature, key size and signature hash; and weak signatures in the rest of the chain.
func inspectChain(chain *facts.Chain, at time.Time, sni string, server netip.Addr) *certCheck {
	c := &certCheck{}
	parsed, errs := chain.Parsed()
	if errs[0] != nil {
		c.add("unparsable", "cert.unparsable", result.Text("error", errs[0].Error()))
	}
	leaf := parsed[0]
	if leaf == nil {
		return c
	}
	c.leaf = leaf
	name := certName("cert", leaf)
	switch {
	case at.After(leaf.NotAfter):
		c.add("expired", "cert.expired", name, result.Text("date", leaf.NotAfter.UTC().Format("2006-01-02")), ago("ago", leaf.NotAfter, at))
	case at.Before(leaf.NotBefore):
		c.add("not-yet-valid", "cert.not-yet-valid", name, result.Text("date", leaf.NotBefore.UTC().Format("2006-01-02")), ago("ago", at, leaf.NotBefore))
	}
	if sni != "" {
		if err := leaf.VerifyHostname(sni); err != nil {
			c.add("name-mismatch", "cert.name-mismatch-sni", name, certNames("names", leaf), result.Quoted(result.HostName("sni", sni)))
		}
	} else if server.IsValid() {
		if err := leaf.VerifyHostname(server.Unmap().String()); err != nil {
			c.add("name-mismatch", "cert.name-mismatch-address", name, certNames("names", leaf), addr("server", server.Unmap()))
		}
	}
	if selfSignedAt(chain, 0) {
		c.add("self-signed", "cert.self-signed", name)
	}
	if kt, bits := KeyInfo(leaf); kt == "RSA" && bits < minRSABits || kt == "DSA" {
		c.add("weak-key", "cert.weak-key", name, result.Int("bits", bits), result.Text("type", kt), result.Int("min", minRSABits))
	}
	for i, cert := range parsed {
		if cert == nil || i > 0 && selfSignedAt(chain, i) {
			continue // a root's own signature is not checked by anyone
		}
		if weakSignature(cert.SignatureAlgorithm) {
			who := result.Sub("who", result.Msg("cert.who-server", name))
			if i > 0 {
				who = result.Sub("who", result.Msg("cert.who-intermediate", certName("cert", cert)))
			}
			c.add("weak-signature", "cert.weak-signature", who, result.Text("algorithm", cert.SignatureAlgorithm.String()))
		}
	}
	return c
}

func (c *certCheck) add(code, key string, args ...result.Arg) {
	c.findings = append(c.findings, result.CertificateFinding{Code: code, Text: result.Msg(key, args...)})
}

// selfSignedAt reports whether the chain's i-th certificate is self-signed, once per chain.
func selfSignedAt(chain *facts.Chain, i int) bool {
	type key struct{ selfSigned int }
	if v, ok := chain.Memo.Load(key{i}); ok {
		return v.(bool)
	}
	parsed, _ := chain.Parsed()
	v := parsed[i] != nil && SelfSigned(parsed[i])
	chain.Memo.Store(key{i}, v)
	return v
}

// certName names a certificate by its subject's CN, else its whole subject.
func certName(name string, c *x509.Certificate) result.Arg {
	if c.Subject.CommonName != "" {
		return result.Sub(name, result.Msg("cert.cn", result.Capture("cn", c.Subject.CommonName)))
	}
	if s := c.Subject.String(); s != "" {
		return result.Capture(name, s)
	}
	return result.Sub(name, result.Msg("cert.empty-subject"))
}

// certNames lists the names a certificate is valid for.
func certNames(name string, c *x509.Certificate) result.Arg {
	var names []result.Message
	for _, n := range c.DNSNames {
		names = append(names, result.Msg("cert.name", result.HostName("name", n)))
	}
	for _, ip := range c.IPAddresses {
		names = append(names, result.Msg("cert.name", result.Addr("name", ip.String())))
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, result.Msg("cert.cn-only", result.HostName("name", c.Subject.CommonName)))
	}
	if len(names) == 0 {
		return result.Sub(name, result.Msg("cert.no-name"))
	}
	return result.List(name, names)
}

// KeyInfo names a certificate's public key type and its size in bits.
func KeyInfo(c *x509.Certificate) (string, int) {
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

// SelfSigned reports whether a certificate's issuer is its subject and its signature verifies
// with its own key (SHA-1 signatures included, which crypto/x509 refuses to check).
func SelfSigned(c *x509.Certificate) bool {
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
func ago(name string, a, b time.Time) result.Arg {
	d := b.Sub(a)
	switch days := int(d.Hours() / 24); {
	case days >= 730:
		return result.Sub(name, result.Msg("time.years", result.Int("n", days/365)))
	case days >= 365:
		return result.Sub(name, result.Msg("time.one-year"))
	case days >= 2:
		return result.Sub(name, result.Msg("time.days", result.Int("n", days)))
	case d >= 2*time.Hour:
		return result.Sub(name, result.Msg("time.hours", result.Int("n", int(d.Hours()))))
	}
	return result.Sub(name, result.Msg("time.minutes", result.Int("n", int(d.Minutes()))))
}

// certReason is what the server's certificate shows, for the reason of a connection whose client
// rejected it ("; server certificate CN=... expired ..."), with its evidence; empty without a
// plaintext certificate or findings.
func (j *judge) certReason(name string) result.Arg {
	cc := checkCertificates(j.c)
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
