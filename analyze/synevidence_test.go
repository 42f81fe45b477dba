package analyze

import (
	"path/filepath"
	"testing"
)

// TestFirstSYNEvidence: the first SYN of an attempt is cited as itself, each later one with its
// time after the first. The first SYN's line read "SYN from the client (0.0 ms after the first)"
// (dropped-syns.pcap, path-admin-prohibited.pcap).
func TestFirstSYNEvidence(t *testing.T) {
	cases := []struct {
		file string
		want []string // the flow's evidence lines
	}{
		{file: "dropped-syns.pcap", want: []string{
			"frame 3 03:13:09.691511 SYN from the client",
			"frame 4 03:13:10.697826 SYN from the client (1.0 s after the first)",
			"frame 5 03:13:11.721828 SYN from the client (2.0 s after the first)",
			"frame 6 03:13:12.745824 SYN from the client (3.1 s after the first)",
			"frame 7 03:13:13.769813 SYN from the client (4.1 s after the first)",
			"frame 8 03:13:14.793816 SYN from the client (5.1 s after the first)",
		}},
		{file: "path-admin-prohibited.pcap", want: []string{
			"frame 1 06:15:54.706306 SYN from the client",
			"frame 2 06:15:54.706567 ICMP communication administratively prohibited (type 3 code 13) from router 10.66.1.254 " +
				"(TTL 64: 0 hops from the capture point), quoting the client's packet",
			"frame 3 06:15:55.721784 SYN from the client (1.0 s after the first)",
			"frame 4 06:15:55.721846 ICMP communication administratively prohibited (type 3 code 13) from router 10.66.1.254 " +
				"(TTL 64: 0 hops from the capture point), quoting the client's packet",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			fl := flowOf(t, filepath.Join(ownCaptures, tc.file), 1)
			if len(fl.Evidence) != len(tc.want) {
				for _, e := range fl.Evidence {
					t.Log(evidenceLine(e))
				}
				t.Fatalf("%d evidence lines, want %d", len(fl.Evidence), len(tc.want))
			}
			for i, e := range fl.Evidence {
				if got := evidenceLine(e); got != tc.want[i] {
					t.Errorf("line %d:\n got %s\nwant %s", i, got, tc.want[i])
				}
			}
		})
	}
}
