package main

import (
	"strings"
	"testing"
)

// A capture that missed the server's response (a content gap: the client acknowledged 2,902
// bytes the capture does not hold; Zeek's history ShADafgF) is not reported as a server that did
// not answer: the reason counts the bytes in the capture and says what it missed, and the HTTP
// line says the response may be among the missing data, in English and Japanese.
func TestContentGapIsNotNoResponse(t *testing.T) {
	const capture = "../../../shared/captures/zeek-tcp/miss_end_data.pcap"
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-v"}, []string{
			"  why: plain TCP: 538 bytes from the client, 0 from the server in the capture, which missed some of the server's data (a content gap: the peer acknowledged bytes the capture does not hold), closed normally\n",
			"  HTTP: GET /6215/buddyicons/67355439@N07.jpg → no response in the capture, which missed some of the server's data (a content gap): the response may be among it\n",
		}},
		{[]string{"-v", "--lang", "ja"}, []string{
			"理由: 平文の TCP: クライアントから 538 バイト、サーバーから 0 バイト（キャプチャ上の値です。キャプチャはサーバーが送ったデータの一部を取りこぼしています。",
			"HTTP: GET /6215/buddyicons/67355439@N07.jpg → キャプチャに応答はありません。ただしキャプチャはサーバーが送ったデータの一部を取りこぼしています（コンテンツギャップ）。",
		}},
	} {
		code, out, errOut := runCLI(append([]string{"analyze", capture, "--port", "80"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: no %q in\n%s", tc.args, w, out)
			}
		}
		if strings.Contains(out, "→ no response\n") || strings.Contains(out, "→ 応答なし") {
			t.Errorf("%v: still says no response:\n%s", tc.args, out)
		}
	}
}
