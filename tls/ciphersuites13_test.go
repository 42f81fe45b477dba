package tls

import "testing"

// TestTLS13Sizes: the hash and AEAD tag lengths of the TLS 1.3 suites (RFC 8446, Appendix B.4;
// RFC 8998), none for others.
func TestTLS13Sizes(t *testing.T) {
	cases := []struct {
		suite     CipherSuite
		hash, tag int
		ok        bool
	}{
		{0x1301, 32, 16, true}, {0x1302, 48, 16, true}, {0x1303, 32, 16, true}, {0x1304, 32, 16, true},
		{0x1305, 32, 8, true}, {0x00c6, 32, 16, true}, {0x00c7, 32, 16, true},
		{0xc030, 0, 0, false}, {0x0a0a, 0, 0, false}, {0, 0, 0, false},
	}
	for _, tc := range cases {
		hash, tag, ok := tc.suite.TLS13Sizes()
		if hash != tc.hash || tag != tc.tag || ok != tc.ok {
			t.Errorf("%v: %d, %d, %v; want %d, %d, %v", tc.suite, hash, tag, ok, tc.hash, tc.tag, tc.ok)
		}
	}
}
