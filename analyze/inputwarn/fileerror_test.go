package inputwarn

import (
	"os"
	"regexp"
	"testing"

	"github.com/connscope/connscope/knowledge"
)

// problemConst finds the Problem constants in package damage's source, with their codes.
var problemConst = regexp.MustCompile(`(?m)^\s+(\w+)\s+Problem = "([a-z-]+)"`)

// TestEveryFileProblemWorded: every problem a pcapfile.FileError can name (package damage) has its template
// (file.<code>) in every language, so no damaged file is worded by a missing key.
func TestEveryFileProblemWorded(t *testing.T) {
	src, err := os.ReadFile("../../capture/pcapfile/damage/damage.go")
	if err != nil {
		t.Fatal(err)
	}
	found := problemConst.FindAllStringSubmatch(string(src), -1)
	if len(found) < 20 {
		t.Fatalf("found %d Problem constants: the pattern misses them", len(found))
	}
	for _, lang := range knowledge.Languages() {
		c := knowledge.CatalogOf(lang)
		for _, m := range found {
			if !c.Has("file." + m[2]) {
				t.Errorf("%s: damage.%s has no template file.%s", lang, m[1], m[2])
			}
		}
	}
}
