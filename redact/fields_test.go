package redact

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
)

// programText lists the plain string fields of result.Result ("Type.Field"; a []string or
// *string field counts): text the program makes (versions, cipher and alert names, verdicts,
// flags, fingerprints, words of a fixed vocabulary), which redaction keeps. A field that can
// hold anything taken from the capture, the machine or the options (a name, an address, a path,
// bytes a peer sent, a file name) must not be listed here: give it a type of result.Captured
// (result.Host, result.IP, result.Raw, ...), and every report redacts it by construction.
var programText = []string{
	"Result.Schema", "Input.Format", "Input.LinkTypes", "InputFile.Format", "InputFile.LinkTypes",
	"Generator.Name", "Generator.Version", "Generator.Revision", "Generator.GoVersion",
	"LiveCapture.Method", "LiveCapture.StoppedBy",
	"Options.Profile", "Options.CheckURL",
	"Warning.Code",
	"Message.Key", "Arg.Name", "Advice.Variant", "Advice.Role", "AgentSummary.Role", "FingerprintGroup.Role", "FleetGroup.Role",
	"Flow.ConnState", "Flow.History", "Flow.OfferedVersions", "Flow.ChosenVersion", "Flow.Flags", "Flow.Role",
	"Path.Vantage", "Path.SYNSchedule", "ICMPError.Name", "ICMPError.Quotes",
	"PacketRef.From", "TLS.ServerMessages",
	"ClientHello.RecordVersion", "ClientHello.LegacyVersion", "ClientHello.SupportedVersions",
	"ClientHello.OfferedVersions", "ClientHello.Highest", "ClientHello.CipherSuites", "ClientHello.SupportedGroups",
	"ClientHello.Extensions", "ClientHello.SignatureAlgorithms",
	// Fingerprints: hashes, and the numbers they hash (JA4 keeps the first and last character of
	// the first ALPN name: two characters name no one).
	"ClientHello.JA3", "ClientHello.JA3String", "ClientHello.JA4", "ClientHello.JA4R",
	"ServerHello.LegacyVersion", "ServerHello.ChosenVersion", "ServerHello.CipherSuite", "ServerHello.KeyShareGroup",
	"ServerHello.JA3S", "ServerHello.JA3SString",
	"Certificate.KeyType", "Certificate.SignatureAlgorithm", "CertificateFinding.Code",
	"Alert.From", "Alert.Level", "Alert.Description",
	"Packet.From", "Packet.TCPFlags", "Packet.Messages",
	"Name.Relation", "Name.Outcome", "Name.RCode",
	"Flow.Verdict", "Name.Verdict", "VerdictCount.Verdict", "VerdictInfo.Verdict",
	"ServerSummary.AcceptedVersions", "ServerSummary.AcceptedCiphers", "VersionCount.Version",
	"AgentSummary.OfferedVersions", "AgentSummary.HighestVersion", "AgentSummary.ChosenVersions",
	"AgentSummary.JA3", "AgentSummary.JA4",
	"FingerprintGroup.JA4", "FingerprintGroup.JA3", "FingerprintGroup.HighestVersion",
	"FleetGroup.HighestVersion", "FleetGroup.Outcome",
	"VerdictInfo.Title", "VerdictInfo.Explanation", "VerdictInfo.EvidenceFields",
	// Several vantages: words of a fixed vocabulary.
	"VantageView.Side", "VantageView.Expected", "VantageStep.From", "VantageStep.TCPFlags", "VantageStep.Fate",
	"VantageStep.Messages",
}

// vocabularyTypes are the named string types of result that are program text.
var vocabularyTypes = []reflect.Type{reflect.TypeFor[result.Verdict]()}

// TestEveryStringFieldTyped: every string field of result.Result is either of a type that holds
// text from the capture (result.Captured, which Result redacts wherever it stands), a message
// parameter (its Kind decides), or listed as program text. A new plain string field fails here
// until someone gives it a type or declares it program text.
func TestEveryStringFieldTyped(t *testing.T) {
	var plain, typed []string
	stringFields(reflect.TypeFor[result.Result](), map[reflect.Type]bool{}, &plain, &typed)
	if len(plain) < 60 || len(typed) < 30 {
		t.Fatalf("found only %d plain and %d typed string fields: %v %v", len(plain), len(typed), plain, typed)
	}
	for _, f := range plain {
		if f == "Arg.Text" {
			continue // a message parameter's text: redacted by its Kind
		}
		if !slices.Contains(programText, f) {
			t.Errorf("result field %s is a plain string: give it a type of result.Captured (result.Host, result.IP, result.Raw, ...) if it can hold anything from the capture, else list it in programText", f)
		}
	}
	for _, f := range programText {
		if !slices.Contains(plain, f) {
			t.Errorf("programText lists %s, which is not a plain string field of result", f)
		}
	}
}

// TestCapturedKinds: each type of text from the capture has a kind that a redacting report
// replaces (FromCapture), and the kind its messages' parameters have.
func TestCapturedKinds(t *testing.T) {
	for _, c := range []result.Captured{result.IP(""), result.HostPort(""), result.Host(""), result.Target(""),
		result.DN(""), result.Raw(""), result.FileName("")} {
		if !c.Kind().FromCapture() {
			t.Errorf("%T has kind %d, which is not text from the capture", c, c.Kind())
		}
	}
}

// stringFields lists "Type.Field" of every string, []string or *string field reachable from t:
// plain (of type string or a vocabulary type) or typed (of a result.Captured type).
func stringFields(t reflect.Type, seen map[reflect.Type]bool, plain, typed *[]string) {
	t = elem(t)
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
		ft := elem(f.Type)
		switch {
		case ft.Kind() == reflect.String && ft.Implements(capturedType):
			*typed = append(*typed, t.Name()+"."+f.Name)
		case ft.Kind() == reflect.String && (ft == reflect.TypeFor[string]() || slices.Contains(vocabularyTypes, ft)):
			*plain = append(*plain, t.Name()+"."+f.Name)
		case ft.Kind() == reflect.String:
			*plain = append(*plain, t.Name()+"."+f.Name+" (type "+ft.String()+")")
		default:
			stringFields(f.Type, seen, plain, typed)
		}
	}
}

func elem(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}
