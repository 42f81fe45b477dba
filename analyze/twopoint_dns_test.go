package analyze

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/internal/pcapedit"
	"github.com/connscope/connscope/result"
)

// twopointName is what a dns-* scenario of EXPECTED-TWOPOINT.tsv (testdata/make-twopoint-captures.sh:
// the agent resolves apexone.connscope.test with dnsmasq on the server's side of the router, so
// both captures hold each query and answer) gives for the name: its outcome, verdict, counts and
// reason, the same whether its captures are read alone (unless alone says otherwise), together
// or merged; and, read together
// (labelled agent and server), its exact evidence, each line after the capture its frame is in.
type nameWant struct {
	outcome, rcode, verdict string
	queries, responses      int
	reason                  string
}

var twopointName = map[string]struct {
	nameWant
	evidence []string
	// alone, when set, is what each capture alone gives (agent, server), where it differs.
	alone [2]*nameWant
}{
	"dns-ok": {nameWant{"resolved", "NOERROR", "ok", 1, 1, "apexone.connscope.test resolves to 10.92.2.2"}, []string{
		"[agent] frame 1 19:18:42.055584 query for A apexone.connscope.test (ID 0xe521) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 1 19:18:42.055637 query for A apexone.connscope.test (ID 0xe521) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 2 19:18:42.056366 answer 10.92.2.2 for A apexone.connscope.test (ID 0xe521) from 10.92.2.53 to 10.92.1.1",
		"[agent] frame 2 19:18:42.056378 answer 10.92.2.2 for A apexone.connscope.test (ID 0xe521) from 10.92.2.53 to 10.92.1.1",
	}, [2]*nameWant{}},
	// Each query and retry seen at both points: 4 queries (2 of them retries), not 8.
	"dns-timeout": {nameWant{"timeout", "", "name-resolution-failed", 4, 0, "10.92.2.53 never answered the 4 queries for apexone.connscope.test " +
		"(asked by 10.92.1.1); meanwhile connections by address work (e.g. flow #1, 10.92.1.1:55628 -> 10.92.2.2:4343)"}, []string{
		"[agent] frame 1 19:18:47.896913 query for A apexone.connscope.test (ID 0x8f6b) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 1 19:18:47.896967 query for A apexone.connscope.test (ID 0x8f6b) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 2 19:18:47.897363 query for AAAA apexone.connscope.test (ID 0xa067) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 2 19:18:47.897367 query for AAAA apexone.connscope.test (ID 0xa067) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 3 19:18:48.898878 query for A apexone.connscope.test again (ID 0x8f6b, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 3 19:18:48.898878 no answer to this query (frame 1, asked 2 times) in the 2.1 s the capture went on after it",
		"[server] frame 3 19:18:48.898927 query for A apexone.connscope.test again (ID 0x8f6b, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 4 19:18:48.898944 query for AAAA apexone.connscope.test again (ID 0xa067, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 4 19:18:48.898944 no answer to this query (frame 2, asked 2 times) in the 2.1 s the capture went on after it",
		"[server] frame 4 19:18:48.898946 query for AAAA apexone.connscope.test again (ID 0xa067, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 5 19:18:50.951621 flow #1 from 10.92.1.1:55628 to 10.92.2.2:4343 by address: TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	}, [2]*nameWant{}},
	// Each query and answer seen at both points: 2 queries and 2 answers, no retry.
	"dns-nxdomain": {nameWant{"nxdomain", "NXDOMAIN", "name-resolution-failed", 2, 2, "10.92.2.53 answered NXDOMAIN: apexone.connscope.test does not exist " +
		"(asked by 10.92.1.1); meanwhile connections by address work (e.g. flow #1, 10.92.1.1:55636 -> 10.92.2.2:4343)"}, []string{
		"[agent] frame 1 19:18:56.080437 query for A apexone.connscope.test (ID 0xe982) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 1 19:18:56.080482 query for A apexone.connscope.test (ID 0xe982) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 2 19:18:56.080550 query for AAAA apexone.connscope.test (ID 0x909e) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 2 19:18:56.080552 query for AAAA apexone.connscope.test (ID 0x909e) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 3 19:18:56.081097 NXDOMAIN for A apexone.connscope.test (ID 0xe982) from 10.92.2.53 to 10.92.1.1",
		"[agent] frame 3 19:18:56.081132 NXDOMAIN for A apexone.connscope.test (ID 0xe982) from 10.92.2.53 to 10.92.1.1",
		"[server] frame 4 19:18:56.081255 NXDOMAIN for AAAA apexone.connscope.test (ID 0x909e) from 10.92.2.53 to 10.92.1.1",
		"[agent] frame 4 19:18:56.081262 NXDOMAIN for AAAA apexone.connscope.test (ID 0x909e) from 10.92.2.53 to 10.92.1.1",
		"[agent] frame 5 19:18:56.430703 flow #1 from 10.92.1.1:55636 to 10.92.2.2:4343 by address: TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	}, [2]*nameWant{}},
	// The router drops the DNS server's answers: the agent sees its queries go unanswered, the
	// server side sees them answered; together, the answers were lost between the two.
	"dns-answer-lost": {nameWant{"answer-lost", "", "name-resolution-failed", 4, 0, "10.92.2.53 answered queries for apexone.connscope.test " +
		"(its answers are in the capture at {far}), but none of them reached the capture at {near}: lost between them (asked by 10.92.1.1); " +
		"meanwhile connections by address work (e.g. flow #1, 10.92.1.1:41660 -> 10.92.2.2:4343)"}, []string{
		"[agent] frame 1 19:36:42.504292 query for A apexone.connscope.test (ID 0xfc60) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 1 19:36:42.504341 query for A apexone.connscope.test (ID 0xfc60) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 2 19:36:42.504697 query for AAAA apexone.connscope.test (ID 0xb663) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 2 19:36:42.504705 query for AAAA apexone.connscope.test (ID 0xb663) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 3 19:36:42.504825 answer 10.92.2.2 for A apexone.connscope.test (ID 0xfc60) from 10.92.2.53 to 10.92.1.1",
		"[server] frame 4 19:36:42.504891 NXDOMAIN for AAAA apexone.connscope.test (ID 0xb663) from 10.92.2.53 to 10.92.1.1",
		"[agent] frame 3 19:36:43.506041 query for A apexone.connscope.test again (ID 0xfc60, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 3 19:36:43.506041 no answer to this query (frame 1, asked 2 times) in the 2.1 s the capture went on after it",
		"[server] frame 5 19:36:43.506085 query for A apexone.connscope.test again (ID 0xfc60, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 4 19:36:43.506133 query for AAAA apexone.connscope.test again (ID 0xb663, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[agent] frame 4 19:36:43.506133 no answer to this query (frame 2, asked 2 times) in the 2.1 s the capture went on after it",
		"[server] frame 6 19:36:43.506135 query for AAAA apexone.connscope.test again (ID 0xb663, retry 1) from 10.92.1.1 to 10.92.2.53",
		"[server] frame 7 19:36:43.507238 answer 10.92.2.2 for A apexone.connscope.test (ID 0xfc60) from 10.92.2.53 to 10.92.1.1",
		"[server] frame 8 19:36:43.507293 NXDOMAIN for AAAA apexone.connscope.test (ID 0xb663) from 10.92.2.53 to 10.92.1.1",
		"[agent] frame 5 19:36:45.577985 flow #1 from 10.92.1.1:41660 to 10.92.2.2:4343 by address: TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	}, [2]*nameWant{
		{"timeout", "", "name-resolution-failed", 4, 0, "10.92.2.53 never answered the 4 queries for apexone.connscope.test " +
			"(asked by 10.92.1.1); meanwhile connections by address work (e.g. flow #1, 10.92.1.1:41660 -> 10.92.2.2:4343)"},
		{"resolved", "NOERROR", "ok", 4, 4, "apexone.connscope.test resolves to 10.92.2.2"},
	}},
}

// A DNS lookup seen at two capture points is one lookup: a query (or answer) in both captures is
// the same packet seen twice, neither a retry nor another query; an answer seen at the server's
// side and never at the client's was lost between them (answer-lost). Each dns-* scenario's name
// has its outcome, verdict, counts and reason from its agent capture alone, its server capture
// alone, the two together (labelled or not) and the two files mergecap made of them; read
// together, every evidence line names its capture and is exactly twopointName's; merged, every
// line names its link or interface and that vantage's frame has the line's time; alone, none
// names a capture.
func TestTwoPointDNS(t *testing.T) {
	seen := 0
	for _, row := range readTwopoint(t) {
		want, ok := twopointName[row["scenario"]]
		if !ok {
			continue
		}
		seen++
		t.Run(row["scenario"], func(t *testing.T) {
			agent, server := filepath.Join(ownCaptures, row["agent_file"]), filepath.Join(ownCaptures, row["server_file"])
			// check checks the name of res against want, whose reason names the vantages {near}
			// and {far} (the agent's and the server's) as res names them.
			check := func(what string, res *result.Result, want *nameWant, near, far string) *result.Name {
				t.Helper()
				if len(res.Names) != 1 {
					t.Fatalf("%s: %d names, want 1", what, len(res.Names))
				}
				n := &res.Names[0]
				if n.Name != "apexone.connscope.test" || n.Relation != "sni" || n.Outcome != want.outcome || n.RCode != want.rcode ||
					string(n.Verdict) != want.verdict || n.Queries != want.queries || n.Responses != want.responses ||
					!slices.Equal(n.Askers, []result.IP{"10.92.1.1"}) || n.AskerCount != 1 || !slices.Equal(n.DNSServers, []result.IP{"10.92.2.53"}) {
					t.Errorf("%s: name %s %s outcome %s rcode %q verdict %s, %d queries, %d responses, askers %v (%d), servers %v; want %s %s %q %s %d %d",
						what, n.Name, n.Relation, n.Outcome, n.RCode, n.Verdict, n.Queries, n.Responses, n.Askers, n.AskerCount, n.DNSServers,
						want.outcome, want.rcode, want.verdict, want.verdict, want.queries, want.responses)
				}
				if got, want := say(n.Reason), strings.NewReplacer("{near}", near, "{far}", far).Replace(want.reason); got != want {
					t.Errorf("%s: reason\n%s\nwant\n%s", what, got, want)
				}
				if warns := res.Warnings; len(warns) > 1 || len(warns) == 1 && warns[0].Code != "two-points-split" {
					t.Errorf("%s: warnings %+v", what, warns)
				}
				return n
			}
			for i, path := range []string{agent, server} {
				alone := &want.nameWant
				if want.alone[i] != nil {
					alone = want.alone[i]
				}
				n := check(filepath.Base(path)+" alone", fileResult(t, path), alone, "", "")
				for _, e := range n.Evidence {
					if e.EvidenceAt != nil {
						t.Errorf("%s alone: frame %d names %q", filepath.Base(path), e.Frame, say(e.Name))
					}
				}
			}
			labelled := analyzeInputs(t, pcapfile.Input{Path: agent, Point: "agent"}, pcapfile.Input{Path: server, Point: "server"})
			n := check("agent+server", labelled, &want.nameWant, "agent", "server")
			lines := nameEvidenceAt(t, labelled, n, frameTimes(t, agent), frameTimes(t, server))
			if !slices.Equal(lines, want.evidence) {
				t.Errorf("evidence\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want.evidence, "\n"))
			}
			check("unlabelled", analyzeInputs(t, pcapfile.Input{Path: agent}, pcapfile.Input{Path: server}), &want.nameWant,
				filepath.Base(agent), filepath.Base(server))
			for _, col := range []string{"merged_file", "merged_ifaces_file"} {
				path := filepath.Join(ownCaptures, row[col])
				merged := fileResult(t, path)
				near, far := "link 1", "link 2"
				if col == "merged_ifaces_file" {
					near, far = "interface 0", "interface 1"
				}
				n := check(row[col], merged, &want.nameWant, near, far)
				times := frameTimes(t, path)
				if got := nameEvidenceAt(t, merged, n, times, times); len(got) != len(want.evidence) {
					t.Errorf("%s: evidence\n%s\nwant %d lines", row[col], strings.Join(got, "\n"), len(want.evidence))
				}
			}
		})
	}
	if seen != len(twopointName) {
		t.Errorf("%d dns-* scenarios in EXPECTED-TWOPOINT.tsv, want %d", seen, len(twopointName))
	}
}

func fileResult(t *testing.T, path string) *result.Result {
	t.Helper()
	res, err := File(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// nameEvidenceAt checks that each evidence line of n names a vantage of res, by index and name,
// whose capture's frame of that number has the line's time (times: by vantage), and returns the
// lines, each after its vantage's name.
func nameEvidenceAt(t *testing.T, res *result.Result, n *result.Name, times ...map[int]time.Time) []string {
	t.Helper()
	return checkEvidenceAt(t, res, &result.Flow{Evidence: n.Evidence}, times...)
}

// TestTwoPointDNSOwnEnd: an unanswered query is measured against the end of the capture it was
// seen in, not of the other capture point. dns-timeout-agent.pcap is cut after its third frame
// (the A query's retry, 1.0 s after the first queries), while the server's capture goes on 3 s
// longer (its TLS connection ties the name to the server): the queries were left unanswered when
// the agent's capture ended, less than the 2 s give-up after them. That is unanswered-at-end, not
// the timeout the server capture's end would make of it.
func TestTwoPointDNSOwnEnd(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(ownCaptures, "twopoint", "dns-timeout-agent.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := pcapedit.Records(b)
	if err != nil || len(recs) < 4 {
		t.Fatalf("records: %v (%d)", err, len(recs))
	}
	agent := filepath.Join(t.TempDir(), "dns-timeout-agent-cut.pcap")
	if err := os.WriteFile(agent, b[:recs[3]], 0o644); err != nil {
		t.Fatal(err)
	}
	server := filepath.Join(ownCaptures, "twopoint", "dns-timeout-server.pcap")
	res := analyzeInputs(t, pcapfile.Input{Path: agent, Point: "agent"}, pcapfile.Input{Path: server, Point: "server"})
	if len(res.Names) != 1 {
		t.Fatalf("%d names, want 1", len(res.Names))
	}
	n := &res.Names[0]
	want := "the capture ended less than 2s after the query for apexone.connscope.test: whether it was answered cannot be told"
	if n.Outcome != "unanswered-at-end" || n.Verdict != result.VerdictIncomplete || say(n.Reason) != want {
		t.Errorf("outcome %s, verdict %s, reason %q; want unanswered-at-end, incomplete, %q", n.Outcome, n.Verdict, say(n.Reason), want)
	}
}
