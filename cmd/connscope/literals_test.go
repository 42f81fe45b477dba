package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// notWorded lists the functions of the command that may hold English text, each with why: what
// they write is no message to translate.
var notWorded = map[string]string{
	"writeProfiles":       "help: 'connscope help profiles', English as all help is",
	"runInterfaces":       "standard output: the interface table's column names and states, like ip(8)'s",
	"versionText":         "standard output: 'connscope version', English as the help is",
	"devProfile.retained": "--memstats, a hidden flag for developers",
	"devProfile.register": "the hidden developers' flags' help, English as all help is",
	"devProfile.start":    "--cpuprofile, a hidden flag for developers",
	"spooled.again":       "never shown: the analysis words a failed second reading itself (two-points.reopen)",
}

// prose matches text a person reads: two words of letters with a space between them, once the
// format verbs (%d, %-8s) are taken out.
var (
	prose      = regexp.MustCompile(`[A-Za-z]{2,}[,:;.()'"]* +[A-Za-z]{2,}`)
	formatVerb = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z%]`)
)

// TestNoLiteralMessages: the command's source holds no English sentence outside its help texts
// (the constants named ...Usage) and the functions notWorded lists: every message a person reads
// on standard error is a template of the catalog (knowledge/data/<lang>/messages/cmdline.txt),
// so that it is worded in the report's language. A new fmt.Fprintf(stderr, "connscope: ...")
// or errors.New("...") fails here.
func TestNoLiteralMessages(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				for _, spec := range d.Specs {
					if vs, ok := spec.(*ast.ValueSpec); ok && d.Tok == token.CONST && slices.ContainsFunc(vs.Names, isUsage) {
						continue // help text
					}
					checkLiterals(t, fset, spec, "")
				}
			case *ast.FuncDecl:
				name := d.Name.Name
				if d.Recv != nil && len(d.Recv.List) == 1 {
					name = receiverName(d.Recv.List[0].Type) + "." + name
				}
				if _, ok := notWorded[name]; ok {
					continue
				}
				checkLiterals(t, fset, d, name)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files: the test no longer finds the command's source", checked)
	}
}

// isUsage reports whether a constant holds help text.
func isUsage(id *ast.Ident) bool { return strings.HasSuffix(strings.ToLower(id.Name), "usage") }

// receiverName is the type name of a method's receiver.
func receiverName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// checkLiterals reports every string literal under n that reads as prose.
func checkLiterals(t *testing.T, fset *token.FileSet, n ast.Node, fn string) {
	t.Helper()
	ast.Inspect(n, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if prose.MatchString(formatVerb.ReplaceAllString(s, " ")) {
			t.Errorf("%s (%s): %s reads as a message: make it a template in knowledge/data/*/messages/cmdline.txt, or list %s in notWorded with the reason it is none",
				fset.Position(lit.Pos()), fn, lit.Value, fn)
		}
		return true
	})
}
