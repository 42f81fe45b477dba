package analyze

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// accuracyWarnings are the warning codes (comma-separated) an accuracy capture must give.
var accuracyWarnings = map[string]string{
	"accuracy/iplen-overrun.pcap": "ip-length-overrun", // frame 6's IP total length was raised by 100
	"accuracy/port-scan.pcap":     "port-scan",         // nmap -sS from 10.91.1.9 over 202 ports
	"accuracy/port-sweep.pcap":    "port-sweep",        // nmap -sS -Pn from 10.91.1.9 over port 4343 of 40 hosts
	// nmap -sT -Pn from 10.91.1.9 over port 4343 of 40 hosts: connect()s, many at once
	"accuracy/port-sweep-connect.pcap": "port-sweep",
	// a client trying 30 addresses one after another, 2 SYNs or 1 each: a sweep by its numbers only
	"accuracy/sweep-client.pcap":       "port-sweep-or-client",
	"accuracy/sweep-client-short.pcap": "port-sweep-or-client",
	"accuracy/sweep-client-icmp.pcap":  "port-sweep-or-client", // and 28 of them rejected with ICMP host unreachable
}

// accuracyFlags are flags a connection of the accuracy captures must carry, by file and client.
var accuracyFlags = map[string]string{
	"accuracy/retransmission-differs.pcap 10.91.1.1:50908": "retransmission-differs:frame-5",
	"accuracy/iplen-overrun.pcap 10.91.1.1:53560":          "ip-length-overrun:1:frame-6",
	"accuracy/forged-rst-survived.pcap 10.91.1.1:44214":    "rst-survived:14",
	"accuracy/synack-missing-tls.pcap 10.91.1.1:58676":     "synack-not-captured",
}

// TestAccuracy checks every connection of the accuracy captures (testdata/captures/accuracy,
// behaviours an analyzer easily misjudges, issue 11) as TestManifest checks MANIFEST.tsv's:
// EXPECTED-ACCURACY.tsv gives each one's verdict, versions, alerts and conn_state. The captures
// use many ports, so every TCP port is analysed, with the default TLS ports.
func TestAccuracy(t *testing.T) {
	checkRows(t, readTable(t, "EXPECTED-ACCURACY.tsv", 10, 30), Options{}, accuracyWarnings)
}

// TestPortScanSummary: the nmap scan of port-scan.pcap is one entry of the summary's scans, its
// 203 probes count as port-scan and in no server's row (the two real agents' server is the only
// one), and the scanner is no agent of the fleet view.
func TestPortScanSummary(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "accuracy", "port-scan.pcap"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	want := []result.Scan{{Client: "10.91.1.9", Server: "10.91.2.2", Ports: 202, Flows: 203, Open: 2, OpenPorts: []int{4343, 8080}}}
	got := append([]result.Scan{}, sum.Scans...)
	for i := range got {
		got[i].FirstFrame, got[i].LastFrame, got[i].Start, got[i].End = 0, 0, time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scans %+v, want %+v", sum.Scans, want)
	}
	if len(sum.Scans) == 1 && (sum.Scans[0].FirstFrame >= sum.Scans[0].LastFrame || !sum.Scans[0].Start.Before(sum.Scans[0].End)) {
		t.Errorf("scan from frame %d to %d, %v to %v", sum.Scans[0].FirstFrame, sum.Scans[0].LastFrame, sum.Scans[0].Start, sum.Scans[0].End)
	}
	if sum.Flows != 205 || sum.Failed != 0 || len(sum.Servers) != 1 || sum.Servers[0].Server != "10.91.2.2:4343" || sum.Servers[0].Flows != 2 {
		t.Errorf("flows %d, failed %d, servers %+v; want 205, 0, one row 10.91.2.2:4343 with the 2 agents' flows", sum.Flows, sum.Failed, sum.Servers)
	}
	for _, a := range sum.Agents {
		if a.Agent == "10.91.1.9" {
			t.Errorf("the scanner is listed as an agent: %+v", a)
		}
	}
}

// TestAccuracyFlags: the connections that accuracyFlags names carry their flag: what the packets
// showed that the verdict does not say (a contradicting retransmission, a broken IP length, a
// reset the connection survived, a SYN-ACK the capture lacks).
func TestAccuracyFlags(t *testing.T) {
	for key, flag := range accuracyFlags {
		file, client, _ := strings.Cut(key, " ")
		res, err := File(filepath.Join(ownCaptures, file), Options{})
		if err != nil {
			t.Fatal(err)
		}
		fl := findFlowFrom(res, client)
		if fl == nil {
			t.Errorf("%s: no flow from %s", file, client)
			continue
		}
		if !slices.Contains(fl.Flags, flag) {
			t.Errorf("%s %s: flags %v, want %s among them", file, client, fl.Flags, flag)
		}
	}
}

// TestTLS13ServerRefusedFlight: a TLS 1.3 server that requires a client certificate answers the
// client's encrypted second flight with one encrypted alert and closes (OpenSSL without a client
// certificate and with an untrusted one, GnuTLS without one; OpenSSL without one again on a path
// with a 20 ms round trip, where the alert comes one round trip after the flight). The packets
// show the refusal, not its reason: tls-handshake-failure/after-client-flight, the handshake not
// counted as completed (tls.established false, no completed handshake in the server's row), and
// the fleet view names the verdict rather than the version offered.
func TestTLS13ServerRefusedFlight(t *testing.T) {
	cases := []struct {
		file, client                string
		clientFlightLen, shortFrame int
		endKey                      string
	}{
		{"accuracy/client-cert-required-tls13.pcap", "10.91.1.1:46032", 25, 12, "ev.side-fin-end"},
		{"accuracy/client-cert-rejected-tls13.pcap", "10.91.1.1:46038", 968, 13, "ev.side-fin-end"},
		{"accuracy/client-cert-gnutls-tls13.pcap", "10.91.1.1:40674", 25, 13, "ev.side-fin-end"},
		{"accuracy/client-cert-required-tls13-delay.pcap", "10.91.1.1:39368", 25, 12, "ev.side-fin-end"},
	}
	for _, tc := range cases {
		res, fl := accuracyFlow(t, tc.file, tc.client, Options{})
		if fl.Verdict != result.VerdictTLSHandshakeFailure || fl.Advice.Variant != "after-client-flight" {
			t.Errorf("%s: verdict %s/%s (%s), want tls-handshake-failure/after-client-flight", tc.file, fl.Verdict, fl.Advice.Variant, say(fl.Reason))
		}
		if fl.Reason.Key != "reason.server-refused-client-flight" {
			t.Errorf("%s: reason %s, want reason.server-refused-client-flight", tc.file, fl.Reason.Key)
		}
		if fl.TLS == nil || fl.TLS.Established {
			t.Errorf("%s: tls %+v, want a handshake not established", tc.file, fl.TLS)
		}
		var keys []string
		for _, e := range fl.Evidence {
			keys = append(keys, e.Text.Key)
		}
		wantKeys := []string{"ev.client-hello", "ev.server-hello", "ev.client-second-flight", "ev.server-short-record", tc.endKey}
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("%s: evidence %v, want %v", tc.file, keys, wantKeys)
		}
		for _, e := range fl.Evidence {
			switch e.Text.Key {
			case "ev.client-second-flight":
				if got := say(e.Text); !strings.Contains(got, fmt.Sprintf("(%d bytes)", tc.clientFlightLen)) {
					t.Errorf("%s: %q, want the client's first encrypted record of %d bytes", tc.file, got, tc.clientFlightLen)
				}
			case "ev.server-short-record":
				if e.Frame != tc.shortFrame || say(e.Text) != "the server's only record after it: 19 bytes, encrypted (the size of an alert)" {
					t.Errorf("%s: frame %d %q, want frame %d, 19 bytes", tc.file, e.Frame, say(e.Text), tc.shortFrame)
				}
			}
		}
		sum := res.Summary
		if len(sum.Servers) != 1 || sum.Servers[0].OKHandshakes != 0 || sum.Servers[0].Policy.Key != "clauses" ||
			say(sum.Servers[0].Policy) != "no completed TLS handshake seen, though its 1 ServerHello chose TLS 1.3; TLS 1.0, TLS 1.1 and TLS 1.2 not tested by any client" {
			t.Errorf("%s: servers %+v, want one with no completed handshake", tc.file, sum.Servers)
		}
		if len(sum.Fleet) != 1 || sum.Fleet[0].Outcome != "failed-not-version" ||
			say(sum.Fleet[0].Text) != "1 agent fails for a reason other than the TLS versions: tls-handshake-failure (1 flow, 1 failed): 10.91.1.1" {
			t.Errorf("%s: fleet %+v (%q), want one failed-not-version group naming tls-handshake-failure", tc.file, sum.Fleet, say(sum.Fleet[0].Text))
		}
	}
}

// TestTLS13ClientEncryptedAlert: a TLS 1.3 Go client that rejects the server's self-signed
// certificate sends its alert encrypted (one 19-byte record right after the server's flight),
// then its FIN. The packets show the record's size and place, not the alert: the verdict is
// tls-certificate-rejected/encrypted-alert, and the reason says "most likely" and names the
// other alerts that fit, never a certain rejection.
func TestTLS13ClientEncryptedAlert(t *testing.T) {
	const file, client = "accuracy/untrusted-cert-go-tls13.pcap", "10.91.1.1:37066"
	_, fl := accuracyFlow(t, file, client, Options{})
	if fl.Verdict != result.VerdictTLSCertificateRejected || fl.Advice.Variant != "encrypted-alert" {
		t.Errorf("verdict %s/%s, want tls-certificate-rejected/encrypted-alert", fl.Verdict, fl.Advice.Variant)
	}
	wantReason := "the client answered the server's TLS 1.3 flight with one 19-byte encrypted record (the size of an alert, " +
		"not of a Finished), then a FIN from the client, and the handshake did not complete. TLS 1.3 encrypts the alert, " +
		"so the packets cannot say which it is: most likely the client rejected the server's certificate; another fatal " +
		"alert from the client (a failed CertificateVerify or Finished check, or a parameter it does not support) fits the packets as well"
	if got := say(fl.Reason); fl.Reason.Key != "reason.tls13-certificate-rejected" || got != wantReason {
		t.Errorf("reason %s %q,\nwant %q", fl.Reason.Key, got, wantReason)
	}
	if fl.TLS == nil || fl.TLS.Established {
		t.Errorf("tls %+v, want a handshake not established", fl.TLS)
	}
	type ev struct {
		frame int
		text  string
	}
	var got []ev
	for _, e := range fl.Evidence {
		got = append(got, ev{e.Frame, say(e.Text)})
	}
	want := []ev{
		{4, `ClientHello offering TLS 1.3, SNI "apexone.connscope.test"`},
		{8, "ServerHello choosing TLS 1.3, TLS_AES_128_GCM_SHA256"},
		{12, "the client's first encrypted record after the server's flight: 19 bytes (the size of an alert, not of a Finished)"},
		{13, "FIN from the client"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("evidence %v,\nwant %v", got, want)
	}
	// The Apex One profile's next step says "most likely" as the reason does, not "rejects".
	wantNext := "The agent most likely rejects the Apex One server's certificate (TLS 1.3 encrypts the alert, so the packets do " +
		"not say which one it sent): check the certificate bound to port 4343 on the server's web server (IIS site binding or " +
		"Apache SSLCertificateFile), renew it if it expired, and install its issuing CA in the agent host's Trusted Root store."
	ax, err := knowledge.ProfileByName("apexone")
	if err != nil {
		t.Fatal(err)
	}
	_, fl = accuracyFlow(t, file, client, Options{Profile: ax})
	if got := advice(fl, "apexone").NextSteps; len(got) != 1 || got[0] != wantNext {
		t.Errorf("apexone next steps %q,\nwant [%q]", got, wantNext)
	}
}

// TestVersionMismatchVariants: the TLS version cases where only one side's versions are on the
// wire get the variant whose next step fits them: a TLS 1.3-only client refused by a TLS 1.2-only
// server (server-older: the fix is on the server, "TLS 1.3" the only version to enable there), a
// client offering at most TLS 1.2 refused with protocol_version (client-tls12: never "enable TLS
// 1.2 on the client"), and a legacy TLS 1.2 hello refused with handshake_failure (version-first).
func TestVersionMismatchVariants(t *testing.T) {
	cases := []struct {
		file, client, variant, next string
	}{
		{"accuracy/tls13-client-tls12-server.pcap", "10.91.1.1:46926", "server-older",
			"10.91.2.2:4343 refused every version the client already offers (TLS 1.3): enable one of them (TLS 1.3 or newer) on 10.91.2.2:4343; making the client accept an older version would weaken it and is a last resort."},
		{"accuracy/tls12-only-vs-tls13-server.pcap", "10.91.1.1:58194", "client-tls12",
			"10.91.2.2:4343 allows none of the versions the client offers (TLS 1.2); a server that refuses TLS 1.2 most often allows only TLS 1.3. Enable TLS 1.3 on the client (on Windows it needs Windows 11 or Windows Server 2022 and later), or allow TLS 1.2 on 10.91.2.2:4343, which settles it whatever 10.91.2.2:4343 allows today."},
		{"accuracy/tls12-only-vs-tls13-server.pcap", "10.91.1.1:58208", "version-first",
			"The server refused a ClientHello that offers at most TLS 1.2: check which versions 10.91.2.2:4343 allows (a server allowing only TLS 1.3 answers so) and enable a version both have; if it allows TLS 1.2, compare the cipher suites instead."},
	}
	for _, tc := range cases {
		_, fl := accuracyFlow(t, tc.file, tc.client, Options{})
		if fl.Advice.Variant != tc.variant {
			t.Errorf("%s %s: variant %q (%s), want %q", tc.file, tc.client, fl.Advice.Variant, say(fl.Reason), tc.variant)
		}
		if got := advice(fl, "generic").NextSteps; len(got) != 1 || got[0] != tc.next {
			t.Errorf("%s %s: next steps %q, want %q", tc.file, tc.client, got, tc.next)
		}
	}
}

// TestTLS13IdleCloseNotRefusal: the same records as a refused flight (one alert-sized encrypted
// record from the server after the client's flight, then the server's FIN), but not at once: a
// server closing an idle session with its close_notify 2 s, 600 ms or 100 ms after the handshake
// (the last two with a 20 ms round trip, at the agent and at the server), long after the time it
// took to answer the ClientHello. And a server that answered the client's request before closing.
// The handshake completed: ok, with the ClientHello and ServerHello as evidence.
func TestTLS13IdleCloseNotRefusal(t *testing.T) {
	cases := []struct{ file, client string }{
		{"accuracy/tls13-server-idle-close.pcap", "10.91.1.1:33230"},
		{"accuracy/tls13-idle-close-100ms.pcap", "10.91.1.1:41762"},
		{"accuracy/tls13-idle-close-600ms.pcap", "10.91.1.1:38776"},
		{"accuracy/tls13-idle-close-server-side.pcap", "10.91.1.1:39364"},
		{"accuracy/tls13-answer-then-close.pcap", "10.91.1.1:41434"},
		{"accuracy/tls13-idle-close-quiet.pcap", "10.91.1.1:46490"},
	}
	for _, tc := range cases {
		res, fl := accuracyFlow(t, tc.file, tc.client, Options{})
		if fl.Verdict != result.VerdictOK || fl.TLS == nil || !fl.TLS.Established {
			t.Errorf("%s: verdict %s (%s), tls %+v; want ok with an established handshake", tc.file, fl.Verdict, say(fl.Reason), fl.TLS)
		}
		if got := say(fl.Reason); fl.Reason.Key != "reason.tls-ok" || got != "TLS 1.3 with TLS_AES_256_GCM_SHA384" {
			t.Errorf("%s: reason %s %q, want reason.tls-ok \"TLS 1.3 with TLS_AES_256_GCM_SHA384\"", tc.file, fl.Reason.Key, got)
		}
		var keys []string
		for _, e := range fl.Evidence {
			keys = append(keys, e.Text.Key)
		}
		if want := []string{"ev.client-hello", "ev.server-hello"}; !slices.Equal(keys, want) {
			t.Errorf("%s: evidence %v, want %v", tc.file, keys, want)
		}
		if sum := res.Summary; len(sum.Servers) != 1 || sum.Servers[0].OKHandshakes != 1 {
			t.Errorf("%s: servers %+v, want one with 1 completed handshake", tc.file, sum.Servers)
		}
	}
}

// TestTLS13LateAnswerAfterCertificate: a TLS 1.3 server that asked for a client certificate
// answers the client's flight (968 bytes: the certificate) with one alert-sized record and a FIN
// 321 ms later, on a path with a 20 ms round trip: later than a refusal at once. The server
// refused the certificate after a 300 ms check (s_client, Go's crypto/tls), or accepted it and
// closed the idle session 300 ms later (s_client, Python's ssl). s_client answers the close_notify
// with its own; Go's client sends one after the alert too; Python's sends none either way. The
// packets cannot decide: tls-handshake-failure/after-client-flight-late, failed, the handshake
// not counted as completed, the reason naming both candidates and the timing.
func TestTLS13LateAnswerAfterCertificate(t *testing.T) {
	const (
		head   = "the TLS 1.3 handshake reached the client's encrypted second flight, whose first record (968 bytes) is not a Finished alone: most likely it holds a certificate the server asked for. "
		silent = ", and the client sent nothing back. "
		reply  = ", and the client answered with one 19-byte encrypted record of its own (the size of an alert): its close_notify, which OpenSSL's clients send only after a close_notify, but Go's crypto/tls after a fatal alert too. "
		tail   = " ms it took to answer the ClientHello, plus 10 ms); this record came later, and the packets cannot tell which of two it is: the server refused the client's certificate after a slow check (such as a revocation check over the network), or it accepted it and closed the idle session with its close_notify. The handshake is not shown to have completed"
	)
	cases := []struct {
		file, client, reason string
		evidence             []string
	}{
		{"accuracy/tls13-client-cert-slow-refusal.pcap", "10.91.1.1:47182",
			head + "321 ms later the server answered with one 19-byte encrypted record (the size of an alert) and a FIN" + silent + "A server refuses a flight within 54 ms (twice the 22" + tail,
			[]string{"ev.client-hello", "ev.server-hello", "ev.client-second-flight-cert", "ev.server-short-record-late", "ev.side-fin-end"}},
		{"accuracy/tls13-client-cert-idle-close-quiet.pcap", "10.91.1.1:38182",
			head + "321 ms later the server answered with one 19-byte encrypted record (the size of an alert) and a FIN" + silent + "A server refuses a flight within 56 ms (twice the 23" + tail,
			[]string{"ev.client-hello", "ev.server-hello", "ev.client-second-flight-cert", "ev.server-short-record-late", "ev.side-fin-end"}},
		{"accuracy/tls13-client-cert-idle-close.pcap", "10.91.1.1:44106",
			head + "321 ms later the server answered with one 19-byte encrypted record (the size of an alert) and a FIN" + reply + "A server refuses a flight within 61 ms (twice the 26" + tail,
			[]string{"ev.client-hello", "ev.server-hello", "ev.client-second-flight-cert", "ev.server-short-record-late", "ev.client-short-reply", "ev.side-fin-end"}},
		{"accuracy/tls13-client-cert-slow-refusal-go.pcap", "10.91.1.1:46500",
			head + "322 ms later the server answered with one 19-byte encrypted record (the size of an alert) and a FIN" + reply + "A server refuses a flight within 55 ms (twice the 23" + tail,
			[]string{"ev.client-hello", "ev.server-hello", "ev.client-second-flight-cert", "ev.server-short-record-late", "ev.side-fin-end", "ev.client-short-reply"}},
	}
	for _, tc := range cases {
		res, fl := accuracyFlow(t, tc.file, tc.client, Options{})
		if fl.Verdict != result.VerdictTLSHandshakeFailure || fl.Advice.Variant != "after-client-flight-late" || !fl.Failed {
			t.Errorf("%s: verdict %s/%s failed %v, want tls-handshake-failure/after-client-flight-late, failed", tc.file, fl.Verdict, fl.Advice.Variant, fl.Failed)
		}
		if got := say(fl.Reason); fl.Reason.Key != "reason.server-late-record-after-client-flight" || got != tc.reason {
			t.Errorf("%s: reason %s\n%q,\nwant\n%q", tc.file, fl.Reason.Key, got, tc.reason)
		}
		if fl.TLS == nil || fl.TLS.Established {
			t.Errorf("%s: tls %+v, want a handshake not established", tc.file, fl.TLS)
		}
		var keys []string
		for _, e := range fl.Evidence {
			keys = append(keys, e.Text.Key)
			if e.Text.Key == "ev.server-short-record-late" && !strings.HasSuffix(say(e.Text), " ms later: 19 bytes, encrypted (the size of an alert)") {
				t.Errorf("%s: %q", tc.file, say(e.Text))
			}
		}
		if !slices.Equal(keys, tc.evidence) {
			t.Errorf("%s: evidence %v, want %v", tc.file, keys, tc.evidence)
		}
		if sum := res.Summary; len(sum.Servers) != 1 || sum.Servers[0].OKHandshakes != 0 || sum.Failed != 1 {
			t.Errorf("%s: summary failed %d, servers %+v, want 1 failed and no completed handshake", tc.file, sum.Failed, sum.Servers)
		}
	}
}

// TestClientHelloIncompleteServerSide: a ClientHello that never completes, with what the server
// did as the reason words it. When the client closes its side, s_server sees the stream end and
// answers with decode_error; when the client resets instead, s_server sent only its ACK of the
// bytes: "sent no data, only ACKs", never "sent nothing".
func TestClientHelloIncompleteServerSide(t *testing.T) {
	const head = "the client began a ClientHello and never completed it: "
	const tail = ", as a server waiting for the rest does: the ClientHello is what failed (a client that was cut off, or a device in the path that truncates it)"
	for _, tc := range []struct {
		file, client, reason string
	}{
		{"accuracy/client-hello-incomplete.pcap", "10.91.1.1:39834",
			head + "191 of the 508 bytes its handshake header announces arrived, and the client ended the connection; the server sent nothing but alert decode_error (a server's answer to a stream that ends in the middle of a message)" + tail},
		{"accuracy/client-hello-incomplete-rst.pcap", "10.91.1.1:38300",
			head + "191 of the 508 bytes its handshake header announces arrived, and the client ended the connection; the server sent no data, only ACKs" + tail},
	} {
		_, fl := accuracyFlow(t, tc.file, tc.client, Options{})
		if fl.Verdict != result.VerdictClientHelloIncomplete || say(fl.Reason) != tc.reason {
			t.Errorf("%s: %s %q,\nwant client-hello-incomplete %q", tc.file, fl.Verdict, say(fl.Reason), tc.reason)
		}
	}
}

// accuracyFlow analyses file (under testdata/captures) with o and returns the result and the
// flow from client ("addr:port"), failing the test when there is none.
func accuracyFlow(t *testing.T, file, client string, o Options) (*result.Result, *result.Flow) {
	t.Helper()
	res, err := File(filepath.Join(ownCaptures, file), o)
	if err != nil {
		t.Fatal(err)
	}
	fl := findFlowFrom(res, client)
	if fl == nil {
		t.Fatalf("%s: no flow from %s", file, client)
	}
	return res, fl
}
