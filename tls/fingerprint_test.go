package tls

import "testing"

func TestSignatureSchemeNames(t *testing.T) {
	for s, want := range map[SignatureScheme]string{0x0804: "rsa_pss_rsae_sha256", 0x0403: "ecdsa_secp256r1_sha256",
		0x0202: "sha1+dsa", 0x0303: "sha224+ecdsa", 0x1a1a: "GREASE (0x1a1a)", 0xfe00: "0xfe00"} {
		if got := s.String(); got != want {
			t.Errorf("%#04x: %q, want %q", uint16(s), got, want)
		}
	}
}
