package analyze

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
)

// pcapFrames maps each byte of a pcap file (microsecond, little-endian) to the frame whose
// record holds it (its 16-byte header included); 0 for the file header. starts[f] is the
// offset of frame f's record.
func pcapFrames(t *testing.T, b []byte) (frameAt []int, starts []int) {
	t.Helper()
	frameAt = make([]int, len(b))
	starts = []int{0}
	for off, f := 24, 1; off < len(b); f++ {
		if off+16 > len(b) {
			t.Fatalf("record %d cut", f)
		}
		n := 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
		starts = append(starts, off)
		for i := off; i < off+n && i < len(b); i++ {
			frameAt[i] = f
		}
		off += n
	}
	return frameAt, starts
}

// verdicts is the outcome of an analysis: every flow's endpoints and verdict, every name's.
func verdicts(r *result.Result) string {
	var b strings.Builder
	for _, f := range r.Flows.All() {
		fmt.Fprintf(&b, "%s %s %s; ", f.Client, f.Server, f.Verdict)
	}
	for _, n := range r.Names {
		fmt.Fprintf(&b, "name %s %s; ", n.Name, n.Verdict)
	}
	return b.String()
}

var framesListed = regexp.MustCompile(`\bframes? ((?:\d+(?:, )?)+)`)

// warnedFrames is every frame a result's warnings name: in their frame field, in their words
// ("frames 3, 7"), and the frame whose record holds the offset a file warning gives.
func warnedFrames(r *result.Result, starts []int) map[int]bool {
	en := knowledge.CatalogOf(knowledge.English)
	out := map[int]bool{}
	for _, w := range r.Warnings {
		out[w.Frame] = true
		for _, m := range framesListed.FindAllStringSubmatch(en.Render(w.Message), -1) {
			for _, s := range strings.Split(m[1], ", ") {
				n, _ := strconv.Atoi(s)
				out[n] = true
			}
		}
		// A file warning gives the offset where reading failed: in the record of the frame whose
		// header was damaged (its length sent reading astray), or at its start.
		for f := len(starts) - 1; f >= 1 && w.Offset > 0; f-- {
			if int64(starts[f]) <= w.Offset {
				out[f] = true
				break
			}
		}
	}
	delete(out, 0)
	return out
}

// TestRandomOverwrites is the hostile-input test of issue 15: four random bytes written at 100
// random (seeded: the same offsets every run) offsets of a real capture (seed-reset-fleet.pcap:
// connections from OpenSSL, GnuTLS, Go and Python clients, some of them failing), one at a
// time. Each damaged capture is analysed and rendered in every format without a panic or a
// decoder failure, its JSON valid; and every change that alters a verdict (of a connection or a
// name, or the connections found) yields a warning that names the frame it damaged. What names
// it: the checksums (every IPv4 header's and whole TCP segment's), a TLS hello
// whose record header no longer parses (damage.record), the frames where a flow of guessed roles
// starts (a damaged port or address), a time far from its neighbours' (time-jump), a header
// that does not decode (undecodable), and a file error at the record. One class is exempt, the
// only one left that no check can tell (lateLastFrame): the last frame's timestamp moved later.
// DAMAGE_SEED=n draws other offsets (0-60 all pass; seed 37 hits the exempt class once);
// DAMAGE_CAPTURE names another capture of testdata/captures.
func TestRandomOverwrites(t *testing.T) {
	name := "seed-reset-fleet.pcap"
	if n := os.Getenv("DAMAGE_CAPTURE"); n != "" {
		name = n
	}
	orig, err := os.ReadFile(filepath.Join(ownCaptures, name))
	if err != nil {
		t.Fatal(err)
	}
	frameAt, starts := pcapFrames(t, orig)
	base, err := File(filepath.Join(ownCaptures, name), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := verdicts(base)
	seed, _ := strconv.Atoi(os.Getenv("DAMAGE_SEED"))
	rng := rand.New(rand.NewPCG(15, 4+uint64(seed)))
	dir := t.TempDir()
	altered, exempt := 0, 0
	for i := range 100 {
		b := append([]byte(nil), orig...)
		off := rng.IntN(len(b) - 4)
		binary.LittleEndian.PutUint32(b[off:], rng.Uint32())
		path := filepath.Join(dir, fmt.Sprintf("damaged-%d.pcap", i))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := File(path, Options{})
		if err != nil {
			t.Logf("offset %d (frame %d): %v", off, frameAt[off], err)
			continue // refused with an error that says why: no verdict to alter
		}
		for _, format := range report.Formats() {
			var out bytes.Buffer
			if err := report.Write(&out, res, format, report.Options{Verbose: true}); err != nil {
				t.Fatalf("offset %d: %s report: %v", off, format, err)
			}
			if format == report.FormatJSON && !json.Valid(out.Bytes()) {
				t.Fatalf("offset %d: the JSON report is not valid JSON:\n%.2000s", off, out.Bytes())
			}
		}
		for _, w := range res.Warnings {
			if strings.Contains(fmt.Sprint(w.Message), "undecodable.bug") {
				t.Errorf("offset %d: the decoder failed (a bug): %v", off, w.Message)
			}
		}
		got := verdicts(res)
		if got == want {
			continue
		}
		altered++
		if lateLastFrame(orig, b, off, starts) {
			exempt++
			continue
		}
		// Damage to the file header shows from the first frame on.
		hit := map[int]bool{frameAt[off]: true, frameAt[off+3]: true, max(frameAt[off], 1): true}
		named := warnedFrames(res, starts)
		ok := false
		for f := range hit {
			ok = ok || named[f]
		}
		if !ok {
			t.Errorf("offset %d (frame %d, %s): verdicts changed without a warning naming the frame\n got %s\nwant %s\nwarnings %v",
				off, frameAt[off], where(orig, starts[frameAt[off]], off), got, want, named)
		}
	}
	t.Logf("%d of 100 overwrites altered a verdict (%d of them the last frame's time moved later)", altered, exempt)
}

// lateLastFrame reports whether an overwrite at off (of b, from orig) is of the one class of
// damage that nothing in a capture can tell: it falls within the timestamp (bytes 0-7 of the
// record header) of the capture's last frame and moves it later. With no frame after it, such a
// frame cannot be told from one that came late (a time moved earlier, or any frame's time with a
// frame after it, is: time-jump; a time past 9999: time-out-of-range).
func lateLastFrame(orig, b []byte, off int, starts []int) bool {
	last := starts[len(starts)-1]
	if off < last || off+4 > last+8 {
		return false
	}
	at := func(b []byte) int64 {
		return int64(binary.LittleEndian.Uint32(b[last:]))*1e6 + int64(binary.LittleEndian.Uint32(b[last+4:]))
	}
	return at(b) > at(orig)
}

// where says which part of its frame a byte of an Ethernet/IPv4/TCP pcap record is in.
func where(b []byte, start, off int) string {
	at := off - start
	switch {
	case at < 16:
		return fmt.Sprintf("record header +%d", at)
	case at < 16+14:
		return fmt.Sprintf("Ethernet +%d", at-16)
	}
	ip := 16 + 14
	ihl := int(b[start+ip]&0xf) * 4
	if at < ip+ihl {
		return fmt.Sprintf("IPv4 +%d", at-ip)
	}
	if b[start+ip+9] != 6 {
		return fmt.Sprintf("IPv4 payload +%d", at-ip-ihl)
	}
	tcp := ip + ihl
	doff := int(b[start+tcp+12]>>4) * 4
	if at < tcp+doff {
		return fmt.Sprintf("TCP +%d (flags %#02x)", at-tcp, b[start+tcp+13])
	}
	return fmt.Sprintf("TCP payload +%d (flags %#02x, first byte %#02x)", at-tcp-doff, b[start+tcp+13], b[start+tcp+doff])
}

// A connection with a packet that arrived damaged (a wrong TCP checksum, from a host whose
// checksums are otherwise right) says so: a flag with the count, an evidence line at the frame,
// and in its reason, that its verdict rests on that packet when its evidence cites it (frame 8,
// the ServerHello), or that the packet may have changed what it shows (frame 9, a bare ACK);
// the result warns, naming the connection and the frame. The verdict itself stays what the
// packets show.
func TestDamagedFlowSaysSo(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(ownCaptures, "seed-reset-fleet.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	_, starts := pcapFrames(t, orig)
	base, err := File(filepath.Join(ownCaptures, "seed-reset-fleet.pcap"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	en := knowledge.CatalogOf(knowledge.English)
	ja := knowledge.CatalogOf(knowledge.Japanese)
	for _, tc := range []struct {
		frame        int
		reason, inJa string
	}{
		{8, "the verdict rests on frame 8, which arrived damaged (a wrong TCP checksum)",
			"この判定は壊れて届いたフレーム 8 にもとづいています（TCP チェックサムの誤り）"},
		{9, "frame 9 of this connection arrived damaged (a wrong TCP checksum), which may have changed what it shows",
			"この接続のフレーム 9 は壊れて届きました（TCP チェックサムの誤り）"},
	} {
		b := append([]byte(nil), orig...)
		b[starts[tc.frame]+16+14+20+16] ^= 0x5a // the TCP checksum field
		path := filepath.Join(t.TempDir(), "damaged.pcap")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := File(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := verdicts(res), verdicts(base); got != want {
			t.Errorf("frame %d: verdicts %s, want %s", tc.frame, got, want)
		}
		var f result.Flow
		for _, g := range res.Flows.All() {
			if g.ID == 1 {
				f = *g // All reuses its value
			}
		}
		if !slices.Contains(f.Flags, "damaged-packets:1") {
			t.Errorf("frame %d: flags %v", tc.frame, f.Flags)
		}
		cited := false
		for _, e := range f.Evidence {
			cited = cited || e.Frame == tc.frame && en.Render(e.Text) == "the packet arrived damaged (a wrong TCP checksum): what it shows may not be what was sent"
		}
		if !cited {
			t.Errorf("frame %d: no evidence line for the damaged packet", tc.frame)
		}
		if r := en.Render(f.Reason); !strings.Contains(r, tc.reason) {
			t.Errorf("frame %d: reason %q, want it to hold %q", tc.frame, r, tc.reason)
		}
		if r := ja.Render(f.Reason); !strings.Contains(r, tc.inJa) {
			t.Errorf("frame %d: Japanese reason %q, want it to hold %q", tc.frame, r, tc.inJa)
		}
		warned := false
		for _, w := range res.Warnings {
			warned = warned || w.Code == "damaged-flows" && w.Frame == tc.frame &&
				strings.Contains(en.Render(w.Message), fmt.Sprintf("#1 from frame %d", tc.frame))
		}
		if !warned {
			t.Errorf("frame %d: no damaged-flows warning naming #1 and the frame: %v", tc.frame, res.Warnings)
		}
	}
}

// A record header whose original length no snaplen cut explains is damage, not a cut: in
// seed-reset-fleet.pcap (snaplen 262144), QA's 200 bytes of 0xff from offset 3000 give frame 13
// an original length of 4294967253 bytes for its 213 and its EtherType 0xffff; with the header's
// snaplen set to 268 (frame 6 holds 268 bytes), frame 6 made 400 bytes long is a packet the
// snaplen cut, and frame 12 (197 bytes) made 5000 bytes long is damage.
func TestDamagedRecordLength(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(ownCaptures, "seed-reset-fleet.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	_, starts := pcapFrames(t, orig)
	b := append([]byte(nil), orig...)
	for i := 3000; i < 3200; i++ {
		b[i] = 0xff
	}
	res := analyzeBytes(t, b)
	want := []wordedWarning{
		{Code: "record-damaged", Frame: 13, Message: "1 frame has a damaged record header (frame 13): frame 13 holds 213 bytes but gives an original length of 4294967253 bytes, more than any link carries (262144 bytes at most); it was read as the bytes captured, not as a packet the snaplen cut (Wireshark marks such a frame malformed)"},
		{Code: "undecodable-frames", Frame: 13, Message: "1 frame could not be decoded, as it carries EtherType 0xffff, which connscope does not decode (a protocol it cannot look into, or a type hit by corruption), and was skipped (frame 13)"},
	}
	if got := warningsOf(res, "record-damaged", "undecodable-frames", "snaplen-cut"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}

	b = append([]byte(nil), orig...)
	binary.LittleEndian.PutUint32(b[16:], 268)
	binary.LittleEndian.PutUint32(b[starts[6]+12:], 400)
	binary.LittleEndian.PutUint32(b[starts[12]+12:], 5000)
	res = analyzeBytes(t, b)
	want = []wordedWarning{
		{Code: "snaplen-cut", Message: "1 packet was cut by the capture's snaplen (268 bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0)"},
		{Code: "record-damaged", Frame: 12, Message: "1 frame has a damaged record header (frame 12): frame 12 holds 197 bytes but gives an original length of 5000 bytes, beyond the snaplen of 268 bytes: a packet the snaplen cut would hold 268 bytes; it was read as the bytes captured, not as a packet the snaplen cut (Wireshark marks such a frame malformed)"},
	}
	if got := warningsOf(res, "record-damaged", "undecodable-frames", "snaplen-cut"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}
}

// A frame stamped before the frame before it is warned about (time-back) by any amount, and a
// duration across it is worded as a time that went back, not as 0 ms: QA moved the RST of flow
// #4 in seed-reset-fleet.pcap (frame 64, 03:14:05.234981) to .234341, before its ClientHello
// (frame 62, .234841).
func TestTimeBack(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(ownCaptures, "seed-reset-fleet.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	_, starts := pcapFrames(t, orig)
	b := append([]byte(nil), orig...)
	if us := binary.LittleEndian.Uint32(b[starts[64]+4:]); us != 234981 {
		t.Fatalf("frame 64 at .%06d", us)
	}
	binary.LittleEndian.PutUint32(b[starts[64]+4:], 232841)
	res := analyzeBytes(t, b)
	want := []wordedWarning{{Code: "time-back", Frame: 64, Message: "frame 64 is stamped 2.0 ms before frame 63, the frame before it in the same capture: a clock set back, or frames written further out of time order than tcpdump's usual microseconds; durations across it are unreliable"}}
	if got := warningsOf(res, "time-back", "time-jump"); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %+v\nwant %+v", got, want)
	}
	f := res.Flows.At(3)
	var rst string
	for _, e := range f.Evidence {
		if e.Frame == 64 {
			rst = say(e.Text)
		}
	}
	if want := "RST from the server −2.0 ms (stamped 2.0 ms earlier: the capture's clock went back, or its frames are out of time order) after the ClientHello, with no ServerHello or alert before it"; rst != want {
		t.Errorf("frame 64's evidence %q, want %q", rst, want)
	}
	if got, want := say(f.Reason), "the client offers at most TLS 1.0, and in other connections in this capture (all from other client hosts, none from 10.77.1.5) this server chose only higher versions (TLS 1.2 in 3 handshakes, e.g. flow #1); "+
		"it reset the connection −2.0 ms (stamped 2.0 ms earlier: the capture's clock went back, or its frames are out of time order) after the ClientHello, without a ServerHello or an alert: "+
		"no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (9 suites), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), "+
		"so a server that allows TLS 1.0 but none of these suites would fail it the same way"; got != want {
		t.Errorf("reason %q\nwant   %q", got, want)
	}
	if got := warningsOf(analyzeBytes(t, orig), "time-back"); got != nil {
		t.Errorf("the capture as shipped: %+v", got)
	}
	// 510 µs back, under BackTolerance: no warning (tcpdump's reorders are of that order), but the
	// duration quoted still says that it goes back.
	binary.LittleEndian.PutUint32(b[starts[64]+4:], 234341)
	res = analyzeBytes(t, b)
	if got := warningsOf(res, "time-back"); got != nil {
		t.Errorf("510 µs back: %+v", got)
	}
	for _, e := range res.Flows.At(3).Evidence {
		if want := "RST from the server −500 µs (stamped 500 µs earlier: the capture's clock went back, or its frames are out of time order) after the ClientHello, with no ServerHello or alert before it"; e.Frame == 64 && say(e.Text) != want {
			t.Errorf("510 µs back: frame 64's evidence %q, want %q", say(e.Text), want)
		}
	}
}
