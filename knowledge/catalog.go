package knowledge

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/connscope/connscope/result"
)

// Lang is a language reports can be written in: "en" or "ja".
type Lang string

// The languages.
const (
	English  Lang = "en"
	Japanese Lang = "ja"
)

// Languages lists the languages, English (the default) first.
func Languages() []Lang { return []Lang{English, Japanese} }

// ParseLang returns the language named s ("en", "ja"; case and space ignored, "" is English).
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "en", "english":
		return English, nil
	case "ja", "japanese", "jp":
		return Japanese, nil
	}
	return "", fmt.Errorf("unknown language %q: the languages are en and ja", s)
}

// Redactor replaces a message parameter taken from the capture (kind k, for which
// k.FromCapture() is true) with its pseudonym. Nil keeps the text as it is.
type Redactor func(k result.ArgKind, s string) string

// Catalog words messages (result.Message) in one language. Every sentence a report shows is a
// template in the catalog, found by the message's key, with {named} parameters:
//
//	{name}          the parameter's value; a nested message is worded in the same language, a
//	                list's items are joined with ", " (Japanese "、")
//	{name/SEP}      a list's items joined with SEP instead, e.g. {clauses/; }
//	{name|one|many} for an integer parameter: "one" when it is 1, else "many" (English plurals;
//	                the value itself is not printed: write {n} {n|flow|flows})
//	{{ and }}       literal braces
//
// The templates are data: knowledge/data/<lang>/messages/*.txt, one "key = template" a line, a
// line that starts with white space continuing the template above it (joined with one space). A
// template in double quotes keeps the white space at its ends: key = " (in brackets)".
type Catalog struct {
	lang      Lang
	templates map[string]*template
	fallback  *Catalog // English, for a key this language lacks; nil for English
	// role is the connection role this catalog words messages for ("" for none): a template
	// "ROLE.KEY" then words KEY (roleview.go); views are the catalog's views for each role.
	role  string
	views map[string]*Catalog
}

// template is a parsed message template.
type template struct {
	text  string // as written, for completeness tests
	parts []part
}

// part is one piece of a template: literal text, or a parameter reference.
type part struct {
	lit       string // literal text (when name is "")
	name      string // the parameter
	sep       string // list separator ({name/SEP}); "" for the language's
	hasSep    bool
	one, many string // plural forms ({name|one|many})
	plural    bool
}

var (
	catalogOnce sync.Once
	catalogs    map[Lang]*Catalog
	catalogErr  error
)

// CatalogOf returns the catalog of lang (English for an unknown one). It panics only when the
// embedded data is broken, which the package's tests rule out.
func CatalogOf(lang Lang) *Catalog {
	catalogOnce.Do(loadCatalogs)
	if catalogErr != nil {
		panic(catalogErr)
	}
	if c := catalogs[lang]; c != nil {
		return c
	}
	return catalogs[English]
}

func loadCatalogs() {
	catalogs = map[Lang]*Catalog{}
	for _, lang := range Languages() {
		c := &Catalog{lang: lang, templates: map[string]*template{}}
		dir := "data/" + string(lang) + "/messages"
		files, err := dataFS.ReadDir(dir)
		if err != nil {
			continue // a language without messages yet falls back to English
		}
		for _, f := range files {
			b, err := dataFS.ReadFile(dir + "/" + f.Name())
			if err != nil {
				catalogErr = err
				return
			}
			if err := c.parse(string(b)); err != nil {
				catalogErr = fmt.Errorf("knowledge/%s/%s: %w", dir, f.Name(), err)
				return
			}
		}
		catalogs[lang] = c
	}
	if catalogs[English] == nil {
		catalogErr = fmt.Errorf("knowledge/data/en/messages: missing")
		return
	}
	for lang, c := range catalogs {
		if lang != English {
			c.fallback = catalogs[English]
		}
	}
	addRoleViews(catalogs)
}

// ParseCatalog reads one message file into a new catalog of lang (for tests and tools).
func ParseCatalog(lang Lang, text string) (*Catalog, error) {
	c := &Catalog{lang: lang, templates: map[string]*template{}}
	return c, c.parse(text)
}

// parse adds the "key = template" lines of one message file.
func (c *Catalog) parse(text string) error {
	if len(text) > maxDataBytes {
		return fmt.Errorf("%d bytes: a message file holds at most %d", len(text), maxDataBytes)
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) > maxDataLines {
		return fmt.Errorf("%d lines: a message file holds at most %d", len(lines), maxDataLines)
	}
	var key string
	var val []string
	var keyLine int
	flush := func() error {
		if key == "" {
			return nil
		}
		text := c.joinLines(val)
		if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
			text = text[1 : len(text)-1] // quoted: keeps white space at either end
		}
		t, err := parseTemplate(text)
		if err != nil {
			return fmt.Errorf("line %d: %s: %w", keyLine, key, err)
		}
		c.templates[key] = t
		key, val = "", nil
		return nil
	}
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimRight(raw, " \t")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			if err := flush(); err != nil {
				return err
			}
			continue
		case line[0] == ' ' || line[0] == '\t':
			if key == "" {
				return fmt.Errorf("line %d: a continuation line must follow a template", n)
			}
			val = append(val, trimmed)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		k, v, ok := strings.Cut(trimmed, "=")
		if !ok {
			return fmt.Errorf("line %d: want \"key = template\", got %q", n, trimmed)
		}
		k = strings.TrimSpace(k)
		if !isKey(k) {
			return fmt.Errorf("line %d: key %q: use lower-case letters, digits, '-', '_' and '.'", n, k)
		}
		if _, dup := c.templates[k]; dup {
			return fmt.Errorf("line %d: key %s appears twice", n, k)
		}
		key, keyLine = k, n
		val = []string{strings.TrimSpace(v)}
	}
	return flush()
}

func isKey(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// parseTemplate splits a template into literal text and parameter references.
func parseTemplate(s string) (*template, error) {
	t := &template{text: s}
	var lit strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			lit.WriteByte('{')
			i += 2
			continue
		case strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte('}')
			i += 2
			continue
		case s[i] == '}':
			return nil, fmt.Errorf("a lone } at byte %d (write }} for a brace)", i)
		case s[i] != '{':
			lit.WriteByte(s[i])
			i++
			continue
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("a { at byte %d is not closed (write {{ for a brace)", i)
		}
		ref := s[i+1 : i+j]
		i += j + 1
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{lit: lit.String()})
			lit.Reset()
		}
		p := part{}
		if name, forms, ok := strings.Cut(ref, "|"); ok {
			one, many, ok := strings.Cut(forms, "|")
			if !ok {
				return nil, fmt.Errorf("{%s}: a plural takes two forms, {name|one|many}", ref)
			}
			p.name, p.one, p.many, p.plural = name, one, many, true
		} else if name, sep, ok := strings.Cut(ref, "/"); ok {
			p.name, p.sep, p.hasSep = name, sep, true
		} else {
			p.name = ref
		}
		if !isParamName(p.name) {
			return nil, fmt.Errorf("{%s}: a parameter name is lower-case letters, digits and _", ref)
		}
		t.parts = append(t.parts, p)
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, part{lit: lit.String()})
	}
	return t, nil
}

func isParamName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Lang is the catalog's language.
func (c *Catalog) Lang() Lang { return c.lang }

// Has reports whether the catalog itself (not its English fallback) has a template for key.
func (c *Catalog) Has(key string) bool { _, ok := c.templates[key]; return ok }

// Keys lists the catalog's own keys, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.templates))
	for k := range c.templates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Template returns the template of key as written, and whether the catalog itself has it.
func (c *Catalog) Template(key string) (string, bool) {
	t, ok := c.templates[key]
	if !ok {
		return "", false
	}
	return t.text, true
}

// Params lists the parameter names the template of key uses, sorted and without repeats.
func (c *Catalog) Params(key string) []string { return c.params(key, true) }

// ContentParams lists, sorted and without repeats, the parameters whose value the template of key
// prints: all those Params lists but the ones it uses only to choose a plural form
// ({n|flow|flows}), which carry no content a translation must keep.
func (c *Catalog) ContentParams(key string) []string { return c.params(key, false) }

func (c *Catalog) params(key string, plurals bool) []string {
	t := c.templates[key]
	if t == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range t.parts {
		if p.name != "" && (plurals || !p.plural) && !seen[p.name] {
			seen[p.name] = true
			out = append(out, p.name)
		}
	}
	sort.Strings(out)
	return out
}

// Render words m in the catalog's language, keeping text from the capture as it is.
func (c *Catalog) Render(m result.Message) string {
	if m.Key == "" {
		return ""
	}
	return string(c.AppendRender(nil, &m, nil))
}

// RenderRedacted words m, passing every parameter taken from the capture through red.
func (c *Catalog) RenderRedacted(m result.Message, red Redactor) string {
	if m.Key == "" {
		return ""
	}
	return string(c.AppendRender(nil, &m, red))
}

// Say words the message with key and args: a shorthand for report headings and labels.
func (c *Catalog) Say(key string, args ...result.Arg) string {
	m := result.Message{Key: key, Args: args}
	return string(c.AppendRender(nil, &m, nil))
}

// AppendRender appends m, worded in the catalog's language, to dst. A key no catalog has is
// written as [key], and a parameter the message lacks as {name}, so that tests catch both.
func (c *Catalog) AppendRender(dst []byte, m *result.Message, red Redactor) []byte {
	if m.Key == "" {
		return dst
	}
	if v, inner := c.scoped(m); v != nil {
		return v.AppendRender(dst, inner, red)
	}
	t := c.template(m.Key)
	if t == nil && c.fallback != nil {
		return c.fallback.appendWith(dst, m, red, c)
	}
	return c.appendTemplate(dst, t, m, red, c)
}

// appendWith renders m with this catalog's template, nested messages in lang's catalog.
func (c *Catalog) appendWith(dst []byte, m *result.Message, red Redactor, lang *Catalog) []byte {
	return c.appendTemplate(dst, c.template(m.Key), m, red, lang)
}

// appendTemplate renders t with m's parameters; in Japanese, tidyEdges then drops the spaces
// that Japanese text does not take at the parameters' edges.
func (c *Catalog) appendTemplate(dst []byte, t *template, m *result.Message, red Redactor, lang *Catalog) []byte {
	if t == nil {
		return append(append(append(dst, '['), m.Key...), ']')
	}
	ja := lang.lang == Japanese
	var edges []int // in Japanese, offsets in dst where a parameter's value starts or ends
	for i := range t.parts {
		p := &t.parts[i]
		if p.name == "" {
			dst = append(dst, p.lit...)
			continue
		}
		a, ok := m.Arg(p.name)
		if !ok {
			dst = append(append(append(dst, '{'), p.name...), '}')
			continue
		}
		if ja {
			edges = append(edges, len(dst))
		}
		switch {
		case p.plural && countIsOne(&a):
			dst = append(dst, p.one...)
		case p.plural:
			dst = append(dst, p.many...)
		default:
			dst = lang.appendArg(dst, &a, p, red)
		}
		if ja {
			edges = append(edges, len(dst))
		}
	}
	if ja {
		dst = tidyEdges(dst, edges)
	}
	return dst
}

// Separator returns what the template of key joins its list parameter name with: the SEP of
// {name/SEP}, else the language's list separator. A caller that joins many lists of plain text the
// same way (a finding's next steps, a paragraph's sentences) asks once and joins with
// strings.Join.
func (c *Catalog) Separator(key, name string) string {
	t := c.templates[key]
	if t == nil && c.fallback != nil {
		t = c.fallback.templates[key]
	}
	if t != nil {
		for _, p := range t.parts {
			if p.name == name && p.hasSep {
				return p.sep
			}
		}
	}
	return c.listSep()
}

// listSep is how a language joins a list's items.
func (c *Catalog) listSep() string {
	if c.lang == Japanese {
		return "、"
	}
	return ", "
}

func (c *Catalog) appendArg(dst []byte, a *result.Arg, p *part, red Redactor) []byte {
	switch a.Kind {
	case result.KindInt:
		return strconv.AppendInt(dst, a.Int, 10)
	case result.KindMessage:
		if a.Msg == nil {
			return dst
		}
		return c.AppendRender(dst, a.Msg, red)
	case result.KindList:
		sep := c.listSep()
		if p.hasSep {
			sep = p.sep
		}
		for i := range a.List {
			if i > 0 {
				dst = append(dst, sep...)
			}
			dst = c.AppendRender(dst, &a.List[i], red)
		}
		return dst
	}
	text := a.Text
	if red != nil && a.Kind.FromCapture() {
		text = red(a.Kind, text)
	}
	if a.Quote {
		return strconv.AppendQuote(dst, text)
	}
	return append(dst, text...)
}

// tidyEdges drops from Japanese text dst each space at a parameter's edge (edges: the offsets
// where values start and end, in order) that needlessSpace finds. A template sets a parameter off
// with spaces ("{n} 個", "が {side} に"), which a value in Latin letters or digits needs and a
// Japanese one does not ("一方の側 に" reads wrong), and a value may begin or end with a space of
// its own. A space at a parameter's edge goes when the characters on both sides of it are
// Japanese, or when it follows a Japanese comma or full stop. Literal text keeps every space its
// template has.
func tidyEdges(dst []byte, edges []int) []byte {
	// From the last edge back, so that a dropped space moves no edge still to be looked at.
	for i := len(edges) - 1; i >= 0; i-- {
		e := edges[i]
		if e < len(dst) && dst[e] == ' ' && needlessSpace(dst, e) {
			dst = append(dst[:e], dst[e+1:]...)
		}
		if e > 0 && dst[e-1] == ' ' && needlessSpace(dst, e-1) {
			dst = append(dst[:e-1], dst[e:]...)
		}
	}
	return dst
}

// needlessSpace reports whether the space at dst[i] stands where Japanese takes none: between two
// Japanese characters, or after a Japanese comma or full stop.
func needlessSpace(dst []byte, i int) bool {
	before, _ := utf8.DecodeLastRune(dst[:i])
	after, _ := utf8.DecodeRune(dst[i+1:])
	return before == '、' || before == '。' || (isJapanese(before) && isJapanese(after))
}

// isJapanese reports whether r is a character of Japanese text that sits next to another without
// a space: kana, kanji, and the full-width punctuation and forms (U+3000 and above, up to the
// half-width forms).
func isJapanese(r rune) bool {
	return r >= 0x3000 && r <= 0xFFEF && r != utf8.RuneError
}

// joinLines joins a template's lines. English joins them with a space; Japanese too, except
// where the space would stand between two Japanese characters or after a comma or full stop.
func (c *Catalog) joinLines(lines []string) string {
	if c.lang != Japanese {
		return strings.Join(lines, " ")
	}
	var b []byte
	for i, l := range lines {
		if i > 0 {
			b = append(b, ' ')
			if len(l) > 0 && needlessSpace(append(b, l...), len(b)-1) {
				b = b[:len(b)-1]
			}
		}
		b = append(b, l...)
	}
	return string(b)
}

// countIsOne reports whether a count parameter is one, for a plural form {n|one|many}: an
// integer 1, or a count already written as text (a progress line's "1", not "12.5k").
func countIsOne(a *result.Arg) bool {
	if a.Kind == result.KindText {
		return a.Text == "1"
	}
	return a.Int == 1
}
