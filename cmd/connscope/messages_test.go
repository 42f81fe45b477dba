package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture/live"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// TestMessagesWorded: the command's errors on standard error are worded in the report's
// language, --lang or else the locale, English and Japanese alike, with the exit status 2.
func TestMessagesWorded(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pcap")
	text := filepath.Join(dir, "notes.pcap")
	empty := filepath.Join(dir, "empty.pcap")
	if err := os.WriteFile(text, []byte("HTTP/1.1 200 OK\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ja := map[string]string{"LANG": "ja_JP.UTF-8"}
	cases := []struct {
		name   string
		locale map[string]string
		args   []string
		want   string
	}{
		{"unknown command", nil, []string{"frobnicate"},
			"connscope: error: unknown command \"frobnicate\"\n" +
				"connscope: hint: run 'connscope help' for usage\n"},
		{"unknown command, ja locale", ja, []string{"frobnicate"},
			"connscope: エラー: \"frobnicate\" というコマンドはありません\n" +
				"connscope: ヒント: 使い方は「connscope help」で表示できます\n"},
		{"missing capture", nil, []string{"analyze", missing},
			"connscope: error: cannot read the capture " + missing + ": no such file or directory (check the path and that you may read it)\n"},
		{"missing capture, --lang ja", nil, []string{"analyze", "--lang", "ja", missing},
			"connscope: エラー: キャプチャ " + missing + " を読めません（ファイルまたはディレクトリがありません）。パスと、読み取り権限があるかを確認してください\n"},
		{"not a capture", nil, []string{"analyze", text},
			"connscope: error: \"" + text + "\" is not a capture file (it starts with 48 54 54 50 \"HTTP\"): give a pcap or pcapng file, as tcpdump -w or Wireshark writes\n"},
		{"not a capture, --lang=ja", nil, []string{"analyze", text, "--lang=ja"},
			"connscope: エラー: \"" + text + "\" はキャプチャファイルではありません（先頭は 48 54 54 50 \"HTTP\"）。tcpdump -w や Wireshark が書き出す pcap または pcapng ファイルを指定してください\n"},
		{"empty capture, ja locale", ja, []string{"analyze", empty},
			"connscope: エラー: \"" + empty + "\" は空で、キャプチャが入っていません。tcpdump や Wireshark が書き込み、正常に停止したかを確認してください\n"},
		{"bad port", nil, []string{"analyze", "-p", "70000", text},
			"connscope: error: --port \"70000\" is not a port number (1-65535)\n" +
				"connscope: hint: run 'connscope help analyze' for its options\n"},
		{"bad port, --lang ja", nil, []string{"analyze", "-p", "70000", "--lang", "ja", text},
			"connscope: エラー: --port の \"70000\" はポート番号（1～65535）ではありません\n" +
				"connscope: ヒント: オプションの一覧は「connscope help analyze」で表示できます\n"},
		{"unknown flag before --lang ja", nil, []string{"analyze", "--bogus", "--lang", "ja", text},
			"connscope: エラー: --bogus というオプションはありません\n" +
				"connscope: ヒント: オプションの一覧は「connscope help analyze」で表示できます\n"},
		{"unknown language, ja locale", ja, []string{"analyze", "--lang", "fr", text},
			"connscope: エラー: --lang: \"fr\" という言語はありません。使える言語は en と ja です\n" +
				"connscope: ヒント: オプションの一覧は「connscope help analyze」で表示できます\n"},
		{"bad duration", nil, []string{"capture", "-i", "lo", "--duration", "5"},
			"connscope: error: invalid argument \"5\" for \"--duration\" flag: must be a duration like \"30s\" or \"5m\"\n" +
				"connscope: hint: run 'connscope help capture' for its options\n"},
		{"bad duration, --lang ja", nil, []string{"capture", "-i", "lo", "--duration", "5", "--lang", "ja"},
			"connscope: エラー: \"--duration\" の値 \"5\" は使えません（「30s」や「5m」のように単位付きの時間を指定してください）\n" +
				"connscope: ヒント: オプションの一覧は「connscope help capture」で表示できます\n"},
		{"no interface, --lang ja", nil, []string{"capture", "--lang", "ja"},
			"connscope: エラー: capture にはインターフェイスを指定してください: -i IFACE（一覧は「connscope interfaces」で表示できます）\n" +
				"connscope: ヒント: オプションの一覧は「connscope help capture」で表示できます\n"},
		{"probe target port", nil, []string{"probe", "server.example:0"},
			"connscope: error: \"server.example:0\": the port \"0\" is not a number from 1 to 65535\n" +
				"connscope: hint: run 'connscope help probe' for its options\n"},
		{"probe target port, --lang ja", nil, []string{"probe", "--lang", "ja", "server.example:0"},
			"connscope: エラー: \"server.example:0\": ポート \"0\" は 1～65535 の数値ではありません\n" +
				"connscope: ヒント: オプションの一覧は「connscope help probe」で表示できます\n"},
		{"probe agent target, --lang ja", nil, []string{"probe", "--lang", "ja", "--agent", "pc1"},
			"connscope: エラー: --agent の \"pc1\": ポートを指定してください（HOST:PORT）。ポートを持つ --profile を指定することもできます\n" +
				"connscope: ヒント: オプションの一覧は「connscope help probe」で表示できます\n"},
		{"probe client versions, --lang ja", nil, []string{"probe", "--lang", "ja", "--client-versions", "1.4", "server.example:4343"},
			"connscope: エラー: --client-versions: \"1.4\" は 1.0、1.1、1.2、1.3、ssl3 のいずれでもありません\n" +
				"connscope: ヒント: オプションの一覧は「connscope help probe」で表示できます\n"},
		{"export-all without export, ja locale", ja, []string{"analyze", "--export-all", text},
			"connscope: エラー: --export-all は --export FILE と一緒に指定してください\n" +
				"connscope: ヒント: オプションの一覧は「connscope help analyze」で表示できます\n"},
		{"output is the capture, --lang ja", nil, []string{"analyze", "--lang", "ja", "-o", text, text},
			"connscope: エラー: --output の " + text + " はキャプチャ " + text + " と同じファイルです。connscope は読むファイルに書き込みません。別のファイル名を指定してください\n"},
		{"output is a directory, --lang ja", nil, []string{"analyze", "--lang", "ja", "-o", dir, text},
			"connscope: エラー: レポートを書き出せません: " + dir + " はディレクトリです。ファイル名を指定してください\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			withLocale(t, tc.locale)
			code, stdout, stderr := runCLI(tc.args...)
			if code != exitUsage || stdout != "" || stderr != tc.want {
				t.Errorf("%q: exit %d, stdout %q, stderr\n%s\nwant exit 2, no stdout, stderr\n%s", tc.args, code, stdout, stderr, tc.want)
			}
		})
	}
}

// TestCaptureLinesWorded: the live capture's status and end lines in English and Japanese.
func TestCaptureLinesWorded(t *testing.T) {
	s := analyze.LiveStatus{Elapsed: 65 * time.Second, Frames: 1200, Finished: 30, Failed: 2, Open: 4}
	s.Kernel.Received, s.Kernel.Dropped = 1250, 50
	res := &result.Result{Input: result.Input{Frames: 1200, Live: &result.LiveCapture{StoppedBy: "interrupted", Seconds: 65.04, KernelReceived: 1250, KernelDropped: 50}}}
	cases := []struct {
		lang         knowledge.Lang
		status, stop string
		werr         *live.WriteError
	}{
		{knowledge.English,
			"connscope: 1m5s elapsed: 1200 packets, 30 flows finished (2 failed), 4 open; kernel: 1250 received, 50 dropped",
			"connscope: stopped (interrupted) after 65.0 s: 1200 packets captured; kernel: 1250 received, 50 dropped; wrote the first 900 packets to x.pcapng",
			&live.WriteError{Packets: 900}},
		{knowledge.Japanese,
			"connscope: 経過 1m5s: パケット 1200 個、終了したフロー 30 件（うち失敗 2 件）、継続中 4 件。カーネル: 受信 1250 個、破棄 50 個",
			"connscope: 65.0 秒後に停止しました（中断）: キャプチャしたパケット 1200 個。カーネル: 受信 1250 個、破棄 50 個。x.pcapng に書き出しました",
			nil},
	}
	one := analyze.LiveStatus{Elapsed: 5 * time.Second, Frames: 1, Finished: 1}
	if got, want := statusLine(one, newPrinter(nil, knowledge.English)), "connscope: 5s elapsed: 1 packet, 1 flow finished (0 failed), 0 open; kernel: 0 received, 0 dropped"; got != want {
		t.Errorf("status line of one:\n%s\nwant\n%s", got, want)
	}
	for _, tc := range cases {
		say := newPrinter(nil, tc.lang)
		if got := statusLine(s, say); got != tc.status {
			t.Errorf("%s status line:\n%s\nwant\n%s", tc.lang, got, tc.status)
		}
		if got := endLine(res, "x.pcapng", tc.werr, say); got != tc.stop {
			t.Errorf("%s end line:\n%s\nwant\n%s", tc.lang, got, tc.stop)
		}
	}
}
