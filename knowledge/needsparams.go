package knowledge

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/connscope/connscope/result"
)

// adviceKey is a finding's entry, as Advise resolves it, and whether it words next steps.
type adviceKey struct {
	p             *Profile
	v             result.Verdict
	variant, role string
	steps         bool
}

// fixedAdvice is what is known of an adviceKey's words: whether they hold placeholders and,
// when they do not, the words themselves, in English and in Japanese.
type fixedAdvice struct {
	key         adviceKey
	needsParams bool
	en, ja      Words
}

// advices caches fixedAdvice: a capture's connections share a few verdicts, variants and roles,
// and profiles do not change once loaded.
var advices sync.Map // adviceKey -> *fixedAdvice

// lastAdvice is the fixedAdvice last asked for: the flows of a capture mostly ask for one (that
// of the connections that worked), checked for it before the cache, whose key is hashed.
var lastAdvice atomic.Pointer[fixedAdvice]

// NeedsParams reports whether wording verdict v's entry narrowed by variant and role (Advise)
// can read Advice.Params: whether a text Advise may take for it holds a placeholder. Every
// candidate entry counts, of the profile and of the default profile it falls back on, in every
// language: the title and explanation, and with steps the next steps. A finding for which it is
// false words the same without Params, which need not be made.
func (p *Profile) NeedsParams(v result.Verdict, variant, role string, steps bool) bool {
	return p.fixed(v, variant, role, steps).needsParams
}

// fixed returns what is known of the words of verdict v's entry narrowed by variant and role.
func (p *Profile) fixed(v result.Verdict, variant, role string, steps bool) *fixedAdvice {
	k := adviceKey{p, v, variant, role, steps}
	if f := lastAdvice.Load(); f != nil && f.key == k {
		return f
	}
	if f, ok := advices.Load(k); ok {
		lastAdvice.Store(f.(*fixedAdvice))
		return f.(*fixedAdvice)
	}
	f := &fixedAdvice{key: k, needsParams: p.needsParams(v, variant, role, steps)}
	if !f.needsParams {
		adv := result.Advice{Variant: variant, Role: role, NoSteps: !steps}
		f.en, f.ja = p.advise(English, v, &adv, nil), p.advise(Japanese, v, &adv, nil)
	}
	got, _ := advices.LoadOrStore(k, f)
	return got.(*fixedAdvice)
}

// words returns the fixed words in lang (English or Japanese), the next steps the caller's own.
func (f *fixedAdvice) words(lang Lang) Words {
	w := f.en
	if lang == Japanese {
		w = f.ja
	}
	if len(w.NextSteps) > 0 {
		w.NextSteps = slices.Clone(w.NextSteps)
	}
	return w
}

func (p *Profile) needsParams(v result.Verdict, variant, role string, steps bool) bool {
	uses := func(e Entry) bool {
		if strings.Contains(e.Title, "{") || strings.Contains(e.Explanation, "{") {
			return true
		}
		for _, s := range e.NextSteps {
			if steps && strings.Contains(s, "{") {
				return true
			}
		}
		return false
	}
	for _, prof := range []*Profile{p, Default()} {
		for _, k := range candidates(v, variant, role) {
			if e, ok := prof.entries[k]; ok && uses(e) {
				return true
			}
			for _, byKey := range prof.translations {
				if e, ok := byKey[k]; ok && uses(e) {
					return true
				}
			}
		}
	}
	return false
}
