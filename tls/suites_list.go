package tls

import (
	"slices"

	"github.com/connscope/connscope/tls/iana"
)

// RegisteredCipherSuites returns every suite of the IANA "TLS Cipher Suites" registry that
// String names, in numeric order: the list a full cipher scan offers.
func RegisteredCipherSuites() []CipherSuite {
	out := make([]CipherSuite, 0, len(iana.CipherSuites))
	for c := range iana.CipherSuites {
		out = append(out, CipherSuite(c))
	}
	slices.Sort(out)
	return out
}
