package redact

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
)

// TestEveryFieldClassified: every string field of result.Result is either a name or file field
// (fields) or known to be free text or a fixed vocabulary (knownFields). A new field fails here
// until someone decides whether it can hold a name from the capture.
func TestEveryFieldClassified(t *testing.T) {
	var found []string
	stringFields(reflect.TypeFor[result.Result](), map[reflect.Type]bool{}, &found)
	if len(found) < 40 {
		t.Fatalf("found only %d string fields: %v", len(found), found)
	}
	for _, f := range found {
		_, named := fields[f]
		if !named && !slices.Contains(knownFields, f) {
			t.Errorf("result field %s is not classified in redact/fields.go: list it in fields as kindName if it can hold a host, DNS or certificate name from the capture, else in knownFields", f)
		}
	}
	for f := range fields {
		if !slices.Contains(found, f) {
			t.Errorf("redact/fields.go lists %s, which result does not have", f)
		}
	}
	for _, f := range knownFields {
		if !slices.Contains(found, f) {
			t.Errorf("redact/fields.go knownFields lists %s, which result does not have", f)
		}
	}
}

// stringFields lists "Type.Field" of every string or []string field reachable from t.
func stringFields(t reflect.Type, seen map[reflect.Type]bool, out *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t == reflect.TypeFor[result.FlowList]() {
		t = reflect.TypeFor[result.Flow]() // the listed flows, made when they are written
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() || seen[t] {
		return
	}
	seen[t] = true
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.String {
			*out = append(*out, t.Name()+"."+f.Name)
			continue
		}
		stringFields(f.Type, seen, out)
	}
}
