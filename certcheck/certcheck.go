// Package certcheck judges a server's certificate chain: chain in (DER, as crypto/x509 reads
// it), a time and the name or address the client asked for, findings out — each a stable code
// and a message (result.Message) whose parameters a report words in the reader's language and
// a redactor can replace. It is pure: no packets, no network, no clock of its own. analyze
// judges the chains it finds in captures with it, probe the chains servers present to it.
package certcheck

import (
	"crypto"
	"crypto/dsa" //nolint:staticcheck // only to name the key type of old certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/connscope/connscope/result"
)

// MinRSABits is the smallest RSA key not flagged as weak (NIST SP 800-131A, CA/Browser Forum).
const MinRSABits = 2048

// The finding codes (result.CertificateFinding.Code).
const (
	CodeUnparsable    = "unparsable"
	CodeExpired       = "expired"
	CodeNotYetValid   = "not-yet-valid"
	CodeNameMismatch  = "name-mismatch"
	CodeSelfSigned    = "self-signed"
	CodeUnknownIssuer = "unknown-issuer"
	CodeWeakKey       = "weak-key"
	CodeWeakSignature = "weak-signature"
)

// Finding is one problem of a chain.
type Finding struct {
	Code    string         // one of the Code constants
	Message result.Message // the sentence that says it, with its parameters
}

// Seen says where a chain was seen, which decides how the findings are worded ("before this
// capture" or "ago"; "the name the client asked for" or "the name probed").
type Seen uint8

const (
	// InCapture: the chain is in a capture; the time is the frame's, the name the client's SNI.
	InCapture Seen = iota
	// ByProbe: a probe was just presented the chain; the time is now, the name the one probed.
	ByProbe
)

// Options are what a chain is judged against.
type Options struct {
	At   time.Time  // the time validity is judged at
	Name string     // the name the client asked for (SNI, or the name probed); "" for none
	Addr netip.Addr // the address the client connected to, judged when Name is ""
	Seen Seen
	// CheckIssuer verifies the chain up to Roots (nil: the system's roots) and reports an
	// issuer they do not know; a capture's chain is not judged so (the capture's client had
	// roots of its own).
	CheckIssuer bool
	Roots       *x509.CertPool
}

// Parse reads each DER certificate of chain with crypto/x509: certs[i] is nil where errs[i]
// says why.
func Parse(chain [][]byte) (certs []*x509.Certificate, errs []error) {
	certs, errs = make([]*x509.Certificate, len(chain)), make([]error, len(chain))
	for i, der := range chain {
		certs[i], errs[i] = x509.ParseCertificate(der)
	}
	return certs, errs
}

// Describe returns the result form of each certificate of chain (certs and errs as Parse
// returns them).
func Describe(chain [][]byte, certs []*x509.Certificate, errs []error) []result.Certificate {
	out := make([]result.Certificate, len(chain))
	for i, der := range chain {
		sum := sha256.Sum256(der)
		rc := result.Certificate{SHA256: result.Raw(hex.EncodeToString(sum[:])), DNSNames: []result.Host{}, IPAddresses: []result.IP{}}
		cert, err := certs[i], errs[i]
		if err != nil || cert == nil {
			if err != nil {
				rc.ParseError = result.Raw(err.Error())
			}
			out[i] = rc
			continue
		}
		rc.Subject = result.DN(cert.Subject.String())
		rc.Issuer = result.DN(cert.Issuer.String())
		rc.SerialNumber = result.Raw(cert.SerialNumber.Text(16))
		rc.NotBefore, rc.NotAfter = cert.NotBefore.UTC(), cert.NotAfter.UTC()
		for _, n := range cert.DNSNames {
			rc.DNSNames = append(rc.DNSNames, result.Host(n))
		}
		for _, ip := range cert.IPAddresses {
			rc.IPAddresses = append(rc.IPAddresses, result.IP(ip.String()))
		}
		rc.KeyType, rc.KeyBits = KeyInfo(cert)
		rc.SignatureAlgorithm = cert.SignatureAlgorithm.String()
		rc.SelfSigned = SelfSigned(cert)
		rc.IsCA = cert.IsCA
		out[i] = rc
	}
	return out
}

// Judge finds the problems of the server's own (first) certificate and of the signatures in
// its chain: validity at o.At, name against o.Name (or, without one, o.Addr), self-signature,
// key size, SHA-1 and MD5 signatures, and with o.CheckIssuer an issuer the roots do not know.
// certs and errs are as Parse returns them, desc as Describe does.
func Judge(certs []*x509.Certificate, errs []error, desc []result.Certificate, o Options) []Finding {
	var out []Finding
	add := func(code string, m result.Message) { out = append(out, Finding{Code: code, Message: m}) }
	if len(certs) == 0 {
		return nil
	}
	if errs[0] != nil {
		add(CodeUnparsable, result.Msg("cert.unparsable", result.Capture("error", errs[0].Error())))
	}
	leaf := certs[0]
	if leaf == nil {
		return out
	}
	name := certName("cert", leaf.Subject, "cert.empty-subject")
	switch {
	case o.At.After(leaf.NotAfter):
		date, span := result.Text("date", leaf.NotAfter.UTC().Format("2006-01-02")), result.Sub("span", Span(leaf.NotAfter, o.At))
		if o.Seen == ByProbe {
			add(CodeExpired, result.Msg("cert.expired-now", name, date, span))
		} else {
			add(CodeExpired, result.Msg("cert.expired", name, date, span))
		}
	case o.At.Before(leaf.NotBefore):
		date, span := result.Text("date", leaf.NotBefore.UTC().Format("2006-01-02")), result.Sub("span", Span(o.At, leaf.NotBefore))
		if o.Seen == ByProbe {
			add(CodeNotYetValid, result.Msg("cert.not-yet-valid-now", name, date, span))
		} else {
			add(CodeNotYetValid, result.Msg("cert.not-yet-valid", name, date, span))
		}
	}
	if o.Name != "" {
		if err := leaf.VerifyHostname(o.Name); err != nil {
			// The name as Go quotes it, without the quotes: the template adds them.
			q := strconv.Quote(o.Name)
			wanted := result.HostName("name", q[1:len(q)-1])
			if o.Seen == ByProbe {
				add(CodeNameMismatch, result.Msg("cert.name-mismatch-probed", name, Names(leaf), wanted))
			} else {
				add(CodeNameMismatch, result.Msg("cert.name-mismatch-sni", name, Names(leaf), wanted))
			}
		}
	} else if o.Addr.IsValid() {
		if err := leaf.VerifyHostname(o.Addr.Unmap().String()); err != nil {
			addr := result.Addr("addr", o.Addr.Unmap().String())
			if o.Seen == ByProbe {
				add(CodeNameMismatch, result.Msg("cert.name-mismatch-probed-addr", name, Names(leaf), addr))
			} else {
				add(CodeNameMismatch, result.Msg("cert.name-mismatch-addr", name, Names(leaf), addr))
			}
		}
	}
	if len(desc) > 0 && desc[0].SelfSigned {
		add(CodeSelfSigned, result.Msg("cert.self-signed", name))
	} else if o.CheckIssuer {
		if f, ok := judgeIssuer(certs, o); ok {
			out = append(out, f)
		}
	}
	if kt, bits := KeyInfo(leaf); kt == "RSA" && bits < MinRSABits || kt == "DSA" {
		add(CodeWeakKey, result.Msg("cert.weak-key", name, result.Int("bits", bits), result.Text("key_type", kt), result.Int("min_bits", MinRSABits)))
	}
	for i, cert := range certs {
		if cert == nil || i < len(desc) && desc[i].SelfSigned && i > 0 {
			continue // a root's own signature is not checked by anyone
		}
		if weakSignature(cert.SignatureAlgorithm) {
			alg := result.Text("algorithm", cert.SignatureAlgorithm.String())
			if i == 0 {
				add(CodeWeakSignature, result.Msg("cert.weak-signature", name, alg))
			} else {
				add(CodeWeakSignature, result.Msg("cert.weak-signature-intermediate", certName("cert", cert.Subject, "cert.empty-subject"), alg))
			}
		}
	}
	return out
}

// judgeIssuer verifies the chain up to o.Roots at a time within the leaf's validity (expiry is
// judged on its own) and reports an issuer the roots do not know.
func judgeIssuer(certs []*x509.Certificate, o Options) (Finding, bool) {
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		if c != nil {
			inter.AddCert(c)
		}
	}
	at := o.At
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter
	} else if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: o.Roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	var unknown x509.UnknownAuthorityError
	if err == nil || !errors.As(err, &unknown) {
		return Finding{}, false
	}
	return Finding{Code: CodeUnknownIssuer, Message: result.Msg("cert.unknown-issuer",
		certName("cert", leaf.Subject, "cert.empty-subject"), certName("issuer", leaf.Issuer, "cert.empty-issuer"))}, true
}

// certName is the parameter arg that names a certificate by a distinguished name n (its subject
// or issuer): "CN=..." for a name with a common name (the CN a name from the capture), else the
// whole name, else the message empty.
func certName(arg string, n pkix.Name, empty string) result.Arg {
	if n.CommonName != "" {
		return result.Sub(arg, result.Msg("cert.cn", result.HostName("cn", n.CommonName)))
	}
	if s := n.String(); s != "" {
		return result.From(arg, result.DN(s))
	}
	return result.Sub(arg, result.Msg(empty))
}

// Names is the list of names a certificate is valid for, as a message parameter "names".
func Names(c *x509.Certificate) result.Arg {
	var names []result.Message
	for _, n := range c.DNSNames {
		names = append(names, result.Msg("cert.dns-name", result.HostName("name", n)))
	}
	for _, ip := range c.IPAddresses {
		names = append(names, result.Msg("cert.ip-address", result.Addr("addr", ip.String())))
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		return result.Sub("names", result.Msg("cert.cn-only", result.HostName("name", c.Subject.CommonName)))
	}
	if len(names) == 0 {
		return result.Sub("names", result.Msg("cert.no-name"))
	}
	return result.List("names", names)
}

// Span says how long from a to b in years, days, hours or minutes (a message).
func Span(a, b time.Time) result.Message {
	d := b.Sub(a)
	switch days := int(d.Hours() / 24); {
	case days >= 730:
		return result.Msg("cert.span-years", result.Int("n", days/365))
	case days >= 365:
		return result.Msg("cert.span-years", result.Int("n", 1))
	case days >= 2:
		return result.Msg("cert.span-days", result.Int("n", days))
	case d >= 2*time.Hour:
		return result.Msg("cert.span-hours", result.Int("n", int(d.Hours())))
	}
	return result.Msg("cert.span-minutes", result.Int("n", int(d.Minutes())))
}

// KeyInfo names a certificate's key type ("RSA", "ECDSA", "Ed25519", "DSA", "unknown") and size.
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

// SelfSigned reports whether c's issuer is its subject and its signature verifies with its own
// key (SHA-1 signatures too, which crypto/x509 refuses to check).
func SelfSigned(c *x509.Certificate) bool {
	if c.Issuer.String() != c.Subject.String() {
		return false
	}
	if c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
		return true
	}
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
