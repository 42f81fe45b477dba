package diagnose

import (
	"testing"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// TestHelloErrorWords: every code an unparsable hello's record can hold is worded, in each
// language, with the field, offset and lengths it carries (the errors are those that
// tls.TestHelloErrorField finds in real hellos of OpenSSL, Go, GnuTLS and wolfSSL with one field
// corrupted).
func TestHelloErrorWords(t *testing.T) {
	ch, sh := tls.HandshakeClientHello, tls.HandshakeServerHello
	bad := func(f tls.HelloField, p tls.HelloProblem, ext tls.ExtensionType, off, declared, available int32) facts.HelloErr {
		return facts.HelloErr{Kind: facts.HelloErrMalformed, Field: f, Problem: p, Extension: ext, Offset: off, Declared: declared, Available: available}
	}
	cases := []struct {
		msg    tls.HandshakeType
		e      facts.HelloErr
		en, ja string
	}{
		{ch, facts.HelloErr{Kind: facts.HelloErrMalformed}, "malformed client_hello",
			"client_hello の形式が不正です"},
		{ch, facts.HelloErr{Kind: facts.HelloErrTooLarge, Length: 70000}, "client_hello of 70000 bytes exceeds the 65536-byte parse limit",
			"70000 バイトの client_hello が解析の上限 65536 バイトを超えています"},
		{sh, facts.HelloErr{Kind: facts.HelloErrTooLarge, Length: 70000}, "server_hello of 70000 bytes exceeds the 65536-byte parse limit",
			"70000 バイトの server_hello が解析の上限 65536 バイトを超えています"},
		{ch, bad(tls.FieldHeader, tls.ProblemType, 0, 0, 329, 329), "the handshake header is not that of a client_hello of the bytes given (its type, or a length of 329 bytes where 329 follow)",
			"ハンドシェイクヘッダーが、与えられたバイト列の client_hello のものではありません（タイプ、または長さ 329 バイトに対し続くのが 329 バイト）"},
		{ch, bad(tls.FieldRandom, tls.ProblemShort, 0, 6, 32, 18), "the random at offset 6 takes 32 bytes, but the client_hello has only 18 left",
			"オフセット 6 の random には 32 バイトが必要ですが、client_hello の残りは 18 バイトしかありません"},
		{ch, bad(tls.FieldCipherSuites, tls.ProblemOverrun, 0, 71, 600, 260), "the cipher_suites length (600) at offset 71 runs past the end of the client_hello: 260 bytes remain",
			"オフセット 71 の cipher_suites の長さ（600）が client_hello の末尾を越えています。残りは 260 バイトです"},
		{ch, bad(tls.FieldCipherSuites, tls.ProblemOddLength, 0, 71, 61, 0), "the cipher_suites length (61) at offset 71 is odd: its entries are 2 bytes each",
			"オフセット 71 の cipher_suites の長さ（61）が奇数です。各エントリーは 2 バイトです"},
		{ch, bad(tls.FieldCipherSuites, tls.ProblemEmpty, 0, 71, 0, 0), "the cipher_suites at offset 71 is empty, and it must hold at least one entry",
			"オフセット 71 の cipher_suites が空です。少なくとも 1 つのエントリーが必要です"},
		{ch, bad(tls.FieldExtensions, tls.ProblemTrailing, 0, 314, 0, 1), "1 stray byte at offset 314 after the extensions, at the end of the client_hello",
			"client_hello の末尾にある extensions の後、オフセット 314 に余分な 1 バイトがあります"},
		{ch, bad(tls.FieldExtension, tls.ProblemDuplicate, tls.ExtensionSupportedGroups, 196, 0, 0), "the extension 0x000a (supported_groups) at offset 196 appears a second time in the client_hello",
			"オフセット 196 の拡張 0x000a（supported_groups）が client_hello の中で 2 回目に現れています"},
		{ch, bad(tls.FieldExtension, tls.ProblemOverrun, tls.ExtensionKeyShare, 257, 1259, 1258), "the extension 0x0033 (key_share) length (1259) at offset 257 runs past the end of the client_hello: 1258 bytes remain",
			"オフセット 257 の拡張 0x0033（key_share）の長さ（1259）が client_hello の末尾を越えています。残りは 1258 バイトです"},
		{ch, bad(tls.FieldExtensionData, tls.ProblemOverrun, tls.ExtensionSupportedVersions, 155, 4, 2), "in the extension 0x002b (supported_versions), the length at offset 155 says 4 bytes, but only 2 remain in the extension",
			"拡張 0x002b（supported_versions）の中で、オフセット 155 の長さは 4 バイトを示していますが、拡張の残りは 2 バイトしかありません"},
		{ch, bad(tls.FieldExtensionData, tls.ProblemOddLength, tls.ExtensionSignatureAlgorithms, 137, 29, 0), "in the extension 0x000d (signature_algorithms), the list length (29) at offset 137 is odd: its entries are 2 bytes each",
			"拡張 0x000d（signature_algorithms）の中で、オフセット 137 のリスト長（29）が奇数です。各エントリーは 2 バイトです"},
		{ch, bad(tls.FieldExtensionData, tls.ProblemEmpty, tls.ExtensionServerName, 145, 0, 0), "in the extension 0x0000 (server_name), the list or name at offset 145 is empty, and it must not be",
			"拡張 0x0000（server_name）の中で、オフセット 145 のリストまたは名前が空です（空であってはなりません）"},
		{ch, bad(tls.FieldExtensionData, tls.ProblemTrailing, tls.ExtensionECPointFormats, 169, 0, 1), "the extension 0x000b (ec_point_formats) has 1 stray byte at offset 169, after what it holds",
			"拡張 0x000b（ec_point_formats）のオフセット 169 に、内容の後の余分な 1 バイトがあります"},
		{ch, bad(tls.FieldExtensionData, tls.ProblemDuplicate, tls.ExtensionServerName, 160, 0, 0), "the extension 0x0000 (server_name) names a second host_name at offset 160",
			"拡張 0x0000（server_name）がオフセット 160 で 2 つ目の host_name を指定しています"},
		{sh, bad(tls.FieldExtensionData, tls.ProblemShort, tls.ExtensionSupportedVersions, 80, 2, 1), "the extension 0x002b (supported_versions) is cut short at offset 80: a 2-byte field has only 1 left in it",
			"拡張 0x002b（supported_versions）がオフセット 80 で途切れています。2 バイトのフィールドに対し、残りは 1 バイトです"},
		{ch, bad(tls.FieldExtensions, tls.ProblemOverrun, 0, 101, 1417, 1), "the extensions length (1417) at offset 101 runs past the end of the client_hello: 1 byte remains",
			"オフセット 101 の extensions の長さ（1417）が client_hello の末尾を越えています。残りは 1 バイトです"},
		{ch, bad(tls.FieldExtensionData, tls.ProblemOverrun, tls.ExtensionALPN, 120, 2, 1), "in the extension 0x0010 (application_layer_protocol_negotiation), the length at offset 120 says 2 bytes, but only 1 remains in the extension",
			"拡張 0x0010（application_layer_protocol_negotiation）の中で、オフセット 120 の長さは 2 バイトを示していますが、拡張の残りは 1 バイトしかありません"},
		{sh, bad(tls.FieldSessionID, tls.ProblemOverrun, 0, 38, 64, 26), "the legacy_session_id length (64) at offset 38 runs past the end of the server_hello: 26 bytes remain",
			"オフセット 38 の legacy_session_id の長さ（64）が server_hello の末尾を越えています。残りは 26 バイトです"},
	}
	en, ja := knowledge.CatalogOf(knowledge.English), knowledge.CatalogOf(knowledge.Japanese)
	for _, tc := range cases {
		m := result.Msg("x", helloError("error", tc.msg, tc.e)).Args[0].Msg
		if got := en.Render(*m); got != tc.en {
			t.Errorf("%v %+v: en\n%q\nwant\n%q", tc.msg, tc.e, got, tc.en)
		}
		if got := ja.Render(*m); got != tc.ja {
			t.Errorf("%v %+v: ja\n%q\nwant\n%q", tc.msg, tc.e, got, tc.ja)
		}
	}
}
