package redact

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
)

// filler fills a result by reflection: every value of a result.Captured type, and a message
// parameter of every kind from the capture in every message, gets a marker of its own, so that
// a field added to result later is filled too.
type filler struct {
	n       int
	markers []string // every marker handed out
	fields  []string // the markers of fields (not of message parameters): JSON shows each
}

// captureKinds are the kinds of message parameters from the capture.
var captureKinds = []result.ArgKind{result.KindAddr, result.KindEndpoint, result.KindName, result.KindPath,
	result.KindCapture, result.KindFile, result.KindDN}

// marker is a unique value of kind k: addresses from 172.31.0.0/16 (each with a three-digit last
// byte, so that none is a prefix of another), other text with "zqx" in it.
func (m *filler) marker(k result.ArgKind) string {
	m.n++
	addr := fmt.Sprintf("172.31.%d.%d", m.n/100, 100+m.n%100)
	var s string
	switch k {
	case result.KindAddr:
		s = addr
	case result.KindEndpoint:
		s = addr + ":4343"
	case result.KindName:
		s = fmt.Sprintf("zqx%d.acme.example", m.n)
	case result.KindPath:
		s = fmt.Sprintf("/zqx%d/a b?c=\"d\"", m.n)
	case result.KindFile:
		s = fmt.Sprintf("/home/zqx%d/x.pcap", m.n)
	case result.KindDN:
		s = fmt.Sprintf("CN=zqx%d<|>\\*,O=ACME", m.n)
	default:
		s = fmt.Sprintf("zqx%d \u202e raw", m.n)
	}
	m.markers = append(m.markers, s)
	return s
}

// message is a message with a parameter of every kind from the capture, one of them nested.
func (m *filler) message() result.Message {
	var args []result.Message
	for _, k := range captureKinds {
		args = append(args, result.Msg("literal", result.Arg{Name: "text", Kind: k, Text: m.marker(k)}))
	}
	return result.Msg("concat", result.Sub("a", result.Msg("report.list-and", result.List("items", args[1:]),
		result.Sub("last", args[0]))), result.Sub("b", result.Msg("literal", result.Quoted(result.Capture("text", m.marker(result.KindCapture))))))
}

var (
	messageType = reflect.TypeFor[result.Message]()
	adviceType  = reflect.TypeFor[result.Advice]()
)

func (m *filler) fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		m.fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			m.fill(v.Index(i))
		}
	case reflect.Struct:
		switch v.Type() {
		case timeType:
			v.Set(reflect.ValueOf(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)))
			return
		case messageType:
			v.Set(reflect.ValueOf(m.message()))
			return
		case argType:
			k := captureKinds[m.n%len(captureKinds)]
			v.Set(reflect.ValueOf(result.Arg{Name: "x", Kind: k, Text: m.marker(k)}))
			return
		case adviceType:
			var params []result.Arg
			for _, name := range []string{"server", "server_ip", "client", "client_ip", "router", "path", "status",
				"name", "dns_server", "answer", "reset_in_name_of"} {
				k := captureKinds[m.n%len(captureKinds)]
				params = append(params, result.Arg{Name: name, Kind: k, Text: m.marker(k)})
			}
			v.Set(reflect.ValueOf(result.Advice{Params: params}))
			return
		case flowListType:
			fs := make([]result.Flow, 2)
			for i := range fs {
				m.fill(reflect.ValueOf(&fs[i]).Elem())
				fs[i].Verdict, fs[i].Failed = result.VerdictTLSCertificateRejected, true
			}
			v.Set(reflect.ValueOf(result.FlowsOf(fs)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				m.fill(v.Field(i))
			}
		}
	case reflect.String:
		if c, ok := v.Interface().(result.Captured); ok {
			s := m.marker(c.Kind())
			m.fields = append(m.fields, s)
			v.SetString(s)
		}
	}
}

// TestEveryCapturedValueRedacted: a result with a marker in every value of a type of text from
// the capture and in message parameters of every such kind, wherever result holds them: JSON
// made without redaction shows every field's marker (so the test sees them all), and no report
// made from the redacted result, in any format and mode, holds any marker or any part of one.
func TestEveryCapturedValueRedacted(t *testing.T) {
	var r result.Result
	m := &filler{}
	m.fill(reflect.ValueOf(&r).Elem())
	r.Schema = result.SchemaVersion
	r.Summary.Failed, r.Summary.Flows = 2, 2
	for i := range r.Names {
		r.Names[i].Verdict, r.Names[i].Failed, r.Names[i].Outcome = result.VerdictNameResolutionFailed, true, "nxdomain"
	}
	if len(m.fields) < 40 {
		t.Fatalf("filled only %d fields", len(m.fields))
	}
	var plain bytes.Buffer
	if err := report.Write(&plain, &r, report.FormatJSON, report.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range m.fields {
		if !strings.Contains(plain.String(), jsonString(s)) {
			t.Errorf("the report made without redaction does not show %q: the test cannot see it", s)
		}
	}
	red := Result(&r)
	leak := regexp.MustCompile(`zqx|172\.31\.|ACME|acme`)
	for _, f := range report.Formats() {
		for _, o := range []report.Options{{}, {Verbose: true}, {List: true}} {
			var b bytes.Buffer
			if err := report.Write(&b, red, f, o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if loc := leak.FindStringIndex(b.String()); loc != nil {
				out := b.String()
				t.Errorf("%s %+v: an original is left: ...%s...", f, o, out[max(0, loc[0]-80):min(len(out), loc[1]+80)])
			}
		}
	}
}

// jsonString is s as a JSON string's content (without HTML escaping, as the report writes it).
func jsonString(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
