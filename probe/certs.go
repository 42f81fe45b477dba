package probe

import (
	"context"
	gotls "crypto/tls"
	"net"
	"net/netip"

	"github.com/connscope/connscope/certcheck"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// rawCert is a Certificate message read from the answer to a TLS 1.2-or-lower hello.
type rawCert struct {
	version tls.Version
	cert    *tls.Certificate
}

// goClientConfig is a crypto/tls client that offers every version from TLS 1.0 and every suite
// Go implements (RSA key exchange, 3DES and RC4 included), verification off: the chain is
// judged by certcheck, not by the handshake.
func goClientConfig(serverName string) *gotls.Config {
	var suites []uint16
	for _, s := range gotls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range gotls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	return &gotls.Config{InsecureSkipVerify: true, ServerName: serverName, MinVersion: gotls.VersionTLS10,
		CipherSuites: suites} //nolint:gosec // a probe looks at the certificate itself
}

// certificate gets the chain the server presents: by a crypto/tls handshake when the server
// accepts TLS 1.3 (whose Certificate is encrypted) or no plaintext one was read, else from the
// Certificate message of a TLS 1.2-or-lower answer; and judges it as analyze does, against the
// name probed (or the address) and the system's roots.
func (p *prober) certificate(ctx context.Context, addr, name string, a netip.Addr, ep *result.ProbeEndpoint, raw *rawCert) *result.ProbeCertificate {
	var chain [][]byte
	pc := &result.ProbeCertificate{Chain: []result.Certificate{}, Findings: []result.ProbeCertificateFinding{}}
	tls13 := len(ep.Accepted) > 0 && ep.Accepted[len(ep.Accepted)-1] == tls.VersionTLS13.String()
	if tls13 || raw == nil {
		p.connections++
		d := gotls.Dialer{NetDialer: &net.Dialer{Timeout: p.opts.Timeout}, Config: goClientConfig(name)}
		cctx, cancel := context.WithTimeout(ctx, 2*p.opts.Timeout)
		conn, err := d.DialContext(cctx, "tcp", addr)
		cancel()
		if err == nil {
			st := conn.(*gotls.Conn).ConnectionState()
			for _, c := range st.PeerCertificates {
				chain = append(chain, c.Raw)
			}
			pc.Version, pc.Source = tls.Version(st.Version).String(), "handshake"
			conn.Close()
		}
	}
	if chain == nil && raw != nil {
		chain = raw.cert.Chain
		pc.Version, pc.Source = raw.version.String(), "certificate-message"
	}
	if chain == nil {
		return nil
	}
	certs, errs := certcheck.Parse(chain)
	pc.Chain = certcheck.Describe(chain, certs, errs)
	for _, f := range certcheck.Judge(certs, errs, pc.Chain, certcheck.Options{At: p.opts.Now(), Name: name, Addr: a,
		Seen: certcheck.ByProbe, CheckIssuer: true, Roots: p.opts.Roots}) {
		// Text is worded by the report, from Messages, in its language.
		pc.Findings = append(pc.Findings, result.ProbeCertificateFinding{Code: f.Code})
		pc.Messages = append(pc.Messages, f.Message)
	}
	return pc
}
