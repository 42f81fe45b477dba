package knowledge

import (
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/connscope/connscope/result"
)

// languageNeutral lists the message templates that hold English words but are the same in every
// language: a field name and English ordinals, which other languages write as plain numbers, the
// program's name. A template whose English holds no lower-case word outside its parameters
// ("{a}{b}", "CN={cn}", "({version})", "TCP") needs no translation and is not listed. Any other
// template of a translation that equals the English one, or has no character of its language, is
// a text left untranslated.
var languageNeutral = map[Lang][]string{
	Japanese: {"word.hop-limit", "ordinal.1", "ordinal.2", "ordinal.3", "ordinal.n"},
}

// paramRef, wordOutsideParams and programName find the words of a template outside its parameters
// and the program's name.
var (
	paramRef          = regexp.MustCompile(`\{[^{}]*\}`)
	wordOutsideParams = regexp.MustCompile(`[a-z]{2,}`)
	programName       = regexp.MustCompile(`\bconnscope( probe)?\b`)
)

// needsTranslation reports whether an English template holds words to translate.
func needsTranslation(en string) bool {
	return wordOutsideParams.MatchString(programName.ReplaceAllString(paramRef.ReplaceAllString(en, ""), ""))
}

// ofLanguage reports whether s holds a character written only in lang (for Japanese: kana, kanji
// or a full-width sign), so that a text copied over from English is told from a translated one.
func ofLanguage(lang Lang, s string) bool {
	if lang != Japanese {
		return true
	}
	for _, r := range s {
		if r >= 0x3000 && r <= 0x9fff || r >= 0xff00 && r <= 0xffef {
			return true
		}
	}
	return false
}

// messageFiles reads the message files of lang: file name -> its own catalog.
func messageFiles(t *testing.T, lang Lang) map[string]*Catalog {
	t.Helper()
	dir := "data/" + string(lang) + "/messages"
	files, err := dataFS.ReadDir(dir)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	out := map[string]*Catalog{}
	for _, f := range files {
		b, err := dataFS.ReadFile(path.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCatalog(lang, string(b))
		if err != nil {
			t.Fatalf("%s/%s: %v", dir, f.Name(), err)
		}
		out[f.Name()] = c
	}
	return out
}

// TestMessagesTranslated: every language has, file by file, the message keys English has and no
// other; each template prints every parameter the English one prints (one English uses only to
// choose a plural form may be left out) and uses no parameter English lacks; and none is left in
// English. Whatever message files exist are checked, so a file added to data/en/messages (the
// report's, the probe's) fails this test until it is translated.
func TestMessagesTranslated(t *testing.T) {
	en := messageFiles(t, English)
	for _, lang := range Languages()[1:] {
		tr := messageFiles(t, lang)
		for name := range tr {
			if en[name] == nil {
				t.Errorf("%s/messages/%s has no English file", lang, name)
			}
		}
		neutral := languageNeutral[lang]
		for name, ec := range en {
			c := tr[name]
			if c == nil {
				t.Errorf("%s/messages/%s is missing: translate data/en/messages/%s", lang, name, name)
				continue
			}
			for _, k := range ec.Keys() {
				if !c.Has(k) {
					t.Errorf("%s/messages/%s: key %s is missing (English: %q)", lang, name, k, mustTemplate(ec, k))
				}
			}
			for _, k := range c.Keys() {
				if !ec.Has(k) {
					t.Errorf("%s/messages/%s: key %s is not in the English file", lang, name, k)
					continue
				}
				if msg := paramsDiffer(ec, c, k); msg != "" {
					t.Errorf("%s/messages/%s: %s %s", lang, name, k, msg)
				}
				text, ours := mustTemplate(c, k), mustTemplate(ec, k)
				if slices.Contains(neutral, k) || !needsTranslation(ours) {
					continue
				}
				if text == ours || !ofLanguage(lang, text) {
					t.Errorf("%s/messages/%s: %s = %q is not translated", lang, name, k, text)
				}
			}
		}
		for _, k := range neutral {
			if !CatalogOf(English).Has(k) {
				t.Errorf("languageNeutral[%s] lists %s, which no English file has", lang, k)
			}
		}
	}
}

func mustTemplate(c *Catalog, key string) string {
	s, _ := c.Template(key)
	return s
}

// TestMessagesRenderInEveryLanguage: every message, given every parameter its English template
// takes, is worded in each language without a key or parameter left over, and without the
// English fallback.
func TestMessagesRenderInEveryLanguage(t *testing.T) {
	en := CatalogOf(English)
	for _, lang := range Languages()[1:] {
		c := CatalogOf(lang)
		for _, k := range en.Keys() {
			var args []result.Arg
			for _, p := range en.Params(k) {
				args = append(args, result.Int(p, 2))
			}
			m := result.Msg(k, args...)
			got := c.Render(m)
			if strings.Contains(got, "{") || strings.Contains(got, "["+k+"]") || !utf8.ValidString(got) {
				t.Errorf("%s: %s renders as %q", lang, k, got)
			}
			if !c.Has(k) {
				t.Errorf("%s: %s is worded with the English fallback: %q", lang, k, got)
			}
		}
	}
}

// TestProfilesTranslated: for every English profile file each language has a file of the same
// name with the same entries and no other; each entry sets the fields English sets (title,
// explain, as many next steps) and no other, with the same placeholders field by field, in its
// language; the evidence fields and the profile's header (ports, check URL, ...) are the English
// file's alone.
func TestProfilesTranslated(t *testing.T) {
	enDir := "data/" + string(English) + "/profiles"
	files, err := dataFS.ReadDir(enDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages()[1:] {
		dir := "data/" + string(lang) + "/profiles"
		trFiles, _ := dataFS.ReadDir(dir)
		for _, f := range trFiles {
			if _, err := dataFS.ReadFile(path.Join(enDir, f.Name())); err != nil {
				t.Errorf("%s/%s has no English file", dir, f.Name())
			}
		}
		for _, f := range files {
			en, err := readProfile(path.Join(enDir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := readProfile(path.Join(dir, f.Name()))
			if err != nil {
				t.Errorf("%s/%s: %v (translate %s/%s)", dir, f.Name(), err, enDir, f.Name())
				continue
			}
			id := string(lang) + "/profiles/" + f.Name()
			if tr.Name != en.Name {
				t.Errorf("%s: profile %q, English %q", id, tr.Name, en.Name)
			}
			if tr.Description != "" || tr.Ports != nil || tr.TLSPorts != nil || tr.CheckURL != "" {
				t.Errorf("%s: sets header fields; they belong to the English file alone", id)
			}
			for _, k := range tr.Keys() {
				if _, ok := en.Entry(k); !ok {
					t.Errorf("%s: entry [%s] is not in the English file", id, k)
				}
			}
			for _, k := range en.Keys() {
				ee, _ := en.Entry(k)
				te, ok := tr.Entry(k)
				if !ok {
					t.Errorf("%s: entry [%s] is missing", id, k)
					continue
				}
				checkField(t, lang, id+" ["+k+"] title", ee.Title, te.Title)
				checkField(t, lang, id+" ["+k+"] explain", ee.Explanation, te.Explanation)
				if len(te.NextSteps) != len(ee.NextSteps) {
					t.Errorf("%s [%s]: %d next steps, English %d", id, k, len(te.NextSteps), len(ee.NextSteps))
				} else {
					for i := range ee.NextSteps {
						checkField(t, lang, id+" ["+k+"] next "+strconv.Itoa(i+1), ee.NextSteps[i], te.NextSteps[i])
					}
				}
				if te.Evidence != nil {
					t.Errorf("%s [%s]: sets evidence; the result's field names belong to the English file alone", id, k)
				}
			}
		}
	}
}

// checkField: a translated field is set exactly when the English one is, in its language, with
// the same placeholders.
func checkField(t *testing.T, lang Lang, id, en, tr string) {
	t.Helper()
	switch {
	case (en == "") != (tr == ""):
		t.Errorf("%s: %q, English %q: set both or neither", id, tr, en)
	case tr != "" && !ofLanguage(lang, tr):
		t.Errorf("%s: %q is not translated", id, tr)
	}
	// A count that only chooses a plural form ({clients|agent|agents}) need not appear in a
	// language without plurals.
	got, want := valuePlaceholdersIn(tr), valuePlaceholdersIn(en)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(slices.Compact(got), slices.Compact(want)) {
		t.Errorf("%s: placeholders %v, English %v", id, got, want)
	}
}

// TestAdviceInEveryLanguage: for every profile, verdict, variant and role the knowledge words in
// each language, what each language says comes from its own files (no English fallback): the
// title, the explanation and as many next steps as English has.
func TestAdviceInEveryLanguage(t *testing.T) {
	variants := map[result.Verdict][]string{}
	for _, name := range Profiles() {
		p, _ := ProfileByName(name)
		for _, k := range p.Keys() {
			rest, _, _ := strings.Cut(k, "@")
			if v, variant, ok := strings.Cut(rest, "/"); ok {
				variants[result.Verdict(v)] = append(variants[result.Verdict(v)], variant)
			}
		}
	}
	for _, lang := range Languages()[1:] {
		for _, name := range Profiles() {
			p, _ := ProfileByName(name)
			for _, v := range result.AllVerdicts {
				for _, variant := range append([]string{""}, variants[v]...) {
					for _, role := range []string{"", RoleAgentListener} {
						id := string(lang) + " " + name + " " + string(v) + "/" + variant + "@" + role
						_, ee := p.ResolveIn(English, v, variant, role)
						_, te := p.ResolveIn(lang, v, variant, role)
						for _, s := range append([]string{te.Title, te.Explanation}, te.NextSteps...) {
							if !ofLanguage(lang, s) {
								t.Errorf("%s: %q is in English", id, s)
							}
						}
						if len(te.NextSteps) != len(ee.NextSteps) {
							t.Errorf("%s: %d next steps, English %d", id, len(te.NextSteps), len(ee.NextSteps))
						}
					}
				}
			}
		}
	}
}

// TestFallbackInEveryLanguage: a placeholder without a value is worded in the report's language.
func TestFallbackInEveryLanguage(t *testing.T) {
	p, _ := ProfileByName("apexone")
	w := p.Advise(Japanese, result.VerdictFirewallReject, &result.Advice{Params: []result.Arg{result.Int("port", 4343)}}, nil)
	if len(w.NextSteps) != 1 || !strings.Contains(w.NextSteps[0], "（ルーターまたはファイアウォール）") {
		t.Errorf("next steps %q: want the router worded in Japanese when the finding has none", w.NextSteps)
	}
	for _, ph := range Placeholders {
		for _, lang := range Languages() {
			if s := CatalogOf(lang).Fallback(ph.Name); s == "" || strings.HasPrefix(s, "[") {
				t.Errorf("%s: placeholder %s has no fallback words (placeholder.%s)", lang, ph.Name, ph.Name)
			}
		}
	}
	if got := Fill("allow {client_highest} on {server}.", nil); got != "allow its highest version on the server." {
		t.Errorf("Fill without facts = %q", got)
	}
}

// valuePlaceholdersIn returns the {names} s words the value of: not those that only choose a
// plural form.
func valuePlaceholdersIn(s string) []string {
	var out []string
	for _, m := range placeholderRef.FindAllStringSubmatch(s, -1) {
		if !strings.Contains(m[1], "|") {
			out = append(out, m[1])
		}
	}
	return out
}

var placeholderRef = regexp.MustCompile(`\{([^{}]*)\}`)
