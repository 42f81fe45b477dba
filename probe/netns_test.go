//go:build linux

package probe

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// The namespace tests run real servers — OpenSSL s_server, gnutls-serv, a Go HTTPS and HTTP
// server, dnsmasq — in a server namespace, firewall rules (iptables DROP and REJECT) there, and
// the probe in a client namespace, each a re-run of this test binary (TestHelperProcess) so that
// it lives in that namespace, with its own resolv.conf (ip netns exec mounts
// /etc/netns/NAME/resolv.conf). Run them with
//
//	sudo flock /tmp/connscope-netns.lock go test ./probe
//
// Addresses: client 10.66.0.1, server 10.66.0.2 (and 10.66.0.3, where nothing listens).

const (
	clientIP  = "10.66.0.1"
	serverIP  = "10.66.0.2"
	otherIP   = "10.66.0.3" // a server address where nothing listens
	clientIP6 = "fd00:66::1"
	serverIP6 = "fd00:66::2"
	pki       = "../testdata/pki/"
	// checkBody is what the Go server serves at the check URL.
	checkBody = "OfcNTCer.dat of the connscope test server\n"
	checkURL  = "/officescan/hotfix_pccnt/Common/OfcNTCer.dat"
)

// Ports of the test servers.
const (
	portTLS12     = 4401 // OpenSSL, TLS 1.2 only
	portTLS11_12  = 4402 // OpenSSL, TLS 1.1 and 1.2 (SECLEVEL=0)
	portTLS10_12  = 4403 // OpenSSL, TLS 1.0 to 1.2 (SECLEVEL=0)
	portGnuTLS13  = 4404 // gnutls-serv, TLS 1.3 only
	portGo        = 4405 // Go crypto/tls HTTPS, serves the check URL
	portClosed    = 4406 // nothing listens
	portDrop      = 4407 // iptables DROP
	portReject    = 4408 // iptables REJECT (ICMP port unreachable)
	portHostUnrch = 4409 // iptables REJECT with ICMP host unreachable
	portExpired   = 4410 // OpenSSL with an expired certificate
	portChaCha    = 4411 // OpenSSL, TLS 1.2 with ChaCha20 only: no suite in common with Windows
	portRSTReject = 4412 // OpenSSL listens, but iptables REJECT --reject-with tcp-reset answers the SYN
	portHTTP      = 8080 // Go plain HTTP, serves the check URL
)

// lab is the client and server namespaces with their servers.
type lab struct {
	client, server string
	procs          []*exec.Cmd
}

func needRoot(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (CI runs as root)")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("needs %s (.ci/run installs it)", tool)
			}
			t.Skipf("needs %s (.ci/run installs it)", tool)
		}
	}
}

// newLab sets up the namespaces and servers and tears them down when the test ends.
func newLab(t *testing.T) *lab {
	t.Helper()
	needRoot(t, "ip", "openssl", "gnutls-serv", "dnsmasq", "iptables", "ip6tables", "ss")
	id := os.Getpid() % 100000
	l := &lab{client: fmt.Sprintf("prbc%d", id), server: fmt.Sprintf("prbs%d", id)}
	etc := filepath.Join("/etc/netns", l.client)
	t.Cleanup(func() {
		for _, c := range l.procs {
			c.Process.Kill()
			c.Wait()
		}
		exec.Command("ip", "netns", "del", l.client).Run()
		exec.Command("ip", "netns", "del", l.server).Run()
		os.RemoveAll(etc)
	})
	vc, vs := fmt.Sprintf("prbc%dv", id), fmt.Sprintf("prbs%dv", id)
	for _, args := range [][]string{
		{"netns", "add", l.client},
		{"netns", "add", l.server},
		{"link", "add", vc, "type", "veth", "peer", "name", vs},
		{"link", "set", vc, "netns", l.client},
		{"link", "set", vs, "netns", l.server},
		{"-n", l.client, "addr", "add", clientIP + "/24", "dev", vc},
		{"-n", l.server, "addr", "add", serverIP + "/24", "dev", vs},
		{"-n", l.server, "addr", "add", otherIP + "/24", "dev", vs},
		{"-n", l.client, "addr", "add", clientIP6 + "/64", "dev", vc, "nodad"},
		{"-n", l.server, "addr", "add", serverIP6 + "/64", "dev", vs, "nodad"},
		{"-n", l.client, "link", "set", vc, "up"},
		{"-n", l.server, "link", "set", vs, "up"},
		{"-n", l.client, "link", "set", "lo", "up"},
		{"-n", l.server, "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "resolv.conf"), []byte("nameserver "+serverIP+"\noptions timeout:1 attempts:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rule := range [][]string{
		{"-A", "INPUT", "-p", "tcp", "--dport", strconv.Itoa(portDrop), "-j", "DROP"},
		{"-A", "INPUT", "-p", "tcp", "--dport", strconv.Itoa(portReject), "-j", "REJECT"},
		{"-A", "INPUT", "-p", "tcp", "--dport", strconv.Itoa(portHostUnrch), "-j", "REJECT", "--reject-with", "icmp-host-unreachable"},
		{"-A", "INPUT", "-p", "tcp", "--dport", strconv.Itoa(portRSTReject), "-j", "REJECT", "--reject-with", "tcp-reset"},
	} {
		l.must(t, l.server, append([]string{"iptables"}, rule...)...)
	}
	l.must(t, l.server, "ip6tables", "-A", "INPUT", "-p", "tcp", "--dport", strconv.Itoa(portReject), "-j", "REJECT")
	cert, key := pki+"server.pem", pki+"server.key"
	ossl := func(port int, extra ...string) {
		args := append([]string{"openssl", "s_server", "-quiet", "-accept", strconv.Itoa(port), "-cert", cert, "-key", key, "-www"}, extra...)
		l.start(t, l.server, port, args...)
	}
	ossl(portTLS12, "-tls1_2")
	ossl(portTLS11_12, "-no_ssl3", "-no_tls1", "-no_tls1_3", "-cipher", "DEFAULT@SECLEVEL=0")
	ossl(portTLS10_12, "-no_ssl3", "-no_tls1_3", "-cipher", "DEFAULT@SECLEVEL=0")
	l.start(t, l.server, portGnuTLS13, "gnutls-serv", "--echo", "-p", strconv.Itoa(portGnuTLS13), "--x509certfile", cert, "--x509keyfile", key,
		"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3")
	ossl(portChaCha, "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305")
	ossl(portRSTReject, "-tls1_2") // a service that listens: the reset is the firewall's
	l.start(t, l.server, portExpired, "openssl", "s_server", "-quiet", "-accept", strconv.Itoa(portExpired), "-cert", pki+"expired.pem", "-key", pki+"expired.key", "-www")
	self, _ := filepath.Abs(os.Args[0])
	certAbs, _ := filepath.Abs(cert)
	keyAbs, _ := filepath.Abs(key)
	l.startEnv(t, l.server, portGo, []string{"CONNSCOPE_PROBE_HELPER=goserver", "CONNSCOPE_CERT=" + certAbs, "CONNSCOPE_KEY=" + keyAbs},
		self, "-test.run=^TestHelperProcess$")
	l.wait(t, portHTTP)
	// dnsmasq knows the server's address (a host record: its reverse lookup works) but not the
	// name the agents use, answers for stale.connscope.test with an address where nothing
	// listens, and is authoritative for connscope.test (NXDOMAIN for the rest).
	l.startUDP(t, l.server, "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
		"--listen-address="+serverIP, "--pid-file=", "--local=/connscope.test/", "--host-record=known.connscope.test,"+serverIP,
		"--address=/stale.connscope.test/"+otherIP, "--log-facility=-")
	return l
}

func (l *lab) must(t *testing.T, ns string, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func (l *lab) start(t *testing.T, ns string, port int, args ...string) {
	t.Helper()
	l.startEnv(t, ns, port, nil, args...)
}

func (l *lab) startEnv(t *testing.T, ns string, port int, env []string, args ...string) {
	t.Helper()
	c := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	c.Env = append(os.Environ(), env...)
	c.Stdin = nil
	if err := c.Start(); err != nil {
		t.Fatalf("%s: %v", args[0], err)
	}
	l.procs = append(l.procs, c)
	l.wait(t, port)
}

func (l *lab) startUDP(t *testing.T, ns string, args ...string) {
	t.Helper()
	c := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	if err := c.Start(); err != nil {
		t.Fatalf("%s: %v", args[0], err)
	}
	l.procs = append(l.procs, c)
	for i := 0; i < 100; i++ {
		out, _ := exec.Command("ip", "netns", "exec", ns, "ss", "-Hlun", "sport = :53").Output()
		if strings.Contains(string(out), serverIP) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s does not listen on UDP port 53", args[0])
}

// wait waits until something listens on TCP port in the server namespace.
func (l *lab) wait(t *testing.T, port int) {
	t.Helper()
	for i := 0; i < 150; i++ {
		out, _ := exec.Command("ip", "netns", "exec", l.server, "ss", "-Hltn", "sport = :"+strconv.Itoa(port)).Output()
		if strings.TrimSpace(string(out)) != "" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on port %d in %s", port, l.server)
}

// helperSpec is what TestHelperProcess probes (the probe's Options as flags would give them).
type helperSpec struct {
	Targets        []string
	Agents         []string
	ServerNames    []string
	Profile        string
	ClientVersions string
	URL            string
	NoURL          bool
	CA             string
	Write          string
	Ciphers        string
}

// probeIn runs the probe in the client namespace and returns its result, as the JSON report
// has it (every message worded in English).
func (l *lab) probeIn(t *testing.T, spec helperSpec) *result.ProbeResult {
	t.Helper()
	b, _ := json.Marshal(spec)
	self, _ := filepath.Abs(os.Args[0])
	c := exec.Command("ip", "netns", "exec", l.client, self, "-test.run=^TestHelperProcess$")
	c.Env = append(os.Environ(), "CONNSCOPE_PROBE_HELPER=probe", "CONNSCOPE_SPEC="+string(b))
	out, err := c.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("probe %+v: %v: %s", spec, err, stderr)
	}
	var r result.ProbeResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("probe %+v: %v: %s", spec, err, out)
	}
	return &r
}

// TestHelperProcess is the probe, or the Go test server, in a namespace; it does nothing in a
// normal test run.
func TestHelperProcess(t *testing.T) {
	switch os.Getenv("CONNSCOPE_PROBE_HELPER") {
	case "probe":
		helperProbe()
	case "goserver":
		helperGoServer()
	default:
		return
	}
	os.Exit(0)
}

func helperProbe() {
	var spec helperSpec
	if err := json.Unmarshal([]byte(os.Getenv("CONNSCOPE_SPEC")), &spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	prof, err := knowledge.ProfileByName(spec.Profile)
	if spec.Profile == "" {
		prof, err = knowledge.ProfileByName(knowledge.Generic)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	opts := Options{Profile: prof, URL: spec.URL, NoURL: spec.NoURL, Timeout: time.Second, ServerNames: spec.ServerNames, Ciphers: spec.Ciphers}
	for _, s := range spec.Targets {
		tg, err := ParseTarget(s, 0, RoleServer)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		opts.Targets = append(opts.Targets, tg)
	}
	for _, s := range spec.Agents {
		tg, _ := ParseTarget(s, 0, RoleAgentListener)
		opts.Targets = append(opts.Targets, tg)
	}
	if spec.ClientVersions != "" {
		opts.ClientVersions, _ = ParseClientVersions([]string{spec.ClientVersions})
		opts.ClientSource, opts.ClientDetail = "flag", result.Msg("probe.client-versions-flag")
	}
	if spec.CA != "" {
		b, _ := os.ReadFile(spec.CA)
		opts.Roots = x509.NewCertPool()
		opts.Roots.AppendCertsFromPEM(b)
	}
	var r *result.ProbeResult
	if spec.Write != "" {
		r, err = RunCaptured(context.Background(), opts, spec.Write)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	} else {
		r = Run(context.Background(), opts)
	}
	if err := report.WriteProbe(os.Stdout, r, report.FormatJSON, report.ProbeOptions{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}

// helperGoServer serves the check URL over HTTPS (Go's crypto/tls defaults: TLS 1.2 and 1.3)
// on portGo and over plain HTTP on portHTTP; other paths get 404.
func helperGoServer() {
	mux := http.NewServeMux()
	mux.HandleFunc(checkURL, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(checkBody)) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	plain, err := net.Listen("tcp", net.JoinHostPort(serverIP, strconv.Itoa(portHTTP)))
	if err != nil {
		os.Exit(4)
	}
	go http.Serve(plain, mux)
	http.ListenAndServeTLS(net.JoinHostPort(serverIP, strconv.Itoa(portGo)), os.Getenv("CONNSCOPE_CERT"), os.Getenv("CONNSCOPE_KEY"), mux)
	os.Exit(4)
}

// finding is a finding as the tests compare it: severity, code, endpoint and English text.
func findingLines(fs []result.ProbeFinding) []string {
	var out []string
	for _, f := range fs {
		line := f.Severity + " " + f.Code
		if f.Endpoint != "" {
			line += " @" + f.Endpoint
		}
		out = append(out, line+": "+f.Text)
	}
	return out
}

func endpointOf(t *testing.T, r *result.ProbeResult, addr string) *result.ProbeEndpoint {
	t.Helper()
	for i := range r.Targets {
		for j := range r.Targets[i].Endpoints {
			if r.Targets[i].Endpoints[j].Address == addr {
				return &r.Targets[i].Endpoints[j]
			}
		}
	}
	t.Fatalf("no endpoint %s in %+v", addr, r.Targets)
	return nil
}

// versionCells is each version's outcome, "TLS 1.2=accepted(cipher)" compactly.
func versionCells(ep *result.ProbeEndpoint) string {
	var out []string
	for _, v := range ep.Versions {
		s := v.Version + "=" + v.Outcome
		if v.Alert != "" {
			s += "(" + v.Alert + ")"
		}
		if v.Chosen != "" && v.Outcome != result.ProbeAccepted {
			s += "(" + v.Chosen + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// TestProbeNamespaces runs the probe against each server of the lab and checks what it finds,
// exactly. One lab serves every case, so that the namespaces and servers are set up once.
func TestProbeNamespaces(t *testing.T) {
	start := time.Now()
	l := newLab(t)
	t.Logf("lab set up in %v", time.Since(start))
	t.Run("versions", l.testVersionCases)
	t.Run("servers", l.testServers)
	t.Run("ipv6", l.testIPv6)
	t.Run("ciphers-all", l.testCiphersAll)
	t.Run("names", l.testNames)
	t.Run("http", l.testHTTP)
	t.Run("agent", l.testAgent)
	t.Run("write", l.testWrite)
}

// testVersionCases: the vendor article's three cases come out as it states them: both TLS 1.2
// -> TLS 1.2; server 1.1+1.2 with agent 1.0+1.1 -> TLS 1.1; server 1.2 only with agent 1.0 only
// -> no common version.
func (l *lab) testVersionCases(t *testing.T) {
	cases := []struct {
		port    int
		client  string
		settled string
		want    []string // findings about versions
	}{
		{portTLS12, "1.2", "TLS 1.2", []string{
			"info version-settled @10.66.0.2:4401: an agent with TLS 1.2 and 10.66.0.2:4401 settle on TLS 1.2, the highest version both have"}},
		{portTLS11_12, "1.0,1.1", "TLS 1.1", []string{
			"info version-settled @10.66.0.2:4402: an agent with TLS 1.0, TLS 1.1 and 10.66.0.2:4402 settle on TLS 1.1, the highest version both have"}},
		{portTLS12, "1.0", "", []string{
			"problem tls-version-mismatch @10.66.0.2:4401: no common version: the agent has TLS 1.0, 10.66.0.2:4401 accepts TLS 1.2: they cannot connect"}},
	}
	for _, tc := range cases {
		r := l.probeIn(t, helperSpec{Targets: []string{serverIP + ":" + strconv.Itoa(tc.port)}, ClientVersions: tc.client, NoURL: true})
		ep := endpointOf(t, r, serverIP+":"+strconv.Itoa(tc.port))
		if ep.Settled != tc.settled {
			t.Errorf("port %d, agent %s: settled %q, want %q", tc.port, tc.client, ep.Settled, tc.settled)
		}
		var got []string
		for _, f := range findingLines(r.Findings) {
			if strings.Contains(f, "version-settled") || strings.Contains(f, "tls-version-mismatch") {
				got = append(got, f)
			}
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("port %d, agent %s:\n got %q\nwant %q", tc.port, tc.client, got, tc.want)
		}
		if tc.settled == "" {
			next := r.Findings[0].NextText
			for _, f := range r.Findings {
				if f.Code == string(result.VerdictTLSVersionMismatch) {
					next = f.NextText
				}
			}
			if want := "Make the versions overlap: enable TLS 1.2 on the clients, or allow TLS 1.0 on 10.66.0.2:4401."; next != want {
				t.Errorf("next step %q, want %q", next, want)
			}
			if r.Problems != 1 {
				t.Errorf("%d problems, want 1", r.Problems)
			}
		}
	}
}

// testServers: each server's TCP outcome and the answer to each version's ClientHello.
func (l *lab) testServers(t *testing.T) {
	ports := []int{portTLS12, portTLS11_12, portTLS10_12, portGnuTLS13, portGo, portClosed, portDrop, portReject, portHostUnrch, portExpired, portChaCha, portRSTReject, portHTTP}
	var targets []string
	for _, p := range ports {
		targets = append(targets, serverIP+":"+strconv.Itoa(p))
	}
	r := l.probeIn(t, helperSpec{Targets: targets, NoURL: true})
	cases := []struct {
		port     int
		tcp      string
		versions string
		accepted string
		ciphers  string // the version scanned and how many suites it accepted
	}{
		{portTLS12, "ok", "SSL 3.0=tls-version-mismatch(handshake_failure) TLS 1.0=tls-version-mismatch(protocol_version) TLS 1.1=tls-version-mismatch(protocol_version) TLS 1.2=accepted TLS 1.3=tls-version-mismatch(protocol_version)", "TLS 1.2", "TLS 1.2: 19"},
		{portTLS11_12, "ok", "SSL 3.0=tls-version-mismatch(handshake_failure) TLS 1.0=tls-version-mismatch(protocol_version) TLS 1.1=accepted TLS 1.2=accepted TLS 1.3=tls-version-mismatch(protocol_version)", "TLS 1.1, TLS 1.2", "TLS 1.2: 19"},
		{portTLS10_12, "ok", "SSL 3.0=tls-version-mismatch(handshake_failure) TLS 1.0=accepted TLS 1.1=accepted TLS 1.2=accepted TLS 1.3=tls-version-mismatch(protocol_version)", "TLS 1.0, TLS 1.1, TLS 1.2", "TLS 1.2: 19"},
		// GnuTLS that allows only TLS 1.3 answers a TLS 1.2 hello with handshake_failure, as FIELD-NOTES says.
		{portGnuTLS13, "ok", "SSL 3.0=tls-version-mismatch(protocol_version) TLS 1.0=tls-version-mismatch(protocol_version) TLS 1.1=tls-version-mismatch(protocol_version) TLS 1.2=tls-version-mismatch(handshake_failure) TLS 1.3=accepted", "TLS 1.3", "TLS 1.3: 4"},
		{portGo, "ok", "SSL 3.0=tls-version-mismatch(protocol_version) TLS 1.0=tls-version-mismatch(protocol_version) TLS 1.1=tls-version-mismatch(protocol_version) TLS 1.2=accepted TLS 1.3=accepted", "TLS 1.2, TLS 1.3", "TLS 1.3: 3"},
		{portClosed, "refused", "", "", ""},
		{portDrop, "syn-timeout", "", "", ""},
		{portReject, "firewall-reject", "", "", ""},
		{portHostUnrch, "unreachable", "", "", ""},
		// A host firewall's reset looks to the dialling stack like a closed port's: refused.
		{portRSTReject, "refused", "", "", ""},
		// OpenSSL 3's default security level: TLS 1.0 and 1.1 end in internal_error.
		{portExpired, "ok", "SSL 3.0=tls-version-mismatch(handshake_failure) TLS 1.0=tls-alert(internal_error) TLS 1.1=tls-alert(internal_error) TLS 1.2=accepted TLS 1.3=accepted", "TLS 1.2, TLS 1.3", "TLS 1.3: 3"},
		{portChaCha, "ok", "SSL 3.0=tls-version-mismatch(handshake_failure) TLS 1.0=tls-version-mismatch(protocol_version) TLS 1.1=tls-version-mismatch(protocol_version) TLS 1.2=accepted TLS 1.3=tls-version-mismatch(protocol_version)", "TLS 1.2", "TLS 1.2: 1"},
		// Go's HTTP server answers a ClientHello with "HTTP/1.1 400 Bad Request".
		{portHTTP, "ok", "SSL 3.0=not-tls TLS 1.0=not-tls TLS 1.1=not-tls TLS 1.2=not-tls TLS 1.3=not-tls", "", ""},
	}
	for _, tc := range cases {
		ep := endpointOf(t, r, serverIP+":"+strconv.Itoa(tc.port))
		ciphers := ""
		if ep.Ciphers != nil {
			ciphers = ep.Ciphers.Version + ": " + strconv.Itoa(len(ep.Ciphers.Accepted))
		}
		if ep.TCP.Verdict != tc.tcp || versionCells(ep) != tc.versions || strings.Join(ep.Accepted, ", ") != tc.accepted || ciphers != tc.ciphers {
			t.Errorf("port %d:\n got tcp %s, %s, accepted %v, ciphers %q\nwant tcp %s, %s, accepted %s, ciphers %q",
				tc.port, ep.TCP.Verdict, versionCells(ep), ep.Accepted, ciphers, tc.tcp, tc.versions, tc.accepted, tc.ciphers)
		}
	}
	// The problems and warnings, exactly (information left out).
	want := []string{
		"warning name-mismatch @10.66.0.2:4401: 10.66.0.2:4401: server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not the address 10.66.0.2 probed",
		"warning unknown-issuer @10.66.0.2:4401: 10.66.0.2:4401: server certificate CN=apexone.connscope.test is issued by CN=connscope Test CA, which this machine's trusted roots do not know: clients that check the chain refuse it unless that CA is installed on them",
		"problem refused @10.66.0.2:4406: the SYN to 10.66.0.2:4406 was answered with a RST: nothing listens on port 4406, or a firewall rejects the port with a reset, on the host (iptables REJECT --reject-with tcp-reset gives the same packet) or a device in the path in the host's name — the operating system reports them alike; --write captures the packets, whose TTLs can tell the host from a device in the path",
		"problem syn-timeout @10.66.0.2:4407: 10.66.0.2:4407 did not answer the connection within 1 s: a firewall drops the SYNs (or the answers), or the host is down",
		"problem firewall-reject @10.66.0.2:4408: 10.66.0.2:4408 answered the connection with ICMP 3/3 port unreachable: the server host's own firewall rejects TCP port 4408 (a closed port answers with a RST)",
		"problem unreachable @10.66.0.2:4409: 10.66.0.2:4409 is unreachable: 10.66.0.2 answered the connection with ICMP 3/1 host unreachable",
		"problem expired @10.66.0.2:4410: 10.66.0.2:4410: server certificate CN=apexone.connscope.test expired 2021-01-01, " + yearsAgo(2021) + " ago",
		"warning no-common-cipher @10.66.0.2:4411: Windows 8.1 / Server 2012 R2 SChannel clients share no cipher suite with 10.66.0.2:4411 at TLS 1.2: their handshakes fail with handshake_failure",
		"warning no-common-cipher @10.66.0.2:4411: Windows 10 1607 / Server 2016 SChannel clients share no cipher suite with 10.66.0.2:4411 at TLS 1.2: their handshakes fail with handshake_failure",
		"warning no-common-cipher @10.66.0.2:4411: Windows 10 1809 / Server 2019 SChannel clients share no cipher suite with 10.66.0.2:4411 at TLS 1.2: their handshakes fail with handshake_failure",
		"warning no-common-cipher @10.66.0.2:4411: Windows Server 2022 / Windows 11 SChannel clients share no cipher suite with 10.66.0.2:4411 at TLS 1.2: their handshakes fail with handshake_failure",
		"problem refused @10.66.0.2:4412: the SYN to 10.66.0.2:4412 was answered with a RST: nothing listens on port 4412, or a firewall rejects the port with a reset, on the host (iptables REJECT --reject-with tcp-reset gives the same packet) or a device in the path in the host's name — the operating system reports them alike; --write captures the packets, whose TTLs can tell the host from a device in the path",
		"warning not-tls @10.66.0.2:8080: 10.66.0.2:8080 answers a ClientHello in plain text (\"HTTP/1.1 400 Bad Request  Content-Type: text/plain; charset=utf-\"): it is not a TLS port",
	}
	var got []string
	for _, f := range findingLines(r.Findings) {
		certWarning := strings.Contains(f, "name-mismatch") || strings.Contains(f, "unknown-issuer")
		if !strings.HasPrefix(f, "info ") && (!certWarning || strings.Contains(f, "@10.66.0.2:4401:")) {
			got = append(got, f)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Problems != 6 {
		t.Errorf("%d problems, want 6", r.Problems)
	}
	// Polite: one connection at a time, and at most a few dozen per address.
	if r.Connections > 25*len(ports) {
		t.Errorf("%d connections for %d addresses", r.Connections, len(ports))
	}
}

// yearsAgo is how certcheck words the time since January 1 of year.
func yearsAgo(year int) string {
	days := int(time.Since(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	return strconv.Itoa(days/365) + " years"
}

// problemsAndWarnings lists the findings that are not information.
func problemsAndWarnings(r *result.ProbeResult) []string {
	var out []string
	for _, f := range findingLines(r.Findings) {
		if !strings.HasPrefix(f, "info ") {
			out = append(out, f)
		}
	}
	return out
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// testNames: a DNS server that knows the address but not the name; a name that resolves; a
// stale record that points where nothing listens.
func (l *lab) testNames(t *testing.T) {
	r := l.probeIn(t, helperSpec{Targets: []string{serverIP + ":4405"}, ServerNames: []string{"apexone.connscope.test"}, Profile: "apexone", CA: pki + "ca.pem"})
	tg := r.Targets[0]
	var lookups []string
	for _, lk := range tg.Lookups {
		lookups = append(lookups, lk.Resolver+"="+lk.Outcome+strings.Join(lk.Addresses, ","))
	}
	if got := strings.Join(lookups, " "); got != "system=nxdomain 10.66.0.2:53=nxdomain" {
		t.Errorf("lookups %s", got)
	}
	ep := endpointOf(t, r, serverIP+":4405")
	if len(ep.HTTP) != 1 || ep.HTTP[0].Status != 200 || ep.HTTP[0].Bytes != int64(len(checkBody)) || ep.HTTP[0].URL != "https://10.66.0.2:4405"+checkURL {
		t.Errorf("HTTP by address: %+v", ep.HTTP)
	}
	checkLines(t, "unknown name", problemsAndWarnings(r), []string{
		"problem name-resolution-failed: apexone.connscope.test does not resolve with the system resolver: no such name (NXDOMAIN)",
		"problem ip-works-name-does-not @10.66.0.2:4405: the IP works, the name does not: 10.66.0.2:4405 answers, but apexone.connscope.test does not resolve (no such name (NXDOMAIN))",
	})
	for _, f := range r.Findings {
		if f.Code == result.FindingIPWorksNameDoesNot {
			if want := "The agents reach the server by its address but not by apexone.connscope.test: fix the DNS record of apexone.connscope.test (or the agents' hosts file) so that it gives 10.66.0.2, or set the server address in the Web console (Administration > Settings > Agent Connection)."; f.NextText != want {
				t.Errorf("next step %q", f.NextText)
			}
		}
	}

	r = l.probeIn(t, helperSpec{Targets: []string{"known.connscope.test:4405"}, Profile: "apexone", CA: pki + "ca.pem"})
	checkLines(t, "known name", problemsAndWarnings(r), []string{
		`warning name-mismatch @10.66.0.2:4405: 10.66.0.2:4405: server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not "known.connscope.test", the name probed`,
	})
	if h := r.Targets[0].HTTP; len(h) != 1 || h[0].Status != 200 || h[0].By != "name" || h[0].Address != "10.66.0.2:4405" || h[0].Version != "TLS 1.3" {
		t.Errorf("HTTP by name: %+v", h)
	}

	r = l.probeIn(t, helperSpec{Targets: []string{serverIP + ":4405"}, ServerNames: []string{"stale.connscope.test"}, Profile: "apexone", CA: pki + "ca.pem"})
	got := problemsAndWarnings(r)
	checkLines(t, "stale name", got, []string{
		`warning name-mismatch @10.66.0.2:4405: 10.66.0.2:4405: server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not "stale.connscope.test", the name probed`,
		"problem refused @10.66.0.3:4405: the SYN to 10.66.0.3:4405 was answered with a RST: nothing listens on port 4405, or a firewall rejects the port with a reset, on the host (iptables REJECT --reject-with tcp-reset gives the same packet) or a device in the path in the host's name — the operating system reports them alike; --write captures the packets, whose TTLs can tell the host from a device in the path",
		"problem http-failed: GET https://stale.connscope.test:4405" + checkURL + " failed: Get \"https://stale.connscope.test:4405" + checkURL + "\": dial tcp 10.66.0.3:4405: connect: connection refused",
		"problem ip-works-name-does-not @10.66.0.2:4405: the IP works, the name does not: 10.66.0.2:4405 answers, but stale.connscope.test resolves to 10.66.0.3, where the server does not answer as it does there",
	})
}

// testHTTP: the check URL over plain HTTP on the HTTP port, and a path the server does not have.
func (l *lab) testHTTP(t *testing.T) {
	r := l.probeIn(t, helperSpec{Targets: []string{serverIP + ":8080"}, Profile: "apexone"})
	var got []string
	for _, f := range findingLines(r.Findings) {
		if strings.Contains(f, "http") || strings.Contains(f, "not-tls") {
			got = append(got, f)
		}
	}
	checkLines(t, "plain HTTP port", got, []string{
		"info not-tls @10.66.0.2:8080: 10.66.0.2:8080 answers a ClientHello in plain text (\"HTTP/1.1 400 Bad Request  Content-Type: text/plain; charset=utf-\"): it is not a TLS port",
		"info http-ok @10.66.0.2:8080: GET http://10.66.0.2:8080" + checkURL + " answered 200 (" + strconv.Itoa(len(checkBody)) + " bytes) over plain HTTP",
	})
	r = l.probeIn(t, helperSpec{Targets: []string{serverIP + ":4405"}, URL: "/missing", CA: pki + "ca.pem"})
	checkLines(t, "missing path", problemsAndWarnings(r), []string{
		"warning name-mismatch @10.66.0.2:4405: 10.66.0.2:4405: server certificate CN=apexone.connscope.test is for apexone.connscope.test, 10.77.1.2, fd00:77:1::2, not the address 10.66.0.2 probed",
		"problem http-error @10.66.0.2:4405: GET https://10.66.0.2:4405/missing answered 404",
	})
}

// testAgent: --agent probes an agent's listener as the server notifies it.
func (l *lab) testAgent(t *testing.T) {
	r := l.probeIn(t, helperSpec{Agents: []string{serverIP + ":4401"}, Profile: "apexone", ClientVersions: "1.0", CA: pki + "ca.pem"})
	if r.Targets[0].Role != RoleAgentListener {
		t.Errorf("role %s", r.Targets[0].Role)
	}
	var next, text string
	for _, f := range r.Findings {
		if f.Code == string(result.VerdictTLSVersionMismatch) {
			next, text = f.NextText, f.Text
		}
	}
	if want := "no common version: the server, as the TLS client of notifications, has TLS 1.0, the agent's listener 10.66.0.2:4401 accepts TLS 1.2: notifications cannot get through"; text != want {
		t.Errorf("finding %q,\nwant %q", text, want)
	}
	if want := "The agent is the TLS server of notifications: enable TLS 1.2 for the server's SCHANNEL Client side (…\\SCHANNEL\\Protocols\\TLS 1.2\\Client) or allow TLS 1.0 on the agent's Server side, then restart the host."; next != want {
		t.Errorf("next step %q,\nwant %q", next, want)
	}
}

// testWrite: --write captures the probe's packets, and analyze finds in the file the verdicts
// the probe found.
func (l *lab) testWrite(t *testing.T) {
	file := filepath.Join(t.TempDir(), "probe.pcapng")
	r := l.probeIn(t, helperSpec{Targets: []string{serverIP + ":4407", serverIP + ":4401", serverIP + ":4406", serverIP + ":4408", serverIP + ":4409"}, ClientVersions: "1.0", NoURL: true, Write: file})
	if r.Capture == nil || r.Capture.Packets == 0 {
		t.Fatalf("capture %+v", r.Capture)
	}
	res, err := analyze.File(file, analyze.Options{Ports: []uint16{4401, 4406, 4407, 4408, 4409}})
	if err != nil {
		t.Fatal(err)
	}
	// Every connection the probe opened is a flow of the capture.
	if res.Flows.Len() != r.Connections {
		t.Errorf("%d flows in the capture, the probe opened %d connections", res.Flows.Len(), r.Connections)
	}
	// Each version's hello: analyze gives the probe's verdict, or for an accepted version the
	// same chosen version. Flows are told apart by the highest version their hello offers.
	byHighest := map[string]map[string]bool{}
	for _, f := range res.Flows.All() {
		key := string(f.Server) + " "
		if n := len(f.OfferedVersions); n > 0 {
			key += f.OfferedVersions[n-1]
		}
		if byHighest[key] == nil {
			byHighest[key] = map[string]bool{}
		}
		v := string(f.Verdict)
		if f.ChosenVersion != nil {
			v = "chose " + *f.ChosenVersion
		}
		byHighest[key][v] = true
	}
	ep := endpointOf(t, r, serverIP+":4401")
	for _, v := range ep.Versions {
		want := v.Outcome
		if want == result.ProbeAccepted {
			want = "chose " + v.Version
		}
		if got := byHighest["10.66.0.2:4401 "+v.Version]; !got[want] {
			t.Errorf("%s: analyze gives %v, the probe %s", v.Version, got, want)
		}
	}
	for _, c := range []struct{ port, verdict string }{{"4406", "refused"}, {"4407", "syn-timeout"}, {"4408", "firewall-reject"}, {"4409", "unreachable"}} {
		ep := endpointOf(t, r, serverIP+":"+c.port)
		if got := byHighest["10.66.0.2:"+c.port+" "]; ep.TCP.Verdict != c.verdict || len(got) != 1 || !got[c.verdict] {
			t.Errorf("port %s: analyze %v, probe %s, want %s", c.port, got, ep.TCP.Verdict, c.verdict)
		}
	}
}

// testIPv6: the same checks over IPv6: a TLS 1.2 server, a closed port (RST), and ip6tables
// REJECT (ICMPv6 port unreachable, read with IPV6_RECVERR).
func (l *lab) testIPv6(t *testing.T) {
	r := l.probeIn(t, helperSpec{Targets: []string{"[" + serverIP6 + "]:4401", "[" + serverIP6 + "]:4406", "[" + serverIP6 + "]:4408"}, NoURL: true})
	var got []string
	for _, tg := range r.Targets {
		for _, ep := range tg.Endpoints {
			got = append(got, ep.Address+" "+ep.TCP.Verdict+" "+ep.TCP.Answer+" "+ep.TCP.ICMP+" "+strings.Join(ep.Accepted, ","))
		}
	}
	checkLines(t, "IPv6", got, []string{
		"[fd00:66::2]:4401 ok syn-ack  TLS 1.2",
		"[fd00:66::2]:4406 refused rst  ",
		"[fd00:66::2]:4408 firewall-reject icmp ICMPv6 1/4 port unreachable ",
	})
}

// testCiphersAll: --ciphers all offers every registered suite (in hellos of at most 128) and
// finds the one ChaCha20 suite the server allows.
func (l *lab) testCiphersAll(t *testing.T) {
	r := l.probeIn(t, helperSpec{Targets: []string{serverIP + ":" + strconv.Itoa(portChaCha)}, NoURL: true, Ciphers: CiphersAll})
	c := endpointOf(t, r, serverIP+":"+strconv.Itoa(portChaCha)).Ciphers
	if c == nil || c.Mode != CiphersAll || c.Offered != len(scanSuites(tls.VersionTLS12, CiphersAll)) || strings.Join(c.Accepted, ",") != "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" {
		t.Errorf("ciphers %+v", c)
	}
}
