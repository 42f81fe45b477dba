package knowledge

import (
	"strings"

	"github.com/connscope/connscope/result"
)

// Placeholder is one {name} that entries may use: what it stands for. The words used when a
// finding has no value for it are a message per language, "placeholder.NAME" (data/<lang>/
// messages/placeholders.txt): see Fallback.
type Placeholder struct {
	Name    string
	Meaning string
}

// Placeholders lists every placeholder the data may use. Parse rejects any other.
var Placeholders = []Placeholder{
	{"server", "the connection's server as ip:port (for an agent-listener connection: the agent)"},
	{"server_ip", "the server's address"},
	{"port", "the server port"},
	{"client", "the connection's client as ip:port"},
	{"client_ip", "the client's address"},
	{"clients", "how many clients {client} and {client_ip} name (a group's next step names them all)"},
	{"client_highest", "the highest TLS version the client offers"},
	{"client_lowest", "the lowest TLS version the client offers"},
	{"offered", "every TLS version the client offers"},
	{"time", "the time of the connection's last packet, hh:mm:ss UTC"},
	{"router", "the router or firewall that sent an ICMP error"},
	{"idle", "how long the connection was silent before a forged reset"},
	{"reset_in_name_of", "whose address a forged reset carried (ip:port)"},
	{"reset_by", "the side whose reset ended a reset connection (ip:port)"},
	{"reset_ttl", "that reset's IP TTL"},
	{"check_url", "the profile's check URL"},
	{"path", "the path of the HTTP request"},
	{"status", "the HTTP response status line"},
	{"name", "the DNS name looked up"},
	{"askers", "the clients that asked for the name"},
	{"dns_server", "the DNS server that answered (or was asked)"},
	{"answer", "the addresses the DNS server answered"},
	{"servers", "the server addresses the clients connect to by IP"},
}

var placeholderIndex = func() map[string]Placeholder {
	m := make(map[string]Placeholder, len(Placeholders))
	for _, p := range Placeholders {
		m[p.Name] = p
	}
	return m
}()

// Fallback is the words c's language uses for placeholder name when a finding has no value for
// it ("the server", 「サーバー」).
func (c *Catalog) Fallback(name string) string { return c.Say("placeholder." + name) }

// Fill replaces each {name} in s with facts[name], or with the placeholder's English fallback
// when the fact is missing or empty. Text in braces that is not a placeholder is left as it is.
func Fill(s string, facts map[string]string) string { return fillIn(CatalogOf(English), s, facts) }

// fillIn is Fill with the fallbacks of c's language.
func fillIn(c *Catalog, s string, facts map[string]string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b []byte
	var edges []int // where the values start and end, for Japanese spacing
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return c.tidy(append(b, s...), edges)
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return c.tidy(append(b, s...), edges)
		}
		name, forms, plural := pluralOf(s[i+1 : i+j])
		_, known := placeholderIndex[name]
		b = append(b, s[:i]...)
		start := len(b)
		switch {
		case !known:
			b = append(b, s[i:i+j+1]...)
		case plural:
			if n := facts[name]; n != "" && n != "1" {
				b = append(b, forms[1]...)
			} else {
				b = append(b, forms[0]...)
			}
		case facts[name] != "":
			b = append(b, facts[name]...)
		default:
			b = append(b, c.Fallback(name)...)
		}
		if known {
			edges = append(edges, start, len(b))
		}
		s = s[i+j+1:]
	}
}

// tidy returns text filled in by c, with tidyEdges applied in Japanese.
func (c *Catalog) tidy(b []byte, edges []int) string {
	if c.lang == Japanese {
		b = tidyEdges(b, edges)
	}
	return string(b)
}

// placeholdersIn returns the {names} that s uses.
func placeholdersIn(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		name, _, _ := pluralOf(s[i+1 : i+j])
		out = append(out, name)
		s = s[i+j+1:]
	}
}

// pluralOf splits a placeholder's text: "clients|agent|agents" is the plural form of the count
// {clients}, "agent" when it is 1, else "agents"; any other text is a name without forms.
func pluralOf(ref string) (name string, forms []string, ok bool) {
	parts := strings.Split(ref, "|")
	if len(parts) != 3 {
		return ref, nil, false
	}
	return parts[0], parts[1:], true
}

// FillArgs replaces each {name} in s with the value of the parameter called name, worded by c
// (a nested message in c's language; text from the capture through red), or with the
// placeholder's fallback when params has no value for it. Text in braces that is not a
// placeholder is left as it is.
func FillArgs(s string, params []result.Arg, c *Catalog, red Redactor) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b []byte
	var edges []int // where the values start and end, for Japanese spacing
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return c.tidy(append(b, s...), edges)
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return c.tidy(append(b, s...), edges)
		}
		name, forms, plural := pluralOf(s[i+1 : i+j])
		_, known := placeholderIndex[name]
		b = append(b, s[:i]...)
		start := len(b)
		switch a, ok := argNamed(params, name); {
		case !known:
			b = append(b, s[i:i+j+1]...)
		case plural:
			// {count|one|many}: one without the count (a finding of one connection).
			if ok && (a.Kind == result.KindInt || a.Kind == result.KindText) && !countIsOne(&a) {
				b = append(b, forms[1]...)
			} else {
				b = append(b, forms[0]...)
			}
		case ok:
			b = c.appendArg(b, &a, &part{name: name}, red)
		default:
			b = append(b, c.Fallback(name)...)
		}
		if known {
			edges = append(edges, start, len(b))
		}
		s = s[i+j+1:]
	}
}

// argNamed returns the parameter called name, if it has a value (a text parameter with no text
// has none).
func argNamed(params []result.Arg, name string) (result.Arg, bool) {
	for _, a := range params {
		if a.Name != name {
			continue
		}
		switch a.Kind {
		case result.KindInt:
			return a, true
		case result.KindMessage:
			return a, a.Msg != nil && a.Msg.Key != ""
		case result.KindList:
			return a, len(a.List) > 0
		}
		return a, a.Text != ""
	}
	return result.Arg{}, false
}

// Words is what a profile says of one finding, in one language, with its placeholders filled.
type Words struct {
	Title       string
	Explanation string
	NextSteps   []string
}

// Advise words a finding's title, explanation and next steps: the entry of verdict v narrowed
// by the advice's variant and role, in lang, filled with its parameters (text from the capture
// through red). A finding whose advice says it needs no step gets none.
func (p *Profile) Advise(lang Lang, v result.Verdict, adv *result.Advice, red Redactor) Words {
	if f := p.fixed(v, adv.Variant, adv.Role, !adv.NoSteps); !f.needsParams && (lang == English || lang == Japanese) {
		return f.words(lang) // the same words for every finding of the entry: made once
	}
	return p.advise(lang, v, adv, red)
}

// advise is Advise, the words made anew.
func (p *Profile) advise(lang Lang, v result.Verdict, adv *result.Advice, red Redactor) Words {
	_, e := p.ResolveIn(lang, v, adv.Variant, adv.Role)
	c := CatalogOf(lang)
	w := Words{Title: FillArgs(e.Title, adv.Params, c, red), Explanation: FillArgs(e.Explanation, adv.Params, c, red),
		NextSteps: []string{}}
	if !adv.NoSteps {
		w.NextSteps = make([]string, 0, len(e.NextSteps))
		for _, s := range e.NextSteps {
			w.NextSteps = append(w.NextSteps, FillArgs(s, adv.Params, c, red))
		}
	}
	return w
}
