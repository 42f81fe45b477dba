package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// failingNames reads testdata/captures/NAMES.tsv: the captures where, without --server-name, a
// name tied to the servers fails to resolve (so the exit status is 1).
func failingNames(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("testdata/captures/NAMES.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) > 6 && c[1] == "-" && c[6] == "name-resolution-failed" {
			out[c[0]] = true
		}
	}
	return out
}

// TestServerName: the seed "IP works, name does not". Without --server-name the NXDOMAIN is only a
// warning (nothing ties the name to the server) and the exit status is 0; with it, the name is a
// failing finding in the product's words, and the exit status is 1.
func TestServerName(t *testing.T) {
	toRoot(t)
	path := "testdata/captures/dns-nxdomain-ip-works.pcap"
	code, js, stderr := runCLI("analyze", path, "-f", "json")
	var doc struct {
		Warnings []struct{ Code, Message string } `json:"warnings"`
		Names    []struct {
			Name, Outcome, Verdict, Title string
			NextSteps                     []string `json:"next_steps"`
		} `json:"names"`
		Summary struct {
			NamesFailed int `json:"names_failed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if code != 0 || stderr != "" || len(doc.Names) != 0 || len(doc.Warnings) != 1 || doc.Warnings[0].Code != "dns-other-failures" ||
		!strings.Contains(doc.Warnings[0].Message, "apexone.connscope.test: nxdomain") {
		t.Errorf("without --server-name: exit %d, stderr %q, %+v", code, stderr, doc)
	}

	args := []string{"analyze", path, "--profile", "apexone", "--server-name", "ApexOne.connscope.test."}
	code, table, stderr := runCLI(args...)
	if code != 1 || stderr != "" {
		t.Errorf("with --server-name: exit %d, want 1; stderr %q", code, stderr)
	}
	checkGolden(t, "apexone-dns-nxdomain-ip-works.txt", table)
	_, js, _ = runCLI(append(args, "-f", "json")...)
	doc.Names, doc.Warnings = nil, nil
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Names) != 1 || doc.Names[0].Name != "apexone.connscope.test" || doc.Names[0].Outcome != "nxdomain" ||
		doc.Names[0].Verdict != "name-resolution-failed" || doc.Names[0].Title != "Apex One server name does not exist in DNS" ||
		len(doc.Names[0].NextSteps) != 1 || !strings.Contains(doc.Names[0].NextSteps[0], "add an A record for apexone.connscope.test pointing at the Apex One server") ||
		doc.Summary.NamesFailed != 1 || len(doc.Warnings) != 0 {
		t.Errorf("with --server-name: %+v", doc)
	}
}
