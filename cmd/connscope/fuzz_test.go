package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/redact"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
)

// FuzzEngine feeds whole capture files, seeded from testdata/captures, through the whole
// engine as the command line drives it: reading, the analysis, and every report format, plain
// and with --redact. Nothing may panic; the JSON must be valid and decode to a result; and no
// redacted format may hold an IP address of the capture: neither one the plain result shows
// nor one from a packet's header.
func FuzzEngine(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"*.pcap", "*.pcapng", "*.pcap.gz"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "captures", pattern))
		seeds = append(seeds, m...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed captures in testdata/captures")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := pcapfile.NewReader(bytes.NewReader(data), "fuzz.pcap")
		if err != nil {
			return // not a capture: the reader says why
		}
		res, err := analyze.Reader(r, "fuzz.pcap", analyze.Options{})
		if err != nil {
			return
		}
		plain := renderAll(t, res)
		originals := resultAddresses(plain[report.FormatJSON])
		for a := range packetAddresses(data) {
			originals[a] = true
		}
		redacted := renderAll(t, redact.New().Result(res))
		for format, out := range redacted {
			for a := range originals {
				if i := addressAt(out, a); i >= 0 {
					t.Fatalf("the redacted %s report holds the capture's address %s: ...%s...", format, a, out[max(0, i-80):min(len(out), i+80)])
				}
			}
		}
	})
}

// renderAll renders res in every format; the JSON must be valid and decode to a result.
func renderAll(t *testing.T, res *result.Result) map[report.Format]string {
	t.Helper()
	out := map[report.Format]string{}
	for _, format := range report.Formats() {
		var b bytes.Buffer
		if err := report.Write(&b, res, format, report.Options{Verbose: true}); err != nil {
			t.Fatalf("%s report: %v", format, err)
		}
		out[format] = b.String()
	}
	var back result.Result
	if js := out[report.FormatJSON]; !json.Valid([]byte(js)) || json.Unmarshal([]byte(js), &back) != nil {
		t.Fatalf("the JSON report is not a valid result document:\n%.2000s", js)
	}
	return out
}

// Candidates for addresses in text (validated with netip): as redact finds them.
var (
	ipv4Text = regexp.MustCompile(`\d{1,3}(?:\.\d{1,3}){3}`)
	ipv6Text = regexp.MustCompile(`(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?`)
)

// resultAddresses are the IP addresses in a plain report.
func resultAddresses(text string) map[netip.Addr]bool {
	addrs := map[netip.Addr]bool{}
	for _, re := range []*regexp.Regexp{ipv4Text, ipv6Text} {
		for _, m := range re.FindAllString(text, -1) {
			if a, err := netip.ParseAddr(m); err == nil {
				addrs[a.Unmap()] = true
			}
		}
	}
	return addrs
}

// Pseudonyms come from these ranges: an address of a packet in them that the result does not
// show may rightly be someone's pseudonym (the redactor avoids only the result's addresses).
var pseudonymRanges = []netip.Prefix{netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("2001:db8::/32")}

// packetAddresses are the source and destination addresses of the capture's packets, but for
// those in the pseudonyms' ranges.
func packetAddresses(data []byte) map[netip.Addr]bool {
	addrs := map[netip.Addr]bool{}
	r, err := pcapfile.NewReader(bytes.NewReader(data), "fuzz.pcap")
	if err != nil {
		return addrs
	}
	var p capture.Packet
	for r.Next(&p) == nil {
		for _, a := range []netip.Addr{p.SrcIP, p.DstIP} {
			if a = a.Unmap(); a.IsValid() && !pseudonymRanges[0].Contains(a) && !pseudonymRanges[1].Contains(a) {
				addrs[a] = true
			}
		}
	}
	return addrs
}

// addressAt returns where a stands in text as an address of its own (not part of a longer
// number or address: "10.0.0.1" is not in "110.0.0.1" nor "10.0.0.12"), or -1.
func addressAt(text string, a netip.Addr) int {
	s := a.String()
	part := func(c byte) bool { return c >= '0' && c <= '9' || c == '.' }
	if a.Is6() {
		part = func(c byte) bool {
			return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.'
		}
	}
	for off := 0; ; {
		i := strings.Index(text[off:], s)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(s)
		// An IPv4 address may end a sentence: "10.0.0.1." is the address.
		after := end < len(text) && part(text[end]) && !(text[end] == '.' && (end+1 == len(text) || text[end+1] < '0' || text[end+1] > '9'))
		if (i == 0 || !part(text[i-1])) && !after {
			return i
		}
		off = i + 1
	}
}

// TestEngineLeakCheck shows that FuzzEngine's check finds addresses where they are: in the plain
// (unredacted) reports of a seed, every format shows the server's address, and the check finds
// it, but not inside a longer number.
func TestEngineLeakCheck(t *testing.T) {
	data, err := os.ReadFile("../../testdata/captures/seed-reset-fleet.pcap")
	if err != nil {
		t.Fatal(err)
	}
	r, err := pcapfile.NewReader(bytes.NewReader(data), "seed.pcap")
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyze.Reader(r, "seed.pcap", analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain := renderAll(t, res)
	server := netip.MustParseAddr("10.77.1.2")
	originals := resultAddresses(plain[report.FormatJSON])
	packets := packetAddresses(data)
	for _, a := range []string{"10.77.1.1", "10.77.1.2", "10.77.1.3", "10.77.1.4", "10.77.1.5", "10.77.1.6"} {
		if !originals[netip.MustParseAddr(a)] || !packets[netip.MustParseAddr(a)] {
			t.Errorf("%s: in the result's addresses %v, in the packets' %v", a, originals[netip.MustParseAddr(a)], packets[netip.MustParseAddr(a)])
		}
	}
	for format, out := range plain {
		if addressAt(out, server) < 0 {
			t.Errorf("the check does not find %s in the plain %s report", server, format)
		}
	}
	for text, want := range map[string]int{"to 10.77.1.2:4343": 3, "110.77.1.2": -1, "10.77.1.23": -1, "at 10.77.1.2.": 3, "10.77.1.2.5 then 10.77.1.2": 17} {
		if got := addressAt(text, server); got != want {
			t.Errorf("addressAt(%q) = %d, want %d", text, got, want)
		}
	}
	v6 := netip.MustParseAddr("fd00::1")
	for text, want := range map[string]int{"[fd00::1]:4343": 1, "fd00::12": -1, "afd00::1": -1} {
		if got := addressAt(text, v6); got != want {
			t.Errorf("addressAt(%q) = %d, want %d", text, got, want)
		}
	}
}
