package analyze

import "github.com/connscope/connscope/tls"

// maxCachedFingerprints bounds fingerprintCache; past it, fingerprints are computed per flow.
const maxCachedFingerprints = 4096

// fingerprintCache computes the JA3 and JA4 of each distinct ClientHello once. The fingerprints
// are functions of a few fields only (versions, cipher suites, extensions, groups, point formats,
// signature algorithms, the first ALPN value), and a fleet of agents sends a handful of distinct
// ClientHellos, so a capture of a hundred thousand handshakes hashes a handful of times.
type fingerprintCache struct {
	m   map[string]*fingerprints
	key []byte // scratch
}

// fingerprints are one ClientHello's JA3 and JA4, hashed and raw.
type fingerprints struct {
	ja3, ja3String, ja4, ja4R string
}

// get returns ch's fingerprints.
func (c *fingerprintCache) get(ch *tls.ClientHello) *fingerprints {
	k := c.key[:0]
	u16 := func(v uint16) { k = append(k, byte(v>>8), byte(v)) }
	if ch.SSLv2 {
		k = append(k, 1)
	} else {
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
	if fp, ok := c.m[string(k)]; ok {
		return fp
	}
	fp := &fingerprints{ja3: ch.JA3(), ja3String: ch.JA3String(), ja4: ch.JA4(), ja4R: ch.JA4R()}
	if c.m == nil {
		c.m = make(map[string]*fingerprints)
	}
	if len(c.m) < maxCachedFingerprints {
		c.m[string(k)] = fp
	}
	return fp
}
