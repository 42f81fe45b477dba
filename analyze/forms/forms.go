// Package forms makes the result form of what connections share, once each (a fleet sends a
// handful): the names and fingerprints of each distinct ClientHello and ServerHello, the names
// of each list of the server's handshake messages. The engine's flows point to them.
package forms

import (
	"slices"
	"strconv"
	"sync"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/tls/fingerprint"
)

// Cache holds the result form of what connections share: each distinct ClientHello's
// names and fingerprints, each distinct ServerHello's, each list of the server's handshake
// messages. A fleet sends a handful of them. The flows are made on several goroutines at once:
// a form once made is read without a lock.
type Cache struct {
	mu                      sync.Mutex // guards the counts, as forms are added
	nHellos, nServers, nMsg int
	hellos                  sync.Map // *facts.Hello -> *result.ClientHello
	servers                 sync.Map // *facts.ServerHello -> *result.ServerHello
	messages                sync.Map // messagesKey -> []string
}

// maxForms bounds the cached forms of each kind; past it, forms are made per flow.
const maxForms = 4096

// keep adds form f of key k to m, counted in n, unless another goroutine added one first (that
// one is returned) or m is full.
func keep[F any](r *Cache, m *sync.Map, n *int, k any, f F) F {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *n >= maxForms {
		return f
	}
	if old, loaded := m.LoadOrStore(k, f); loaded {
		return old.(F)
	}
	*n++
	return f
}

// Hello is the result form of h's names and fingerprints, shared: copy it to change it.
func (r *Cache) Hello(h *facts.Hello) *result.ClientHello {
	if f, ok := r.hellos.Load(h); ok {
		return f.(*result.ClientHello)
	}
	ch := h.CH
	f := &result.ClientHello{
		LegacyVersion: ch.LegacyVersion.String(), SSLv2Format: ch.SSLv2,
		OfferedVersions: names(h.Offered), OfferedFromLegacy: !ch.VersionsFromExtension(),
		Highest:      h.Highest.String(),
		CipherSuites: names(ch.CipherSuites), SupportedGroups: names(ch.SupportedGroups), Extensions: names(ch.Extensions),
		SignatureAlgorithms: names(ch.SignatureSchemes()),
		JA3:                 h.JA3, JA3String: h.JA3String, JA4: h.JA4, JA4R: h.JA4R,
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
		f.SupportedVersions = slices.Clip(sv)
	}
	return keep(r, &r.hellos, &r.nHellos, h, f)
}

// ServerHello is the result form of sh, shared: copy it to change it (its frame is the flow's).
func (r *Cache) ServerHello(sh *facts.ServerHello) *result.ServerHello {
	if f, ok := r.servers.Load(sh); ok {
		return f.(*result.ServerHello)
	}
	s := sh.SH
	f := &result.ServerHello{LegacyVersion: s.LegacyVersion.String(), ChosenVersion: s.ChosenVersion().String(),
		CipherSuite: chosenCipherName(s), ALPN: result.Raw(s.ALPN), JA3S: fingerprint.JA3S(s), JA3SString: fingerprint.JA3SString(s)}
	if s.KeyShareGroup != 0 {
		f.KeyShareGroup = s.KeyShareGroup.String()
	}
	return keep(r, &r.servers, &r.nServers, sh, f)
}

// messagesKey identifies a list of up to 7 handshake messages: the types, then the count.
type messagesKey uint64

// ServerMessages is the names of the handshake messages ms, a list shared by the flows whose
// server sent the same (clipped: an append copies it).
func (r *Cache) ServerMessages(ms []tls.HandshakeType) []string {
	if len(ms) > 7 {
		return names(ms)
	}
	k := messagesKey(len(ms))
	for i, m := range ms {
		k |= messagesKey(m) << (8 * (i + 1))
	}
	if f, ok := r.messages.Load(k); ok {
		return f.([]string)
	}
	return keep(r, &r.messages, &r.nMsg, k, slices.Clip(names(ms)))
}

// chosenCipherName names the cipher a ServerHello chose (an SSLv2 SERVER-HELLO lists several).
func chosenCipherName(sh *tls.ServerHello) string {
	if sh.SSLv2 {
		return "one of " + strconv.Itoa(sh.SSLv2CipherSpecs) + " SSLv2 cipher specs"
	}
	return sh.CipherSuite.String()
}

func names[T interface{ String() string }](xs []T) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, x.String())
	}
	return out
}
