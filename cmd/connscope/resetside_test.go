package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/connscope/connscope/internal/pcapedit"
)

// resetSidesCapture writes, in a temporary folder, path-injected-rst.pcap with the frames of
// path-client-reset-forged-server.pcap after its own (both little-endian classic pcap of
// Ethernet frames, made in the same namespaces 81 s apart, in time order): a connection that
// worked, one reset by a device in the server's name, then one reset in the client's name (each
// reset's TTL is not that of the side it names).
func resetSidesCapture(t *testing.T) string {
	t.Helper()
	a, err := os.ReadFile("testdata/captures/path-injected-rst.pcap")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/captures/path-client-reset-forged-server.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pcapedit.Records(a); err != nil {
		t.Fatal(err)
	}
	recs, err := pcapedit.Records(b)
	if err != nil || len(recs) == 0 {
		t.Fatalf("path-client-reset-forged-server.pcap: %d records, %v", len(recs), err)
	}
	path := filepath.Join(t.TempDir(), "reset-sides.pcap")
	if err := os.WriteFile(path, append(append([]byte{}, a...), b[recs[0]:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUnlistedResetNamesTheSide checks the next step of middlebox-reset groups, listed and past
// --max-flows: each names the side whose address the forged reset carried, as the listed one
// does (the unlisted group's read "in the name of one side"), from the summary's
// not_listed_middlebox_resets counts.
func TestUnlistedResetNamesTheSide(t *testing.T) {
	toRoot(t)
	merged := resetSidesCapture(t)
	const (
		before   = "A device between client and server (firewall, IPS, proxy; the TTL tells how many hops from the capture point) resets this connection in the name of "
		after    = ": find the rule that does it (connection limits, byte or content rules, IPS signatures) and the device's logs at "
		beforeJA = "クライアントとサーバーの間の機器（ファイアウォール、IPS、プロキシ。キャプチャ地点から何ホップ先かは TTL でわかります）が"
		afterJA  = "になりすましてこの接続をリセットしています。それを行っているルール（接続数の制限、バイト数やコンテンツのルール、IPS のシグネチャ）と、"
	)
	type group struct {
		Unlisted  bool     `json:"not_listed"`
		NextSteps []string `json:"next_steps"`
	}
	type sides struct {
		Client int `json:"in_name_of_client"`
		Server int `json:"in_name_of_server"`
	}
	for _, tc := range []struct {
		file, maxFlows, lang string
		want                 []group // the middlebox-reset groups, in order
		sides                *sides
	}{
		{"testdata/captures/path-injected-rst.pcap", "100", "en", []group{{false, []string{before + "10.66.2.2:4343" + after + "06:16:06 UTC."}}}, nil},
		{"testdata/captures/path-injected-rst.pcap", "1", "en", []group{{true, []string{before + "10.66.2.2:4343" + after + "that time."}}}, &sides{0, 1}},
		{"testdata/captures/path-injected-rst.pcap", "1", "ja", []group{{true, []string{beforeJA + " 10.66.2.2:4343 " + afterJA + "その時刻のその機器のログを確認してください。"}}}, &sides{0, 1}},
		{merged, "3", "en", []group{
			{false, []string{before + "10.66.2.2:4343" + after + "06:16:06 UTC."}},
			{false, []string{before + "10.66.1.1:55282" + after + "06:17:21 UTC."}},
		}, nil},
		{merged, "2", "en", []group{
			{false, []string{before + "10.66.2.2:4343" + after + "06:16:06 UTC."}},
			{true, []string{before + "its client (the agent)" + after + "that time."}},
		}, &sides{1, 0}},
		{merged, "2", "ja", []group{
			{false, []string{beforeJA + " 10.66.2.2:4343 " + afterJA + "06:16:06 UTC のその機器のログを確認してください。"}},
			{true, []string{beforeJA + "クライアント（エージェント）" + afterJA + "その時刻のその機器のログを確認してください。"}},
		}, &sides{1, 0}},
		{merged, "1", "en", []group{
			{true, []string{before + "10.66.2.2:4343 (1 connection) and of the client (1 connection)" + after + "that time."}},
		}, &sides{1, 1}},
		{merged, "1", "ja", []group{
			{true, []string{beforeJA + "サーバー 10.66.2.2:4343（1 件）とクライアント（1 件）" + afterJA + "その時刻のその機器のログを確認してください。"}},
		}, &sides{1, 1}},
	} {
		name := filepath.Base(tc.file) + " --max-flows " + tc.maxFlows + " --lang " + tc.lang
		code, out, errs := runCLI("analyze", tc.file, "-q", "-f", "json", "--max-flows", tc.maxFlows, "--lang", tc.lang)
		if code != 1 {
			t.Fatalf("%s: exit %d, want 1: %s", name, code, errs)
		}
		var r struct {
			Summary struct {
				Servers []struct {
					Resets *sides `json:"not_listed_middlebox_resets"`
				} `json:"servers"`
			} `json:"summary"`
			Findings struct {
				Groups []struct {
					Verdict string `json:"verdict"`
					group
				} `json:"groups"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		var got []group
		for _, g := range r.Findings.Groups {
			if g.Verdict == "middlebox-reset" {
				got = append(got, g.group)
			}
		}
		if !slices.EqualFunc(got, tc.want, func(a, b group) bool { return a.Unlisted == b.Unlisted && slices.Equal(a.NextSteps, b.NextSteps) }) {
			t.Errorf("%s: middlebox-reset groups\n%+v\nwant\n%+v", name, got, tc.want)
		}
		if len(r.Summary.Servers) != 1 || (r.Summary.Servers[0].Resets == nil) != (tc.sides == nil) ||
			tc.sides != nil && *r.Summary.Servers[0].Resets != *tc.sides {
			t.Errorf("%s: summary.servers %+v, want not_listed_middlebox_resets %+v", name, r.Summary.Servers, tc.sides)
		}
	}
}
