package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
)

// TestJSONEveryField fills every field of a result (and of one flow) with a value that is not
// its zero, writes the JSON report and checks that every field with a json name is in it: the
// hand-written encoder (json.go) must follow the result's types as encoding/json would, and a
// field added to result without its line in the encoder fails here.
func TestJSONEveryField(t *testing.T) {
	var r result.Result
	fill(reflect.ValueOf(&r).Elem(), 0)
	var f result.Flow
	fill(reflect.ValueOf(&f).Elem(), 0)
	r.Flows = result.FlowsOf([]result.Flow{f})
	r.FlowsNotListed = 0
	var b bytes.Buffer
	if err := Write(&b, &r, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	missing := map[string]bool{}
	checkFields(reflect.TypeOf(r), doc, "", missing)
	flows, _ := doc["flows"].([]any)
	if len(flows) != 1 {
		t.Fatalf("%d flows in the JSON, want 1", len(flows))
	}
	checkFields(reflect.TypeOf(f), flows[0], "flows[0]", missing)
	for path := range missing {
		t.Errorf("%s: set in the result, missing from the JSON report", path)
	}
}

var (
	messageType  = reflect.TypeOf(result.Message{})
	timeType     = reflect.TypeOf(time.Time{})
	flowListType = reflect.TypeOf(result.FlowList{})
	addrType     = reflect.TypeOf(netip.Addr{})
)

// fill sets v to a value that is not its zero: strings "x", numbers 1, true, one-element
// slices, allocated pointers, a fixed time; messages a literal.
func fill(v reflect.Value, depth int) {
	if depth > 12 || !v.CanSet() {
		return
	}
	switch v.Type() {
	case messageType:
		v.Set(reflect.ValueOf(result.Msg("literal", result.Text("text", "x"))))
		return
	case timeType:
		v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
		return
	case flowListType, addrType:
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}

// checkFields adds to missing the path of every json-named field of type typ absent from
// doc, doc being typ's JSON form.
func checkFields(typ reflect.Type, doc any, path string, missing map[string]bool) {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
		typ = typ.Elem()
		if list, ok := doc.([]any); ok {
			if len(list) == 0 {
				return
			}
			doc, path = list[0], path+"[0]"
		}
	}
	if typ.Kind() != reflect.Struct || typ == messageType || typ == timeType || typ == flowListType {
		return
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return // written otherwise (a string, a number): its own test says how
	}
	for i := range typ.NumField() {
		sf := typ.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" || sf.Type == flowListType {
			continue
		}
		if sf.Anonymous && name == "" {
			checkFields(sf.Type, doc, path, missing) // encoding/json writes its keys as the struct's own
			continue
		}
		if name == "" {
			name = sf.Name
		}
		p := path + "." + name
		v, ok := obj[name]
		if !ok {
			missing[strings.TrimPrefix(p, ".")] = true
			continue
		}
		checkFields(sf.Type, v, p, missing)
	}
}
