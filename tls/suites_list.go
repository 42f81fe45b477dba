package tls

import "slices"

// RegisteredCipherSuites returns every suite of the IANA "TLS Cipher Suites" registry that
// String names, in numeric order: the list a full cipher scan offers.
func RegisteredCipherSuites() []CipherSuite {
	out := make([]CipherSuite, 0, len(cipherSuiteNames))
	for c := range cipherSuiteNames {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
