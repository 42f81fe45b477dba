package exportredact_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/exportredact"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/redact"
	"github.com/connscope/connscope/result"
)

const captures = "../testdata/captures"

// sharedCaptures is the third-party capture set beside the repository (DEVELOPERS.md).
const sharedCaptures = "../../shared/captures"

// redactedExport is one capture analysed, redacted and exported with the rewriter.
type redactedExport struct {
	path     string
	opts     analyze.Options
	orig     *result.Result // the analysis of the capture
	redacted *result.Result // the report --redact shows
	file     []byte         // the redacted export
	again    *result.Result // the analysis of the export
}

// exportRedacted does what analyze --redact --export-all does: redact the result, export with
// the rewriter, and analyses the export again.
func exportRedacted(t *testing.T, name string, opts analyze.Options) *redactedExport {
	t.Helper()
	path := name
	if !strings.Contains(name, "/") {
		path = filepath.Join(captures, name)
	}
	x := &redactedExport{path: path, opts: opts}
	var err error
	if x.orig, err = analyze.File(x.path, opts); err != nil {
		t.Fatal(err)
	}
	names := redact.New()
	x.redacted = names.Result(x.orig)
	rw := exportredact.New(names)
	var b bytes.Buffer
	st, err := analyze.Export(x.path, x.orig, &b, analyze.ExportOptions{All: true, Rewrite: rw.Frame, Name: rw.Name, SectionComment: exportredact.SectionComment})
	if err != nil {
		t.Fatal(err)
	}
	if st.Packets == 0 {
		t.Fatalf("%s: nothing exported", name)
	}
	x.file = b.Bytes()
	out := filepath.Join(t.TempDir(), "redacted.pcapng")
	if err := os.WriteFile(out, x.file, 0o644); err != nil {
		t.Fatal(err)
	}
	// The export is analysed with the options the redacted report shows (--server-name given as
	// the pseudonym), as whoever gets it with the ticket would.
	opts.ServerNames = result.Strings(x.redacted.Options.ServerNames)
	if x.again, err = analyze.File(out, opts); err != nil {
		t.Fatalf("%s: the redacted export does not read back: %v", name, err)
	}
	return x
}

// testCase is a capture and the options it is analysed with.
type testCase struct {
	name string
	opts analyze.Options
}

var cases = []testCase{
	{"seed-reset-fleet.pcap", analyze.Options{Ports: []uint16{4343, 8080}}},
	{"expired-cert.pcap", analyze.Options{}},
	{"dns-nxdomain-ip-works.pcap", analyze.Options{ServerNames: []string{"apexone.connscope.test"}, Profile: mustProfile("apexone")}},
	{"plain-http-to-tls.pcap", analyze.Options{}},
	{"tls13-ok.pcap", analyze.Options{}},
	{"path-port-unreachable.pcap", analyze.Options{}},
	{"ipv6-tls12-ok.pcap", analyze.Options{}},
	{"sll2-tls12-ok.pcap", analyze.Options{}},
	{"dns-ok-by-name.pcap", analyze.Options{ServerNames: []string{"apexone.connscope.test"}, Profile: mustProfile("apexone")}},
	{"weak-cert.pcap", analyze.Options{}},
}

// allCases are the cases above and every other capture of testdata/captures, analysed with
// the default options.
func allCases(t *testing.T) []testCase {
	all := slices.Clone(cases)
	paths, err := filepath.Glob(filepath.Join(captures, "*.pcap*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no captures in %s: %v", captures, err)
	}
	for _, p := range paths {
		name := filepath.Base(p)
		if !slices.ContainsFunc(all, func(c testCase) bool { return c.name == name }) {
			all = append(all, testCase{name, analyze.Options{}})
		}
	}
	return all
}

func mustProfile(name string) *knowledge.Profile {
	p, err := knowledge.ProfileByName(name)
	if err != nil {
		panic(err)
	}
	return p
}

// TestNoOriginals: no original IP address (as 4 or 16 raw bytes, or as text), unicast MAC
// address, server name (SNI), certificate name, DNS name or HTTP path or Host appears anywhere
// in the redacted export's bytes (frames, comments, headers). The originals are collected from
// every frame of the capture and from the unredacted result; every capture of testdata/captures
// is tried.
func TestNoOriginals(t *testing.T) {
	for _, tc := range allCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			x := exportRedacted(t, tc.name, tc.opts)
			raw, text := originals(t, x)
			if len(raw) == 0 || len(text) == 0 {
				t.Fatalf("no originals collected: %d raw, %d text", len(raw), len(text))
			}
			for what, b := range raw {
				if bytes.Contains(x.file, b) {
					t.Errorf("the export holds %s", what)
				}
			}
			for _, s := range text {
				if bytes.Contains(bytes.ToLower(x.file), []byte(strings.ToLower(s))) {
					t.Errorf("the export holds %q", s)
				}
			}
		})
	}
}

// originals returns the original values to look for: raw addresses by a description, and
// texts (names, paths, addresses as text).
func originals(t *testing.T, x *redactedExport) (map[string][]byte, []string) {
	raw := map[string][]byte{}
	var text []string
	addAddr := func(a netip.Addr) {
		a = a.Unmap()
		if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
			return
		}
		raw["address "+a.String()] = a.AsSlice()
		text = append(text, a.String())
	}
	r, err := pcapfile.Open(x.path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var p capture.Packet
	for {
		if err := r.Next(&p); err != nil {
			var fe *pcapfile.FileError
			if err == io.EOF || errors.As(err, &fe) {
				break
			}
			t.Fatal(err)
		}
		data, _, lt := r.Raw()
		pkt := gopacket.NewPacket(data, lt, gopacket.NoCopy)
		for _, l := range pkt.Layers() {
			switch l := l.(type) {
			case *layers.Ethernet:
				for _, m := range []net.HardwareAddr{l.SrcMAC, l.DstMAC} {
					if m[0]&1 == 0 && !bytes.Equal(m, make([]byte, 6)) { // all zeros: loopback
						raw["MAC "+m.String()] = slices.Clone(m)
					}
				}
			case *layers.IPv4:
				addAddr(netip.AddrFrom4([4]byte(l.SrcIP.To4())))
				addAddr(netip.AddrFrom4([4]byte(l.DstIP.To4())))
			case *layers.IPv6:
				addAddr(netip.AddrFrom16([16]byte(l.SrcIP.To16())))
				addAddr(netip.AddrFrom16([16]byte(l.DstIP.To16())))
			}
		}
	}
	res := x.orig
	for _, f := range res.Flows.Slice() {
		for _, s := range []string{string(f.Client), string(f.Server)} {
			if ap, err := netip.ParseAddrPort(s); err == nil {
				addAddr(ap.Addr())
			}
		}
		if f.TLS != nil {
			if ch := f.TLS.ClientHello; ch != nil && ch.SNI != "" {
				text = append(text, string(ch.SNI))
			}
			for _, c := range f.TLS.ServerCertificates {
				text = append(text, result.Strings(c.DNSNames)...)
				for _, dn := range []string{string(c.Subject), string(c.Issuer)} {
					for _, rdn := range strings.Split(dn, ",") {
						if k, v, ok := strings.Cut(rdn, "="); ok && (k == "CN" || k == "O") {
							text = append(text, v)
						}
					}
				}
			}
		}
		if f.HTTP != nil {
			text = append(text, string(f.HTTP.Path), string(f.HTTP.Host))
		}
	}
	for _, n := range res.Names {
		text = append(text, string(n.Name))
		for _, s := range append(slices.Clone(n.Answers), n.DNSServers...) {
			if a, err := netip.ParseAddr(string(s)); err == nil {
				addAddr(a)
			}
		}
	}
	text = slices.DeleteFunc(text, func(s string) bool { return s == "" })
	return raw, text
}

// TestSameVerdicts: the redacted export of every capture of testdata/captures analyses to the
// redacted report's flows: the same verdicts, the same (pseudonymised) client and server, the
// same offered and chosen TLS versions, flow by flow, with the ClientHello and ServerHello still
// parsed. (Name verdicts do not survive: DNS payloads are cut.)
func TestSameVerdicts(t *testing.T) {
	for _, tc := range allCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			x := exportRedacted(t, tc.name, tc.opts)
			if len(x.again.Flows.Slice()) != len(x.redacted.Flows.Slice()) {
				t.Fatalf("%d flows re-analysed, want %d", len(x.again.Flows.Slice()), len(x.redacted.Flows.Slice()))
			}
			for i := range x.again.Flows.Slice() {
				got, want := &x.again.Flows.Slice()[i], &x.redacted.Flows.Slice()[i]
				if got.Client != want.Client || got.Server != want.Server || got.Verdict != want.Verdict ||
					!slices.Equal(got.OfferedVersions, want.OfferedVersions) || deref(got.ChosenVersion) != deref(want.ChosenVersion) {
					t.Errorf("re-analysed %s -> %s: %s, offered %v, chosen %q; want %s -> %s: %s, offered %v, chosen %q",
						got.Client, got.Server, got.Verdict, got.OfferedVersions, deref(got.ChosenVersion),
						want.Client, want.Server, want.Verdict, want.OfferedVersions, deref(want.ChosenVersion))
				}
				if want.TLS != nil && want.TLS.ClientHello != nil && (got.TLS == nil || got.TLS.ClientHello == nil) {
					t.Errorf("flow %s: the ClientHello does not parse in the export", got.Client)
				}
				if want.TLS != nil && want.TLS.ServerHello != nil && (got.TLS == nil || got.TLS.ServerHello == nil) {
					t.Errorf("flow %s: the ServerHello does not parse in the export", got.Client)
				}
			}
		})
	}
}

// TestChecksums: every frame of the redacted export of every capture of testdata/captures has a
// valid IPv4 header checksum, and every frame that is not cut valid TCP, UDP, ICMP and ICMPv6
// checksums, as gopacket computes them (what Wireshark shows with checksum validation on).
func TestChecksums(t *testing.T) {
	for _, tc := range allCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			x := exportRedacted(t, tc.name, tc.opts)
			out := filepath.Join(t.TempDir(), "x.pcapng")
			if err := os.WriteFile(out, x.file, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := pcapfile.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var p capture.Packet
			frames, whole, checked := 0, 0, 0
			for {
				if err := r.Next(&p); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				data, ci, lt := r.Raw()
				frames++
				pkt := gopacket.NewPacket(data, lt, gopacket.Default)
				if ip, ok := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
					if _, res := ip.VerifyChecksum(); !res.Valid {
						t.Errorf("frame %d: IPv4 header checksum %#04x, want %#04x", frames, res.Actual, res.Correct)
					}
				}
				if ci.CaptureLength < ci.Length {
					continue // cut: the transport checksum covers bytes that are not there
				}
				whole++
				for _, l := range pkt.Layers() {
					if n, ok := l.(interface {
						SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
					}); ok {
						if err := n.SetNetworkLayerForChecksum(pkt.NetworkLayer()); err != nil {
							t.Fatal(err)
						}
					}
					if c, ok := l.(gopacket.LayerWithChecksum); ok {
						if err, res := c.VerifyChecksum(); err != nil || !res.Valid {
							t.Errorf("frame %d: %s checksum %#04x, want %#04x (%v)", frames, l.LayerType(), res.Actual, res.Correct, err)
						}
						checked++
					}
				}
			}
			if whole == 0 || checked == 0 {
				t.Errorf("no whole frame among %d, %d checksums checked", frames, checked)
			}
		})
	}
}

// TestServerName: the ClientHello's server name is replaced by a stand-in of its length that
// ends in the report's pseudonym.
func TestServerName(t *testing.T) {
	x := exportRedacted(t, "dns-ok-by-name.pcap", cases[8].opts)
	var sni, want string
	for i, f := range x.orig.Flows.Slice() {
		if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.SNI != "" {
			sni, want = string(f.TLS.ClientHello.SNI), string(x.redacted.Flows.Slice()[i].TLS.ClientHello.SNI)
			if g := x.again.Flows.Slice()[i].TLS.ClientHello.SNI; len(g) != len(sni) || !strings.HasSuffix(string(g), "."+want) || strings.Trim(strings.TrimSuffix(string(g), "."+want), "x") != "" {
				t.Errorf("the export's SNI is %q; want %d bytes ending in %q", g, len(sni), "."+want)
			}
		}
	}
	if sni == "" {
		t.Fatal("no SNI in the capture")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestSharedCaptures: the third-party captures (Zeek's, from other TLS stacks: SSL 2.0, TLS 1.3
// drafts, HelloRetryRequest, Heartbleed) redact to exports that hold none of their addresses,
// MACs or names and re-analyse to the same verdicts and TLS versions as the captures. Left out:
// smtp-starttls.pcap, whose TLS follows plain SMTP, which is cut after its first word. The export
// keeps no payload of a stream whose SYN it does not hold (the client's of flow #1 in the two
// missing-SYN captures): re-analysed, that client's first data is cut to nothing, as a snaplen
// cuts it, and could have been TLS: incomplete, not the plain HTTP (ok) the capture shows.
func TestSharedCaptures(t *testing.T) {
	emptied := map[string]bool{"missing-syn.pcap": true, "http-on-irc-port-missing-syn.pcapng": true}
	var paths []string
	for _, pattern := range []string{"zeek/*.pcap", "zeek/*.pcapng", "zeek-tcp/*.pcap", "zeek-tcp/*.pcapng"} {
		p, _ := filepath.Glob(filepath.Join(sharedCaptures, pattern))
		paths = append(paths, p...)
	}
	if len(paths) == 0 {
		t.Fatalf("the shared third-party captures are missing: the tests need ../shared/captures beside the repository")
	}
	for _, path := range paths {
		if strings.HasSuffix(path, "smtp-starttls.pcap") {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			x := exportRedacted(t, path, analyze.Options{})
			raw, text := originals(t, x)
			for what, b := range raw {
				if bytes.Contains(x.file, b) {
					t.Errorf("the export holds %s", what)
				}
			}
			for _, s := range text {
				if len(s) >= 4 && bytes.Contains(bytes.ToLower(x.file), []byte(strings.ToLower(s))) {
					t.Errorf("the export holds %q", s)
				}
			}
			if len(x.again.Flows.Slice()) != len(x.orig.Flows.Slice()) {
				t.Fatalf("%d flows re-analysed, want %d", len(x.again.Flows.Slice()), len(x.orig.Flows.Slice()))
			}
			for i := range x.again.Flows.Slice() {
				got, want := &x.again.Flows.Slice()[i], &x.orig.Flows.Slice()[i]
				wantVerdict := want.Verdict
				if emptied[filepath.Base(path)] && want.ID == 1 {
					wantVerdict = result.VerdictIncomplete
				}
				if got.Verdict != wantVerdict || !slices.Equal(got.OfferedVersions, want.OfferedVersions) || deref(got.ChosenVersion) != deref(want.ChosenVersion) {
					t.Errorf("flow #%d re-analysed: %s, offered %v, chosen %q; want %s, offered %v, chosen %q", want.ID,
						got.Verdict, got.OfferedVersions, deref(got.ChosenVersion), wantVerdict, want.OfferedVersions, deref(want.ChosenVersion))
				}
			}
		})
	}
}
