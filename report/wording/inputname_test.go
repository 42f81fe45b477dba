package wording

import (
	"testing"

	"github.com/connscope/connscope/result"
)

// A report names its input by the file's name without its folder; with several capture points
// (files of a folder that are no rotated set, or --vantage labels), by each point's name so, not
// by the last part of the joined paths (which named only the last file).
func TestInputName(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   result.Input
		want string
	}{
		{"one file", result.Input{File: "/data/caps/x.pcap"}, "x.pcap"},
		{"a rotated set", result.Input{File: "/data/caps/x.pcap", Points: []result.InputPoint{{Name: "/data/caps/x.pcap"}}}, "x.pcap"},
		{"two files", result.Input{File: "dir/a.pcap + dir/b.pcap", Points: []result.InputPoint{{Name: "dir/a.pcap"}, {Name: "dir/b.pcap"}}}, "a.pcap + b.pcap"},
		{"windows paths", result.Input{File: `C:\caps\a.pcap + C:\caps\b.pcap`, Points: []result.InputPoint{{Name: `C:\caps\a.pcap`}, {Name: `C:\caps\b.pcap`}}}, "a.pcap + b.pcap"},
		{"labels", result.Input{File: "agent + server", Points: []result.InputPoint{{Name: "agent"}, {Name: "server"}}}, "agent + server"},
	} {
		if got := InputName(&tc.in); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
