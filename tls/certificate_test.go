package tls

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// serverCertificates feeds the server direction of a testdata capture to a Stream and returns
// the Certificate events it emits (the stream limit is raised so that a certificate message
// bigger than MaxHandshakeMessage goes by whole).
func serverCertificates(t testing.TB, name string) []Event {
	t.Helper()
	evs, _ := feedAll(1<<20, loadCapture(t, name).server)
	var out []Event
	for _, ev := range evs {
		if ev.Kind == EventHandshake && ev.HandshakeType == HandshakeCertificate && !ev.Encrypted {
			out = append(out, ev)
		}
	}
	return out
}

// TestCertificateFromStream checks that the Stream parses the server's plaintext Certificate
// of real TLS 1.2 handshakes into DER certificates that crypto/x509 reads, with the subjects the
// captures hold, and that a certificate message too big to buffer is reported without a chain.
func TestCertificateFromStream(t *testing.T) {
	cases := []struct {
		name     string
		chainLen int
		subject  string // of the first certificate
	}{
		{"lo_tls12", 1, "CN=connscope.test"},
		{"lo_tls12_certchain", 4, ""},
		{"tls12", 0, ""},
	}
	for _, tc := range cases {
		evs := serverCertificates(t, tc.name)
		if len(evs) != 1 || evs[0].Certificate == nil {
			t.Errorf("%s: %d certificate events, want 1 parsed: %v", tc.name, len(evs), describeAll(evs))
			continue
		}
		c := evs[0].Certificate
		if tc.chainLen > 0 && len(c.Chain) != tc.chainLen {
			t.Errorf("%s: chain of %d, want %d", tc.name, len(c.Chain), tc.chainLen)
		}
		if len(c.Chain) == 0 || c.TLS13 || c.Dropped != 0 {
			t.Errorf("%s: %+v", tc.name, c)
			continue
		}
		for i, der := range c.Chain {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Errorf("%s: certificate %d: %v", tc.name, i, err)
				continue
			}
			if i == 0 && tc.subject != "" && cert.Subject.CommonName != tc.subject[3:] {
				t.Errorf("%s: subject %s, want %s", tc.name, cert.Subject, tc.subject)
			}
		}
	}
	// lo_tls12_bigcert's Certificate is larger than MaxHandshakeMessage: counted, not parsed.
	if evs := serverCertificates(t, "lo_tls12_bigcert"); len(evs) != 1 || evs[0].Certificate != nil || evs[0].Length <= MaxHandshakeMessage {
		t.Errorf("lo_tls12_bigcert: %v", describeAll(evs))
	}
}

// certificateMessage builds a certificate handshake message around the DER certificates, in the
// TLS 1.2 or the TLS 1.3 syntax (empty request context, an empty extension block per entry).
func certificateMessage(tls13 bool, ders ...[]byte) []byte {
	var list []byte
	for _, d := range ders {
		list = append(list, byte(len(d)>>16), byte(len(d)>>8), byte(len(d)))
		list = append(list, d...)
		if tls13 {
			list = append(list, 0, 0)
		}
	}
	var body []byte
	if tls13 {
		body = append(body, 0)
	}
	body = append(body, byte(len(list)>>16), byte(len(list)>>8), byte(len(list)))
	body = append(body, list...)
	return append([]byte{byte(HandshakeCertificate), byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

func pkiDER(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	return blk.Bytes
}

// TestCertificateUnmarshal round-trips both syntaxes, checks that no strict prefix and no
// message with a trailing byte parses, and that the chain is capped.
func TestCertificateUnmarshal(t *testing.T) {
	leaf, ca := pkiDER(t, "server.pem"), pkiDER(t, "ca.pem")
	for _, tls13 := range []bool{false, true} {
		msg := certificateMessage(tls13, leaf, ca)
		var c Certificate
		if !c.Unmarshal(msg, tls13) || len(c.Chain) != 2 || !bytes.Equal(c.Chain[0], leaf) || !bytes.Equal(c.Chain[1], ca) {
			t.Fatalf("tls13=%v: %v %+v", tls13, c.Unmarshal(msg, tls13), c)
		}
		if c.Unmarshal(msg, !tls13) {
			t.Errorf("tls13=%v: parsed with the other syntax", tls13)
		}
		for n := range len(msg) {
			if c.Unmarshal(msg[:n], tls13) {
				t.Fatalf("tls13=%v: a %d-byte prefix parsed", tls13, n)
			}
		}
		if c.Unmarshal(append(bytes.Clone(msg), 0), tls13) {
			t.Errorf("tls13=%v: a trailing byte parsed", tls13)
		}
	}
	var c Certificate
	if !c.Unmarshal(certificateMessage(false), false) || len(c.Chain) != 0 {
		t.Errorf("empty chain: %+v", c)
	}
	many := make([][]byte, MaxCertificateChain+3)
	for i := range many {
		many[i] = []byte{0x30, 0x00}
	}
	if !c.Unmarshal(certificateMessage(false, many...), false) || len(c.Chain) != MaxCertificateChain || c.Dropped != 3 {
		t.Errorf("long chain: %d kept, %d dropped", len(c.Chain), c.Dropped)
	}
}

func FuzzCertificate(f *testing.F) {
	for _, name := range []string{"lo_tls12", "lo_tls12_certchain", "tls12"} {
		for _, ev := range serverCertificates(f, name) {
			if ev.Certificate != nil {
				f.Add(certificateMessage(false, ev.Certificate.Chain...), false)
				f.Add(certificateMessage(true, ev.Certificate.Chain...), true)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, tls13 bool) {
		var c Certificate
		if !c.Unmarshal(data, tls13) {
			return
		}
		if c.Unmarshal(data[:len(data)-1], tls13) {
			t.Fatal("a prefix parsed")
		}
		c.Unmarshal(data, tls13)
		if len(c.Chain) > MaxCertificateChain {
			t.Fatalf("chain of %d", len(c.Chain))
		}
	})
}
