package analyze

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// ownCaptures holds the captures this project made with real stacks (see
// testdata/make-captures.sh); MANIFEST.tsv says what each connection in them must come out as.
const ownCaptures = "../testdata/captures"

// manifestRow is one line of MANIFEST.tsv: one connection and the outcome it must give.
type manifestRow struct {
	file, client, server, verdict, offered, chosen, alerts, connState, note string
}

func readManifest(t *testing.T) []manifestRow { return readTable(t, "MANIFEST.tsv", 9, 30) }

// readTable reads a table of MANIFEST.tsv's first nine columns with cols columns in all (the rest
// are notes), and at least min rows.
func readTable(t *testing.T, name string, cols, min int) []manifestRow {
	t.Helper()
	f, err := os.Open(filepath.Join(ownCaptures, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 0; sc.Scan(); n++ {
		if n == 0 {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != cols {
			t.Fatalf("%s line %d has %d columns, want %d", name, n+1, len(c), cols)
		}
		rows = append(rows, manifestRow{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]})
	}
	if len(rows) < min {
		t.Fatalf("%s has only %d rows", name, len(rows))
	}
	return rows
}

// manifestOptions are the options the captures are analysed with: the agents' TLS port and their
// plain-HTTP port.
var manifestOptions = Options{Ports: []uint16{4343, 8080}}

// manifestWarnings are the warning codes (comma-separated) a capture must give; others give none.
var manifestWarnings = map[string]string{
	// the name is the server's, but nothing in the capture says so without --server-name (see NAMES.tsv)
	"dns-nxdomain-ip-works.pcap": "dns-other-failures",
	"mid-connection.pcap":        "roles-guessed",
	"path-one-direction.pcap":    "one-direction",
}

// TestManifest checks every connection MANIFEST.tsv lists: verdict, offered and chosen versions,
// alerts and conn_state must be exactly as listed, and no capture may hold a flow it does not list.
func TestManifest(t *testing.T) {
	checkRows(t, readManifest(t), manifestOptions, manifestWarnings)
}

// checkRows analyses every file the rows name with opts and checks each connection: verdict,
// offered and chosen versions, alerts and conn_state exactly as listed, no flow the rows do not
// list, and the warning codes warnings names (none for a file it does not name).
func checkRows(t *testing.T, rows []manifestRow, opts Options, warnings map[string]string) {
	t.Helper()
	listed := map[string]int{}
	for _, row := range rows {
		listed[row.file]++
	}
	results := map[string]*result.Result{}
	for file := range listed {
		res, err := File(filepath.Join(ownCaptures, file), opts)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var codes []string
		for _, w := range res.Warnings {
			codes = append(codes, w.Code)
		}
		if got, want := dashJoin(codes), warnings[file]; got != want && !(want == "" && got == "-") {
			t.Errorf("%s: warnings %s, want %s: %+v", file, got, want, res.Warnings)
		}
		if res.Flows.Len() != listed[file] {
			t.Errorf("%s: %d flows, the table lists %d: %v", file, res.Flows.Len(), listed[file], flowNames(res))
		}
		results[file] = res
	}
	for _, row := range rows {
		name := row.file + " " + row.client
		fl := findFlow(results[row.file], row.client, row.server)
		if fl == nil {
			t.Errorf("%s: no flow to %s; flows: %v", name, row.server, flowNames(results[row.file]))
			continue
		}
		if string(fl.Verdict) != row.verdict {
			t.Errorf("%s: verdict %s (%s), want %s", name, fl.Verdict, say(fl.Reason), row.verdict)
		}
		if got := dashJoin(fl.OfferedVersions); got != row.offered {
			t.Errorf("%s: offered %s, want %s", name, got, row.offered)
		}
		if got, want := strOrDash(fl.ChosenVersion), row.chosen; got != want && !(strings.HasPrefix(want, "0x") && got == versionName(t, want)) {
			t.Errorf("%s: chosen %s, want %s", name, got, want)
		}
		var alerts []string
		for _, a := range fl.Alerts {
			alerts = append(alerts, a.From+":"+a.Description)
		}
		if got := dashJoin(alerts); got != row.alerts {
			t.Errorf("%s: alerts %s, want %s", name, got, row.alerts)
		}
		if fl.ConnState != row.connState {
			t.Errorf("%s: conn_state %s (history %s), want %s", name, fl.ConnState, fl.History, row.connState)
		}
		if say(fl.Reason) == "" || len(fl.Evidence) == 0 || (fl.Verdict != result.VerdictOK && len(advice(fl, "generic").NextSteps) == 0) {
			t.Errorf("%s: verdict %s without reason, evidence or next step: %+v", name, fl.Verdict, fl)
		}
		if fl.Failed != !notFailures[row.verdict] {
			t.Errorf("%s: failed=%v for verdict %s", name, fl.Failed, row.verdict)
		}
	}
}

// notFailures are the verdicts that do not count as failed connections: the client's own
// abandoned attempt and a port scan's probes are not connections failing.
var notFailures = map[string]bool{"ok": true, "incomplete": true, "client-aborted": true, "port-scan": true}

func dashJoin(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}

func strOrDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
