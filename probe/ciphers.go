package probe

import (
	"context"
	"slices"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/tls/hello"
)

// knownClient is a client whose default cipher suites the scan is compared with
// (PROBE-NOTES section 2, from Microsoft's "TLS Cipher Suites in Windows ..." pages).
type knownClient struct {
	name     string
	versions []tls.Version     // versions enabled by default
	suites   []tls.CipherSuite // in its order of preference
}

// win7Suites is Windows 7 / 2008 R2 with update 3042058 (the same on 8.1 / 2012 R2).
var win7Suites = []tls.CipherSuite{0xc028, 0xc027, 0xc014, 0xc013, 0x009f, 0x009e, 0x0039, 0x0033, 0x009d, 0x009c,
	0x003d, 0x003c, 0x0035, 0x002f, 0xc02c, 0xc02b, 0xc024, 0xc023, 0xc00a, 0xc009, 0x006a, 0x0040, 0x0038, 0x0032,
	0x000a, 0x0013, 0x0005, 0x0004}

// win10Suites is Windows 10 1607 / Server 2016.
var win10Suites = []tls.CipherSuite{0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024, 0xc023, 0xc028, 0xc027,
	0xc00a, 0xc009, 0xc014, 0xc013, 0x0039, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a, 0x006a,
	0x0040, 0x0038, 0x0032, 0x0013, 0x0005, 0x0004}

// win2019Suites is Windows 10 1809 / Server 2019: no DHE_RSA CBC, DHE_DSS or RC4.
var win2019Suites = without(win10Suites, 0x0039, 0x0033, 0x006a, 0x0040, 0x0038, 0x0032, 0x0013, 0x0005, 0x0004)

var knownClients = []knownClient{
	{"Windows 7 / Server 2008 R2", []tls.Version{tls.VersionSSL30, tls.VersionTLS10}, win7Suites},
	{"Windows 8.1 / Server 2012 R2", []tls.Version{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12}, win7Suites},
	{"Windows 10 1607 / Server 2016", []tls.Version{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12}, win10Suites},
	{"Windows 10 1809 / Server 2019", []tls.Version{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12}, win2019Suites},
	{"Windows Server 2022 / Windows 11", []tls.Version{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13},
		append([]tls.CipherSuite{0x1302, 0x1301}, win2019Suites...)},
}

// usableBelowTLS12 are the suites SChannel uses with TLS 1.0 and 1.1 (no SHA-256/384 or GCM).
var usableBelowTLS12 = []tls.CipherSuite{0xc014, 0xc013, 0x0039, 0x0033, 0x0035, 0x002f, 0xc00a, 0xc009, 0x0038, 0x0032, 0x000a, 0x0013, 0x0005, 0x0004}

// suitesAt returns the suites of c usable at version v.
func (c knownClient) suitesAt(v tls.Version) []tls.CipherSuite {
	var out []tls.CipherSuite
	for _, s := range c.suites {
		is13 := s>>8 == 0x13
		switch {
		case v == tls.VersionTLS13 && is13, v == tls.VersionTLS12 && !is13,
			v.Rank() < tls.VersionTLS12.Rank() && slices.Contains(usableBelowTLS12, s):
			out = append(out, s)
		}
	}
	return out
}

func without(list []tls.CipherSuite, drop ...tls.CipherSuite) []tls.CipherSuite {
	var out []tls.CipherSuite
	for _, s := range list {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

// broadSuites is every registered suite a version can use, at most hello.MaxHelloCipherSuites:
// the second try for a version whose typical suites got handshake_failure.
func broadSuites(v tls.Version) []tls.CipherSuite {
	all := scanSuites(v, CiphersAll)
	return all[:min(len(all), maxSuites(v))]
}

// maxSuites is the most suites one hello of version v offers: 128 (PROBE-NOTES), and 100 for
// SSL 3.0, whose hello has no extensions to pad with: 100 suites keep it under 256 bytes.
func maxSuites(v tls.Version) int {
	if v == tls.VersionSSL30 {
		return 100
	}
	return hello.MaxHelloCipherSuites
}

// scanSuites lists the suites a scan at v offers: the usual clients' (common), or every
// registered one (all), without signalling values.
func scanSuites(v tls.Version, mode string) []tls.CipherSuite {
	var out []tls.CipherSuite
	add := func(s tls.CipherSuite) {
		if !s.IsSignalling() && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if v == tls.VersionTLS13 {
		for _, s := range tls13Suites {
			add(s)
		}
		return out
	}
	if mode == CiphersAll {
		for _, s := range tls.RegisteredCipherSuites() {
			if s>>8 != 0x13 && s != 0 {
				add(s)
			}
		}
		return out
	}
	for _, s := range typicalSuites(v) {
		add(s)
	}
	for _, c := range knownClients {
		for _, s := range c.suitesAt(v) {
			add(s)
		}
	}
	return out
}

// ciphers finds which of the scan's suites the server accepts at the version the agent settles
// on (else the highest accepted): offer the list, note the suite the server chooses, offer the
// rest, until it chooses none; the order found is the server's preference when it keeps one.
func (p *prober) ciphers(ctx context.Context, addr, sni string, ep *result.ProbeEndpoint) *result.ProbeCiphers {
	vname := ep.Settled
	if vname == "" {
		vname = ep.Accepted[len(ep.Accepted)-1]
	}
	v, _ := tls.ParseVersion(vname)
	pc := &result.ProbeCiphers{Version: vname, Mode: p.opts.Ciphers, Accepted: []string{}, Clients: []result.ProbeClientCipher{}}
	remaining := scanSuites(v, p.opts.Ciphers)
	pc.Offered = len(remaining)
	var accepted []tls.CipherSuite
	for len(remaining) > 0 && ctx.Err() == nil {
		// Offer at most 128 at a time; a full scan goes chunk by chunk.
		offer := remaining[:min(len(remaining), maxSuites(v))]
		a, _, tcp := p.hello(ctx, addr, nil, v, offer, sni, false)
		if tcp.err != nil {
			break
		}
		if a.outcome != result.ProbeAccepted || !slices.Contains(offer, a.sh.CipherSuite) {
			if len(offer) == len(remaining) {
				break
			}
			remaining = remaining[len(offer):]
			continue
		}
		accepted = append(accepted, a.sh.CipherSuite)
		remaining = without(remaining, a.sh.CipherSuite)
	}
	for _, s := range accepted {
		pc.Accepted = append(pc.Accepted, s.String())
	}
	for _, c := range knownClients {
		if !slices.Contains(c.versions, v) {
			continue
		}
		cc := result.ProbeClientCipher{Client: c.name}
		mine := c.suitesAt(v)
		for _, s := range accepted {
			if slices.Contains(mine, s) {
				cc.Cipher = s.String()
				break
			}
		}
		pc.Clients = append(pc.Clients, cc)
	}
	return pc
}
