package analyze

import (
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// say words a message in English, as the reports do.
func say(m result.Message) string { return knowledge.CatalogOf(knowledge.English).Render(m) }

// advice is a flow's title and next steps in English, as the reports word them.
func advice(f *result.Flow, profile string) knowledge.Words {
	p, err := knowledge.ProfileByName(profile)
	if err != nil {
		panic(err)
	}
	return p.Advise(knowledge.English, f.Verdict, &f.Advice, nil)
}
