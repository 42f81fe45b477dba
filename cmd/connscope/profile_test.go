package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestProfileApexOne runs the seed captures with --profile apexone and no --port: the profile's
// ports (4343, 8080) are analysed, the verdicts are those of MANIFEST.tsv, and the titles and next
// steps are the product's (pinned whole by the golden reports apexone-*.txt).
func TestProfileApexOne(t *testing.T) {
	toRoot(t)
	verdicts := manifestVerdicts(t)
	cases := []struct {
		capture string
		args    []string
		golden  string
		titles  []string // per flow
		role    string   // every flow's role, unless roles gives them
		roles   []string // per flow
	}{
		{"seed-reset-fleet.pcap", nil, "apexone-seed-reset-fleet",
			[]string{"Connection worked", "Connection worked", "Connection worked", "Agent and server share no TLS version or no cipher suite (the packets do not tell which)",
				"Agent and server share no TLS version or no cipher suite (the packets do not tell which)"}, "", nil},
		{"closed-port.pcap", nil, "apexone-closed-port", []string{"The Apex One port refuses connections", "The Apex One port refuses connections"}, "", nil},
		{"dropped-syns.pcap", nil, "apexone-dropped-syns", []string{"Agents' SYNs to the Apex One server are dropped"}, "", nil},
		{"plain-http-to-tls.pcap", nil, "apexone-plain-http-to-tls", []string{"Agent sent plain HTTP to the HTTPS port"}, "", nil},
		{"plain-tcp-ok.pcap", nil, "apexone-plain-tcp-ok", []string{"Connection worked"}, "", nil},
		// The same capture read as the server notifying agents on their listener port 4343:
		// the roles still come from the SYNs, and the words are those for the agent as TLS server.
		{"seed-reset-fleet.pcap", []string{"--agent-port", "4343"}, "apexone-agent-listener",
			[]string{"Connection worked", "Connection worked", "Connection worked",
				"Server cannot notify the agent: no common TLS version or no common cipher suite (the packets do not tell which)",
				"Server cannot notify the agent: no common TLS version or no common cipher suite (the packets do not tell which)"}, "agent-listener", nil},
		// Both directions: the agent 10.33.1.1 to the server's TLS port 4343, then the server
		// notifying the agent on its listener port 8080 in plain HTTP (answered 200: it works),
		// then refused there.
		{"server-notifies-agent.pcap", []string{"--agent-port", "8080"}, "apexone-server-notifies-agent",
			[]string{"Connection worked", "Connection worked", "The agent's listener port refuses connections"}, "",
			[]string{"", "agent-listener", "agent-listener"}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			path := "testdata/captures/" + tc.capture
			want := 0
			for _, v := range verdicts[tc.capture] {
				if v != "ok" && v != "incomplete" {
					want = 1
				}
			}
			args := append([]string{"analyze", path, "--profile", "apexone", "-v"}, tc.args...)
			code, table, stderr := runCLI(args...)
			if code != want || stderr != "" {
				t.Errorf("exit %d, want %d; stderr %q", code, want, stderr)
			}
			checkGolden(t, tc.golden+".txt", table)

			_, js, _ := runCLI(append(args, "-f", "json")...)
			var doc struct {
				Options struct {
					Ports    []int  `json:"ports"`
					Profile  string `json:"profile"`
					CheckURL string `json:"check_url"`
				} `json:"options"`
				Flows []struct {
					Verdict   string   `json:"verdict"`
					Title     string   `json:"title"`
					NextSteps []string `json:"next_steps"`
					NextStep  string   `json:"next_step"`
					Role      string   `json:"role"`
				} `json:"flows"`
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Options.Profile != "apexone" || doc.Options.CheckURL != "/officescan/hotfix_pccnt/Common/OfcNTCer.dat" ||
				!slices.Equal(doc.Options.Ports[:2], []int{4343, 8080}) {
				t.Errorf("options %+v", doc.Options)
			}
			var titles, got []string
			for i, f := range doc.Flows {
				titles = append(titles, f.Title)
				got = append(got, f.Verdict)
				role := tc.role
				if tc.roles != nil {
					role = tc.roles[i]
				}
				if f.Role != role {
					t.Errorf("flow %d: role %q, want %q", i+1, f.Role, role)
				}
				if f.NextStep != strings.Join(f.NextSteps, " ") || (f.Verdict != "ok") != (len(f.NextSteps) > 0) {
					t.Errorf("%s: next_step %q does not join next_steps %q", f.Verdict, f.NextStep, f.NextSteps)
				}
			}
			if !slices.Equal(titles, tc.titles) || !slices.Equal(got, verdicts[tc.capture]) {
				t.Errorf("titles %q, verdicts %v; want %q, %v", titles, got, tc.titles, verdicts[tc.capture])
			}
		})
	}
}

// TestUnknownProfile: an unknown profile is bad usage, and the message lists the profiles.
func TestUnknownProfile(t *testing.T) {
	toRoot(t)
	code, _, stderr := runCLI("analyze", "testdata/captures/tls12-ok.pcap", "--profile", "officescan")
	if code != 2 || !strings.Contains(stderr, `unknown profile "officescan": the profiles are generic, apexone`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI("analyze", "testdata/captures/tls12-ok.pcap", "--agent-port", "x")
	if code != 2 || !strings.Contains(stderr, `--agent-port "x" is not a port number`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestHelpProfiles: the profiles are listed from their data files.
func TestHelpProfiles(t *testing.T) {
	code, out, _ := runCLI("help", "profiles")
	want := `Knowledge profiles (connscope analyze --profile NAME):

  generic
    any TLS service (the default)

  apexone
    Trend Micro Apex One / OfficeScan agents and server (HTTPS 4343, HTTP 8080)
    ports when --port is not given: 4343, 8080
    check URL: /officescan/hotfix_pccnt/Common/OfcNTCer.dat
`
	if code != 0 || out != want {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
