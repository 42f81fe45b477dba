package analyze

import (
	"slices"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// maxCachedFingerprints bounds fingerprintCache; past it, fingerprints are computed per flow.
const maxCachedFingerprints = 4096

// fingerprintCache computes the JA3 and JA4 of each distinct ClientHello once. The fingerprints
// are functions of a few fields only (versions, cipher suites, extensions, groups, point formats,
// signature algorithms, the first ALPN value), and a fleet of agents sends a handful of distinct
// ClientHellos, so a capture of a hundred thousand handshakes hashes a handful of times.
type fingerprintCache struct {
	m       map[string]*fingerprints
	servers map[string]*result.ServerHello // the result form of each distinct ServerHello, without its frame
	key     []byte                         // scratch
}

// fingerprints are what is computed once per distinct ClientHello: its JA3 and JA4, hashed and
// raw, and the names its result lists. Flows share them read-only.
type fingerprints struct {
	ja3, ja3String, ja4, ja4R string

	// hello holds the ClientHello's result fields that the cache key decides (versions, cipher
	// suites, groups, extensions, signature algorithms, fingerprints); its slices are shared by
	// every flow with that ClientHello, so that nobody may change them. The fields that differ
	// between flows (frames, segments, record version, SNI, ALPN) are left zero.
	hello        result.ClientHello
	highest      tls.Version // ch.HighestVersion()
	offeredText  string      // versionList(ch.OfferedVersions())
	offeredComma string      // the offered versions' names joined with ",", for the fleet view
}

// newFingerprints computes ch's fingerprints and result names.
func newFingerprints(ch *tls.ClientHello) *fingerprints {
	offered := ch.OfferedVersions()
	fp := &fingerprints{ja3: ch.JA3(), ja3String: ch.JA3String(), ja4: ch.JA4(), ja4R: ch.JA4R(),
		offeredText: versionList(offered)}
	if len(offered) > 0 {
		fp.highest = offered[len(offered)-1]
	}
	fp.hello = result.ClientHello{
		LegacyVersion: ch.LegacyVersion.String(), SSLv2Format: ch.SSLv2,
		OfferedVersions: names(offered), OfferedFromLegacy: !ch.VersionsFromExtension(),
		Highest:      fp.highest.String(),
		CipherSuites: names(ch.CipherSuites), SupportedGroups: names(ch.SupportedGroups), Extensions: names(ch.Extensions),
		SignatureAlgorithms: names(ch.SignatureSchemes()),
		JA3:                 fp.ja3, JA3String: fp.ja3String, JA4: fp.ja4, JA4R: fp.ja4R,
	}
	if ch.SupportedVersions != nil {
		sv := []string{}
		for _, v := range ch.SupportedVersions {
			if !v.IsGREASE() {
				sv = append(sv, v.String())
			}
		}
		// Clipped, as names' slices are: an append by a reader copies rather than writes into
		// the shared array.
		fp.hello.SupportedVersions = slices.Clip(sv)
	}
	for i, v := range fp.hello.OfferedVersions {
		if i > 0 {
			fp.offeredComma += ","
		}
		fp.offeredComma += v
	}
	return fp
}

// get returns ch's fingerprints.
func (c *fingerprintCache) get(ch *tls.ClientHello) *fingerprints {
	k := c.key[:0]
	u16 := func(v uint16) { k = append(k, byte(v>>8), byte(v)) }
	switch {
	case ch.SSLv2 && ch.SSLv2Ciphers > 0: // SSL 2.0 cipher specs add SSL 2.0 to the offered versions
		k = append(k, 2)
	case ch.SSLv2:
		k = append(k, 1)
	default:
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
	fp := newFingerprints(ch)
	if c.m == nil {
		c.m = make(map[string]*fingerprints)
	}
	if len(c.m) < maxCachedFingerprints {
		c.m[string(k)] = fp
	}
	return fp
}

// serverHello returns the result form of sh, seen in frame: its names and JA3S are computed once
// per distinct ServerHello (a server answers its clients alike) and copied into a new value.
func (c *fingerprintCache) serverHello(sh *tls.ServerHello, frame int) *result.ServerHello {
	k := c.key[:0]
	u16 := func(v uint16) { k = append(k, byte(v>>8), byte(v)) }
	if sh.SSLv2 {
		k = append(k, 1)
	} else {
		k = append(k, 0)
	}
	u16(uint16(sh.LegacyVersion))
	u16(uint16(sh.CipherSuite))
	u16(uint16(sh.SupportedVersion))
	u16(uint16(sh.KeyShareGroup))
	k = append(k, byte(sh.SSLv2CipherSpecs>>24), byte(sh.SSLv2CipherSpecs>>16), byte(sh.SSLv2CipherSpecs>>8), byte(sh.SSLv2CipherSpecs))
	u16(uint16(len(sh.Extensions)))
	for _, v := range sh.Extensions {
		u16(uint16(v))
	}
	k = append(k, sh.ALPN...)
	c.key = k
	r, ok := c.servers[string(k)]
	if !ok {
		r = newServerHello(sh)
		if c.servers == nil {
			c.servers = make(map[string]*result.ServerHello)
		}
		if len(c.servers) < maxCachedFingerprints {
			c.servers[string(k)] = r
		}
	}
	out := *r
	out.Frame = frame
	return &out
}

// newServerHello is the result form of sh, without its frame.
func newServerHello(sh *tls.ServerHello) *result.ServerHello {
	r := &result.ServerHello{LegacyVersion: sh.LegacyVersion.String(), ChosenVersion: sh.ChosenVersion().String(),
		CipherSuite: chosenCipher(sh), ALPN: sh.ALPN, JA3S: sh.JA3S(), JA3SString: sh.JA3SString()}
	if sh.KeyShareGroup != 0 {
		r.KeyShareGroup = sh.KeyShareGroup.String()
	}
	return r
}
