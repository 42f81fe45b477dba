package knowledge

import "strings"

// Placeholder is one {name} that entries may use: what it stands for and the words used when
// a finding has no value for it.
type Placeholder struct {
	Name     string
	Meaning  string
	Fallback string
}

// Placeholders lists every placeholder the data may use. Parse rejects any other.
var Placeholders = []Placeholder{
	{"server", "the connection's server as ip:port (for an agent-listener connection: the agent)", "the server"},
	{"server_ip", "the server's address", "the server"},
	{"port", "the server port", "the port"},
	{"client", "the connection's client as ip:port", "the client"},
	{"client_ip", "the client's address", "the client"},
	{"client_highest", "the highest TLS version the client offers", "its highest version"},
	{"offered", "every TLS version the client offers", "its versions"},
	{"time", "the time of the connection's last packet, hh:mm:ss UTC", "that time"},
	{"router", "the router or firewall that sent an ICMP error", "a router or firewall"},
	{"idle", "how long the connection was silent before a forged reset", "a while"},
	{"reset_in_name_of", "whose address a forged reset carried (ip:port)", "one side"},
	{"check_url", "the profile's check URL", "the check URL"},
	{"path", "the path of the HTTP request", "the requested path"},
	{"status", "the HTTP response status line", "an error status"},
	{"name", "the DNS name looked up", "the server's name"},
	{"askers", "the clients that asked for the name", "the clients"},
	{"dns_server", "the DNS server that answered (or was asked)", "the DNS server"},
	{"answer", "the addresses the DNS server answered", "another address"},
	{"servers", "the server addresses the clients connect to by IP", "the server's address"},
}

var placeholderIndex = func() map[string]Placeholder {
	m := make(map[string]Placeholder, len(Placeholders))
	for _, p := range Placeholders {
		m[p.Name] = p
	}
	return m
}()

// Fill replaces each {name} in s with facts[name], or with the placeholder's fallback when the
// fact is missing or empty. Text in braces that is not a placeholder is left as it is.
func Fill(s string, facts map[string]string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+1 : i+j]
		p, known := placeholderIndex[name]
		b.WriteString(s[:i])
		switch {
		case !known:
			b.WriteString(s[i : i+j+1])
		case facts[name] != "":
			b.WriteString(facts[name])
		default:
			b.WriteString(p.Fallback)
		}
		s = s[i+j+1:]
	}
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
		out = append(out, s[i+1:i+j])
		s = s[i+j+1:]
	}
}
