package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
)

// TestSchemaDoc keeps docs/json-schema.md in step with the result types: it must name every
// JSON key and every verdict, and hold the golden example.
func TestSchemaDoc(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "json-schema.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if !strings.Contains(doc, "`"+result.SchemaVersion+"`") {
		t.Errorf("the doc does not name %s", result.SchemaVersion)
	}
	for _, key := range jsonKeys(reflect.TypeFor[result.Result](), nil) {
		if !strings.Contains(doc, "| `"+key+"` |") {
			t.Errorf("key %q has no row in docs/json-schema.md", key)
		}
	}
	for _, v := range result.AllVerdicts {
		if !strings.Contains(doc, "| `"+string(v)+"` |") {
			t.Errorf("verdict %q has no row in docs/json-schema.md", v)
		}
	}
	// The findings are not a result type: their keys are those the example's findings hold.
	var ex struct {
		Findings struct {
			Groups []map[string]any
		}
	}
	exampleDoc, err := os.ReadFile(filepath.Join("testdata", "json-example.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(exampleDoc, &ex); err != nil || len(ex.Findings.Groups) == 0 {
		t.Fatalf("the example has no finding groups: %v", err)
	}
	keys := []string{"answer", "groups", "names_failed"}
	for k := range ex.Findings.Groups[0] {
		keys = append(keys, k)
	}
	for _, key := range keys {
		if !strings.Contains(doc, "| `"+key+"` |") {
			t.Errorf("findings key %q has no row in docs/json-schema.md", key)
		}
	}
	example, err := os.ReadFile(filepath.Join("testdata", "json-example.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc, "```json\n"+string(example)+"```\n") {
		t.Error("docs/json-schema.md does not hold testdata/json-example.golden as its example; paste it in")
	}
}

// jsonKeys lists the JSON key of every field of t and of the structs it holds.
func jsonKeys(t reflect.Type, seen map[reflect.Type]bool) []string {
	if t == reflect.TypeFor[result.Filter]() {
		return nil // written as a string
	}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t == reflect.TypeFor[result.FlowList]() {
		t = reflect.TypeFor[result.Flow]() // the listed flows
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() || t == reflect.TypeFor[result.Message]() {
		return nil // a message is written worded, as a string
	}
	if seen == nil {
		seen = map[reflect.Type]bool{}
	}
	if seen[t] {
		return nil
	}
	seen[t] = true
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" {
			keys = append(keys, jsonKeys(f.Type, seen)...) // encoding/json writes its keys as the struct's own
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys = append(keys, name)
		keys = append(keys, jsonKeys(f.Type, seen)...)
	}
	return keys
}
