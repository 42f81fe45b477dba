package knowledge

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

func TestCatalogRender(t *testing.T) {
	en, err := ParseCatalog(English, `
# comment
greeting = hello {who}
count = {n} {n|flow|flows} to {server}
joined = {items/; } and {others}
nested = because {why}
long = one
  two
braces = {{literal}} {x}
`)
	if err != nil {
		t.Fatal(err)
	}
	ja, err := ParseCatalog(Japanese, "count = {n} 件 ({server})\nnested = 理由: {why}\n")
	if err != nil {
		t.Fatal(err)
	}
	ja.fallback = en
	items := []result.Message{result.Msg("greeting", result.Text("who", "a")), result.Msg("greeting", result.Text("who", "b"))}
	red := func(k result.ArgKind, s string) string { return "<" + s + ">" }
	cases := []struct {
		c    *Catalog
		m    result.Message
		red  Redactor
		want string
	}{
		{en, result.Msg("greeting", result.Text("who", "world")), nil, "hello world"},
		{en, result.Msg("count", result.Int("n", 1), result.Endpoint("server", "10.0.0.2:4343")), nil, "1 flow to 10.0.0.2:4343"},
		{en, result.Msg("count", result.Int("n", 3), result.Endpoint("server", "10.0.0.2:4343")), red, "3 flows to <10.0.0.2:4343>"},
		{en, result.Msg("joined", result.List("items", items), result.List("others", items)), nil, "hello a; hello b and hello a, hello b"},
		{en, result.Msg("nested", result.Sub("why", result.Msg("greeting", result.HostName("who", "x.test")))), red, "because hello <x.test>"},
		{en, result.Msg("long"), nil, "one two"},
		{en, result.Msg("braces", result.Text("x", "y")), nil, "{literal} y"},
		{en, result.Msg("greeting"), nil, "hello {who}"},
		{en, result.Msg("no.such.key"), nil, "[no.such.key]"},
		{en, result.Message{}, nil, ""},
		{ja, result.Msg("count", result.Int("n", 3), result.Endpoint("server", "s")), nil, "3 件 (s)"},
		// A key Japanese lacks is worded in English, its nested messages in Japanese.
		{ja, result.Msg("joined", result.List("items", items[:1]), result.List("others", items)), nil, "hello a and hello a、hello b"},
		{ja, result.Msg("nested", result.Sub("why", result.Msg("greeting", result.Text("who", "x")))), nil, "理由: hello x"},
	}
	for _, tc := range cases {
		if got := string(tc.c.AppendRender(nil, &tc.m, tc.red)); got != tc.want {
			t.Errorf("%s %v: got %q, want %q", tc.c.Lang(), tc.m, got, tc.want)
		}
	}
	if got := en.Params("count"); !slices.Equal(got, []string{"n", "server"}) {
		t.Errorf("Params(count) = %v", got)
	}
}

func TestCatalogParseErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{"no equals sign", `line 1: want "key = template"`},
		{"Key = x", `line 1: key "Key"`},
		{"a = x\na = y", "line 2: key a appears twice"},
		{"  continued", "line 1: a continuation line must follow a template"},
		{"a = {open", "line 1: a: a { at byte 0 is not closed"},
		{"a = close}", "line 1: a: a lone } at byte 5"},
		{"a = {n|one}", "a plural takes two forms"},
		{"a = {Bad}", "a parameter name is lower-case"},
	}
	for _, tc := range cases {
		_, err := ParseCatalog(English, tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCatalog(%q): error %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"": English, "EN": English, " ja ": Japanese} {
		if got, err := ParseLang(in); err != nil || got != want {
			t.Errorf("ParseLang(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseLang("fr"); err == nil || !strings.Contains(err.Error(), "en and ja") {
		t.Errorf("ParseLang(fr): error %v", err)
	}
}

// keyLiteral finds what may be message keys in Go source: string literals of dotted lower-case
// words. Those whose first word is a namespace of the English catalog ("reason", "ev", ...) must
// be keys it has; a literal that ends in "." or "-" is a prefix a key is made from at run time.
var keyLiteral = regexp.MustCompile(`"([a-z0-9_-]+\.[a-z0-9_.-]*)"`)

// TestEveryKeyUsedExists: every message key the program's source names has an English template,
// and every template of another language has the parameters of the English one.
func TestEveryKeyUsedExists(t *testing.T) {
	en := CatalogOf(English)
	namespaces := map[string]bool{}
	for _, k := range en.Keys() {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	root := ".."
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(string(b), -1) {
			ns, _, _ := strings.Cut(m[1], ".")
			if !namespaces[ns] || strings.HasSuffix(m[1], ".") || strings.HasSuffix(m[1], "-") {
				continue
			}
			if !en.Has(m[1]) {
				t.Errorf("%s: message key %q has no English template (knowledge/data/en/messages)", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages()[1:] {
		c := CatalogOf(lang)
		for _, k := range c.Keys() {
			if !en.Has(k) {
				t.Errorf("%s: key %s has no English template", lang, k)
				continue
			}
			if msg := paramsDiffer(en, c, k); msg != "" {
				t.Errorf("%s: %s %s", lang, k, msg)
			}
		}
	}
}

// paramsDiffer says how the template of key in c fails to take the parameters of the English one,
// or "": it must print every parameter English prints and use no parameter English lacks; one that
// English uses only to choose a plural form it may print, or leave out.
func paramsDiffer(en, c *Catalog, key string) string {
	all, content := en.Params(key), en.ContentParams(key)
	for _, p := range c.Params(key) {
		if !slices.Contains(all, p) {
			return "uses {" + p + "}, which the English template does not have"
		}
	}
	got := c.ContentParams(key)
	for _, p := range content {
		if !slices.Contains(got, p) {
			return "drops {" + p + "}, which the English template prints"
		}
	}
	return ""
}

// TestShippedOneAndMany: the shipped English templates that count things word one item as one
// ("1 record", "(frame 6)", "it starts") and several as several ("2 records", "(the first:
// frame 6)", "they start").
func TestShippedOneAndMany(t *testing.T) {
	en := CatalogOf(English)
	frame := func(n int) result.Arg { return result.Sub("at", result.Msg("report.frame", result.Int("n", n))) }
	side := result.Sub("side", result.Msg("word.server"))
	version := result.Text("version", "TLS 1.2")
	cases := []struct {
		m    result.Message
		want string
	}{
		{result.Msg("reason.reset-after-handshake", side, version, result.Int("client_records", 1), result.Int("server_records", 1)),
			"the server reset the connection after the TLS handshake (TLS 1.2), while exchanging data (1 record from the client, 1 from the server)"},
		{result.Msg("reason.reset-after-handshake", side, version, result.Int("client_records", 3), result.Int("server_records", 2)),
			"the server reset the connection after the TLS handshake (TLS 1.2), while exchanging data (3 records from the client, 2 from the server)"},
		{result.Msg("warning.flows-not-listed", result.Int("n", 1), result.Int("max", 10)),
			"1 flow past the first 10 is counted in the summary but not listed: narrow the analysis with --port/--host or raise --max-flows"},
		{result.Msg("warning.flows-not-listed", result.Int("n", 1270), result.Int("max", 100000)),
			"1270 flows past the first 100000 are counted in the summary but not listed: narrow the analysis with --port/--host or raise --max-flows"},
		{result.Msg("warning.client-hello-cut", result.Int("n", 1), result.Int("frame", 4)),
			"the capture's snaplen cut the ClientHello of 1 flow (in frame 4), so the TLS versions it offers cannot be read: capture again with the full snaplen (tcpdump -s 0)"},
		{result.Msg("warning.client-hello-cut", result.Int("n", 2), result.Int("frame", 4)),
			"the capture's snaplen cut the ClientHello of 2 flows (the first in frame 4), so the TLS versions they offer cannot be read: capture again with the full snaplen (tcpdump -s 0)"},
		{result.Msg("report.vantage.lost", result.Int("n", 1), frame(6)), ", 1 lost between them (frame 6)"},
		{result.Msg("report.vantage.lost", result.Int("n", 7), frame(6)), ", 7 lost between them (the first: frame 6)"},
		{result.Msg("report.vantage.injected", result.Int("n", 1), frame(9)), ", 1 injected between them (frame 9)"},
		{result.Msg("name.timeout", result.Text("dns_server", "10.0.0.53"), result.Int("n", 1), result.Text("name", "a.test")),
			"10.0.0.53 never answered the 1 query for a.test"},
	}
	for _, tc := range cases {
		if got := en.Render(tc.m); got != tc.want {
			t.Errorf("%s: got %q,\nwant %q", tc.m.Key, got, tc.want)
		}
	}
}
