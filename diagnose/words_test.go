package diagnose

import (
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// say words a message in English, as the reports do.
func say(m result.Message) string { return knowledge.CatalogOf(knowledge.English).Render(m) }
