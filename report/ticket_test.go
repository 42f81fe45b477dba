package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// ticketCases are rendered in the markdown and html formats and compared with
// testdata/markdown-<name>.golden and testdata/html-<name>.golden.
var ticketCases = []struct {
	name string
	r    func() *result.Result
}{
	{"all", all},
	{"ok-only", func() *result.Result { return build(okFlow(1), ipv6Flow(2)) }},
	{"empty-truncated", func() *result.Result {
		r := build()
		r.Input.File, r.Input.Complete = "cut.pcap", false
		r.Warnings = []result.Warning{{Code: "truncated-file", Offset: 40960, Frame: 48,
			Message: lit("the file ends in the middle of frame 48: it was cut while being copied; copy it again")}}
		return r
	}},
	{"flows-not-listed", flowsNotListed},
}

func TestTicketGolden(t *testing.T) {
	for _, tc := range ticketCases {
		for _, f := range []Format{FormatMarkdown, FormatHTML} {
			t.Run(string(f)+"-"+tc.name, func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, tc.r(), f, Options{}); err != nil {
					t.Fatal(err)
				}
				page := b.String()
				if f == FormatHTML {
					checkSelfContained(t, page)
					if tc.name != "all" { // the style sheet is pinned once, in html-all
						i, j := strings.Index(page, "<style>"), strings.Index(page, "</style>")
						page = page[:i] + "<style>/* as in html-all */" + page[j:]
					}
				}
				golden(t, string(f)+"-"+tc.name, []byte(page))
			})
		}
	}
}

// TestMarkdownGroups: flows that failed the same way against the same server make one group,
// named in the summary paragraph with the agents, what they offer and what the server accepts.
func TestMarkdownGroups(t *testing.T) {
	// Two agents offer TLS 1.0–1.1 and get an alert (flows 2 and 3); a third offers TLS 1.1
	// without supported_versions, which reads "TLS 1.0–1.1" too, and is reset without an alert
	// (flow 4): the same group, as groups go by verdict, server and versions, not by the packets.
	m2, m3 := mismatchFlow(2), mismatchFlow(3)
	m3.Client = "10.0.0.10:50430"
	r := build(okFlow(1), m2, m3, legacyFlow(4), refusedFlow(5))
	var b bytes.Buffer
	if err := Write(&b, r, FormatMarkdown, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"**4 of 5 connections failed.** 3 agents (10.0.0.6, 10.0.0.10 and 10.0.0.9) offer at most TLS 1.1; server 10.0.0.1:4343 chose TLS 1.2 in this capture — tls-version-mismatch. 1 agent (10.0.0.7) is refused by server 10.0.0.2:4343: nothing listens on the port, or a firewall rejects the connection — refused. **Next step:** Make the versions overlap: enable TLS 1.2 on the client",
		"| 1 | 10.0.0.6, 10.0.0.10 and 10.0.0.9 | 10.0.0.1:4343 | TLS 1.0–1.1 | - | `tls-version-mismatch` | 3 connections: #2, #3, #4 |\n",
		"| 2 | 10.0.0.7 | 10.0.0.2:4343 | - | - | `refused` | 1 connection: #5 |\n",
		"- Wireshark filter: `ip.addr==10.0.0.6 && ip.addr==10.0.0.1 && tcp.port==50420 && tcp.port==4343`\n",
		"1. Group 1:\n   1. Make the versions overlap: enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols), or allow TLS 1.1 on 10.0.0.1:4343.\n2. Group 2:\n",
		"| 4 | 2025-03-14 09:26:56.089 | 10.0.0.9:50428 | 10.0.0.1:4343 | apexone.example.com | RSTR | TLS 1.0–1.1\\* | - | **`tls-version-mismatch`** |\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	// A group shows the evidence of its first few flows and names the rest.
	if g := findings.Of(r).Groups; len(g) != 2 || g[0].Connections != 3 || g[1].Connections != 1 {
		t.Errorf("groups %+v, want 3 connections and 1", g)
	}
}

// hostile is text a client can put in a ClientHello or a request: markup, a table separator,
// an entity, emphasis and a link.
const hostile = "<script>alert(1)</script>|**x**_y_[a](http://evil.example)&amp;`tick`"

func hostileResult() *result.Result {
	notTLS := mismatchFlow(2)
	notTLS.Verdict = result.VerdictNotTLS // what the client sent instead of TLS is shown for not-tls
	r := build(okFlow(1), notTLS)
	r.Input.File = "/captures/<img src=x onerror=alert(2)>.pcap"
	edit(r, 1, func(f *result.Flow) {
		f.TLS.ClientHello.SNI = hostile
		f.Reason = lit("the client asked for " + hostile)
		f.Evidence[0].Text = lit("ClientHello SNI " + hostile)
		f.NotTLS = lit("GET /" + hostile)
		f.Packets[3].Messages = []string{hostile}
	})
	return r
}

// TestHTMLHostileText: every string from the capture reaches the page only escaped; no script
// element or event handler can come from the data.
func TestHTMLHostileText(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, hostileResult(), FormatHTML, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img", "</script>"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("html holds %q unescaped", bad)
		}
	}
	escaped := "&lt;script&gt;alert(1)&lt;/script&gt;|**x**_y_[a](http://evil.example)&amp;amp;`tick`"
	// SNI, reason, evidence, not-TLS text and the ladder label: five places, plus the title (twice)
	// for the file name.
	if n := strings.Count(out, escaped); n != 6 {
		t.Errorf("escaped hostile text appears %d times, want 6 (SNI in the flow table and the detail, reason, evidence, not_tls, ladder):\n%s", n, out)
	}
	if n := strings.Count(out, "&lt;img src=x onerror=alert(2)&gt;.pcap"); n != 3 {
		t.Errorf("escaped file name appears %d times, want 3 (title, heading, input line)", n)
	}
	checkSelfContained(t, out)
}

// TestMarkdownHostileText: the same text in Markdown is backslash-escaped: it renders as the
// characters it holds and cannot end a table cell or open HTML.
func TestMarkdownHostileText(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, hostileResult(), FormatMarkdown, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	escaped := `&lt;script&gt;alert(1)&lt;/script&gt;\|\*\*x\*\*\_y\_\[a\](http://evil.example)&amp;amp;\` + "`tick\\`"
	if n := strings.Count(out, escaped); n != 5 {
		t.Errorf("escaped hostile text appears %d times, want 5 (SNI in the table and the detail, reason, evidence, not_tls):\n%s", n, out)
	}
	unescaped := regexp.MustCompile(`<(script|img)`)
	if unescaped.MatchString(out) {
		t.Errorf("markdown holds an unescaped tag:\n%s", out)
	}
	// Every table row keeps its column count: a pipe from the data does not split a cell.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| 2 | ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 10 {
			t.Errorf("table row split by a pipe from the data: %s", line)
		}
	}
}

// checkSelfContained asserts that an HTML report fetches nothing and runs nothing: no script,
// no external resource, no event handler, and the only URL is the SVG namespace.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	low := strings.ToLower(page)
	for _, bad := range []string{"<script", "<link", "<iframe", "<object", "<embed", "<img", "@import", "url(", "javascript:"} {
		if strings.Contains(low, bad) {
			t.Errorf("html holds %q", bad)
		}
	}
	if attr := regexp.MustCompile(`(?i)<[a-z][^>]*(\s(src|on[a-z]+)\s*=|\shref\s*=\s*"[^#])`).FindString(page); attr != "" {
		t.Errorf("html holds a tag that loads or runs something: %s", attr)
	}
	// A URL in a tag could be fetched; one in text (a next step that says to use https://...) is
	// text.
	urls := regexp.MustCompile(`<[^>]*?(https?://[^\s"'<>)]+)`).FindAllStringSubmatch(page, -1)
	for _, m := range urls {
		if u := m[1]; u != "http://www.w3.org/2000/svg" && !strings.Contains(u, "evil.example") {
			t.Errorf("html refers to %s", u)
		}
	}
}

// TestTicketBounds: with thousands of failing flows in many groups, the markdown keeps to 20
// groups of evidence and 200 rows, the html to 50 ladders and 5000 rows, and both say what they
// left out.
func TestTicketBounds(t *testing.T) {
	var flows []result.Flow
	for i := range 6000 {
		f := refusedFlow(i + 1)
		f.Server = result.HostPort(fmt.Sprintf("10.1.%d.%d:4343", i/250, i%250)) // one group per 2 flows
		if i%2 == 1 {
			f.Server = flows[i-1].Server
		}
		flows = append(flows, f)
	}
	r := build(flows...)
	var md, page bytes.Buffer
	if err := Write(&md, r, FormatMarkdown, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&page, r, FormatHTML, Options{}); err != nil {
		t.Fatal(err)
	}
	m, h := md.String(), page.String()
	for _, tc := range []struct {
		out, want string
		n         int
	}{
		{m, "\n### ", 20},
		{m, "The evidence of the other 2980 groups is in the JSON and HTML reports.", 1},
		{m, "| `refused` | 2 connections: #", 3000}, // the table of groups is whole
		{m, "5800 more connections are not shown here: --format json or ndjson lists every one.", 1},
		{m, "**`refused`** |\n", 200},
		{h, `<svg class="ladder"`, 0}, // refused flows have no packets in the fixture
		{h, `<section class="card flow"`, 50},
		{h, "5950 more failing connections are listed below without their detail (at most 50 get one: the first of each group, then the others in order).", 1},
		{h, `<tr class="failed">`, 5000},                                               // the flows (the fixture's summary lists no agents)
		{h, `<span class="verdict bad">refused</span></td><td>2 connections: #`, 3000}, // the table of groups is whole
		{h, "1000 more connections are not shown here: --format json or ndjson lists every one.", 1},
	} {
		if got := strings.Count(tc.out, tc.want); got != tc.n {
			t.Errorf("%q appears %d times, want %d", tc.want, got, tc.n)
		}
	}
}
