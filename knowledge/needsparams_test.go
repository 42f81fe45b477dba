package knowledge

import (
	"reflect"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// TestNeedsParams: every entry of every profile, in both languages, with and without next
// steps, words the same without Params whenever NeedsParams says it needs none, and Advise's
// words made once for such an entry are those made anew with every parameter; and the answers
// the analysis leans on hold: an ok connection's entry needs none, a refused one's steps do.
func TestNeedsParams(t *testing.T) {
	var all []result.Arg
	for _, ph := range Placeholders {
		all = append(all, result.Text(ph.Name, "value-of-"+ph.Name))
	}
	needed, notNeeded := 0, 0
	for _, name := range Profiles() {
		p, err := ProfileByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range p.Keys() {
			base, role, _ := strings.Cut(key, "@")
			v, variant, _ := strings.Cut(base, "/")
			for _, steps := range []bool{false, true} {
				if p.NeedsParams(result.Verdict(v), variant, role, steps) {
					needed++
					continue
				}
				notNeeded++
				for _, lang := range []Lang{English, Japanese} {
					with := p.advise(lang, result.Verdict(v), &result.Advice{Variant: variant, Role: role, NoSteps: !steps, Params: all}, nil)
					without := p.Advise(lang, result.Verdict(v), &result.Advice{Variant: variant, Role: role, NoSteps: !steps}, nil)
					if !reflect.DeepEqual(with, without) {
						t.Errorf("%s %s steps=%v %s: NeedsParams false, but the words differ:\nwith:    %+v\nwithout: %+v", name, key, steps, lang, with, without)
					}
				}
			}
		}
	}
	if needed == 0 || notNeeded == 0 {
		t.Errorf("entries that need params: %d, that need none: %d; want some of each", needed, notNeeded)
	}
	for _, name := range Profiles() {
		p, _ := ProfileByName(name)
		if p.NeedsParams(result.VerdictOK, "", "", false) {
			t.Errorf("%s: an ok connection's entry needs params", name)
		}
		if !p.NeedsParams(result.VerdictRefused, "", "", true) {
			t.Errorf("%s: a refused connection's next steps need no params", name)
		}
	}
}
