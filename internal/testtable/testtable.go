// Package testtable reads the tab-separated tables of expected results that the tests check
// captures against (testdata/captures/EXPECTED-*.tsv): a header line of column names, then one
// row per line.
package testtable

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Row is one row of a table, by column name.
type Row map[string]string

// Read reads the table at path; the test fails when it cannot be read, when a row has another
// number of columns than the header, or when it has fewer than min rows.
func Read(t testing.TB, path string, min int) []Row {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var head []string
	var rows []Row
	for n := 1; sc.Scan(); n++ {
		cols := strings.Split(sc.Text(), "\t")
		if head == nil {
			head = cols
			continue
		}
		if len(cols) != len(head) {
			t.Fatalf("%s line %d has %d columns, the header %d", path, n, len(cols), len(head))
		}
		r := Row{}
		for i, h := range head {
			r[h] = cols[i]
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rows) < min {
		t.Fatalf("%s has %d rows, want at least %d", path, len(rows), min)
	}
	return rows
}
