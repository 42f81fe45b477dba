package analyze

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// sharedCaptures is the third-party capture set beside the repository (../shared/captures from
// the repository root). CI must have it: its absence fails the tests.
const sharedCaptures = "../../shared/captures"

// expectedRow is one line of EXPECTED.tsv: what another tool reports for one connection.
type expectedRow struct {
	file, client, server              string
	legacy, supported, chosen, alerts string
	connState, history, source        string
}

func readExpected(t *testing.T) []expectedRow {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedCaptures, "EXPECTED.tsv"))
	if err != nil {
		t.Fatalf("the shared third-party captures are missing (%v): the tests need ../shared/captures beside the repository", err)
	}
	defer f.Close()
	var rows []expectedRow
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		if header {
			header = false
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 10 {
			t.Fatalf("EXPECTED.tsv line %q has %d columns, want 10", sc.Text(), len(c))
		}
		rows = append(rows, expectedRow{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]})
	}
	if len(rows) < 20 {
		t.Fatalf("EXPECTED.tsv has only %d rows", len(rows))
	}
	return rows
}

// versionName normalises a version as EXPECTED.tsv writes it ("TLS 1.2", "SSL 2.0", "0x7f10") to
// this project's name for it.
func versionName(t *testing.T, s string) string {
	t.Helper()
	v, ok := tls.ParseVersion(s)
	if !ok {
		t.Fatalf("EXPECTED.tsv version %q not understood", s)
	}
	return v.String()
}

// TestSharedCaptures runs the analyzer over every third-party capture: none may fail beyond a
// warning, and every fact EXPECTED.tsv lists for a connection must come out the same.
func TestSharedCaptures(t *testing.T) {
	rows := readExpected(t)
	files, err := filepath.Glob(filepath.Join(sharedCaptures, "*", "*.pcap*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures under %s: %v", sharedCaptures, err)
	}
	results := map[string]*result.Result{}
	for _, path := range files {
		rel, _ := filepath.Rel(sharedCaptures, path)
		res, err := File(path, Options{})
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if res.Flows.Len() == 0 {
			t.Errorf("%s: no flows found", rel)
		}
		results[filepath.ToSlash(rel)] = res
	}
	checked := 0
	for _, row := range rows {
		res := results[row.file]
		if res == nil {
			t.Errorf("%s: listed in EXPECTED.tsv but not analysed", row.file)
			continue
		}
		fl := findFlow(res, row.client, row.server)
		if fl == nil {
			t.Errorf("%s: no flow %s -> %s; flows: %v", row.file, row.client, row.server, flowNames(res))
			continue
		}
		name := row.file + " " + row.client
		if row.legacy != "-" {
			if fl.TLS == nil || fl.TLS.ClientHello == nil {
				t.Errorf("%s: no ClientHello parsed, want legacy_version %s", name, row.legacy)
			} else if got, want := fl.TLS.ClientHello.LegacyVersion, versionName(t, row.legacy); got != want {
				t.Errorf("%s: legacy_version %s, want %s", name, got, want)
			}
		}
		if row.supported != "-" {
			var want []string
			for _, v := range strings.Split(row.supported, ",") {
				want = append(want, versionName(t, v))
			}
			if fl.TLS == nil || fl.TLS.ClientHello == nil {
				t.Errorf("%s: no ClientHello, want supported_versions %v", name, want)
			} else if got := fl.TLS.ClientHello.SupportedVersions; strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s: supported_versions %v, want %v", name, got, want)
			}
		}
		if row.chosen != "-" {
			want := versionName(t, row.chosen)
			if fl.ChosenVersion == nil || *fl.ChosenVersion != want {
				t.Errorf("%s: chosen_version %v, want %s", name, strOrNil(fl.ChosenVersion), want)
			}
		} else if strings.HasPrefix(row.source, "tshark") && fl.ChosenVersion != nil && !sslv2(fl) {
			// tshark fills no TLS version field for an SSLv2 ServerHello, so "-" there does not
			// mean there was none.
			t.Errorf("%s: chosen_version %s, tshark saw no ServerHello", name, *fl.ChosenVersion)
		}
		if row.alerts != "-" {
			from, desc, _ := strings.Cut(row.alerts, ":")
			found := false
			for _, a := range fl.Alerts {
				if a.From == from && (a.Description == desc || strconv.Itoa(a.Code) == desc) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: alerts %+v, want %s", name, fl.Alerts, row.alerts)
			}
		}
		if row.connState != "-" && fl.ConnState != row.connState {
			t.Errorf("%s: conn_state %s, want %s", name, fl.ConnState, row.connState)
		}
		if row.history != "-" && fl.History != row.history {
			t.Errorf("%s: history %s, want %s", name, fl.History, row.history)
		}
		checked++
	}
	if checked != len(rows) {
		t.Errorf("checked %d of %d EXPECTED.tsv rows", checked, len(rows))
	}
}

// TestSharedCaptureVerdicts pins the verdicts that the third-party captures must give.
func TestSharedCaptureVerdicts(t *testing.T) {
	cases := []struct {
		file, client string
		verdict      result.Verdict
	}{
		{"zeek/tls-1.2-handshake-failure.pcap", "192.168.4.149:53525", result.VerdictTLSHandshakeFailure},
		{"zeek/tls1.2.pcap", "10.0.0.80:56637", result.VerdictOK},
		{"zeek/tls13_wolfssl.pcap", "192.168.186.133:43056", result.VerdictOK},
		{"zeek/tls13draft16-ff52.a01.pcap", "192.150.187.20:36778", result.VerdictTLSCertificateRejected},
		{"zeek/https-to-http.pcap", "127.0.0.1:50382", result.VerdictNotTLS},
	}
	for _, tc := range cases {
		res, err := File(filepath.Join(sharedCaptures, tc.file), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		var fl *result.Flow
		for i := range res.Flows.Slice() {
			if string(res.Flows.Slice()[i].Client) == tc.client {
				fl = &res.Flows.Slice()[i]
			}
		}
		if fl == nil {
			t.Errorf("%s: no flow from %s; flows: %v", tc.file, tc.client, flowNames(res))
			continue
		}
		if fl.Verdict != tc.verdict {
			t.Errorf("%s %s: verdict %s (%s), want %s", tc.file, tc.client, fl.Verdict, say(fl.Reason), tc.verdict)
		}
	}
}

func findFlow(res *result.Result, client, server string) *result.Flow {
	flows := res.Flows.Slice() // each call makes every flow anew
	for i := range flows {
		if string(flows[i].Client) == client && string(flows[i].Server) == server {
			return &flows[i]
		}
	}
	return nil
}

func flowNames(res *result.Result) []string {
	var out []string
	for _, f := range res.Flows.Slice() {
		out = append(out, string(f.Client)+"->"+string(f.Server)+" "+string(f.Verdict))
	}
	sort.Strings(out)
	return out
}

func strOrNil(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func sslv2(fl *result.Flow) bool {
	return fl.TLS != nil && fl.TLS.ClientHello != nil && fl.TLS.ClientHello.SSLv2Format
}
