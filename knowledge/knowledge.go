// Package knowledge holds what connscope knows about each verdict, as data: a title, what the
// verdict means, which result fields prove it, and the next steps to take, with placeholders
// such as {server} or {client_highest} that the analysis fills in per connection.
//
// The knowledge comes in profiles. The generic profile speaks of any TLS service; a product
// profile (apexone: Trend Micro Apex One / OfficeScan) overrides entries with the product's
// terms and sets defaults such as the server ports and the URL agents fetch to check the server.
// Each profile is one text file per language under data/<lang>/profiles/, embedded in the
// program: adding a profile is adding a file, not code (see data/en/profiles/generic.txt for the
// format). The English file of a profile is the whole profile; another language's file of the
// same name translates its entries (title, explain, next), field by field.
//
// Entries are keyed by a verdict, optionally narrowed by a variant and a role:
//
//	firewall-reject                 any connection a firewall rejected with an ICMP error
//	firewall-reject/server-host     rejected by the server host's own firewall
//	refused@agent-listener          refused on the agents' listener port (server -> agent notification)
//
// Lookup takes, field by field, the first entry that sets it, from the most specific key to
// the verdict alone, the selected profile before the generic one at each key.
package knowledge

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/connscope/connscope/result"
)

// Generic is the name of the profile every other profile falls back to.
const Generic = "generic"

// RoleAgentListener is the role of a connection to an agent's listener port: the server
// notifies the agent, so the server is the TLS client and the agent the TLS server.
const RoleAgentListener = "agent-listener"

// Entry is what one profile says about one verdict key. Empty fields are taken from less
// specific keys and from the generic profile.
type Entry struct {
	// Title is a short heading for the verdict, e.g. "TLS version mismatch".
	Title string
	// Explanation says in a sentence or two what the verdict means.
	Explanation string
	// Evidence lists the result fields (JSON paths such as "tcp.rsts" or "alerts") that prove it.
	Evidence []string
	// NextSteps are what to do, in order, with {placeholders}.
	NextSteps []string
}

// Profile is a named set of entries plus the defaults it brings.
type Profile struct {
	// Name is what --profile takes, e.g. "apexone".
	Name string
	// Description says what the profile is for.
	Description string
	// Ports are the server ports analysed when none are given.
	Ports []uint16
	// TLSPorts are server ports where TLS is expected (plain text there is not-tls).
	TLSPorts []uint16
	// CheckURL is the path that clients fetch to check the server; an HTTP error status for it
	// is a failure (verdict http-error). Empty: no such URL.
	CheckURL string

	entries map[string]Entry
	// translations are the entries of the other languages' files of this profile.
	translations map[Lang]map[string]Entry
}

// Advice is an entry resolved for one finding, placeholders filled in.
type Advice struct {
	Key         string   // the most specific key that matched, e.g. "refused/icmp"
	Title       string   // e.g. "Connection refused by a firewall"
	Explanation string   // what the verdict means
	Evidence    []string // result fields that prove it
	NextSteps   []string // what to do, placeholders filled in
}

//go:embed data
var dataFS embed.FS

var (
	loadOnce sync.Once
	profiles map[string]*Profile
	loadErr  error
)

func load() {
	profiles = map[string]*Profile{}
	dir := "data/" + string(English) + "/profiles"
	files, err := dataFS.ReadDir(dir)
	if err != nil {
		loadErr = err
		return
	}
	for _, f := range files {
		p, err := readProfile(dir + "/" + f.Name())
		if err != nil {
			loadErr = err
			return
		}
		if profiles[p.Name] != nil {
			loadErr = fmt.Errorf("knowledge/%s/%s: profile %q is defined twice", dir, f.Name(), p.Name)
			return
		}
		profiles[p.Name] = p
	}
	if profiles[Generic] == nil {
		loadErr = fmt.Errorf("knowledge/%s: no %q profile", dir, Generic)
		return
	}
	for _, lang := range Languages()[1:] {
		dir := "data/" + string(lang) + "/profiles"
		files, _ := dataFS.ReadDir(dir) // a language without translations yet words in English
		for _, f := range files {
			t, err := readProfile(dir + "/" + f.Name())
			if err != nil {
				loadErr = err
				return
			}
			p := profiles[t.Name]
			if p == nil {
				loadErr = fmt.Errorf("knowledge/%s/%s: profile %q has no English file", dir, f.Name(), t.Name)
				return
			}
			if p.translations == nil {
				p.translations = map[Lang]map[string]Entry{}
			}
			p.translations[lang] = t.entries
		}
	}
}

// readProfile parses one embedded profile file.
func readProfile(name string) (*Profile, error) {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	p, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("knowledge/%s: %w", name, err)
	}
	return p, nil
}

// Profiles returns the names of the built-in profiles, sorted, generic first.
func Profiles() []string {
	loadOnce.Do(load)
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		if n != Generic {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return append([]string{Generic}, names...)
}

// ProfileByName returns the built-in profile with that name ("" means generic). For an unknown
// name the error lists the known ones.
func ProfileByName(name string) (*Profile, error) {
	loadOnce.Do(load)
	if loadErr != nil {
		return nil, loadErr
	}
	if name == "" {
		name = Generic
	}
	p := profiles[strings.ToLower(strings.TrimSpace(name))]
	if p == nil {
		return nil, fmt.Errorf("unknown profile %q: the profiles are %s", name, strings.Join(Profiles(), ", "))
	}
	return p, nil
}

// Default returns the generic profile. It panics only if the embedded data is broken, which
// the package's tests rule out.
func Default() *Profile {
	p, err := ProfileByName(Generic)
	if err != nil {
		panic(err)
	}
	return p
}

// Keys lists the entry keys of the profile, sorted.
func (p *Profile) Keys() []string {
	keys := make([]string, 0, len(p.entries))
	for k := range p.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Entry returns the profile's own entry for key (not merged with anything).
func (p *Profile) Entry(key string) (Entry, bool) {
	e, ok := p.entries[key]
	return e, ok
}

// candidates lists the keys to try for a verdict, a variant and a role, most specific first.
func candidates(v result.Verdict, variant, role string) []string {
	base := string(v)
	var keys []string
	if variant != "" && role != "" {
		keys = append(keys, base+"/"+variant+"@"+role)
	}
	if role != "" {
		keys = append(keys, base+"@"+role)
	}
	if variant != "" {
		keys = append(keys, base+"/"+variant)
	}
	return append(keys, base)
}

// Lookup resolves the entry for verdict v narrowed by variant and role (either may be empty)
// and fills in the placeholders from facts, in English. Unknown or missing facts are replaced by
// the placeholder's fallback wording (see Placeholders).
func (p *Profile) Lookup(v result.Verdict, variant, role string, facts map[string]string) Advice {
	return p.LookupIn(English, v, variant, role, facts)
}

// LookupIn is Lookup in language lang: each field from lang's translation when it has one, else
// from English.
func (p *Profile) LookupIn(lang Lang, v result.Verdict, variant, role string, facts map[string]string) Advice {
	key, e := p.ResolveIn(lang, v, variant, role)
	c := CatalogOf(lang)
	a := Advice{Key: key}
	a.Title = fillIn(c, e.Title, facts)
	a.Explanation = fillIn(c, e.Explanation, facts)
	a.Evidence = append([]string{}, e.Evidence...)
	a.NextSteps = make([]string, 0, len(e.NextSteps))
	for _, s := range e.NextSteps {
		a.NextSteps = append(a.NextSteps, fillIn(c, s, facts))
	}
	return a
}

// Resolve returns the key and the English entry that Lookup fills in: each field from the most
// specific key that has it, in this profile or else in the generic one. Its placeholders are not
// filled and its lists are the profile's own: the caller must not change them. A caller that
// words many flows alike can resolve once and Fill per flow.
func (p *Profile) Resolve(v result.Verdict, variant, role string) (key string, e Entry) {
	return p.ResolveIn(English, v, variant, role)
}

// ResolveIn is Resolve in language lang: the fields lang's translations set, from the most
// specific key, and the others from English.
func (p *Profile) ResolveIn(lang Lang, v result.Verdict, variant, role string) (key string, e Entry) {
	chain := []*Profile{p}
	if g := Default(); g != p {
		chain = append(chain, g)
	}
	if lang != English {
		for _, k := range candidates(v, variant, role) {
			for _, prof := range chain {
				x, ok := prof.translations[lang][k]
				if !ok {
					continue
				}
				if key == "" {
					key = k
				}
				mergeEntry(&e, x)
			}
		}
	}
	for _, k := range candidates(v, variant, role) {
		for _, prof := range chain {
			x, ok := prof.entries[k]
			if !ok {
				continue
			}
			if key == "" {
				key = k
			}
			mergeEntry(&e, x)
		}
	}
	return key, e
}

// mergeEntry sets each field of e that is still empty from x.
func mergeEntry(e *Entry, x Entry) {
	if e.Title == "" {
		e.Title = x.Title
	}
	if e.Explanation == "" {
		e.Explanation = x.Explanation
	}
	if e.Evidence == nil {
		e.Evidence = x.Evidence
	}
	if e.NextSteps == nil {
		e.NextSteps = x.NextSteps
	}
}

// Translation returns the profile's own entry for key in lang (not merged with anything).
func (p *Profile) Translation(lang Lang, key string) (Entry, bool) {
	if lang == English {
		return p.Entry(key)
	}
	e, ok := p.translations[lang][key]
	return e, ok
}
