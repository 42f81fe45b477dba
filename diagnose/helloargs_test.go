package diagnose

import (
	"reflect"
	"testing"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// TestHelloArgsShared: the evidence parameters of a ClientHello and of a ServerHello, made once
// per hello (and, for a ClientHello, per name asked for) in an analysis and handed to every
// connection that sent or got it, are those made anew; a second name gets its own.
func TestHelloArgsShared(t *testing.T) {
	cfg := &Config{}
	legacy := &facts.Hello{CH: &tls.ClientHello{LegacyVersion: tls.VersionTLS11}, Offered: []tls.Version{tls.VersionTLS10, tls.VersionTLS11}, Highest: tls.VersionTLS11}
	modern := &facts.Hello{CH: &tls.ClientHello{LegacyVersion: tls.VersionTLS12, SupportedVersions: []tls.Version{tls.VersionTLS13, tls.VersionTLS12}},
		Offered: []tls.Version{tls.VersionTLS12, tls.VersionTLS13}, Highest: tls.VersionTLS13}
	cases := []struct {
		h    *facts.Hello
		sni  string
		want string
	}{
		{legacy, "apexone.connscope.test", `ClientHello offering TLS 1.0, TLS 1.1 (legacy_version TLS 1.1, no supported_versions extension), SNI "apexone.connscope.test"`},
		{legacy, "", `ClientHello offering TLS 1.0, TLS 1.1 (legacy_version TLS 1.1, no supported_versions extension)`},
		{legacy, "apexone.connscope.test", `ClientHello offering TLS 1.0, TLS 1.1 (legacy_version TLS 1.1, no supported_versions extension), SNI "apexone.connscope.test"`},
		{modern, "other.connscope.test", `ClientHello offering TLS 1.2, TLS 1.3, SNI "other.connscope.test"`},
		{modern, "apexone.connscope.test", `ClientHello offering TLS 1.2, TLS 1.3, SNI "apexone.connscope.test"`},
	}
	for _, tc := range cases {
		got := helloArgs(cfg, tc.h, tc.sni)
		anew := []result.Arg{offeredArg("offered", tc.h), legacyNote(tc.h), sniNote(tc.sni)}
		if !reflect.DeepEqual(got, anew) {
			t.Errorf("%v, SNI %q: shared %+v, made anew %+v", tc.h.Offered, tc.sni, got, anew)
		}
		if s := say(result.Msg("ev.client-hello", got...)); s != tc.want {
			t.Errorf("%v, SNI %q: %q, want %q", tc.h.Offered, tc.sni, s, tc.want)
		}
	}
	sh := &facts.ServerHello{SH: &tls.ServerHello{LegacyVersion: tls.VersionTLS12, CipherSuite: 0xc02f}}
	for range 2 {
		got := serverHelloArgs(cfg, sh)
		if s := say(result.Msg("ev.server-hello", got...)); s != "ServerHello choosing TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" {
			t.Errorf("ServerHello evidence %q", s)
		}
		if s := say(result.Msg("reason.tls-ok", got...)); s != "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" {
			t.Errorf("ok reason %q", s)
		}
	}
}
