package probe

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/tls/hello"
	"golang.org/x/crypto/cryptobyte"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in      string
		port    int
		want    string // name|addr:port
		wantErr string
		problem TargetProblem // of the *TargetError
		badPort string
	}{
		{"apexone.example.com", 4343, "apexone.example.com|:4343", "", "", ""},
		{"ApexOne.Example.com.:8443", 4343, "apexone.example.com|:8443", "", "", ""},
		{"10.0.0.2:4343", 0, "|10.0.0.2:4343", "", "", ""},
		{"[fd00::2]:4343", 0, "|fd00::2:4343", "", "", ""},
		{"fd00::2", 4343, "|fd00::2:4343", "", "", ""},
		{"10.0.0.2", 0, "", `"10.0.0.2": give the port (HOST:PORT), or a --profile that has one`, TargetNoPort, ""},
		{"10.0.0.2:99999", 0, "", `"10.0.0.2:99999": the port "99999" is not a number from 1 to 65535`, TargetBadPort, "99999"},
		{"a b:1", 0, "", `"a b:1" is neither an address nor a host name`, TargetNotHost, ""},
		{":4343", 0, "", `":4343": no host`, TargetNoHost, ""},
	}
	for _, tc := range cases {
		tg, err := ParseTarget(tc.in, tc.port, RoleServer)
		if tc.wantErr != "" {
			te, ok := err.(*TargetError)
			if !ok || err.Error() != tc.wantErr || te.Problem != tc.problem || te.Target != tc.in || te.Port != tc.badPort {
				t.Errorf("%q: error %#v (%v), want %q: %s, port %q", tc.in, err, err, tc.wantErr, tc.problem, tc.badPort)
			}
			continue
		}
		addr := ""
		if tg.Addr.IsValid() {
			addr = tg.Addr.String()
		}
		if got := tg.Name + "|" + addr + ":" + itoa(tg.Port); err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestParseClientVersions(t *testing.T) {
	got, err := ParseClientVersions([]string{"1.1, 1.0", "TLS 1.2", "ssl3"})
	if err != nil || !slices.Equal(got, []tls.Version{tls.VersionSSL30, tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12}) {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := ParseClientVersions([]string{"1.2,1.4"}); err == nil || err.Error() != `--client-versions: "1.4" is not one of 1.0, 1.1, 1.2, 1.3, ssl3` || *err.(*VersionError) != (VersionError{"1.4"}) {
		t.Errorf("1.4: %v", err)
	}
}

// TestSettle: the vendor article's three cases, as the pure negotiation rule.
func TestSettle(t *testing.T) {
	v := func(s ...tls.Version) []tls.Version { return s }
	cases := []struct {
		server []string
		client []tls.Version
		want   tls.Version
	}{
		{[]string{"TLS 1.2"}, v(tls.VersionTLS12), tls.VersionTLS12},
		{[]string{"TLS 1.1", "TLS 1.2"}, v(tls.VersionTLS10, tls.VersionTLS11), tls.VersionTLS11},
		{[]string{"TLS 1.2"}, v(tls.VersionTLS10), 0},
		{[]string{"TLS 1.2", "TLS 1.3"}, v(tls.VersionTLS12, tls.VersionTLS13), tls.VersionTLS13},
		{[]string{"TLS 1.2"}, nil, 0},
	}
	for _, tc := range cases {
		got, ok := settle(tc.server, tc.client)
		if got != tc.want || ok != (tc.want != 0) {
			t.Errorf("server %v, client %v: %v %v, want %v", tc.server, tc.client, got, ok, tc.want)
		}
	}
}

// TestHelloFor: each version's hello offers that version only, parses back, keeps to the
// size rules, and for TLS 1.3 carries supported_versions and a key share.
func TestHelloFor(t *testing.T) {
	for _, v := range Versions {
		for _, suites := range [][]tls.CipherSuite{typicalSuites(v), broadSuites(v)} {
			s, err := helloFor(v, suites, "apexone.example.com")
			if err != nil {
				t.Fatal(err)
			}
			msg, err := s.Marshal()
			if err != nil {
				t.Fatalf("%v: %v", v, err)
			}
			var ch tls.ClientHello
			if !ch.Unmarshal(msg) {
				t.Fatalf("%v: does not parse", v)
			}
			if l := len(msg); l >= 256 && l < 512 || l%256 == 10 || l%256 == 14 {
				t.Errorf("%v: %d bytes", v, l)
			}
			if got := ch.OfferedVersions(); v != tls.VersionTLS11 && v != tls.VersionTLS12 && !slices.Equal(got, []tls.Version{v}) {
				t.Errorf("%v: offers %v", v, got)
			}
			if ch.HighestVersion() != v || len(ch.CipherSuites) > hello.MaxHelloCipherSuites {
				t.Errorf("%v: highest %v, %d suites", v, ch.HighestVersion(), len(ch.CipherSuites))
			}
			switch v {
			case tls.VersionSSL30:
				if ch.Extensions != nil || ch.ServerName != "" {
					t.Errorf("SSL 3.0 hello with extensions %v", ch.Extensions)
				}
			case tls.VersionTLS13:
				if !slices.Equal(ch.SupportedVersions, []tls.Version{tls.VersionTLS13}) || !slices.Equal(ch.KeyShareGroups, []tls.Group{tls.GroupX25519}) ||
					len(ch.SessionID) != 32 || ch.LegacyVersion != tls.VersionTLS12 {
					t.Errorf("TLS 1.3 hello: %+v", ch)
				}
			default:
				if ch.SupportedVersions != nil || ch.ServerName != "apexone.example.com" {
					t.Errorf("%v hello: supported_versions %v, SNI %q", v, ch.SupportedVersions, ch.ServerName)
				}
			}
		}
	}
}

// serverHello builds a ServerHello record choosing vers and suite (tests only).
func serverHello(t *testing.T, vers tls.Version, suite tls.CipherSuite) []byte {
	var b cryptobyte.Builder
	b.AddUint8(2)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(uint16(vers))
		b.AddBytes(make([]byte, 32))
		b.AddUint8(0)
		b.AddUint16(uint16(suite))
		b.AddUint8(0)
	})
	rec, err := hello.WrapRecord(tls.ContentHandshake, vers, b.BytesOrPanic())
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestExchange: each way a server can answer a ClientHello, from a loopback server, is named as
// analyze names it.
func TestExchange(t *testing.T) {
	cases := []struct {
		name   string
		answer func(c *net.TCPConn)
		want   string
		detail string
	}{
		{"accepted", func(c *net.TCPConn) { c.Write(serverHello(t, tls.VersionTLS12, 0xc02f)) }, result.ProbeAccepted, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{"lower version", func(c *net.TCPConn) { c.Write(serverHello(t, tls.VersionTLS11, 0xc013)) }, result.ProbeOtherVersion, ""},
		{"protocol_version", func(c *net.TCPConn) { c.Write([]byte{21, 3, 3, 0, 2, 2, 70}) }, string(result.VerdictTLSVersionMismatch), "protocol_version"},
		{"handshake_failure", func(c *net.TCPConn) { c.Write([]byte{21, 3, 1, 0, 2, 2, 40}) }, string(result.VerdictTLSHandshakeFailure), "handshake_failure"},
		{"internal_error", func(c *net.TCPConn) { c.Write([]byte{21, 3, 1, 0, 2, 2, 80}) }, string(result.VerdictTLSAlert), "internal_error"},
		{"close_notify", func(c *net.TCPConn) { c.Write([]byte{21, 3, 1, 0, 2, 1, 0}) }, string(result.VerdictServerClosedAfterClientHello), ""},
		{"reset", func(c *net.TCPConn) { c.SetLinger(0) }, string(result.VerdictServerResetAfterClientHello), ""},
		{"close", func(c *net.TCPConn) {}, string(result.VerdictServerClosedAfterClientHello), ""},
		{"silence", func(c *net.TCPConn) { time.Sleep(400 * time.Millisecond) }, string(result.VerdictNoServerHello), ""},
		{"plain HTTP", func(c *net.TCPConn) { c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n")) }, string(result.VerdictNotTLS), ""},
	}
	for _, tc := range cases {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			c.Read(buf) // the ClientHello
			tc.answer(c.(*net.TCPConn))
			c.Close()
		}()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, _ := helloFor(tls.VersionTLS12, typicalSuites(tls.VersionTLS12), "")
		msg, _ := s.Marshal()
		rec, _ := hello.WrapRecord(tls.ContentHandshake, tls.VersionTLS10, msg)
		a := exchange(conn, rec, tls.VersionTLS12, 200*time.Millisecond, false)
		conn.Close()
		ln.Close()
		detail := a.alert.Description.String()
		if a.sh != nil {
			detail = a.sh.CipherSuite.String()
		}
		if a.alert.Description == 0 && a.sh == nil || a.outcome == result.ProbeOtherVersion {
			detail = ""
		}
		if a.outcome != tc.want || detail != tc.detail {
			t.Errorf("%s: %s %q (%v), want %s %q", tc.name, a.outcome, detail, a.err, tc.want, tc.detail)
		}
	}
}

// TestBelowAccepted: a refusal without protocol_version below an accepted version is a version
// mismatch; above it, or with nothing accepted, it stays as it was.
func TestBelowAccepted(t *testing.T) {
	ep := result.ProbeEndpoint{Accepted: []string{"TLS 1.3"}, Versions: []result.ProbeVersion{
		{Version: "TLS 1.2", Outcome: string(result.VerdictTLSHandshakeFailure)},
		{Version: "TLS 1.1", Outcome: string(result.VerdictServerResetAfterClientHello)},
		{Version: "TLS 1.3", Outcome: result.ProbeAccepted},
	}}
	belowAccepted(&ep)
	var got []string
	for _, v := range ep.Versions {
		got = append(got, v.Outcome)
	}
	if want := "tls-version-mismatch tls-version-mismatch accepted"; strings.Join(got, " ") != want {
		t.Errorf("got %v", got)
	}
}

// TestSChannelDefaults: what each Windows version's SChannel client enables with no registry keys.
func TestSChannelDefaults(t *testing.T) {
	cases := []struct {
		name            string
		maj, min, build uint32
		want            string
	}{
		{"Windows 7 / 2008 R2", 6, 1, 7601, "SSL 3.0, TLS 1.0"},
		{"Windows 8.1 / 2012 R2", 6, 3, 9600, "SSL 3.0, TLS 1.0, TLS 1.1, TLS 1.2"},
		{"Windows 10 1607 / 2016", 10, 0, 14393, "TLS 1.0, TLS 1.1, TLS 1.2"},
		{"Windows Server 2022", 10, 0, 20348, "TLS 1.0, TLS 1.1, TLS 1.2, TLS 1.3"},
	}
	for _, tc := range cases {
		var on []string
		for _, v := range Versions {
			if defaultOn(v, tc.maj, tc.min, tc.build) {
				on = append(on, v.String())
			}
		}
		if got := strings.Join(on, ", "); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
