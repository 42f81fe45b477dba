package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/connscope/connscope/result"
)

// tsharkJA3 holds, per ClientHello, the JA3 and JA3S fingerprints that tshark 4.0.17 computes
// (tls.handshake.ja3 and tls.handshake.ja3s; tshark 4.0 has no JA4 field) for every capture in
// testdata/captures and ../shared/captures/zeek, made with
//
//	tshark -r F -Y 'tls.handshake.type==1' -T fields -e ip.src -e ipv6.src -e tcp.srcport -e tls.handshake.ja3
//	tshark -r F -Y 'tls.handshake.type==2' -T fields -e ip.dst -e ipv6.dst -e tcp.dstport -e tls.handshake.ja3s
//
// "" means tshark computes none: the SSLv2-format hello of ssl-v2.pcap, and flows without a
// ServerHello.
var tsharkJA3 = []struct{ file, client, ja3, ja3s string }{
	{"server-notifies-agent.pcap", "10.33.1.1:41112", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"stacks-tls10-13.pcap", "10.33.1.1:37628", "8a9d5d0f12f7d43ee3af1c51d2998d99", "15af977ce25de452b96affa2addb1036"},
	{"stacks-tls10-13.pcap", "10.33.1.1:37632", "51da711b7d569fac858b548296cc5ca0", "9a87f56c3cd1b0b0ffcf6ed5757ab2c0"},
	{"stacks-tls10-13.pcap", "10.33.1.1:59674", "ad8d5073ee6f6ff236274e82b9079dc0", "bd665c27797205a73c67f1be8b8ed90f"},
	{"many-agents.pcap", "10.33.1.1:33190", "ad8d5073ee6f6ff236274e82b9079dc0", "326de7c6719a77bb7ef65f6cac962193"},
	{"many-agents.pcap", "10.33.1.1:33196", "ad8d5073ee6f6ff236274e82b9079dc0", "326de7c6719a77bb7ef65f6cac962193"},
	{"many-agents.pcap", "10.33.1.11:41323", "fbe7e189e37a07ee33706f86bc746344", "326de7c6719a77bb7ef65f6cac962193"},
	{"many-agents.pcap", "10.33.1.12:47651", "725543c78edf669194c11dc7a039b56e", "31664de10b10b9eac390e9757a087b29"},
	{"many-agents.pcap", "10.33.1.14:41711", "fbe7e189e37a07ee33706f86bc746344", "326de7c6719a77bb7ef65f6cac962193"},
	{"many-agents.pcap", "10.33.1.15:35247", "725543c78edf669194c11dc7a039b56e", "31664de10b10b9eac390e9757a087b29"},
	{"many-agents.pcap", "10.33.1.17:39523", "fbe7e189e37a07ee33706f86bc746344", "326de7c6719a77bb7ef65f6cac962193"},
	{"many-agents.pcap", "10.33.1.18:42889", "725543c78edf669194c11dc7a039b56e", "31664de10b10b9eac390e9757a087b29"},
	{"many-agents.pcap", "10.33.1.19:43739", "53652b2730564404986852cde177b6d9", ""},
	{"many-agents.pcap", "10.33.1.20:38807", "af232ab01c5a432d1148b4f805c5df16", ""},
	{"many-agents.pcap", "10.33.1.21:37621", "53652b2730564404986852cde177b6d9", ""},
	{"many-agents.pcap", "10.33.1.22:42349", "af232ab01c5a432d1148b4f805c5df16", ""},
	{"hello-retry-request.pcap", "10.33.1.1:52710", "c5ca23b7dd048415ca6e7b9493f68464", "15af977ce25de452b96affa2addb1036"},
	{"weak-cert.pcap", "10.33.1.1:52720", "871a754af286dfb70c1b53c6887c62e0", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"notyet-cert.pcap", "10.33.1.1:52730", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"cert-no-cn.pcap", "192.150.187.20:42764", "6eca5d94b8020b2a51d96384782083b9", "ae7ebaa87c327353949114a3b85f13cc"},
	{"dhe.pcap", "192.168.18.50:62277", "de84fb3130387884de22865d3d39d347", "baf6ae54beddc6b7cd8b02c8feb62ffe"},
	{"ecdsa-cert.pcap", "192.168.4.149:49422", "99faefb55d94da8c713fd5c89f8dc5a1", "6ce5b396167553eefc3fc5cbc4a16a02"},
	{"expired-cert.pcap", "10.77.1.1:34248", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"google-duplicate.pcap", "192.168.4.149:60623", "bd9c99b3a0f752c3ab8b052a79e9de3e", "ada793d0f02b028a6c840504edccb652"},
	{"google-duplicate.pcap", "192.168.4.149:60624", "bd9c99b3a0f752c3ab8b052a79e9de3e", "ada793d0f02b028a6c840504edccb652"},
	{"heartbleed.pcap", "173.203.79.216:46592", "0fbff214b79f536d55d3d39fb31f4d8d", "a95ca7eab4d47d051a5cd4fb7b6005dc"},
	{"hrr.pcap", "10.192.48.168:63564", "0f14b679807628ec7f9c02cada3ee941", "15af977ce25de452b96affa2addb1036"},
	{"ipv6-tls12-ok.pcap", "[fd00:77:1::1]:38832", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"no-shared-cipher.pcap", "10.77.1.1:34638", "07714a0ff370c8e037b5d2b474e2d42f", ""},
	{"offload-tls12-ok.pcap", "10.77.1.1:51138", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"seed-both-tls12.pcap", "10.77.1.1:58468", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"seed-close-fleet.pcap", "10.77.1.1:37092", "ad8d5073ee6f6ff236274e82b9079dc0", "326de7c6719a77bb7ef65f6cac962193"},
	{"seed-close-fleet.pcap", "10.77.1.3:35943", "fbe7e189e37a07ee33706f86bc746344", "326de7c6719a77bb7ef65f6cac962193"},
	{"seed-close-fleet.pcap", "10.77.1.4:56901", "725543c78edf669194c11dc7a039b56e", "31664de10b10b9eac390e9757a087b29"},
	{"seed-close-fleet.pcap", "10.77.1.5:44115", "53652b2730564404986852cde177b6d9", ""},
	{"seed-close-fleet.pcap", "10.77.1.6:34609", "af232ab01c5a432d1148b4f805c5df16", ""},
	{"seed-close-lone.pcap", "10.77.1.1:34624", "53652b2730564404986852cde177b6d9", ""},
	{"seed-reset-fleet.pcap", "10.77.1.1:58332", "ad8d5073ee6f6ff236274e82b9079dc0", "326de7c6719a77bb7ef65f6cac962193"},
	{"seed-reset-fleet.pcap", "10.77.1.3:36669", "fbe7e189e37a07ee33706f86bc746344", "326de7c6719a77bb7ef65f6cac962193"},
	{"seed-reset-fleet.pcap", "10.77.1.4:51339", "725543c78edf669194c11dc7a039b56e", "31664de10b10b9eac390e9757a087b29"},
	{"seed-reset-fleet.pcap", "10.77.1.5:34685", "53652b2730564404986852cde177b6d9", ""},
	{"seed-reset-fleet.pcap", "10.77.1.6:47245", "af232ab01c5a432d1148b4f805c5df16", ""},
	{"seed-reset-lone.pcap", "10.77.1.1:34622", "53652b2730564404986852cde177b6d9", ""},
	{"seed-tls10-vs-tls12.pcap", "10.77.1.1:37074", "53652b2730564404986852cde177b6d9", ""},
	{"seed-tls11-common.pcap", "10.77.1.1:58482", "f465b14dea9dace32abde596ddc56e04", "35b72bd6c43cf850b77a476c54cee5ab"},
	{"signed_certificate_timestamp_tls1_0.pcap", "192.168.4.195:55726", "c8dfca5c5ed77b9c4f65772c23137537", "57cfe45b26258ad7d6521aa92901b7ab"},
	{"sll2-tls12-ok.pcap", "10.77.1.1:45264", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"smtp-starttls.pcap", "192.168.4.149:54170", "13020a4ccb11b2d3c9c0e6c285c3c415", "ccc514751b175866924439bdbb5bba34"},
	{"split-client-hello-mss.pcap", "10.77.1.1:36356", "725543c78edf669194c11dc7a039b56e", "76c691f46143bf86e2d1bb73c6187767"},
	{"split-client-hello.pcap", "10.77.1.1:36346", "725543c78edf669194c11dc7a039b56e", "f4febc55ea12b31ae17cfb7e614afda8"},
	{"ssl-v2.pcap", "192.168.4.149:59062", "", ""},
	{"tls-1.2-handshake-failure.pcap", "192.168.4.149:53525", "62bd27c43a9a4d7fcbc45d8c9e7e04dd", ""},
	{"tls-conn-with-extensions.pcap", "192.168.1.105:62045", "62351d5ea3cd4f21f697965b10a9bbbe", "e07f21892995126f4b539c02215c8456"},
	{"tls1.2.pcap", "10.0.0.80:56637", "bd9c99b3a0f752c3ab8b052a79e9de3e", "c253ec3ad88e42f8da4032682892f9a0"},
	{"tls12-ok.pcap", "10.77.1.1:58450", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"tls13-ok.pcap", "10.77.1.1:58466", "c1e58b5fa361cf5bfc0635a61bd8573c", "15af977ce25de452b96affa2addb1036"},
	{"tls13_psk_succesfull.pcap", "192.168.178.80:54220", "b564664050e32957639f6833f37e86df", "b4f2541b0a0b815edb08e1c3ffe8aad8"},
	{"tls13_wolfssl.pcap", "192.168.186.133:43056", "39cef737bf0cabc32c28f95d09b97702", "907bf3ecef1c987c889946b737b43de8"},
	{"tls13draft16-ff52.a01.pcap", "192.150.187.20:36778", "7475b427c2658e9ae2388737ecc29164", "ddc938d7dbdf21719feb5ed34c1d267d"},
	{"tls13draft16-ff52.a01.pcap", "192.150.187.20:36782", "7475b427c2658e9ae2388737ecc29164", "ddc938d7dbdf21719feb5ed34c1d267d"},
	{"tls1_1.pcap", "192.168.17.58:62987", "5eb6e1fe80f696450a62a48bb3d6a965", "b5237e0430ad71aac52aa90b6627cb5f"},
	{"untrusted-cert-go.pcap", "10.77.1.1:34666", "725543c78edf669194c11dc7a039b56e", "76c691f46143bf86e2d1bb73c6187767"},
	{"untrusted-cert-tls13.pcap", "10.77.1.1:34654", "c1e58b5fa361cf5bfc0635a61bd8573c", "15af977ce25de452b96affa2addb1036"},
	{"untrusted-cert.pcap", "10.77.1.1:34648", "fbe7e189e37a07ee33706f86bc746344", "ec74a5c51106f0419184d0dd08fb05bc"},
	{"x509-generalizedtime.pcap", "192.168.219.1:56822", "c96765c83593fd0dc841af01adbbec99", "9099266b09da09a1d9e1839ae9ad5682"},
}

// tsharkOnlyHRR: in zeek/hrr.pcap tshark 4.0 dissects the HelloRetryRequest (frame 6) but not the
// real ServerHello that follows in frame 11, so its JA3S is the HelloRetryRequest's.
var tsharkOnlyHRR = map[string]bool{"hrr.pcap": true}

// TestJA3MatchesTshark checks every flow's JA3 and JA3S against tshark's.
func TestJA3MatchesTshark(t *testing.T) {
	results := map[string]*result.Result{}
	for _, tc := range tsharkJA3 {
		res := cachedResult(t, results, tc.file)
		fl := findFlowFrom(res, tc.client)
		if fl == nil || fl.TLS == nil || fl.TLS.ClientHello == nil {
			t.Errorf("%s %s: no flow with a ClientHello; flows: %v", tc.file, tc.client, flowNames(res))
			continue
		}
		if got := fl.TLS.ClientHello.JA3; got != tc.ja3 {
			t.Errorf("%s %s: JA3 %s (%s), tshark %s", tc.file, tc.client, got, fl.TLS.ClientHello.JA3String, tc.ja3)
		}
		got, sh := "", fl.TLS.ServerHello
		if tsharkOnlyHRR[tc.file] {
			sh = fl.TLS.HelloRetryRequest
		}
		if sh != nil {
			got = sh.JA3S
		}
		if got != tc.ja3s {
			t.Errorf("%s %s: JA3S %q, tshark %q", tc.file, tc.client, got, tc.ja3s)
		}
	}
	if len(results) < 34 {
		t.Errorf("only %d captures checked", len(results))
	}
}

// independentJA4 holds the JA4 of every ClientHello (the first of each flow) in testdata/captures
// and ../shared/captures/zeek, as testdata/tools/ja4_from_tshark.py computes it from tshark
// 4.0.17's dissection: an implementation of FoxIO's specification independent of tls/ja4.go.
//
//	python3 testdata/tools/ja4_from_tshark.py testdata/captures/*.pcap ../shared/captures/zeek/*.pcap | sort -u
var independentJA4 = []struct{ file, client, ja4 string }{
	{"server-notifies-agent.pcap", "10.33.1.1:41112", "t12i280600_d943125447b4_e7e480e5a997"},
	{"stacks-tls10-13.pcap", "10.33.1.1:59674", "t12i250900_7415a186c913_577ffa9d9a5c"},
	{"stacks-tls10-13.pcap", "10.33.1.1:37628", "t13i181000_85036bcba153_d41ae481755e"},
	{"stacks-tls10-13.pcap", "10.33.1.1:37632", "t11i040700_cefcabfea53d_d96c4944524b"},
	{"cert-no-cn.pcap", "192.150.187.20:42764", "t12i660500_00a40d0492ae_3eafcbe19126"},
	{"dhe.pcap", "192.168.18.50:62277", "t12i020300_ea1f27bcdcc2_15cf763851c4"},
	{"ecdsa-cert.pcap", "192.168.4.149:49422", "t12i740500_c43983326036_a1e935682795"},
	{"expired-cert.pcap", "10.77.1.1:34248", "t12i280600_d943125447b4_e7e480e5a997"},
	{"google-duplicate.pcap", "192.168.4.149:60623", "t12i800500_15c493246000_a1e935682795"},
	{"google-duplicate.pcap", "192.168.4.149:60624", "t12i800500_15c493246000_a1e935682795"},
	{"heartbleed.pcap", "173.203.79.216:46592", "t12i640400_2797659a203c_354ff7b397c3"},
	{"hello-retry-request.pcap", "10.33.1.1:52710", "t13i040900_16476d049b0b_78f1d400d464"},
	{"hrr.pcap", "10.192.48.168:63564", "t13i040900_16476d049b0b_78f1d400d464"},
	{"ipv6-tls12-ok.pcap", "[fd00:77:1::1]:38832", "t12i280600_d943125447b4_e7e480e5a997"},
	{"many-agents.pcap", "10.33.1.11:41323", "t12i280600_d943125447b4_e7e480e5a997"},
	{"many-agents.pcap", "10.33.1.12:47651", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"many-agents.pcap", "10.33.1.14:41711", "t12i280600_d943125447b4_e7e480e5a997"},
	{"many-agents.pcap", "10.33.1.15:35247", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"many-agents.pcap", "10.33.1.17:39523", "t12i280600_d943125447b4_e7e480e5a997"},
	{"many-agents.pcap", "10.33.1.18:42889", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"many-agents.pcap", "10.33.1.19:43739", "t10i090500_c491f621fb4c_195413a0cc0f"},
	{"many-agents.pcap", "10.33.1.1:33190", "t12i250900_7415a186c913_577ffa9d9a5c"},
	{"many-agents.pcap", "10.33.1.1:33196", "t12i250900_7415a186c913_577ffa9d9a5c"},
	{"many-agents.pcap", "10.33.1.20:38807", "t10i040700_cefcabfea53d_d96c4944524b"},
	{"many-agents.pcap", "10.33.1.21:37621", "t10i090500_c491f621fb4c_195413a0cc0f"},
	{"many-agents.pcap", "10.33.1.22:42349", "t10i040700_cefcabfea53d_d96c4944524b"},
	{"no-shared-cipher.pcap", "10.77.1.1:34638", "t12i020400_a5878986a7c9_847bbcdea70d"},
	{"notyet-cert.pcap", "10.33.1.1:52730", "t12i280600_d943125447b4_e7e480e5a997"},
	{"offload-tls12-ok.pcap", "10.77.1.1:51138", "t12i280600_d943125447b4_e7e480e5a997"},
	{"seed-both-tls12.pcap", "10.77.1.1:58468", "t12i280600_d943125447b4_e7e480e5a997"},
	{"seed-close-fleet.pcap", "10.77.1.1:37092", "t12i250900_7415a186c913_577ffa9d9a5c"},
	{"seed-close-fleet.pcap", "10.77.1.3:35943", "t12i280600_d943125447b4_e7e480e5a997"},
	{"seed-close-fleet.pcap", "10.77.1.4:56901", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"seed-close-fleet.pcap", "10.77.1.5:44115", "t10i090500_c491f621fb4c_195413a0cc0f"},
	{"seed-close-fleet.pcap", "10.77.1.6:34609", "t10i040700_cefcabfea53d_d96c4944524b"},
	{"seed-close-lone.pcap", "10.77.1.1:34624", "t10i090500_c491f621fb4c_195413a0cc0f"},
	{"seed-reset-fleet.pcap", "10.77.1.1:58332", "t12i250900_7415a186c913_577ffa9d9a5c"},
	{"seed-reset-fleet.pcap", "10.77.1.3:36669", "t12i280600_d943125447b4_e7e480e5a997"},
	{"seed-reset-fleet.pcap", "10.77.1.4:51339", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"seed-reset-fleet.pcap", "10.77.1.5:34685", "t10i090500_c491f621fb4c_195413a0cc0f"},
	{"seed-reset-fleet.pcap", "10.77.1.6:47245", "t10i040700_cefcabfea53d_d96c4944524b"},
	{"seed-reset-lone.pcap", "10.77.1.1:34622", "t10i090500_c491f621fb4c_195413a0cc0f"},
	{"seed-tls10-vs-tls12.pcap", "10.77.1.1:37074", "t10i090500_c491f621fb4c_195413a0cc0f"},
	{"seed-tls11-common.pcap", "10.77.1.1:58482", "t11i090500_c491f621fb4c_195413a0cc0f"},
	{"signed_certificate_timestamp_tls1_0.pcap", "192.168.4.195:55726", "t10i500500_59a6c70126c8_a36347421c09"},
	{"sll2-tls12-ok.pcap", "10.77.1.1:45264", "t12i280600_d943125447b4_e7e480e5a997"},
	{"smtp-starttls.pcap", "192.168.4.149:54170", "t12i800600_15c493246000_4446390ac224"},
	{"split-client-hello-mss.pcap", "10.77.1.1:36356", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"split-client-hello.pcap", "10.77.1.1:36346", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"tls-1.2-handshake-failure.pcap", "192.168.4.149:53525", "t12i090500_de31b28e7183_a1e935682795"},
	{"tls-conn-with-extensions.pcap", "192.168.1.105:62045", "t10d360600_b06c425f59b5_eb0e26099a3f"},
	{"tls1.2.pcap", "10.0.0.80:56637", "t12i800500_15c493246000_3eafcbe19126"},
	{"tls12-ok.pcap", "10.77.1.1:58450", "t12i280600_d943125447b4_e7e480e5a997"},
	{"tls13-ok.pcap", "10.77.1.1:58466", "t13i040900_16476d049b0b_78f1d400d464"},
	{"tls13_psk_succesfull.pcap", "192.168.178.80:54220", "t13i571000_131602cb7446_a11995863d32"},
	{"tls13_wolfssl.pcap", "192.168.186.133:43056", "t13i010600_ee47968ec53b_5af53a18c712"},
	{"tls13draft16-ff52.a01.pcap", "192.150.187.20:36778", "t00i1812h2_29a2cd9e9f10_410211a62323"},
	{"tls13draft16-ff52.a01.pcap", "192.150.187.20:36782", "t00i1812h2_29a2cd9e9f10_410211a62323"},
	{"tls1_1.pcap", "192.168.17.58:62987", "t11i500400_59a6c70126c8_282f11336259"},
	{"untrusted-cert-go.pcap", "10.77.1.1:34666", "t13i131000_f57a46bbacb6_ab7e3b40a677"},
	{"untrusted-cert-tls13.pcap", "10.77.1.1:34654", "t13i040900_16476d049b0b_78f1d400d464"},
	{"untrusted-cert.pcap", "10.77.1.1:34648", "t12i280600_d943125447b4_e7e480e5a997"},
	{"weak-cert.pcap", "10.33.1.1:52720", "t12d280700_d943125447b4_e7e480e5a997"},
	{"x509-generalizedtime.pcap", "192.168.219.1:56822", "t12i430300_8edfce159866_e64f6000bf4d"},
}

// TestJA4MatchesIndependent checks every flow's JA4 against independentJA4.
func TestJA4MatchesIndependent(t *testing.T) {
	results := map[string]*result.Result{}
	for _, tc := range independentJA4 {
		res := cachedResult(t, results, tc.file)
		fl := findFlowFrom(res, tc.client)
		if fl == nil || fl.TLS == nil || fl.TLS.ClientHello == nil {
			t.Errorf("%s %s: no flow with a ClientHello", tc.file, tc.client)
			continue
		}
		if got := fl.TLS.ClientHello.JA4; got != tc.ja4 {
			t.Errorf("%s %s: JA4 %s (raw %s), independent %s", tc.file, tc.client, got, fl.TLS.ClientHello.JA4R, tc.ja4)
		}
	}
	if len(results) < 38 {
		t.Errorf("only %d captures checked", len(results))
	}
}

func findFlowFrom(res *result.Result, client string) *result.Flow {
	for i := range res.Flows.Slice() {
		if string(res.Flows.Slice()[i].Client) == client {
			return &res.Flows.Slice()[i]
		}
	}
	return nil
}

// cachedResult analyses a capture of testdata/captures or ../shared/captures/zeek once, with
// every port analysed.
func cachedResult(t *testing.T, results map[string]*result.Result, file string) *result.Result {
	t.Helper()
	if res := results[file]; res != nil {
		return res
	}
	path := filepath.Join(ownCaptures, file)
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(sharedCaptures, "zeek", file)
	}
	res, err := File(path, Options{})
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	results[file] = res
	return res
}
