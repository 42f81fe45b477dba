package knowledge

import (
	"regexp"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// countNoun finds a parameter printed before a word, perhaps with words that qualify it between
// them ("{n} frames", "{n} more failing connections", "{n} DNS queries", "{n} were").
var countNoun = regexp.MustCompile(`\{([a-z0-9_]+)\} ((?:(?:more|failing|other|DNS|payload|connection|SSLv2 cipher) ){0,2})([A-Za-z-]+)`)

// pluralForm finds the forms of a plural: {name|one|many}.
var pluralForm = regexp.MustCompile(`\{[a-z0-9_]+\|([^|{}]*)\|([^|{}]*)\}`)

// pluralWords returns the words the catalog itself words by a count: the last word of each
// plural's "many" form where the "one" form ends in another form of the same word (the same
// first letter: "frame|frames", "query|queries", "was|were"), "are" (of "is|are") and "bytes".
func pluralWords(c *Catalog) map[string]bool {
	words := map[string]bool{"are": true, "bytes": true}
	for _, key := range c.Keys() {
		text, _ := c.Template(key)
		for _, m := range pluralForm.FindAllStringSubmatch(text, -1) {
			one, many := strings.Fields(m[1]), strings.Fields(m[2])
			if len(many) == 0 {
				continue
			}
			last := strings.Trim(many[len(many)-1], ",.:;()")
			if len(one) == 0 {
				continue
			}
			if first := strings.Trim(one[len(one)-1], ",.:;()"); first != "" && last != "" && first != last && strings.EqualFold(first[:1], last[:1]) {
				words[last] = true
			}
		}
	}
	return words
}

// countNounsNeverOne lists the template parameters printed before a word that agrees with a count
// but that need no plural form, and why: numbers that are never 1, and parameters that are no
// number. Every other such parameter has a plural form ({n|frame|frames}).
var countNounsNeverOne = map[string]string{
	"fleet.group-split-by-version/lower":                       "a TLS version's name, not a number",
	"fleet.group-split-by-version/higher":                      "a TLS version's name, not a number",
	"file.record-length/max":                                   "pcapfile.MaxPacketLength or a larger snaplen",
	"file.packet-length/max":                                   "pcapfile.MaxPacketLength or a larger snaplen",
	"hops.n/n":                                                 "HopText words 1 hop with hops.one",
	"warning.agent-port-fan-in/n":                              "only for inputwarn.MinFanIn (3) hosts or more",
	"icmp.syns-answered/n":                                     "only for more than one SYN (icmp.syn-answered words one)",
	"icmp.some-syns-answered/n":                                "only for more than one SYN",
	"syn.schedule-partial/n":                                   "a schedule takes at least two SYNs",
	"infer.attempt-past/of":                                    "only past the diagnose.MaxAttempts IDs kept, so more than 16",
	"warning.time-back/n":                                      "only for more than one frame (warning.time-back-one words one)",
	"reason.port-scan/ports":                                   "a port scan probes at least scan.Threshold ports",
	"reason.port-scan-narrowed/ports":                          "a port scan probes at least scan.Threshold ports",
	"warning.port-scan/ports":                                  "a port scan probes at least scan.Threshold ports",
	"warning.port-scan-narrowed-at/ports":                      "a port scan probes at least scan.Threshold ports",
	"warning.port-scan-at/ports":                               "a port scan probes at least scan.Threshold ports",
	"reason.port-sweep/hosts":                                  "a sweep probes at least scan.SweepThreshold hosts",
	"reason.port-sweep/flows":                                  "a sweep probes at least scan.SweepThreshold hosts, once each at least",
	"warning.port-sweep/hosts":                                 "a sweep probes at least scan.SweepThreshold hosts",
	"warning.port-sweep-at/hosts":                              "a sweep probes at least scan.SweepThreshold hosts",
	"warning.port-sweep-or-client/hosts":                       "a sweep's numbers: at least scan.SweepThreshold hosts",
	"warning.port-sweep-or-client-at/hosts":                    "a sweep's numbers: at least scan.SweepThreshold hosts",
	"warning.port-scan-narrowed/ports":                         "a port scan probes at least scan.Threshold ports",
	"warning.flows-evicted/max":                                "the flow table's limit",
	"warning.dns-not-followed/names":                           "the DNS table's limit",
	"warning.dns-not-followed/pending":                         "the DNS table's limit",
	"cli.capture.max-hosts/n":                                  "a limit of the capture",
	"cli.capture.max-ports/n":                                  "a limit of the capture",
	"cli.output.same-file/file2":                               "a file name, not a number",
	"cli.output.same-name/flag2":                               "a flag's name, not a number",
	"hello-error.ext-duplicate/field":                          "a field's name, not a number",
	"warning.two-points-split/links":                           "two points: at least two links",
	"report.ladders-more/max":                                  "maxLadders, the HTML report's limit",
	"reason.hello-capture-gap/want":                            "a ClientHello's length",
	"reason.hello-incomplete-at-end/want":                      "a ClientHello's length",
	"undecodable.tcp-header/value":                             "a TCP data offset, a multiple of 4",
	"ev.client-second-flight/len":                              "an encrypted record's size",
	"ev.encrypted-alert-size/len":                              "an encrypted alert record's size",
	"ev.server-short-record/len":                               "an encrypted alert record's size",
	"ev.client-second-flight-cert/len":                         "an encrypted record's size",
	"ev.client-short-reply/len":                                "an encrypted alert record's size",
	"ev.server-short-record-late/len":                          "an encrypted alert record's size",
	"reason.server-late-record-after-client-flight/flight_len": "an encrypted record's size",
	"ev.hello-begun/want":                                      "a ClientHello's length",
	"reason.client-hello-incomplete/want":                      "a ClientHello's length",
	"hello-error.too-large/length":                             "above the parse limit",
	"reason.frag-needed-ignored/mtu":                           "an MTU",
	"reason.icmp-path-mtu/mtu":                                 "an MTU",
	"reason.mtu-blackhole/passed":                              "a segment's size",
	"reason.views-mtu/passed":                                  "a segment's size",
	"path.lost/sizes":                                          "no number: a list of segment sizes",
	"reason.views-mtu/size":                                    "no number: a segment size in words (views.size)",
	"warning.one-direction/what":                               "no number: a direction",
	"report.headline.tls-alert/peer":                           "no number: a server or agent, after \"{who} and\"",
	"report.headline.tls-handshake-failure/peer":               "no number: a server or agent, after \"{who} and\"",
	"report.headline.server-reset-after-client-hello/peer":     "no number: a server or agent (\"resets\" is its verb)",
}

// TestCountNounsAgree: every English template that prints a number right before a plural noun
// or verb words it with a plural form ({n|frame|frames}, {n|was|were}), so that 1 reads "1
// frame", not "1 frames"; the exceptions, numbers that are never 1, are listed with the reason.
func TestCountNounsAgree(t *testing.T) {
	en := CatalogOf(English)
	plural := pluralWords(en)
	for _, want := range []string{"frames", "connections", "were", "are"} {
		if !plural[want] {
			t.Fatalf("pluralWords misses %q: %v", want, plural)
		}
	}
	for _, key := range en.Keys() {
		text, _ := en.Template(key)
		for _, m := range countNoun.FindAllStringSubmatch(text, -1) {
			param, word := m[1], m[3]
			if !plural[word] || strings.Contains(text, "{"+param+"|") {
				continue
			}
			// A role's template ("agent-listener.KEY") words KEY: KEY's exceptions are its own.
			if _, ok := countNounsNeverOne[strings.TrimPrefix(key, RoleAgentListener+".")+"/"+param]; ok {
				continue
			}
			t.Errorf("%s: %q: give {%s} a plural form ({%s|one|many}), or list it in countNounsNeverOne with the reason it is never 1",
				key, m[0], param, param)
		}
	}
}

// TestPluralTemplatesOneAndTwo: the English templates that word a count word it as one item for 1
// and as several for 2, and the Japanese ones print the number alike for both.
func TestPluralTemplatesOneAndTwo(t *testing.T) {
	en, ja := CatalogOf(English), CatalogOf(Japanese)
	text := result.Text
	num := func(name string) func(int) result.Arg { return func(n int) result.Arg { return result.Int(name, n) } }
	side := result.Sub("side", result.Msg("word.client"))
	cases := []struct {
		key          string
		count        []func(int) result.Arg // the parameters set to 1, then to 2
		args         []result.Arg           // the others
		one, two, ja string                 // ja: the Japanese for 2 (its text for 1 differs only in the number)
	}{
		{"report.vantage.input", []func(int) result.Arg{num("frames")}, []result.Arg{text("name", "a.pcap")},
			"a.pcap (1 frame)", "a.pcap (2 frames)", "a.pcap（2 フレーム）"},
		{"report.vantage.view", []func(int) result.Arg{num("client")}, []result.Arg{text("name", "agent"), result.Sub("side", result.Msg("report.vantage.side.client")), result.Int("server", 0)},
			"agent (the client's side: 1 packet from the client, 0 from the server)",
			"agent (the client's side: 2 packets from the client, 0 from the server)", ""},
		{"report.hint.list", []func(int) result.Arg{num("n")}, nil,
			"1 connection is not listed here: --list lists it, --failed it if it failed, -v with its detail.",
			"2 connections are not listed here: --list lists them all, --failed the failing ones, -v with the detail of each.", ""},
		{"report.rows-more", []func(int) result.Arg{num("n")}, nil,
			"1 more connection is not shown here: --format json or ndjson lists every one.",
			"2 more connections are not shown here: --format json or ndjson lists every one.", ""},
		{"report.rows-failed-more", []func(int) result.Arg{num("n")}, nil,
			"1 more failing connection is not shown here: --format json or ndjson lists every one.",
			"2 more failing connections are not shown here: --format json or ndjson lists every one.", ""},
		{"report.agents-more", []func(int) result.Arg{num("n")}, nil,
			"1 more agent is not shown here: the JSON report lists it.",
			"2 more agents are not shown here: the JSON report lists them.", ""},
		{"report.ladders-more", []func(int) result.Arg{num("n")}, []result.Arg{result.Int("max", 50)},
			"1 more failing connection is listed below without its detail (at most 50 get one: the first of each group, then the others in order).",
			"2 more failing connections are listed below without their detail (at most 50 get one: the first of each group, then the others in order).", ""},
		{"report.who-flows", []func(int) result.Arg{num("n"), num("flows")}, []result.Arg{text("agents", "10.0.0.5")},
			"1 agent (10.0.0.5) in 1 connection", "2 agents (10.0.0.5) in 2 connections", ""},
		{"report.read", []func(int) result.Arg{num("frames"), num("bytes")}, []result.Arg{text("file", "a.pcap"), text("format", "pcap")},
			"Read 1 frame (1 byte) of a.pcap (pcap).", "Read 2 frames (2 bytes) of a.pcap (pcap).", "a.pcap（pcap）の 2 フレーム（2 バイト）を読み取りました。"},
		{"report.ladder.bytes", []func(int) result.Arg{num("n")}, nil, "1 byte", "2 bytes", "2 バイト"},
		{"reason.views-syns-lost", []func(int) result.Arg{num("sent")}, []result.Arg{text("near", "A"), text("far", "B"), text("empty", "")},
			"the SYN left the client (1 in the capture at A) and it did not reach the server's side (0 in the capture at B): dropped between them",
			"the SYNs left the client (2 in the capture at A) and none reached the server's side (0 in the capture at B): dropped between them", ""},
		{"reason.views-synacks-lost", []func(int) result.Arg{num("syns"), num("sent")}, []result.Arg{text("near", "A"), text("far", "B")},
			"the client's 1 SYN reached the capture at B and the server answered it (1 SYN-ACK there); it did not reach the capture at A: the SYN-ACK is dropped on the way back, between them",
			"the client's 2 SYNs reached the capture at B and the server answered them (2 SYN-ACKs there); none reached the capture at A: the SYN-ACKs are dropped on the way back, between them", ""},
		{"reason.views-lost", []func(int) result.Arg{num("lost")}, []result.Arg{side, result.Int("sent", 5), result.Int("arrived", 3), text("from", "A"), text("to", "B")},
			"1 of the client's 5 packets in the capture at A never reached the capture at B (3 did): it is dropped between them",
			"2 of the client's 5 packets in the capture at A never reached the capture at B (3 did): they are dropped between them", ""},
		{"phrase.sslv2-cipher-specs", []func(int) result.Arg{num("n")}, nil,
			"the 1 SSLv2 cipher spec", "one of 2 SSLv2 cipher specs", "SSLv2 の 2 個の暗号仕様のいずれか"},
		{"reason.port-scan", []func(int) result.Arg{num("flows")}, []result.Arg{text("client", "C"), result.Int("ports", 30), text("server", "S"), result.Int("open", 0), result.Int("refused", 20), result.Int("silent", 10), text("over", "2 s"), text("what", "x")},
			"one of 1 probe from C to 30 ports of S (0 answered with a SYN-ACK, 20 refused, 10 never answered) over 2 s: a port scan, not a client failing; this probe: x",
			"one of 2 probes from C to 30 ports of S (0 answered with a SYN-ACK, 20 refused, 10 never answered) over 2 s: a port scan, not a client failing; this probe: x", ""},
		{"infer.origin.uncounted", []func(int) result.Arg{num("uncounted")}, []result.Arg{result.Int("other", 3), result.Int("n", 5), result.Int("max", 100), text("client", "C")},
			"3 of the 5 from other client hosts; the other 1 comes from a host past the first 100 this report counts one by one, so whether it is from C is not known",
			"3 of the 5 from other client hosts; the other 2 come from hosts past the first 100 this report counts one by one, so how many of them are from C is not known", ""},
		{"icmp.some-syns-answered", []func(int) result.Arg{num("answered")}, []result.Arg{result.Int("n", 3), text("intervals", "1, 2")},
			"1 of the client's 3 SYNs (intervals 1, 2 s) was answered", "2 of the client's 3 SYNs (intervals 1, 2 s) were answered", ""},
		{"warning.covers-frames", []func(int) result.Arg{num("frames")}, []result.Arg{text("last", "T")},
			"this report covers frame 1, up to T UTC; whatever the file held after that is lost",
			"this report covers frames 1-2, up to T UTC; whatever the file held after that is lost", ""},
		{"warning.covers-file-frames", []func(int) result.Arg{num("frames")}, nil,
			"frame 1 of the file was read, the rest of it is lost; the files after it were read",
			"frames 1-2 of the file were read, the rest of it is lost; the files after it were read", ""},
		{"warning.port-scan", []func(int) result.Arg{num("flows"), num("open")}, []result.Arg{text("client", "C"), result.Int("ports", 30), text("server", "S"), result.Int("frame", 7), result.Int("refused", 20), result.Int("silent", 8)},
			"C probed 30 ports of S (1 connection attempt without data, the first in frame 7; 1 port answered, 20 refused, 8 never answered): a port scan, not clients failing; its attempts have the verdict port-scan and count in no server's row",
			"C probed 30 ports of S (2 connection attempts without data, the first in frame 7; 2 ports answered, 20 refused, 8 never answered): a port scan, not clients failing; its attempts have the verdict port-scan and count in no server's row", ""},
		{"warning.flows-evicted", []func(int) result.Arg{num("n")}, []result.Arg{result.Int("max", 1000)},
			"more than 1000 connections were open at once: 1 was finished early to bound memory, and its verdict may say incomplete",
			"more than 1000 connections were open at once: 2 were finished early to bound memory, and their verdicts may say incomplete", ""},
		{"warning.dns-not-followed", []func(int) result.Arg{num("n")}, []result.Arg{result.Int("names", 100), result.Int("pending", 200)},
			"1 DNS query or name was not followed because more than 100 names or 200 open queries were seen",
			"2 DNS queries or names were not followed because more than 100 names or 200 open queries were seen", ""},
		{"warning.kernel-drops", []func(int) result.Arg{num("dropped"), num("received")}, nil,
			"the kernel dropped 1 of 1 packet that passed the filter (the capture could not keep up): flows missing packets may be misjudged; narrow the capture with --port/--host",
			"the kernel dropped 2 of 2 packets that passed the filter (the capture could not keep up): flows missing packets may be misjudged; narrow the capture with --port/--host", ""},
		{"reason.plain-ok", []func(int) result.Arg{num("client_bytes")}, []result.Arg{result.Int("server_bytes", 0), text("missed", "")},
			"plain TCP: 1 byte from the client, 0 from the server, closed normally", "plain TCP: 2 bytes from the client, 0 from the server, closed normally", ""},
		{"reason.open-at-end", []func(int) result.Arg{num("client_bytes")}, []result.Arg{result.Int("server_bytes", 0), text("missed", "")},
			"the connection was still open when the capture ended (1 byte from the client, 0 from the server)",
			"the connection was still open when the capture ended (2 bytes from the client, 0 from the server)", ""},
		{"phrase.after-bytes", []func(int) result.Arg{num("client_bytes")}, []result.Arg{result.Int("server_bytes", 0), text("more", "")},
			"after 1 byte from the client and 0 from the server", "after 2 bytes from the client and 0 from the server", ""},
		{"phrase.after-bytes-retrans", []func(int) result.Arg{num("client_bytes"), num("retrans")}, []result.Arg{result.Int("server_bytes", 0), text("more", "")},
			"after 1 byte from the client and 0 from the server on the wire, counting 1 segment sent again",
			"after 2 bytes from the client and 0 from the server on the wire, counting 2 segments sent again", ""},
		{"phrase.more-after", []func(int) result.Arg{num("bytes")}, []result.Arg{result.Sub("side", result.Msg("word.server")), text("resent", "")},
			", and 1 more from the server after it", ", and 2 more from the server after it", "（リセット後にもサーバーから 2 バイトが流れています）"},
		{"phrase.resent-after", []func(int) result.Arg{num("retrans")}, nil,
			" on the wire, counting 1 segment sent again", " on the wire, counting 2 segments sent again", "再送された 2 個のセグメントを含めて、"},
		{"reason.hello-cut", []func(int) result.Arg{num("client_bytes")}, []result.Arg{result.Int("server_bytes", 0), text("tcp", "x")},
			"the capture's snaplen cut the ClientHello, so the TLS versions and the outcome of the handshake cannot be read (1 byte from the client, 0 from the server; x): capture again with tcpdump -s 0",
			"the capture's snaplen cut the ClientHello, so the TLS versions and the outcome of the handshake cannot be read (2 bytes from the client, 0 from the server; x): capture again with tcpdump -s 0", ""},
		{"reason.http-ok", []func(int) result.Arg{num("client_bytes")}, []result.Arg{text("method", "GET"), text("path", "/"), text("line", "200 OK"), result.Int("server_bytes", 0)},
			"plain HTTP: GET / answered 200 OK (1 byte from the client, 0 from the server)", "plain HTTP: GET / answered 200 OK (2 bytes from the client, 0 from the server)", ""},
		{"reason.one-direction", []func(int) result.Arg{num("packets"), num("bytes")}, []result.Arg{side, result.Sub("other", result.Msg("word.server")), text("syn", "")},
			"the capture holds only the client's 1 packet (1 payload byte); the server's are missing, though the client acknowledges them: the capture sees one direction only (asymmetric routing past the capture point, or a capture filter such as \"src host\"); capture both directions",
			"the capture holds only the client's 2 packets (2 payload bytes); the server's are missing, though the client acknowledges them: the capture sees one direction only (asymmetric routing past the capture point, or a capture filter such as \"src host\"); capture both directions", ""},
		{"phrase.server-sent-bytes", []func(int) result.Arg{num("bytes")}, nil, "sent 1 byte", "sent 2 bytes", "2 バイトを送信しました"},
		{"ev.segment-after-gap", []func(int) result.Arg{num("size")}, []result.Arg{result.Int("len", 100), side, result.Int("from_seq", 1), result.Int("to_seq", 2)},
			"100-byte segment from the client that arrived after a gap of 1 byte (relative seq 1-2) never seen here",
			"100-byte segment from the client that arrived after a gap of 2 bytes (relative seq 1-2) never seen here", ""},
		{"path.lost", []func(int) result.Arg{num("segments"), num("sends")}, []result.Arg{side, text("sizes", "100"), text("over", "3 s"), text("here", "here")},
			"the client's data (a segment of 100 bytes) was sent up to 1 time over 3 s and never acknowledged (captured here)",
			"the client's data (segments of 100 bytes) was sent up to 2 times over 3 s and never acknowledged (captured here)", ""},
		{"probe.report.header", []func(int) result.Arg{num("connections")}, []result.Arg{text("time", "T"), text("profile", "generic"), text("seconds", "0.1"), text("timeout", "5")},
			"Probed T UTC with profile generic: 1 connection, in 0.1 s (timeout 5 s).",
			"Probed T UTC with profile generic: 2 connections, one at a time, in 0.1 s (timeout 5 s).", ""},
		{"probe.http-ok", []func(int) result.Arg{num("bytes")}, []result.Arg{text("url", "U"), text("status", "200 OK"), text("via", "over TLS 1.2")},
			"GET U answered 200 OK (1 byte) over TLS 1.2", "GET U answered 200 OK (2 bytes) over TLS 1.2", ""},
		{"probe.ciphers", []func(int) result.Arg{num("n"), num("offered")}, []result.Arg{text("endpoint", "E"), text("version", "TLS 1.2"), text("ciphers", "X")},
			"E accepts 1 of the 1 suite offered at TLS 1.2: X", "E accepts 2 of the 2 suites offered at TLS 1.2, in the order it chose them: X", ""},
		{"probe.ciphers-none", []func(int) result.Arg{num("offered")}, []result.Arg{text("endpoint", "E"), text("version", "TLS 1.2")},
			"E accepts none of the 1 suite offered at TLS 1.2", "E accepts none of the 2 suites offered at TLS 1.2", ""},
	}
	for _, tc := range cases {
		for n, want := range map[int]string{1: tc.one, 2: tc.two} {
			args := append([]result.Arg{}, tc.args...)
			for _, c := range tc.count {
				args = append(args, c(n))
			}
			if got := en.Render(result.Msg(tc.key, args...)); got != want {
				t.Errorf("%s with %d: got %q,\nwant %q", tc.key, n, got, want)
			}
			if n == 2 && tc.ja != "" {
				if got := ja.Render(result.Msg(tc.key, args...)); got != tc.ja {
					t.Errorf("%s in Japanese with 2: got %q,\nwant %q", tc.key, got, tc.ja)
				}
			}
		}
	}
}

// TestPluralOfCountText: a count passed as text (the progress line writes "12.5k") picks the
// one-item form for "1" (review: the line said "1 connections", as a text count's Int is 0).
func TestPluralOfCountText(t *testing.T) {
	en := CatalogOf(English)
	for _, tc := range []struct{ packets, conns, want string }{
		{"1", "1", "connscope: 40% of 12 MB, 1 packet, 1 connection"},
		{"12.5k", "2", "connscope: 40% of 12 MB, 12.5k packets, 2 connections"},
	} {
		m := result.Msg("cli.progress.percent", result.Text("percent", "40"), result.Text("total", "12 MB"),
			result.Text("packets", tc.packets), result.Text("conns", tc.conns))
		if got := en.Render(m); got != tc.want {
			t.Errorf("%s/%s: %q, want %q", tc.packets, tc.conns, got, tc.want)
		}
	}
}
