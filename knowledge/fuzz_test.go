package knowledge

import (
	"testing"
)

// FuzzParse: no input makes Parse panic, and whatever parses fills without leaving an unknown
// placeholder error behind.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"data/en/profiles/generic.txt", "data/en/profiles/apexone.txt"} {
		b, err := dataFS.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("profile: p\n[refused]\nnext: {server}\n  {port")
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err != nil {
			return
		}
		for _, k := range p.Keys() {
			e, _ := p.Entry(k)
			for _, s := range e.NextSteps {
				_ = Fill(s, allFacts())
			}
		}
	})
}
