package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report"
)

// The tests word their reports in English whatever the locale of the machine that runs them:
// only the tests below give the program a locale, through getenv.
func init() { getenv = func(string) string { return "" } }

// withLocale makes the program see env as its environment for the rest of the test.
func withLocale(t *testing.T, env map[string]string) {
	t.Helper()
	old := getenv
	getenv = func(k string) string { return env[k] }
	t.Cleanup(func() { getenv = old })
}

func TestLocaleLang(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want knowledge.Lang
	}{
		{nil, knowledge.English},
		{map[string]string{"LANG": "ja_JP.UTF-8"}, knowledge.Japanese},
		{map[string]string{"LANG": "ja"}, knowledge.Japanese},
		{map[string]string{"LANG": "JA_jp.eucJP"}, knowledge.Japanese},
		{map[string]string{"LANG": "en_US.UTF-8"}, knowledge.English},
		{map[string]string{"LANG": "C.UTF-8"}, knowledge.English},
		{map[string]string{"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, knowledge.Japanese},
		// LC_ALL overrides LANG, as POSIX has it; so does LC_MESSAGES, the category of messages.
		{map[string]string{"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, knowledge.English},
		{map[string]string{"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, knowledge.Japanese},
		{map[string]string{"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, knowledge.English},
	}
	for _, tc := range cases {
		withLocale(t, tc.env)
		if got := localeLang(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.env, got, tc.want)
		}
	}
}

// TestLangFlag: --lang words the report; without it a Japanese locale words the formats people
// read and leaves JSON in English; JSON keys and verdict codes are English in every language,
// its reason and next_step follow --lang.
func TestLangFlag(t *testing.T) {
	toRoot(t)
	path := "testdata/captures/seed-tls10-vs-tls12.pcap"
	const jaReason = "サーバーが ServerHello の前に protocol_version を送信しました"
	const enReason = "the server sent protocol_version before any ServerHello"
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		want   string
		format report.Format
	}{
		{"flag ja", nil, []string{"--lang", "ja"}, jaReason, report.FormatTable},
		{"flag en beats the locale", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"--lang", "en"}, enReason, report.FormatTable},
		{"locale ja: table", map[string]string{"LANG": "ja_JP.UTF-8"}, nil, jaReason, report.FormatTable},
		{"locale ja: markdown", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"-f", "markdown"}, jaReason, report.FormatMarkdown},
		{"locale ja: html", map[string]string{"LC_ALL": "ja_JP.UTF-8"}, []string{"-f", "html"}, jaReason, report.FormatHTML},
		{"locale ja: json stays English", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"-f", "json"}, enReason, report.FormatJSON},
		{"locale ja: ndjson stays English", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"-f", "ndjson"}, enReason, report.FormatNDJSON},
		{"flag ja: ndjson", nil, []string{"-f", "ndjson", "--lang", "ja"}, jaReason, report.FormatNDJSON},
		{"flag ja: json", nil, []string{"-f", "json", "--lang", "ja"}, jaReason, report.FormatJSON},
		{"locale en", map[string]string{"LANG": "en_US.UTF-8"}, nil, enReason, report.FormatTable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			withLocale(t, tc.env)
			code, out, stderr := runCLI(append([]string{"analyze", path, "-p", "4343", "-v"}, tc.args...)...)
			if code != 1 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("the report does not say %q:\n%s", tc.want, out)
			}
			if tc.format != report.FormatJSON {
				return
			}
			var doc struct {
				Flows []map[string]json.RawMessage `json:"flows"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Flows) != 1 {
				t.Fatalf("JSON: %v, %d flows", err, len(doc.Flows))
			}
			var verdict, step string
			json.Unmarshal(doc.Flows[0]["verdict"], &verdict)
			json.Unmarshal(doc.Flows[0]["next_step"], &step)
			if verdict != "tls-version-mismatch" {
				t.Errorf("verdict %q, want the code tls-version-mismatch", verdict)
			}
			if ja := strings.Contains(tc.want, "サーバー"); ja != strings.Contains(step, "してください") {
				t.Errorf("next_step %q is not in the report's language", step)
			}
		})
	}
	code, _, stderr := runCLI("analyze", path, "--lang", "fr")
	if code != exitUsage || !strings.Contains(stderr, `--lang: unknown language "fr": the languages are en and ja`) {
		t.Errorf("--lang fr: exit %d, stderr %q", code, stderr)
	}
}

// japaneseGoldens are the captures whose Japanese reports are pinned: the three version cases of
// the vendor's article (both TLS 1.2; server 1.1+1.2 with agent 1.0+1.1 settling on 1.1; server
// 1.2 only with agent 1.0 only), a refused port, dropped SYNs and a name that does not resolve
// while the server's address works.
var japaneseGoldens = []struct {
	capture string
	args    []string
	exit    int
}{
	{"seed-both-tls12", nil, 0},
	{"seed-tls11-common", nil, 0},
	{"seed-tls10-vs-tls12", nil, 1},
	{"closed-port", nil, 1},
	{"dropped-syns", nil, 1},
	{"dns-nxdomain-ip-works", []string{"--server-name", "apexone.connscope.test"}, 1},
}

// TestJapaneseGoldenReports renders the Japanese reports (table with every flow's detail,
// Markdown, HTML) of japaneseGoldens with the Apex One profile and compares each whole with its
// golden file under testdata/golden/ja. Each must state the facts of the JSON report (clients,
// servers, verdict codes, versions, Wireshark filters) and hold no English sentence of the
// knowledge: a text the Japanese data lacks would come out in English.
func TestJapaneseGoldenReports(t *testing.T) {
	toRoot(t)
	if *update {
		if err := os.MkdirAll(filepath.Join(goldenDir, "ja"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	english := englishSentences(t)
	for _, g := range japaneseGoldens {
		t.Run(g.capture, func(t *testing.T) {
			path := "testdata/captures/" + g.capture + ".pcap"
			base := append([]string{"analyze", path, "--profile", "apexone", "--lang", "ja"}, g.args...)
			_, js, _ := runCLI(append(base, "-f", "json")...)
			facts, names := reportFacts(t, js)
			for _, f := range []struct{ format, ext string }{{"table", "txt"}, {"markdown", "md"}, {"html", "html"}} {
				args := append(append([]string{}, base...), "-f", f.format)
				if f.format == "table" {
					args = append(args, "-v")
				}
				code, out, stderr := runCLI(args...)
				if code != g.exit || stderr != "" {
					t.Errorf("%s: exit %d, want %d; stderr %q", f.format, code, g.exit, stderr)
				}
				text := out
				if f.format == "html" {
					text = strings.ReplaceAll(out, "&amp;", "&")
					if !strings.Contains(out, `<html lang="ja">`) {
						t.Errorf("html: the page does not declare lang=\"ja\"")
					}
					out = withoutStyle(out)
				}
				for _, w := range append(append([]string{}, facts...), names...) {
					if !strings.Contains(text, w) {
						t.Errorf("%s: the report lacks %q", f.format, w)
					}
				}
				for _, s := range english {
					if strings.Contains(text, s) {
						t.Errorf("%s: English text of the knowledge in the Japanese report: %q", f.format, s)
					}
				}
				if m := leftoverKey.FindString(text); m != "" {
					t.Errorf("%s: a message key or parameter is left in the report: %q", f.format, m)
				}
				checkGolden(t, "ja/"+g.capture+"."+f.ext, out)
			}
		})
	}
}

// leftoverKey finds "[reason.refused]" (a key no catalog has) or "{server}" (a parameter the
// message lacks) in a report.
var leftoverKey = regexp.MustCompile(`\[[a-z0-9-]+\.[a-z0-9._-]+\]|\{[a-z_]+\}`)

// reportFacts lists what every format must state of each flow of a JSON report: client, server,
// verdict, chosen version, and for a failed flow its Wireshark filter; and of each DNS name, the
// name and its verdict.
func reportFacts(t *testing.T, js string) (flows, names []string) {
	t.Helper()
	var doc struct {
		Flows []struct {
			Client, Server, Verdict string
			Chosen                  *string `json:"chosen_version"`
			Failed                  bool
			Filter                  string `json:"wireshark_filter"`
		}
		Names []struct {
			Name, Verdict string
		}
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil || len(doc.Flows) == 0 {
		t.Fatalf("json: %v (%d flows)", err, len(doc.Flows))
	}
	for _, f := range doc.Flows {
		flows = append(flows, f.Client, f.Server, f.Verdict)
		if f.Chosen != nil {
			flows = append(flows, *f.Chosen)
		}
		if f.Failed {
			flows = append(flows, f.Filter)
		}
	}
	for _, n := range doc.Names {
		names = append(names, n.Name, n.Verdict)
	}
	return flows, names
}

// englishSentences lists the prose of the English knowledge (message templates and profile
// entries): each run of literal text between parameters that holds at least three words.
func englishSentences(t *testing.T) []string {
	t.Helper()
	var texts []string
	en := knowledge.CatalogOf(knowledge.English)
	for _, k := range en.Keys() {
		s, _ := en.Template(k)
		texts = append(texts, s)
	}
	for _, name := range knowledge.Profiles() {
		p, err := knowledge.ProfileByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range p.Keys() {
			e, _ := p.Entry(k)
			texts = append(texts, e.Title, e.Explanation)
			texts = append(texts, e.NextSteps...)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range texts {
		for _, run := range strings.FieldsFunc(s, func(r rune) bool { return r == '{' || r == '}' }) {
			run = strings.TrimSpace(run)
			if len(strings.Fields(run)) >= 3 && !seen[run] && proseRun.MatchString(run) {
				seen[run] = true
				out = append(out, run)
			}
		}
	}
	return out
}

// proseRun is English prose, not a command line or a registry path: three lower-case words in a
// row.
var proseRun = regexp.MustCompile(`\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b`)

// TestReadmeJapaneseMarkdownExample: the README's Japanese Markdown excerpt is the head of the
// real report it says it is.
func TestReadmeJapaneseMarkdownExample(t *testing.T) {
	toRoot(t)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, md, _ := runCLI("analyze", "testdata/captures/seed-tls10-vs-tls12.pcap", "--profile", "apexone", "--lang", "ja", "-f", "markdown")
	lines := strings.SplitAfter(md, "\n")
	if len(lines) < 20 {
		t.Fatalf("the report has %d lines", len(lines))
	}
	excerpt := "```markdown\n" + strings.Join(lines[:20], "") + "```\n"
	if !strings.Contains(string(readme), excerpt) {
		t.Errorf("README.md does not hold the first 20 lines of the Japanese Markdown report of seed-tls10-vs-tls12.pcap; paste them in:\n%s", excerpt)
	}
}
