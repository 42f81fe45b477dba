package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/connscope/connscope/result"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name.golden as a whole, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTableGolden(t *testing.T) {
	checkTables(t)
}

// checkTables renders every table case and compares it with its golden file.
func checkTables(t *testing.T) {
	for _, tc := range tableCases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.r(), FormatTable, tc.o); err != nil {
				t.Fatal(err)
			}
			golden(t, "table-"+tc.name, b.Bytes())
			checkAlignment(t, b.String())
		})
	}
}

var ansiSeq = regexp.MustCompile("\x1b\\[[0-9;]*m")

// narrow measures display width as a terminal that shows ambiguous-width runes narrow does
// (the usual case, and what the tables are laid out for), whatever the test's environment.
var narrow = &runewidth.Condition{EastAsianWidth: false}

// checkAlignment asserts that, in every table of out, every line has the same display width.
func checkAlignment(t *testing.T, out string) {
	t.Helper()
	tables := 0
	var block []string
	flush := func() {
		if len(block) == 0 {
			return
		}
		tables++
		want := narrow.StringWidth(block[0])
		for _, l := range block[1:] {
			if w := narrow.StringWidth(l); w != want {
				t.Errorf("table line has display width %d, the table's first line %d:\n%s\n%s", w, want, block[0], l)
			}
		}
		block = nil
	}
	for _, l := range strings.Split(out, "\n") {
		l = ansiSeq.ReplaceAllString(l, "")
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "|") {
			block = append(block, l)
		} else {
			flush()
		}
	}
	flush()
	if tables == 0 && !strings.Contains(out, "No TCP connection was found") {
		t.Errorf("no table found in:\n%s", out)
	}
}

// TestTableEastAsianEnvironment renders the golden cases again in a process whose environment
// asks for East Asian widths (RUNEWIDTH_EASTASIAN=1 and a Japanese locale): the output must not
// change. go-runewidth reads the environment once, at start-up, hence the child process.
func TestTableEastAsianEnvironment(t *testing.T) {
	if os.Getenv("CONNSCOPE_REPORT_EASTASIAN_CHILD") == "1" {
		if !runewidth.DefaultCondition.EastAsianWidth {
			t.Fatal("child: the environment did not turn East Asian widths on; the test proves nothing")
		}
		checkTables(t)
		return
	}
	if *update {
		t.Skip("not while rewriting golden files")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTableEastAsianEnvironment$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "CONNSCOPE_REPORT_EASTASIAN_CHILD=1", "RUNEWIDTH_EASTASIAN=1",
		"LANG=ja_JP.UTF-8", "LC_ALL=ja_JP.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("with RUNEWIDTH_EASTASIAN=1: %v\n%s", err, out)
	}
}

func TestTableContent(t *testing.T) {
	render := func(r *result.Result, o Options) string {
		t.Helper()
		var b bytes.Buffer
		if err := Write(&b, r, "", o); err != nil { // zero Format: the table
			t.Fatal(err)
		}
		return b.String()
	}

	out := render(all(), Options{})
	for _, want := range []string{
		"WARNING: 1 flow had no SYN captured",
		"| 2 | 2025-03-14 09:26:53.900 | 10.0.0.6:50420  | 10.0.0.1:4343  |",
		"TLS 1.0–1.1*",
		"* no supported_versions extension: only the highest version is on the wire",
		"#2 tls-version-mismatch 10.0.0.6:50420 -> 10.0.0.1:4343\n  why: the client offered",
		"    frame 20  09:26:53.901593  server sent fatal alert protocol_version (70)\n",
		"#3 refused 10.0.0.7:50422 -> 10.0.0.2:4343",
		"[fd00::1]:4343",
		"サーバー.example",
		"6 connections, 4 failed: 2 ok, 2 tls-version-mismatch, 1 tls-certificate-rejected, 1 refused.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Without Verbose the ok flows get no detail block; with it they do.
	if strings.Contains(out, "#1 ok") {
		t.Errorf("ok flow detailed without Verbose:\n%s", out)
	}
	if v := render(all(), Options{Verbose: true}); !strings.Contains(v, "#1 ok 10.0.0.5:50418 -> 10.0.0.1:4343") {
		t.Errorf("ok flow not detailed with Verbose:\n%s", v)
	}
	// No colour unless asked.
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape sequence without Color:\n%q", out)
	}
	if c := render(all(), Options{Color: true}); !strings.Contains(c, "\x1b[31mtls-version-mismatch\x1b[0m") {
		t.Errorf("failed verdict not red with Color:\n%q", c)
	}
}

// TestTableHostileText: text from the capture cannot write escape sequences to the terminal or
// break a table row.
func TestTableHostileText(t *testing.T) {
	r := build(japaneseFlow(1))
	edit(r, 0, func(f *result.Flow) {
		f.TLS.ClientHello.SNI = "evil\x1b]0;pwned\x07\nhost\u202e.example"
		f.Evidence[0].Text = lit("SNI \x1b[2J")
	})
	var b bytes.Buffer
	if err := Write(&b, r, FormatTable, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("control characters reach the output:\n%q", out)
	}
	for _, want := range []string{`evil\x1b]0;pwned\x07\x0ahost\u202e.example`, `SNI \x1b[2J`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	checkAlignment(t, out)
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"table", FormatTable, false},
		{"json", FormatJSON, false},
		{"JSON", FormatJSON, false},
		{" table ", FormatTable, false},
		{"", "", true},
		{"xml", "", true},
		{"markdown", FormatMarkdown, false},
		{"HTML", FormatHTML, false},
		{"md", "", true},
		{"NDJSON", FormatNDJSON, false},
	} {
		got, err := ParseFormat(tc.in)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("ParseFormat(%q) error %v does not wrap ErrUnknownFormat", tc.in, err)
		}
		if !strings.Contains(err.Error(), "valid formats are table, json, ndjson, markdown, html") {
			t.Errorf("ParseFormat(%q) error %q does not list the formats", tc.in, err)
		}
	}
	if got := Formats(); !reflect.DeepEqual(got, []Format{FormatTable, FormatJSON, FormatNDJSON, FormatMarkdown, FormatHTML}) {
		t.Errorf("Formats() = %q", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	r := build(okFlow(1))
	if err := Write(failingWriter{}, r, FormatTable, Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error not returned: %v", err)
	}
	if err := Write(&bytes.Buffer{}, r, "xml", Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format: %v", err)
	}
	if err := Write(&bytes.Buffer{}, nil, FormatJSON, Options{}); err == nil {
		t.Error("nil result accepted")
	}
}

func TestJSONGolden(t *testing.T) {
	// The example of docs/json-schema.md: a version mismatch (tls with a ClientHello and an
	// alert) and a refused connection (tls and chosen_version null, empty lists).
	r := build(mismatchFlow(1), refusedFlow(2))
	edit(r, 0, func(f *result.Flow) {
		f.Reason = lit("the client offered TLS 1.0–1.1; the server answered with a protocol_version alert")
	})
	var b bytes.Buffer
	if err := Write(&b, r, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "json-example", b.Bytes())
}

// TestJSONKeys decodes the JSON output and checks the keys a consumer relies on.
func TestJSONKeys(t *testing.T) {
	r := all()
	var b bytes.Buffer
	if err := Write(&b, r, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("{\n  \"schema\": \"connscope.result/v1\",\n")) {
		t.Errorf("schema is not the first key:\n%.80s", b.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["schema"] != "connscope.result/v1" {
		t.Errorf("schema = %v", doc["schema"])
	}
	for _, k := range []string{"input", "options", "warnings", "flows", "flows_not_listed", "summary"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top-level key %q missing", k)
		}
	}
	flows := doc["flows"].([]any)
	if len(flows) != r.Flows.Len() {
		t.Fatalf("%d flows, want %d", len(flows), r.Flows.Len())
	}

	type alert struct{ from, level, description string }
	want := []struct {
		client, server, connState, history string
		offered                            []any
		chosen                             any // string or nil
		alerts                             []alert
		verdict                            string
	}{
		{"10.0.0.5:50418", "10.0.0.1:4343", "SF", "ShADadFf", []any{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, "TLS 1.2", nil, "ok"},
		{"10.0.0.6:50420", "10.0.0.1:4343", "RSTR", "ShADdr", []any{"TLS 1.0", "TLS 1.1"}, nil,
			[]alert{{"server", "fatal", "protocol_version"}}, "tls-version-mismatch"},
		{"10.0.0.7:50422", "10.0.0.2:4343", "REJ", "Sr", []any{}, nil, nil, "refused"},
		{"[fd00::5]:50424", "[fd00::1]:4343", "SF", "ShADadFf", []any{"TLS 1.2", "TLS 1.3"}, "TLS 1.3", nil, "ok"},
		{"10.0.0.8:50426", "10.0.0.3:4343", "RSTO", "ShADdR", []any{"TLS 1.2"}, "TLS 1.2",
			[]alert{{"client", "fatal", "unknown_ca"}}, "tls-certificate-rejected"},
		{"10.0.0.9:50428", "10.0.0.1:4343", "RSTR", "ShADr", []any{"TLS 1.0", "TLS 1.1"}, nil, nil, "tls-version-mismatch"},
	}
	for i, w := range want {
		f := flows[i].(map[string]any)
		for k, v := range map[string]any{
			"client": w.client, "server": w.server, "conn_state": w.connState, "history": w.history,
			"offered_versions": w.offered, "verdict": w.verdict,
		} {
			if got, ok := f[k]; !ok || !reflect.DeepEqual(got, v) {
				t.Errorf("flow %d: %q = %#v (present %v), want %#v", i+1, k, got, ok, v)
			}
		}
		if got, ok := f["chosen_version"]; !ok || got != w.chosen {
			t.Errorf("flow %d: chosen_version = %#v (present %v), want %#v", i+1, got, ok, w.chosen)
		}
		alerts, ok := f["alerts"].([]any)
		if !ok {
			t.Errorf("flow %d: alerts = %#v, want a list", i+1, f["alerts"])
			continue
		}
		if len(alerts) != len(w.alerts) {
			t.Errorf("flow %d: %d alerts, want %d", i+1, len(alerts), len(w.alerts))
			continue
		}
		for j, wa := range w.alerts {
			a := alerts[j].(map[string]any)
			if a["from"] != wa.from || a["level"] != wa.level || a["description"] != wa.description {
				t.Errorf("flow %d alert %d = %v, want %+v", i+1, j, a, wa)
			}
		}
		// Lists documented "never nil" are lists even when the Go value was nil.
		for _, k := range []string{"evidence", "flags"} {
			if _, ok := f[k].([]any); !ok {
				t.Errorf("flow %d: %q = %#v, want a list", i+1, k, f[k])
			}
		}
	}

	// Times are RFC 3339 in UTC with sub-second digits, whatever zone the values were in.
	f2 := flows[1].(map[string]any)
	if got := f2["start"]; got != "2025-03-14T09:26:53.900293Z" {
		t.Errorf("start = %v", got)
	}
	// supported_versions keeps its null ("extension absent"); the other nil lists become [].
	ch6 := flows[5].(map[string]any)["tls"].(map[string]any)["client_hello"].(map[string]any)
	if v, ok := ch6["supported_versions"]; !ok || v != nil {
		t.Errorf("absent supported_versions = %#v (present %v), want null", v, ok)
	}
	ch2 := f2["tls"].(map[string]any)["client_hello"].(map[string]any)
	if _, ok := ch2["alpn"].([]any); !ok {
		t.Errorf("nil alpn = %#v, want []", ch2["alpn"])
	}
	if v, ok := flows[2].(map[string]any)["tls"]; !ok || v != nil {
		t.Errorf("refused flow tls = %#v, want null", v)
	}
	// The filter is readable: no \u0026 for "&".
	if !strings.Contains(b.String(), `"wireshark_filter": "ip.addr==10.0.0.5 && ip.addr==10.0.0.1 && tcp.port==50418`) {
		t.Error("wireshark_filter is HTML-escaped")
	}
}

// TestJSONDoesNotModify: Write normalizes a copy; the caller's result keeps its nil slices and
// time zones.
func TestJSONDoesNotModify(t *testing.T) {
	r, want := all(), all()
	r.Warnings, want.Warnings = nil, nil
	edit(r, 1, func(f *result.Flow) { f.Flags = nil })
	edit(want, 1, func(f *result.Flow) { f.Flags = nil })
	if err := Write(&bytes.Buffer{}, r, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&bytes.Buffer{}, r, FormatTable, Options{Verbose: true, Color: true}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Flows.Slice(), want.Flows.Slice()) || !reflect.DeepEqual(r.Summary, want.Summary) || !reflect.DeepEqual(r.Input, want.Input) {
		t.Error("Write modified the result")
	}
	if r.Flows.Slice()[1].Start.Location() != jst || r.Flows.Slice()[2].Alerts != nil || r.Warnings != nil {
		t.Error("Write modified the result")
	}
}

// TestJSONEmpty: a result with nothing in it still has lists, not nulls.
func TestJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, &result.Result{}, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "null") {
		t.Errorf("null in an empty result:\n%s", b.String())
	}
	var doc struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || doc.Schema != result.SchemaVersion {
		t.Errorf("schema = %q, %v", doc.Schema, err)
	}
}
