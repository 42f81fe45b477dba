package analyze

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// TestNames checks every row of NAMES.tsv: analysed with the manifest's options and the row's
// --server-name, the capture gives exactly that name finding (or, for "-", none at all).
func TestNames(t *testing.T) {
	f, err := os.Open(filepath.Join(ownCaptures, "NAMES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	rows := 0
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 13 {
			t.Fatalf("NAMES.tsv: %d columns, want 13: %q", len(c), sc.Text())
		}
		rows++
		t.Run(c[0]+" "+c[1], func(t *testing.T) {
			opts := manifestOptions
			if c[1] != "-" {
				opts.ServerNames = strings.Split(c[1], ",")
			}
			res, err := File(filepath.Join(ownCaptures, c[0]), opts)
			if err != nil {
				t.Fatal(err)
			}
			if c[2] == "-" {
				if len(res.Names) != 0 || res.Summary.NamesFailed != 0 {
					t.Errorf("names %+v, want none", res.Names)
				}
				return
			}
			if len(res.Names) != 1 {
				t.Fatalf("%d names, want 1: %+v", len(res.Names), res.Names)
			}
			n := res.Names[0]
			got := []string{string(n.Name), n.Relation, n.Outcome, orDash(n.RCode), string(n.Verdict), dashJoin(result.Strings(n.Askers)),
				dashJoin(result.Strings(n.DNSServers)), dashJoin(result.Strings(n.Answers)), strconv.Itoa(n.Queries), strconv.Itoa(n.Responses)}
			if strings.Join(got, "\t") != strings.Join(c[2:12], "\t") {
				t.Errorf("got  %q\nwant %q", got, c[2:12])
			}
			if n.Failed != (n.Verdict == result.VerdictNameResolutionFailed) || (n.Failed && res.Summary.NamesFailed != 1) {
				t.Errorf("failed %v, names_failed %d", n.Failed, res.Summary.NamesFailed)
			}
			w := knowledge.Default().Advise(knowledge.English, n.Verdict, &n.Advice, nil)
			if say(n.Reason) == "" || w.Title == "" || len(n.Evidence) < 2 || (n.Failed && len(w.NextSteps) == 0) {
				t.Errorf("finding without reason, title, evidence or next steps: %+v", n)
			}
		})
	}
	if rows < 5 {
		t.Fatalf("NAMES.tsv has %d rows", rows)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
