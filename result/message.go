package result

import (
	"encoding/json"
	"strconv"
)

// Message is a sentence or phrase that a person reads (a reason, an evidence line, a warning, a
// fleet line), kept as the key of its template in the knowledge catalog and the values of the
// template's named parameters. Analysis code makes messages and never words them; a report words
// a message in the reader's language when it writes it (knowledge.Catalog), and the redactor sees
// every parameter that came from the capture by its kind, so that it can replace it.
//
// The zero Message is empty: it renders as "".
type Message struct {
	// Key names the template, e.g. "reason.refused". Keys are lower-case words joined by dots
	// and dashes; the catalog of every language has every key.
	Key string
	// Args are the template's parameters, in any order.
	Args []Arg
}

// IsZero reports whether m is the empty message.
func (m Message) IsZero() bool { return m.Key == "" }

// Arg is one named parameter of a Message.
type Arg struct {
	// Name is the placeholder's name in the template: {name}.
	Name string
	// Kind says what the value is, which decides how it is printed and whether a redactor
	// replaces it.
	Kind ArgKind
	// Text is the value of every kind but KindInt, KindMessage and KindList.
	Text string
	// Int is the value of an KindInt; plural forms in templates choose by it.
	Int int64
	// Msg is the value of an KindMessage: a phrase worded in the same language.
	Msg *Message
	// List is the value of an KindList: phrases joined as the language joins a list.
	List []Message
	// Quote prints the text quoted as Go's %q does (after redaction), for text from the capture
	// that may hold any byte.
	Quote bool
}

// ArgKind says what a Message parameter holds.
type ArgKind uint8

// The kinds of parameters. The kinds from KindAddr on are text taken from the capture: a
// redacting report prints them only through its redactor.
const (
	// KindText is text the program made that reads the same in every language: a TLS version
	// ("TLS 1.2"), a cipher suite, an alert name, a verdict code, a number already formatted
	// ("0.1 ms"), a list of frame numbers.
	KindText ArgKind = iota
	// KindInt is an integer, printed in decimal.
	KindInt
	// KindMessage is a nested phrase (Msg).
	KindMessage
	// KindList is a list of nested phrases (List).
	KindList
	// KindAddr is an IP address from the capture.
	KindAddr
	// KindEndpoint is an "ip:port" endpoint from the capture ("[ip]:port" for IPv6).
	KindEndpoint
	// KindName is a DNS name, a TLS server name (SNI) or an HTTP host from the capture.
	KindName
	// KindPath is an HTTP request path from the capture.
	KindPath
	// KindCapture is any other text from the capture: a banner, a certificate subject, an HTTP
	// status line, bytes shown as text.
	KindCapture
	// KindFile is a file name (a capture's, an export's).
	KindFile
	// KindDN is a certificate's distinguished name (subject or issuer) from the capture.
	KindDN
)

// FromCapture reports whether parameters of kind k hold text taken from the capture, which a
// redacting report replaces.
func (k ArgKind) FromCapture() bool { return k >= KindAddr }

// Msg returns the message with key and args.
func Msg(key string, args ...Arg) Message { return Message{Key: key, Args: args} }

// MsgPtr returns a pointer to the message with key and args, for an KindMessage.
func MsgPtr(key string, args ...Arg) *Message { return &Message{Key: key, Args: args} }

// Text is a parameter of kind KindText.
func Text(name, s string) Arg { return Arg{Name: name, Kind: KindText, Text: s} }

// Integer is any integer type.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Int is a parameter of kind KindInt.
func Int[T Integer](name string, n T) Arg { return Arg{Name: name, Kind: KindInt, Int: int64(n)} }

// Int64 is a parameter of kind KindInt.
func Int64(name string, n int64) Arg { return Arg{Name: name, Kind: KindInt, Int: n} }

// Sub is a parameter of kind KindMessage.
func Sub(name string, m Message) Arg { return Arg{Name: name, Kind: KindMessage, Msg: &m} }

// List is a parameter of kind KindList.
func List(name string, ms []Message) Arg { return Arg{Name: name, Kind: KindList, List: ms} }

// Addr is a parameter of kind KindAddr.
func Addr(name, s string) Arg { return Arg{Name: name, Kind: KindAddr, Text: s} }

// Endpoint is a parameter of kind KindEndpoint.
func Endpoint(name, s string) Arg { return Arg{Name: name, Kind: KindEndpoint, Text: s} }

// Quoted returns a with its text printed quoted (as %q does).
func Quoted(a Arg) Arg { a.Quote = true; return a }

// HostName is a parameter of kind KindName.
func HostName(name, s string) Arg { return Arg{Name: name, Kind: KindName, Text: s} }

// URLPath is a parameter of kind KindPath.
func URLPath(name, s string) Arg { return Arg{Name: name, Kind: KindPath, Text: s} }

// Capture is a parameter of kind KindCapture.
func Capture(name, s string) Arg { return Arg{Name: name, Kind: KindCapture, Text: s} }

// File is a parameter of kind KindFile.
func File(name, s string) Arg { return Arg{Name: name, Kind: KindFile, Text: s} }

// From is the parameter holding a value from the capture, of the value's kind.
func From[T interface {
	~string
	Captured
}](name string, v T) Arg {
	return Arg{Name: name, Kind: v.Kind(), Text: string(v)}
}

// Arg returns the parameter called name, and whether m has one.
func (m *Message) Arg(name string) (Arg, bool) {
	for _, a := range m.Args {
		if a.Name == name {
			return a, true
		}
	}
	return Arg{}, false
}

// String shows the message's key and parameters, for tests and debugging; reports word
// messages through the knowledge catalog instead.
func (m Message) String() string {
	b := []byte(m.Key)
	for i, a := range m.Args {
		if i == 0 {
			b = append(b, '(')
		} else {
			b = append(b, ", "...)
		}
		b = append(b, a.Name...)
		b = append(b, '=')
		switch a.Kind {
		case KindInt:
			b = strconv.AppendInt(b, a.Int, 10)
		case KindMessage:
			if a.Msg != nil {
				b = append(b, a.Msg.String()...)
			}
		case KindList:
			b = append(b, '[')
			for j, x := range a.List {
				if j > 0 {
					b = append(b, "; "...)
				}
				b = append(b, x.String()...)
			}
			b = append(b, ']')
		default:
			b = strconv.AppendQuote(b, a.Text)
		}
		if i == len(m.Args)-1 {
			b = append(b, ')')
		}
	}
	return string(b)
}

// Advice selects the knowledge entry that words a verdict's title and next steps, and the values
// its placeholders are filled with: a report resolves it in the result's profile, in its own
// language.
type Advice struct {
	// Variant narrows the verdict's entry (e.g. "server-host" for firewall-reject); "" for none.
	Variant string
	// Role is "agent-listener" for a connection to an agents' listener port; "" otherwise.
	Role string
	// Params are the placeholders' values ({server}, {client_highest}, ...).
	Params []Arg
	// NoSteps: the finding needs no next step (an ok connection, a name that resolved).
	NoSteps bool
}

// UnmarshalJSON reads a worded message back from a report's JSON (a string): it becomes the
// message "literal", which words as the text itself.
func (m *Message) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*m = Msg("literal", Capture("text", s))
	return nil
}
