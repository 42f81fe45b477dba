// Package resultfill makes, for tests, a result.Result with a unique marker in every value of a
// type that holds text from the capture (result.Captured) and in message parameters of every such
// kind, wherever result holds them: filled by reflection, so that a field added to result later
// is filled too. Tests of redaction and escaping render it in every format.
package resultfill

import (
	"fmt"
	"reflect"
	"time"

	"github.com/connscope/connscope/result"
)

// Filled is a filled result and the markers it holds.
type Filled struct {
	Result *result.Result
	// Fields are the markers of the result's fields (every JSON report shows each); All are
	// those and the markers of message parameters (shown where a template names them).
	Fields, All []string
}

// CaptureKinds are the kinds of message parameters from the capture.
var CaptureKinds = []result.ArgKind{result.KindAddr, result.KindEndpoint, result.KindName, result.KindPath,
	result.KindCapture, result.KindFile, result.KindDN}

// Fill returns a result with two flows, two names and two of every other list, each value of a
// type from the capture holding a marker with suffix at its end (addresses from 172.31.0.0/16,
// each with a three-digit last byte so that none is a prefix of another, and no suffix: an
// address with one is no address; other text "zqxN..."), every message a nested message with a
// parameter of each kind from the capture, and every advice such parameters under the names the
// profiles use. The flows fail (tls-certificate-rejected), the names fail (NXDOMAIN).
func Fill(suffix string) Filled {
	var r result.Result
	m := &filler{suffix: suffix}
	m.fill(reflect.ValueOf(&r).Elem())
	r.Schema = result.SchemaVersion
	r.Summary.Failed, r.Summary.Flows = 2, 2
	for i := range r.Names {
		r.Names[i].Verdict, r.Names[i].Failed, r.Names[i].Outcome = result.VerdictNameResolutionFailed, true, "nxdomain"
	}
	return Filled{Result: &r, Fields: m.fields, All: m.markers}
}

type filler struct {
	suffix  string
	n       int
	markers []string
	fields  []string
}

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
		s = fmt.Sprintf("zqx%d.acme.example%s", m.n, m.suffix)
	case result.KindPath:
		s = fmt.Sprintf("/zqx%d/a b?c=\"d\"%s", m.n, m.suffix)
	case result.KindFile:
		s = fmt.Sprintf("/home/zqx%d/x%s.pcap", m.n, m.suffix)
	case result.KindDN:
		s = fmt.Sprintf("CN=zqx%d<|>\\*%s,O=ACME", m.n, m.suffix)
	default:
		s = fmt.Sprintf("zqx%d raw%s", m.n, m.suffix)
	}
	m.markers = append(m.markers, s)
	return s
}

// message is a message with a parameter of every kind from the capture, one of them nested.
func (m *filler) message() result.Message {
	var args []result.Message
	for _, k := range CaptureKinds {
		args = append(args, result.Msg("literal", result.Arg{Name: "text", Kind: k, Text: m.marker(k)}))
	}
	return result.Msg("concat", result.Sub("a", result.Msg("report.list-and", result.List("items", args[1:]),
		result.Sub("last", args[0]))), result.Sub("b", result.Msg("literal", result.Quoted(result.Capture("text", m.marker(result.KindCapture))))))
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	flowListType = reflect.TypeFor[result.FlowList]()
	argType      = reflect.TypeFor[result.Arg]()
	messageType  = reflect.TypeFor[result.Message]()
	adviceType   = reflect.TypeFor[result.Advice]()
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
			k := CaptureKinds[m.n%len(CaptureKinds)]
			v.Set(reflect.ValueOf(result.Arg{Name: "x", Kind: k, Text: m.marker(k)}))
			return
		case adviceType:
			var params []result.Arg
			for _, name := range []string{"server", "server_ip", "client", "client_ip", "router", "path", "status",
				"name", "dns_server", "answer", "reset_in_name_of"} {
				k := CaptureKinds[m.n%len(CaptureKinds)]
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
