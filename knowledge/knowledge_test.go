package knowledge

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/result"
)

// allFacts gives every placeholder a value, so that a filled text must hold no braces.
func allFacts() map[string]string {
	m := map[string]string{}
	for _, p := range Placeholders {
		m[p.Name] = "<" + p.Name + ">"
	}
	return m
}

func TestProfiles(t *testing.T) {
	if got := Profiles(); !slices.Equal(got, []string{"generic", "apexone"}) {
		t.Fatalf("Profiles() = %v, want [generic apexone]", got)
	}
	ax, err := ProfileByName("ApexOne ")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ax.Ports, []uint16{4343, 8080}) || !slices.Equal(ax.TLSPorts, []uint16{4343}) ||
		ax.CheckURL != "/officescan/hotfix_pccnt/Common/OfcNTCer.dat" {
		t.Errorf("apexone: ports %v, TLS ports %v, check URL %q", ax.Ports, ax.TLSPorts, ax.CheckURL)
	}
	g := Default()
	if g.Name != Generic || len(g.Ports) != 0 || g.CheckURL != "" {
		t.Errorf("generic: %+v", g)
	}
	if _, err := ProfileByName("officescan"); err == nil || !strings.Contains(err.Error(), "generic, apexone") {
		t.Errorf("unknown profile: error %v, want one that lists the profiles", err)
	}
}

// TestEveryVerdictEveryProfile: for every verdict, profile and role the knowledge has a title
// and an explanation, a failing verdict has next steps, every placeholder is filled, and every
// evidence field names a key of the JSON result.
func TestEveryVerdictEveryProfile(t *testing.T) {
	keys := jsonPaths()
	for _, name := range Profiles() {
		p, err := ProfileByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range result.AllVerdicts {
			for _, role := range []string{"", RoleAgentListener} {
				a := p.Lookup(v, "", role, allFacts())
				id := name + " " + string(v) + "@" + role
				if a.Title == "" || a.Explanation == "" || len(a.Evidence) == 0 {
					t.Errorf("%s: title %q, explanation %q, evidence %v: none may be empty", id, a.Title, a.Explanation, a.Evidence)
				}
				if (v != result.VerdictOK) != (len(a.NextSteps) > 0) {
					t.Errorf("%s: %d next steps; every verdict but ok needs some, ok none", id, len(a.NextSteps))
				}
				for _, s := range append([]string{a.Title, a.Explanation}, a.NextSteps...) {
					if strings.ContainsAny(s, "{}") || strings.Contains(s, "  ") {
						t.Errorf("%s: text not filled in cleanly: %q", id, s)
					}
				}
				for _, f := range a.Evidence {
					if !keys[f] {
						t.Errorf("%s: evidence field %q is not a key of the JSON result", id, f)
					}
				}
			}
		}
		for _, k := range p.Keys() {
			verdict, _, _ := strings.Cut(strings.Split(k, "@")[0], "/")
			if !slices.Contains(result.AllVerdicts, result.Verdict(verdict)) {
				t.Errorf("%s: entry [%s] is not a verdict", name, k)
			}
		}
	}
}

// TestLookup pins what each profile says for the cases the analysis asks about.
func TestLookup(t *testing.T) {
	facts := map[string]string{"server": "10.0.0.2:4343", "server_ip": "10.0.0.2", "port": "4343",
		"client_ip": "10.0.0.5", "client_highest": "TLS 1.0", "router": "10.0.0.254",
		"name": "apexone.example", "dns_server": "10.0.0.53", "servers": "10.0.0.2"}
	cases := []struct {
		profile, verdict, variant, role string
		key, title                      string
		steps                           int
		first                           string // the first next step starts with this
	}{
		{"generic", "tls-version-mismatch", "", "", "tls-version-mismatch", "TLS version mismatch", 1,
			"Make the versions overlap: enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols), or allow TLS 1.0 on 10.0.0.2:4343."},
		{"apexone", "tls-version-mismatch", "", "", "tls-version-mismatch", "Agent and server share no TLS version", 3,
			`Enable TLS 1.2 on the agent 10.0.0.5, which connects to the Apex One server as a TLS client: on Windows 7 / Server 2008 R2 and older, set HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client (Enabled=1, DisabledByDefault=0).`},
		{"apexone", "tls-version-mismatch", "", "agent-listener", "tls-version-mismatch@agent-listener", "Server cannot notify the agent: no common TLS version", 2,
			`The Apex One server 10.0.0.5 is the TLS client of the notifications to the agent 10.0.0.2 on port 4343 and offers at most TLS 1.0: enable TLS 1.2 for its client side, HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client (Enabled=1, DisabledByDefault=0), then restart the server host.`},
		{"generic", "tls-version-mismatch", "", "agent-listener", "tls-version-mismatch@agent-listener", "TLS version mismatch on the agent's listener", 1,
			"Make the versions overlap: the connecting server 10.0.0.5 is the TLS client here; enable TLS 1.2 for its client side (on older Windows: the SCHANNEL TLS 1.2 Client registry keys), or allow TLS 1.0 on the agent's listener 10.0.0.2:4343."},
		{"apexone", "tls-version-mismatch", "or-cipher", "agent-listener", "tls-version-mismatch/or-cipher@agent-listener",
			"Server most likely cannot notify the agent: no common TLS version (no common cipher suite fits as well)", 2, "The Apex One server 10.0.0.5 is the TLS client of the notifications to the agent 10.0.0.2 on port 4343: enable TLS 1.2 for its client side"},
		{"apexone", "not-tls", "", "agent-listener", "not-tls@agent-listener", "Server and agent disagree on HTTP or HTTPS for notifications", 1,
			"The Apex One server 10.0.0.5 and the agent's listener 10.0.0.2:4343 do not speak the same protocol for notifications"},
		{"apexone", "tls-version-mismatch", "server-older", "agent-listener", "tls-version-mismatch/server-older@agent-listener",
			"The agent's listener allows only TLS versions older than the connecting server offers", 1, "The agent's listener 10.0.0.2:4343 refused every version the connecting server 10.0.0.5 already offers"},
		{"generic", "refused", "", "", "refused", "Connection refused", 1, "Nothing listens on 10.0.0.2:4343, or a host firewall there rejects the port with a reset: check that the service is running"},
		{"apexone", "refused", "", "", "refused", "The Apex One port refuses connections", 2, "Nothing listens on 10.0.0.2:4343, or a host firewall on the server rejects the port with a reset: on the Apex One server check that the master service"},
		// A variant the product profile does not set comes from the generic profile (middlebox-reset/idle);
		// the product's own variant wins over both (firewall-reject/server-host).
		{"generic", "firewall-reject", "", "", "firewall-reject", "Rejected by a firewall", 1, "A firewall at 10.0.0.254 rejects TCP port 4343 to 10.0.0.2: add a rule on it that allows the clients to reach the port."},
		{"apexone", "firewall-reject", "", "", "firewall-reject", "A firewall rejects the Apex One port", 1, "A router or firewall (10.0.0.254) rejects TCP port 4343 to the Apex One server 10.0.0.2"},
		{"apexone", "firewall-reject", "server-host", "", "firewall-reject/server-host", "The Apex One server's own firewall rejects the port", 1, "The Windows Firewall on the Apex One server 10.0.0.2 rejects TCP port 4343"},
		{"apexone", "middlebox-reset", "idle", "", "middlebox-reset/idle", "Idle session reset by a device in the path", 1, "A firewall or NAT between the two dropped this session after at most"},
		{"apexone", "refused", "", "agent-listener", "refused@agent-listener", "The agent's listener port refuses connections", 1, "Nothing listens on the agent's listener port 10.0.0.2:4343, or a host firewall on the agent"},
		{"apexone", "syn-timeout", "", "", "syn-timeout", "Agents' SYNs to the Apex One server are dropped", 2, "A firewall drops TCP port 4343 to the Apex One server 10.0.0.2"},
		{"generic", "syn-timeout", "", "agent-listener", "syn-timeout@agent-listener", "No answer to the SYN", 2, "Check the path to 10.0.0.2:4343"},
		{"apexone", "name-resolution-failed", "nxdomain", "", "name-resolution-failed/nxdomain", "Apex One server name does not exist in DNS", 1,
			"10.0.0.53 says apexone.example does not exist, while agents connecting to 10.0.0.2 by IP address work"},
		{"generic", "name-resolution-failed", "timeout", "", "name-resolution-failed/timeout", "DNS server does not answer", 1,
			"10.0.0.53 never answered the queries for apexone.example: check that the DNS service runs and that UDP port 53 to it is open from the clients"},
		{"generic", "ok", "", "", "ok", "Connection worked", 0, ""},
		{"apexone", "incomplete", "client-hello-cut", "", "incomplete/client-hello-cut", "ClientHello cut by the snaplen", 1, "Capture again with the whole packet"},
	}
	for _, tc := range cases {
		t.Run(tc.profile+" "+tc.verdict+"/"+tc.variant+"@"+tc.role, func(t *testing.T) {
			p, err := ProfileByName(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			a := p.Lookup(result.Verdict(tc.verdict), tc.variant, tc.role, facts)
			if a.Key != tc.key || a.Title != tc.title || len(a.NextSteps) != tc.steps {
				t.Fatalf("key %q, title %q, %d steps %q; want %q, %q, %d", a.Key, a.Title, len(a.NextSteps), a.NextSteps, tc.key, tc.title, tc.steps)
			}
			if tc.steps > 0 && !strings.HasPrefix(a.NextSteps[0], tc.first) {
				t.Errorf("first step %q, want it to start with %q", a.NextSteps[0], tc.first)
			}
		})
	}
}

func TestFill(t *testing.T) {
	cases := []struct{ in, want string }{
		{"allow {client_highest} on {server}.", "allow TLS 1.0 on the server."},
		{"{nope} and {port", "{nope} and {port"},
		{"no placeholders", "no placeholders"},
		{"{port}{port}", "43434343"},
	}
	for _, tc := range cases {
		if got := Fill(tc.in, map[string]string{"client_highest": "TLS 1.0", "port": "4343"}); got != tc.want {
			t.Errorf("Fill(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{"", `no "profile: NAME" line`},
		{"title: x", `line 1: the file must start with "profile: NAME"`},
		{"profile: Big", `line 1: profile name "Big"`},
		{"profile: p\nports: 0", `line 2: "0" is not a port number`},
		{"profile: p\ncheck-url: http://x/y", `line 2: check-url "http://x/y" must be a plain absolute path`},
		{"profile: p\n[no-such-verdict]", `line 2: entry [no-such-verdict]: "no-such-verdict" is not a verdict`},
		{"profile: p\n[refused@client]", `line 2: entry [refused@client]: unknown role "client"`},
		{"profile: p\n[refused/ICMP]", `line 2: entry [refused/ICMP]: variant "ICMP"`},
		{"profile: p\n[refused]\n[refused]", "line 3: entry [refused] appears twice"},
		{"profile: p\n[refused]\nnext: go to {nowhere}", "line 3: unknown placeholder {nowhere}"},
		{"profile: p\n[refused]\nnext: x\n  and {nowhere}", "line 4: unknown placeholder {nowhere}"},
		{"profile: p\n[refused]\nwhy: x", `line 3: unknown entry field "why"`},
		{"profile: p\n  continued", "line 2: a continuation line must follow a value"},
		{"profile: p\n[refused\n", "line 2: an entry key must end with ]"},
		{"profile: p\nno colon here", `line 2: want "name: value"`},
	}
	for _, tc := range cases {
		_, err := Parse(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): error %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	p, err := Parse("# c\nprofile: p\ndescription: a\n  b\nports: 1, 2\n\n[refused/icmp@agent-listener]\ntitle: T\nnext: one\n  two\nnext: three\nevidence: tcp.syns, tcp.rsts\n")
	if err != nil {
		t.Fatal(err)
	}
	e, ok := p.Entry("refused/icmp@agent-listener")
	want := Entry{Title: "T", NextSteps: []string{"one two", "three"}, Evidence: []string{"tcp.syns", "tcp.rsts"}}
	if !ok || !reflect.DeepEqual(e, want) || p.Description != "a b" || !slices.Equal(p.Ports, []uint16{1, 2}) {
		t.Errorf("got %+v %+v", p, e)
	}
}

// jsonPaths lists every JSON path of the result (flows' keys without the "flows." prefix, the
// others with their top-level key: "summary.servers.accepted_versions", "names.outcome").
func jsonPaths() map[string]bool {
	out := map[string]bool{}
	var walk func(t reflect.Type, prefix string, depth int)
	walk = func(t reflect.Type, prefix string, depth int) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() || depth > 4 {
			return
		}
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			out[prefix+name] = true
			walk(f.Type, prefix+name+".", depth+1)
		}
	}
	walk(reflect.TypeFor[result.Result](), "", 0)
	walk(reflect.TypeFor[result.Flow](), "", 0)
	return out
}
