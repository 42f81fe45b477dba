package hello

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/tls"
	"golang.org/x/crypto/cryptobyte"
)

func random32() []byte { return bytes.Repeat([]byte{0x5a}, 32) }

// writeCases are specs of the kinds the probe sends: SSL 3.0 without extensions, TLS 1.0-1.2
// with the usual extensions, TLS 1.3 with supported_versions and a key share.
var writeCases = []struct {
	name string
	spec ClientHelloSpec
}{
	{"ssl3", ClientHelloSpec{LegacyVersion: tls.VersionSSL30, Random: random32(),
		CipherSuites: []tls.CipherSuite{0x000a, 0x0005, 0x0004, 0x00ff}, NoExtensions: true}},
	{"tls10", ClientHelloSpec{LegacyVersion: tls.VersionTLS10, Random: random32(), ServerName: "apexone.connscope.test",
		CipherSuites:    []tls.CipherSuite{0xc014, 0xc013, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a},
		SupportedGroups: []tls.Group{tls.GroupSecp256r1, tls.GroupSecp384r1}, ECPointFormats: []uint8{0},
		Raw: []RawExtension{{tls.ExtensionRenegotiationInfo, []byte{0}}}, Pad: true}},
	{"tls12", ClientHelloSpec{LegacyVersion: tls.VersionTLS12, Random: random32(), SessionID: bytes.Repeat([]byte{1}, 32),
		CipherSuites: []tls.CipherSuite{0xc02f, 0xc030, 0x009c, 0x002f}, SupportedGroups: []tls.Group{tls.GroupX25519},
		SignatureAlgorithms: []uint16{0x0401, 0x0804}, ALPN: []string{"http/1.1"},
		Raw: []RawExtension{{tls.ExtensionExtendedMasterSecret, nil}, {tls.ExtensionSessionTicket, nil}}, Pad: true}},
	{"tls13", ClientHelloSpec{LegacyVersion: tls.VersionTLS12, Random: random32(), SessionID: bytes.Repeat([]byte{2}, 32),
		CipherSuites: []tls.CipherSuite{0x1301, 0x1302, 0x1303}, ServerName: "x.test",
		SupportedGroups: []tls.Group{tls.GroupX25519, tls.GroupSecp256r1}, SignatureAlgorithms: []uint16{0x0804, 0x0403},
		SupportedVersions: []tls.Version{tls.VersionTLS13}, PSKModes: []uint8{1},
		KeyShares: []KeyShare{{tls.GroupX25519, bytes.Repeat([]byte{9}, 32)}}, Pad: true}},
}

// TestClientHelloSpecRoundTrip: what Marshal writes, Unmarshal reads back with the same fields,
// and a Stream fed the record finds that ClientHello.
func TestClientHelloSpecRoundTrip(t *testing.T) {
	for _, tc := range writeCases {
		msg, err := tc.spec.Marshal()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var m tls.ClientHello
		if !m.Unmarshal(msg) {
			t.Fatalf("%s: Unmarshal failed on %x", tc.name, msg)
		}
		checkSameFields(t, tc.name, &tc.spec, &m)
		rec, err := tc.spec.Record(tls.VersionTLS10)
		if err != nil {
			t.Fatal(err)
		}
		evs := tls.NewStream(0).Feed(rec)
		if len(evs) != 1 || evs[0].ClientHello == nil || evs[0].RecordVersion != tls.VersionTLS10 {
			t.Fatalf("%s: stream events %v", tc.name, kinds(evs))
		}
		checkSameFields(t, tc.name+" (stream)", &tc.spec, evs[0].ClientHello)
	}
}

func checkSameFields(t *testing.T, name string, s *ClientHelloSpec, m *tls.ClientHello) {
	t.Helper()
	groups := func(ks []KeyShare) []tls.Group {
		if ks == nil {
			return nil
		}
		out := []tls.Group{}
		for _, k := range ks {
			out = append(out, k.Group)
		}
		return out
	}
	comp := s.CompressionMethods
	if comp == nil {
		comp = []uint8{0}
	}
	type view struct {
		V        tls.Version
		R, SID   []byte
		Suites   []tls.CipherSuite
		Comp     []uint8
		SNI      string
		Groups   []tls.Group
		Points   []uint8
		Sigs     []uint16
		ALPN     []string
		Versions []tls.Version
		Shares   []tls.Group
	}
	norm := func(v view) view {
		if len(v.SID) == 0 {
			v.SID = nil
		}
		if len(v.Points) == 0 {
			v.Points = nil
		}
		if len(v.Shares) == 0 {
			v.Shares = nil
		}
		return v
	}
	want := norm(view{s.LegacyVersion, s.Random, s.SessionID, s.CipherSuites, comp, s.ServerName, s.SupportedGroups,
		s.ECPointFormats, s.SignatureAlgorithms, s.ALPN, s.SupportedVersions, groups(s.KeyShares)})
	got := norm(view{m.LegacyVersion, m.Random, m.SessionID, m.CipherSuites, m.CompressionMethods, m.ServerName, m.SupportedGroups,
		m.ECPointFormats, m.SignatureAlgorithms, m.ALPN, m.SupportedVersions, m.KeyShareGroups})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
	}
	for _, r := range s.Raw {
		if !slices.Contains(m.Extensions, r.Type) {
			t.Errorf("%s: extension %v missing from %v", name, r.Type, m.Extensions)
		}
	}
	if s.NoExtensions && m.Extensions != nil {
		t.Errorf("%s: extensions %v, want none", name, m.Extensions)
	}
}

// extensionBodies lists the extensions of a client_hello message with their bodies.
func extensionBodies(t *testing.T, msg []byte) []RawExtension {
	t.Helper()
	s := cryptobyte.String(msg[4:])
	var sid, suites, comp, exts cryptobyte.String
	if !s.Skip(2+32) || !s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16LengthPrefixed(&suites) ||
		!s.ReadUint8LengthPrefixed(&comp) {
		t.Fatal("malformed hello")
	}
	if s.Empty() {
		return nil
	}
	if !s.ReadUint16LengthPrefixed(&exts) {
		t.Fatal("malformed extensions")
	}
	var out []RawExtension
	for !exts.Empty() {
		var typ uint16
		var body cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&body) {
			t.Fatal("malformed extension")
		}
		out = append(out, RawExtension{tls.ExtensionType(typ), body})
	}
	return out
}

// TestClientHelloSpecSizeRules: for server names of every length from 1 to 400 bytes, a padded
// hello is never 256-511 bytes long, never 10 or 14 modulo 256, and its last extension is never
// empty, even when the spec's last extensions are.
func TestClientHelloSpecSizeRules(t *testing.T) {
	base := writeCases[2].spec // ends in two empty extensions
	sawPadding := 0
	for n := 1; n <= 400; n++ {
		s := base
		s.ServerName = strings.Repeat("a", n)
		msg, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if l := len(msg); l >= 256 && l < 512 || l%256 == 10 || l%256 == 14 {
			t.Errorf("SNI %d bytes: hello of %d bytes", n, l)
		}
		exts := extensionBodies(t, msg)
		if last := exts[len(exts)-1]; len(last.Data) == 0 {
			t.Errorf("SNI %d bytes: last extension %v is empty", n, last.Type)
		}
		if exts[len(exts)-1].Type == tls.ExtensionPadding {
			sawPadding++
		}
		var m tls.ClientHello
		if !m.Unmarshal(msg) || m.ServerName != s.ServerName {
			t.Fatalf("SNI %d bytes: does not parse back", n)
		}
	}
	if sawPadding == 0 {
		t.Error("no hello needed padding: the test does not test it")
	}
	// Unpadded, the same hello is left as it is.
	s := base
	s.Pad, s.ServerName = false, strings.Repeat("a", 200)
	msg, _ := s.Marshal()
	if l := len(msg); l < 256 || l >= 512 {
		t.Fatalf("unpadded hello of %d bytes: pick another SNI length", l)
	}
}

func TestClientHelloSpecErrors(t *testing.T) {
	many := make([]tls.CipherSuite, 129)
	for i := range many {
		many[i] = tls.CipherSuite(i + 1)
	}
	cases := []struct {
		name string
		spec ClientHelloSpec
		want error
	}{
		{"129 suites", ClientHelloSpec{LegacyVersion: tls.VersionTLS12, Random: random32(), CipherSuites: many}, ErrHelloTooManySuites},
		{"no suites", ClientHelloSpec{LegacyVersion: tls.VersionTLS12, Random: random32()}, ErrHelloInvalid},
		{"short random", ClientHelloSpec{LegacyVersion: tls.VersionTLS12, Random: []byte{1}, CipherSuites: many[:1]}, ErrHelloInvalid},
		{"ssl3 with sni", ClientHelloSpec{LegacyVersion: tls.VersionSSL30, Random: random32(), CipherSuites: many[:1], ServerName: "a", NoExtensions: true}, ErrHelloInvalid},
		{"empty key", ClientHelloSpec{LegacyVersion: tls.VersionTLS12, Random: random32(), CipherSuites: many[:1], KeyShares: []KeyShare{{tls.GroupX25519, nil}}}, ErrHelloInvalid},
		{"twice", ClientHelloSpec{LegacyVersion: tls.VersionTLS12, Random: random32(), CipherSuites: many[:1], ServerName: "a", Raw: []RawExtension{{tls.ExtensionServerName, nil}}}, ErrHelloInvalid},
	}
	for _, tc := range cases {
		if _, err := tc.spec.Marshal(); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := (&ClientHelloSpec{LegacyVersion: tls.VersionTLS10, Random: random32()[:16], CipherSuites: many[:1], ServerName: "a"}).MarshalSSLv2(); !errors.Is(err, ErrHelloInvalid) {
		t.Errorf("SSLv2 with SNI: error %v", err)
	}
}

// TestClientHelloSpecSSLv2: the SSLv2-compatible form parses back, as a record on its own and
// through a Stream.
func TestClientHelloSpecSSLv2(t *testing.T) {
	s := ClientHelloSpec{LegacyVersion: tls.VersionTLS10, Random: bytes.Repeat([]byte{7}, 16),
		CipherSuites: []tls.CipherSuite{0x0039, 0x0038, 0x0035, 0x0016, 0x0013, 0x000a, 0x00ff}}
	rec, err := s.MarshalSSLv2()
	if err != nil {
		t.Fatal(err)
	}
	var m tls.ClientHello
	if !m.UnmarshalSSLv2(rec) {
		t.Fatalf("UnmarshalSSLv2 failed on %x", rec)
	}
	if !m.SSLv2 || m.LegacyVersion != tls.VersionTLS10 || !slices.Equal(m.CipherSuites, s.CipherSuites) ||
		!bytes.Equal(m.Random, s.Random) || m.SSLv2Ciphers != 0 {
		t.Errorf("got %+v", m)
	}
	evs := tls.NewStream(0).Feed(rec)
	if len(evs) != 1 || evs[0].ClientHello == nil || !evs[0].ClientHello.SSLv2 {
		t.Errorf("stream events %v", kinds(evs))
	}
}

// FuzzClientHelloSpec: any ClientHello that parses, written again from its fields, parses back
// to the same fields; no spec makes Marshal panic.
func FuzzClientHelloSpec(f *testing.F) {
	for _, tc := range writeCases {
		msg, err := tc.spec.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
	}
	for _, m := range captureHellos(f) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m tls.ClientHello
		if !m.Unmarshal(data) {
			return
		}
		s := SpecOf(&m)
		msg, err := s.Marshal()
		if err != nil {
			if len(m.CipherSuites) == 0 || len(m.CipherSuites) > MaxHelloCipherSuites || len(m.SessionID) > 32 {
				return
			}
			t.Fatalf("Marshal of a parsed hello: %v", err)
		}
		var back tls.ClientHello
		if !back.Unmarshal(msg) {
			t.Fatalf("written hello %x does not parse", msg)
		}
		checkSameFields(t, "fuzz", &s, &back)
	})
}

// kinds names the kinds of events, for failure messages.
func kinds(evs []tls.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Kind.String()
	}
	return out
}

// captureHellos returns the client_hello messages that begin the client's TLS records in the
// tls package's test captures (../testdata/*.txt: "C hex" lines, one per segment), as seeds.
func captureHellos(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no capture in ../testdata (%v)", err)
	}
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var stream []byte
		for _, line := range strings.Split(string(b), "\n") {
			if h, ok := strings.CutPrefix(line, "C "); ok {
				seg, err := hex.DecodeString(h)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				stream = append(stream, seg...)
			}
		}
		if len(stream) > 2 && stream[0]&0x80 != 0 { // an SSLv2-format first record
			stream = stream[min(len(stream), 2+(int(stream[0]&0x7f)<<8|int(stream[1]))):]
		}
		for len(stream) >= 5 {
			n := int(stream[3])<<8 | int(stream[4])
			if len(stream) < 5+n {
				break
			}
			p := stream[5 : 5+n]
			if stream[0] == 22 && len(p) >= 4 && tls.HandshakeType(p[0]) == tls.HandshakeClientHello {
				if m := 4 + (int(p[1])<<16 | int(p[2])<<8 | int(p[3])); m <= len(p) {
					out = append(out, p[:m])
				}
			}
			stream = stream[5+n:]
		}
	}
	return out
}
