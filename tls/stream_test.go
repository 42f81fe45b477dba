package tls

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestStreamCaptures(t *testing.T) {
	for _, tc := range streamCases {
		c := loadCapture(t, tc.capture)
		segs := c.client
		if tc.server {
			segs = c.server
		}
		evs, s := feedAll(tc.limit, segs)
		name := fmt.Sprintf("%s server=%v limit=%d", tc.capture, tc.server, tc.limit)
		if got := describeAll(evs); !slices.Equal(got, tc.events) {
			t.Errorf("%s: events\n got %q\nwant %q", name, got, tc.events)
		}
		if s.Done() != tc.done {
			t.Errorf("%s: Done = %v, want %v", name, s.Done(), tc.done)
		}
		partial := ""
		if typ, have, want, ok := s.Partial(); ok {
			partial = fmt.Sprintf("%v %d/%d", typ, have, want)
		}
		if partial != tc.partial {
			t.Errorf("%s: Partial = %q, want %q", name, partial, tc.partial)
		}
		for _, ev := range evs {
			if ev.Kind == EventHandshake && !ev.Encrypted &&
				(ev.HandshakeType == HandshakeClientHello) != (ev.ClientHello != nil) {
				t.Errorf("%s: %s: ClientHello = %v", name, describe(ev), ev.ClientHello)
			}
			if ev.Kind == EventHandshake && !ev.Encrypted &&
				(ev.HandshakeType == HandshakeServerHello) != (ev.ServerHello != nil) {
				t.Errorf("%s: %s: ServerHello = %v", name, describe(ev), ev.ServerHello)
			}
		}
	}
}

// TestStreamEventDetails checks the hello and alert contents the Stream hands out for a few
// captures.
func TestStreamEventDetails(t *testing.T) {
	first := func(evs []Event, kind EventKind, typ HandshakeType) *Event {
		for i := range evs {
			if evs[i].Kind == kind && (kind != EventHandshake || evs[i].HandshakeType == typ) {
				return &evs[i]
			}
		}
		return nil
	}
	cases := []struct {
		capture string
		server  bool
		check   func(evs []Event) string // "" when fine
	}{
		{"lo_tls13_go", false, func(evs []Event) string {
			ch := first(evs, EventHandshake, HandshakeClientHello).ClientHello
			if ch.ServerName != "connscope.test" || !slices.Equal(ch.KeyShareGroups, []Group{GroupX25519MLKEM768, GroupX25519}) ||
				!slices.Equal(ch.ALPN, []string{"h2", "http/1.1"}) || ch.HighestVersion() != VersionTLS13 {
				return fmt.Sprintf("%+v", ch)
			}
			return ""
		}},
		{"lo_hrr", true, func(evs []Event) string {
			var hellos []string
			for _, ev := range evs {
				if ev.ServerHello != nil {
					hellos = append(hellos, fmt.Sprintf("hrr=%v group=%v version=%v", ev.ServerHello.HelloRetryRequest,
						ev.ServerHello.KeyShareGroup, ev.ServerHello.ChosenVersion()))
				}
			}
			if want := []string{"hrr=true group=x25519 version=TLS 1.3", "hrr=false group=x25519 version=TLS 1.3"}; !slices.Equal(hellos, want) {
				return fmt.Sprint(hellos)
			}
			return ""
		}},
		{"lo_hrr", false, func(evs []Event) string {
			var groups []string
			for _, ev := range evs {
				if ev.ClientHello != nil {
					groups = append(groups, fmt.Sprint(ev.ClientHello.KeyShareGroups))
				}
			}
			if want := []string{"[secp256r1]", "[x25519]"}; !slices.Equal(groups, want) {
				return fmt.Sprint(groups)
			}
			return ""
		}},
		{"lo_tls13_unknown_ca", false, func(evs []Event) string {
			a := first(evs, EventAlert, 0)
			if a.Encrypted || a.Alert != (Alert{AlertLevelFatal, AlertUnknownCA}) || !a.Alert.IsCertificateRejection() || a.Length != 2 {
				return fmt.Sprintf("%+v", a)
			}
			return ""
		}},
		{"lo_protocol_version", true, func(evs []Event) string {
			a := first(evs, EventAlert, 0)
			if a.RecordVersion != VersionTLS10 || a.Alert != (Alert{AlertLevelFatal, AlertProtocolVersion}) {
				return fmt.Sprintf("%+v", a)
			}
			return ""
		}},
		{"ssl_v2", true, func(evs []Event) string {
			sh := first(evs, EventHandshake, HandshakeServerHello).ServerHello
			if !sh.SSLv2 || sh.ChosenVersion() != VersionSSL20 || sh.SSLv2CipherSpecs != 6 {
				return fmt.Sprintf("%+v", sh)
			}
			return ""
		}},
		{"lo_sslv2hello_tls12", false, func(evs []Event) string {
			ev := first(evs, EventHandshake, HandshakeClientHello)
			if !ev.ClientHello.SSLv2 || ev.RecordVersion != VersionSSL20 || ev.ClientHello.LegacyVersion != VersionTLS12 {
				return fmt.Sprintf("%+v", ev)
			}
			return ""
		}},
		{"lo_plain_http", false, func(evs []Event) string {
			if !bytes.HasPrefix(evs[0].Prefix, []byte("GET /officescan/cgi/isapiClient.dll HTTP/1.1\r\n")) || len(evs[0].Prefix) != 64 {
				return fmt.Sprintf("%q", evs[0].Prefix)
			}
			return ""
		}},
	}
	for _, tc := range cases {
		c := loadCapture(t, tc.capture)
		segs := c.client
		if tc.server {
			segs = c.server
		}
		evs, _ := feedAll(0, segs)
		if msg := tc.check(evs); msg != "" {
			t.Errorf("%s server=%v: %s", tc.capture, tc.server, msg)
		}
	}
}

// allDirections returns every direction of every capture in testdata.
func allDirections(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	for name := range captureSet(t) {
		c := loadCapture(t, name)
		out[name+" client"] = join(c.client)
		out[name+" server"] = join(c.server)
	}
	return out
}

// captureSet returns the names of the captures in testdata.
func captureSet(t testing.TB) map[string]bool {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatal("no captures", err)
	}
	out := map[string]bool{}
	for _, f := range files {
		out[strings.TrimSuffix(filepath.Base(f), ".txt")] = true
	}
	return out
}

// outcome is everything a run of a Stream produced, for comparing runs.
type outcome struct {
	events  []string
	hellos  []any
	done    bool
	offset  int64
	partial string
}

func run(stream []byte, limit int, split func(b []byte) [][]byte) outcome {
	s := NewStream(limit)
	var o outcome
	for _, piece := range split(stream) {
		for _, ev := range s.Feed(piece) {
			if ev.Kind == EventNotTLS {
				// The prefix holds what had arrived when the Stream decided; it must be the
				// stream's beginning.
				if !bytes.HasPrefix(stream, ev.Prefix) || len(ev.Prefix) == 0 || len(ev.Prefix) > maxPrefix {
					o.events = append(o.events, "bad prefix")
				}
				ev.Prefix, ev.End = nil, 0
			}
			o.events = append(o.events, describe(ev))
			if ev.ClientHello != nil {
				o.hellos = append(o.hellos, *ev.ClientHello)
			}
			if ev.ServerHello != nil {
				o.hellos = append(o.hellos, *ev.ServerHello)
			}
		}
	}
	o.done = s.Done()
	if typ, have, want, ok := s.Partial(); ok {
		o.partial = fmt.Sprintf("%v %d/%d", typ, have, want)
	}
	if !o.done {
		o.offset = s.Offset()
	}
	return o
}

func whole(b []byte) [][]byte { return [][]byte{b} }

func bytewise(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

func randomSplits(seed uint64) func(b []byte) [][]byte {
	return func(b []byte) [][]byte {
		r := rand.New(rand.NewPCG(seed, seed))
		var out [][]byte
		for len(b) > 0 {
			n := min(len(b), 1+r.IntN(700))
			if r.IntN(4) == 0 {
				n = min(len(b), 1+r.IntN(8))
			}
			out = append(out, b[:n])
			b = b[n:]
		}
		return out
	}
}

// TestStreamSplits feeds every capture whole, one byte at a time, and in random pieces: the
// events, hellos, Done, Offset and Partial must not depend on how the bytes arrive.
func TestStreamSplits(t *testing.T) {
	for name, stream := range allDirections(t) {
		for _, limit := range []int{0, 300, 1 << 20} {
			want := run(stream, limit, whole)
			splits := map[string]func([]byte) [][]byte{"bytewise": bytewise}
			for seed := uint64(1); seed <= 4; seed++ {
				splits[fmt.Sprintf("random %d", seed)] = randomSplits(seed)
			}
			for sname, split := range splits {
				got := run(stream, limit, split)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s limit %d, %s:\n got %+v\nwant %+v", name, limit, sname, got, want)
				}
			}
		}
	}
}

// records re-reads a TLS stream's record framing: each record's type, version and payload.
type record struct {
	typ  ContentType
	vers [2]byte
	p    []byte
}

func records(b []byte) (recs []record, rest []byte) {
	for len(b) >= 5 {
		n := int(b[3])<<8 | int(b[4])
		if len(b) < 5+n {
			break
		}
		recs = append(recs, record{ContentType(b[0]), [2]byte{b[1], b[2]}, b[5 : 5+n]})
		b = b[5+n:]
	}
	return recs, b
}

// refragment re-frames the plaintext handshake bytes of a real stream (those before the first
// change_cipher_spec) into records of at most size bytes, as RFC 8446, Section 5.1 allows.
func refragment(b []byte, size int) []byte {
	recs, rest := records(b)
	var out, hs []byte
	var vers [2]byte
	flush := func() {
		for len(hs) > 0 {
			n := min(size, len(hs))
			out = append(out, byte(ContentHandshake), vers[0], vers[1], byte(n>>8), byte(n))
			out = append(out, hs[:n]...)
			hs = hs[n:]
		}
	}
	ccs := false
	for _, r := range recs {
		if r.typ == ContentChangeCipherSpec {
			ccs = true
		}
		if r.typ == ContentHandshake && !ccs {
			if len(hs) == 0 {
				vers = r.vers
			}
			hs = append(hs, r.p...)
			continue
		}
		flush()
		out = append(out, byte(r.typ), r.vers[0], r.vers[1], byte(len(r.p)>>8), byte(len(r.p)))
		out = append(out, r.p...)
	}
	flush()
	return append(out, rest...)
}

// TestStreamRefragmented checks that handshake messages are found whatever the record
// boundaries: one message over many records, a header split across records, several messages
// in one record.
func TestStreamRefragmented(t *testing.T) {
	messages := func(stream []byte) []string {
		evs, _ := feedAll(1<<20, [][]byte{stream})
		var out []string
		for _, ev := range evs {
			d := fmt.Sprintf("%v %v len=%d encrypted=%v", ev.Kind, ev.HandshakeType, ev.Length, ev.Encrypted)
			if ev.ClientHello != nil {
				d += fmt.Sprintf(" %+v", *ev.ClientHello)
			}
			if ev.ServerHello != nil {
				d += fmt.Sprintf(" %+v", *ev.ServerHello)
			}
			out = append(out, d)
		}
		return out
	}
	for _, tc := range []struct {
		capture string
		server  bool
	}{
		{"lo_tls12", true}, {"tls12", true}, {"lo_tls12_certchain", true}, {"lo_tls13_go", false},
		{"tls10_extensions", true}, {"lo_downgrade_tls11", true},
	} {
		c := loadCapture(t, tc.capture)
		stream := join(c.client)
		if tc.server {
			stream = join(c.server)
		}
		want := messages(stream)
		for _, size := range []int{1, 2, 3, 4, 5, 7, 100, 1000, 16384} {
			refr := refragment(stream, size)
			if got := messages(refr); !slices.Equal(got, want) {
				t.Errorf("%s in records of %d bytes:\n got %q\nwant %q", tc.capture, size, got, want)
			}
		}
	}
}

func TestStreamRecordSpanAndOffsets(t *testing.T) {
	// The ServerHello of lo_tls12 re-framed into 10-byte records: the message starts in the
	// first record and ends in the 7th (65 bytes), so Start is 0 and End the 7th record's end.
	c := loadCapture(t, "lo_tls12")
	stream := refragment(join(c.server), 10)
	evs, s := feedAll(0, [][]byte{stream})
	if got := describe(evs[0]); got != "0-105 server_hello len=61 rec=TLS 1.2" {
		t.Errorf("first event %q", got)
	}
	if s.Offset() != int64(len(stream)) {
		t.Errorf("Offset = %d, want %d", s.Offset(), len(stream))
	}
	for _, ev := range evs {
		if ev.Start >= ev.End || ev.End > s.Offset() {
			t.Errorf("bad span %s", describe(ev))
		}
	}
}

// clientHelloRecord is the first record of testdata/lo_protocol_version: an OpenSSL TLS 1.0
// ClientHello of 104 bytes.
func clientHelloRecord(t *testing.T) []byte {
	return loadCapture(t, "lo_protocol_version").client[0]
}

func TestStreamFramingErrors(t *testing.T) {
	ch := clientHelloRecord(t)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name   string
		stream []byte
		events []string
		kind   error
	}{
		{"invalid content type mid-stream", cat(ch, []byte{0x63, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}),
			[]string{"0-104 client_hello len=95 rec=TLS 1.0", "104-109 error invalid record content type 99 at stream offset 104"}, ErrContentType},
		{"record length over the maximum", cat(ch, []byte{0x17, 0x03, 0x03, 0x9c, 0x40}),
			[]string{"0-104 client_hello len=95 rec=TLS 1.0", "104-109 error record length 40000 exceeds the TLS maximum 18432"}, ErrRecordOverflow},
		{"invalid record version", cat(ch, []byte{0x15, 0x05, 0x01, 0x00, 0x02, 0x02, 0x28}),
			[]string{"0-104 client_hello len=95 rec=TLS 1.0", "104-109 error invalid record version 0x0501 at stream offset 104"}, ErrRecordVersion},
		{"first record over the maximum", []byte{0x16, 0x03, 0x01, 0xff, 0xff, 0x01},
			[]string{"0-5 error record length 65535 exceeds the TLS maximum 18432"}, ErrRecordOverflow},
		{"a malformed ClientHello", cat(ch[:5], []byte{0x01, 0x00, 0x00, 0x5b}, ch[9:]),
			[]string{"0-104 client_hello len=91 err=malformed client_hello: extensions: overrun at offset 61 (declared 36, available 32) rec=TLS 1.0"}, ErrMalformed},
	}
	for _, tc := range cases {
		for _, split := range []func([]byte) [][]byte{whole, bytewise} {
			evs, s := feedAll(0, split(tc.stream))
			if got := describeAll(evs); !slices.Equal(got, tc.events) {
				t.Errorf("%s: events\n got %q\nwant %q", tc.name, got, tc.events)
				continue
			}
			last := evs[len(evs)-1]
			if !errors.Is(last.Err, tc.kind) {
				t.Errorf("%s: error %v is not %v", tc.name, last.Err, tc.kind)
			}
			if last.Kind == EventError && !s.Done() {
				t.Errorf("%s: not Done after an error", tc.name)
			}
			if got := s.Feed(ch); last.Kind == EventError && got != nil {
				t.Errorf("%s: events after the error: %v", tc.name, got)
			}
		}
	}
}

func TestStreamNotTLS(t *testing.T) {
	long := "GET /officescan/cgi/cgiOnStart.exe?id=1234567890 HTTP/1.1\r\nHost: server:4343\r\n\r\n"
	cases := []struct {
		name   string
		stream string
		prefix string // "" for no NotTLS event
		done   bool
	}{
		{"HTTP request", "GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", true},
		{"long HTTP request", long, long[:64], true},
		{"SSH banner", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", true},
		{"handshake type, SSL 2 version bytes", "\x16\x02\x00\x00\x05", "\x16\x02\x00\x00\x05", true},
		{"handshake type, version 3.9", "\x16\x03\x09\x00\x05", "\x16\x03\x09\x00\x05", true},
		{"SSLv2 header, too short for a CLIENT-HELLO", "\x80\x05\x01\x00\x02\x00\x00", "\x80\x05\x01\x00\x02\x00\x00", true},
		{"SSLv2 header, message type 2", "\x80\x30\x02\x03\x01", "\x80\x30\x02\x03\x01", true},
		{"SSLv2 CLIENT-HELLO with version 0x0400", "\x80\x30\x01\x04\x00", "\x80\x30\x01\x04\x00", true},
		{"SSLv2 SERVER-HELLO with session id hit 5", "\x83\xb4\x04\x05\x01\x00\x02", "\x83\xb4\x04\x05\x01\x00\x02", true},
		{"zeros", "\x00\x00\x00\x00\x00\x00\x00\x00", "\x00\x00\x00\x00\x00\x00\x00\x00", true},
		{"nothing yet", "", "", false},
		{"one byte of a record header", "\x16", "", false},
		{"two bytes of a record header", "\x16\x03", "", false},
		{"a whole record header", "\x16\x03\x01\x02\x00", "", false},
		{"the start of an SSLv2 CLIENT-HELLO", "\x80\x2e\x01\x00", "", false},
		{"the start of an SSLv2 SERVER-HELLO", "\x83\xb4\x04\x00\x01\x00", "", false},
		{"a GnuTLS alert to plain HTTP", "\x15\x03\x03\x00\x02\x02\x0a", "", false},
	}
	for _, tc := range cases {
		evs, s := feedAll(0, [][]byte{[]byte(tc.stream)})
		var prefix string
		for _, ev := range evs {
			if ev.Kind == EventNotTLS {
				prefix = string(ev.Prefix)
				if ev.Start != 0 || ev.End != int64(len(prefix)) {
					t.Errorf("%s: span %d-%d", tc.name, ev.Start, ev.End)
				}
			}
		}
		if prefix != tc.prefix || s.Done() != tc.done {
			t.Errorf("%s: prefix %q done %v; want %q %v", tc.name, prefix, s.Done(), tc.prefix, tc.done)
		}
	}
	// The GnuTLS answer to plain HTTP (FIELD-NOTES) is a plaintext alert.
	evs, _ := feedAll(0, [][]byte{[]byte("\x15\x03\x03\x00\x02\x02\x0a")})
	if got := describeAll(evs); !slices.Equal(got, []string{"0-7 alert fatal unexpected_message rec=TLS 1.2"}) {
		t.Errorf("GnuTLS alert: %q", got)
	}
}

func TestStreamRecordKinds(t *testing.T) {
	ch := clientHelloRecord(t)
	ccs := []byte{0x14, 0x03, 0x03, 0x00, 0x01, 0x01}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name   string
		stream []byte
		events []string
	}{
		{"zero-length handshake record is ignored", cat([]byte{0x16, 0x03, 0x01, 0x00, 0x00}, ch),
			[]string{"5-109 client_hello len=95 rec=TLS 1.0"}},
		{"an alert of 4 bytes is encrypted", cat(ch, []byte{0x15, 0x03, 0x01, 0x00, 0x04, 0x02, 0x28, 0x02, 0x28}),
			[]string{"0-104 client_hello len=95 rec=TLS 1.0", "104-113 alert encrypted len=4 rec=TLS 1.0"}},
		{"a 2-byte alert after change_cipher_spec is plaintext", cat(ch, ccs, []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00}),
			[]string{"0-104 client_hello len=95 rec=TLS 1.0", "104-110 change_cipher_spec rec=TLS 1.2", "110-117 alert warning close_notify rec=TLS 1.2"}},
		{"heartbeat before and after change_cipher_spec", cat([]byte{0x18, 0x03, 0x03, 0x00, 0x03, 0x01, 0x00, 0x00}, ccs, []byte{0x18, 0x03, 0x03, 0x00, 0x01, 0x77}),
			[]string{"0-8 heartbeat len=3 rec=TLS 1.2", "8-14 change_cipher_spec rec=TLS 1.2", "14-20 heartbeat len=1 encrypted rec=TLS 1.2"}},
		{"handshake after change_cipher_spec is encrypted", cat(ccs, []byte{0x16, 0x03, 0x03, 0x00, 0x04, 0x14, 0x00, 0x00, 0x0c}),
			[]string{"0-6 change_cipher_spec rec=TLS 1.2", "6-15 handshake encrypted len=4 rec=TLS 1.2"}},
		{"a ClientHello after change_cipher_spec is plaintext", cat(ccs, ch),
			[]string{"0-6 change_cipher_spec rec=TLS 1.2", "6-110 client_hello len=95 rec=TLS 1.0"}},
		{"empty application data", cat(ch, []byte{0x17, 0x03, 0x03, 0x00, 0x00}),
			[]string{"0-104 client_hello len=95 rec=TLS 1.0", "104-109 application_data len=0 rec=TLS 1.2"}},
		{"draft record version", []byte{0x15, 0x7f, 0x12, 0x00, 0x02, 0x02, 0x46},
			[]string{"0-7 alert fatal protocol_version rec=TLS 1.3 draft 18"}},
		{"SSL 3.0 record", []byte{0x15, 0x03, 0x00, 0x00, 0x02, 0x02, 0x28},
			[]string{"0-7 alert fatal handshake_failure rec=SSL 3.0"}},
	}
	for _, tc := range cases {
		evs, _ := feedAll(0, bytewise(tc.stream))
		if got := describeAll(evs); !slices.Equal(got, tc.events) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.events)
		}
	}
}

func TestStreamPartial(t *testing.T) {
	goClient := join(loadCapture(t, "lo_tls13_go").client)
	chain := join(loadCapture(t, "lo_tls12_certchain").server)
	tls12 := join(loadCapture(t, "tls12").server)
	v2 := join(loadCapture(t, "ssl_v2").client)
	cases := []struct {
		name   string
		stream []byte
		cut    int
		want   string
	}{
		{"nothing", goClient, 0, ""},
		{"3 bytes of the record header", goClient, 3, ""},
		{"the record header only", goClient, 5, ""},
		{"1 byte of the handshake header", goClient, 6, "client_hello 0/0"},
		{"the handshake header", goClient, 9, "client_hello 0/1515"},
		{"ClientHello 1191 of 1515 bytes", goClient, 1200, "client_hello 1191/1515"},
		{"ClientHello missing its last byte", goClient, 1523, "client_hello 1514/1515"},
		{"ClientHello complete", goClient, 1524, ""},
		{"Certificate in its first record", chain, 10000, "certificate 9921/18151"},
		{"Certificate in its second record", chain, 16500, "certificate 16416/18151"},
		{"record cut after a whole Certificate, before ServerHelloDone", tls12, 3923, ""},
		{"record cut inside the ServerHelloDone header", tls12, 3925, "server_hello_done 0/0"},
		{"SSLv2 CLIENT-HELLO", v2, 20, "client_hello 17/45"},
		{"SSLv2 header only", v2, 2, ""},
	}
	for _, tc := range cases {
		for _, split := range []func([]byte) [][]byte{whole, bytewise} {
			_, s := feedAll(0, split(tc.stream[:tc.cut]))
			got := ""
			if typ, have, want, ok := s.Partial(); ok {
				got = fmt.Sprintf("%v %d/%d", typ, have, want)
			}
			if got != tc.want {
				t.Errorf("%s (cut at %d): Partial = %q, want %q", tc.name, tc.cut, got, tc.want)
			}
		}
	}
}

func TestStreamLimitAndGap(t *testing.T) {
	openssl := loadCapture(t, "lo_tls13_openssl").client // ClientHello record of 338 bytes first
	stream := join(openssl)

	s := NewStream(100)
	if evs := s.Feed(stream); len(evs) != 0 || !s.Done() || s.Offset() != 100 {
		t.Errorf("limit 100: %q done=%v offset=%d", describeAll(evs), s.Done(), s.Offset())
	}
	if typ, have, want, ok := s.Partial(); !ok || typ != HandshakeClientHello || have != 91 || want != 329 {
		t.Errorf("limit 100: Partial = %v %d %d %v", typ, have, want, ok)
	}

	s = NewStream(338)
	evs := s.Feed(stream)
	if got := describeAll(evs); !slices.Equal(got, []string{"0-338 client_hello len=329 rec=TLS 1.0"}) || !s.Done() {
		t.Errorf("limit 338: %q done=%v", got, s.Done())
	}

	if s := NewStream(0); s.limit != DefaultStreamLimit || NewStream(-5).limit != DefaultStreamLimit {
		t.Errorf("default limit %d", s.limit)
	}

	s = NewStream(0)
	if evs := s.Feed(stream[:200]); len(evs) != 0 {
		t.Errorf("events before the gap: %v", evs)
	}
	s.Gap()
	if !s.Done() || s.Feed(stream[200:]) != nil {
		t.Error("events after a gap")
	}
	if typ, have, want, ok := s.Partial(); !ok || typ != HandshakeClientHello || have != 191 || want != 329 {
		t.Errorf("after gap: Partial = %v %d %d %v", typ, have, want, ok)
	}
}

// TestStreamTooLargeHello builds a ClientHello of 70000 bytes from a real one by listing a
// suite 16000 times and adding a padding extension (RFC 7685): it is counted, not buffered,
// and reported with an error.
func TestStreamTooLargeHello(t *testing.T) {
	base := mustHex(t, wolfsslHello)
	msg := bytes.Clone(base[:39]) // through the empty session id
	msg = append(msg, 0x7d, 0x00) // 32000 bytes of cipher suites
	msg = append(msg, bytes.Repeat([]byte{0x13, 0x02}, 16000)...)
	msg = append(msg, base[43:45]...) // compression methods
	exts := bytes.Clone(base[47:])
	pad := 70000 - (len(msg) + 2 + len(exts) + 4)
	exts = append(exts, 0x00, 0x15, byte(pad>>8), byte(pad))
	exts = append(exts, make([]byte, pad)...)
	msg = append(msg, byte(len(exts)>>8), byte(len(exts)))
	msg = append(msg, exts...)
	n := len(msg) - 4
	msg[1], msg[2], msg[3] = byte(n>>16), byte(n>>8), byte(n)
	var m ClientHello
	if !m.Unmarshal(msg) || len(m.CipherSuites) != 16000 || len(m.Extensions) != 7 || len(msg) != 70000 {
		t.Fatal("the padded ClientHello does not parse")
	}
	var stream []byte
	for p := msg; len(p) > 0; {
		k := min(len(p), 16384)
		stream = append(stream, 0x16, 0x03, 0x01, byte(k>>8), byte(k))
		stream = append(stream, p[:k]...)
		p = p[k:]
	}
	s := NewStream(1 << 20)
	evs := s.Feed(stream[:40000])
	if typ, have, want, ok := s.Partial(); len(evs) != 0 || !ok || typ != HandshakeClientHello || want != 69996 || have != 40000-3*5-4 {
		t.Errorf("midway: %v; Partial %v %d/%d %v", evs, typ, have, want, ok)
	}
	if cap(s.hs) > 64 {
		t.Errorf("handshake buffer grew to %d bytes", cap(s.hs))
	}
	evs = s.Feed(stream[40000:])
	want := []string{"0-70025 client_hello len=69996 err=client_hello of 69996 bytes exceeds the 65536-byte parse limit rec=TLS 1.0"}
	if got := describeAll(evs); !slices.Equal(got, want) || !errors.Is(evs[0].Err, ErrMessageTooLarge) {
		t.Errorf("got %q", got)
	}
}

// TestStreamMemoryBound feeds long streams and checks the buffers stay within their caps.
func TestStreamMemoryBound(t *testing.T) {
	// 4 MB of maximum-size application data records.
	rec := append([]byte{0x17, 0x03, 0x03, byte(MaxRecordPayload >> 8), byte(MaxRecordPayload & 0xff)}, make([]byte, MaxRecordPayload)...)
	// Their bodies are counted, not buffered: the record buffer holds a header at most.
	s := NewStream(8 << 20)
	n := 4 << 20 / len(rec)
	for i := 0; i < n; i++ {
		for _, part := range [][]byte{rec[:3], rec[3:1000], rec[1000:]} {
			for _, ev := range s.Feed(part) {
				if ev.Kind != EventApplicationData || !ev.Encrypted || ev.Length != MaxRecordPayload ||
					ev.Start != int64(i*len(rec)) || ev.End != int64((i+1)*len(rec)) {
					t.Fatalf("record %d: event %s", i, describe(ev))
				}
			}
		}
		if s.Offset() != int64((i+1)*len(rec)) {
			t.Fatalf("record %d: Offset %d", i, s.Offset())
		}
	}
	if c := cap(s.buf); c > 64 {
		t.Errorf("record buffer capacity %d after %d application_data records fed in pieces", c, n)
	}
	// A handshake record is buffered whole, and no more.
	hs := append([]byte{0x16, 0x03, 0x03, 0x10, 0x00}, make([]byte, 0x1000)...)
	s = NewStream(8 << 20)
	s.Feed(hs[:100])
	if c := cap(s.buf); c < 100 || c > 2*len(hs) {
		t.Errorf("record buffer capacity %d for part of a handshake record", c)
	}
	// A handshake header claiming 16 MB allocates nothing of that size.
	s = NewStream(8 << 20)
	s.Feed([]byte{0x16, 0x03, 0x03, 0x00, 0x08, 0x0b, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00})
	if typ, have, want, ok := s.Partial(); !ok || typ != HandshakeCertificate || have != 4 || want != 0xffffff || cap(s.hs) > 64 {
		t.Errorf("Partial %v %d/%d %v, cap %d", typ, have, want, ok, cap(s.hs))
	}
}

// TestStreamNoAliasing checks that events do not refer to the bytes given to Feed.
func TestStreamNoAliasing(t *testing.T) {
	src := join(loadCapture(t, "lo_tls13_go").client)
	b := bytes.Clone(src)
	evs := slices.Clone(NewStream(0).Feed(b))
	ch := evs[0].ClientHello
	random, sessionID, sni := bytes.Clone(ch.Random), bytes.Clone(ch.SessionID), ch.ServerName
	clear(b)
	if !bytes.Equal(ch.Random, random) || !bytes.Equal(ch.SessionID, sessionID) || ch.ServerName != sni ||
		!bytes.Equal(random, src[11:43]) {
		t.Error("ClientHello changed with the caller's buffer")
	}
	http := []byte("GET / HTTP/1.1\r\n\r\n")
	ev := NewStream(0).Feed(http)[0]
	clear(http)
	if string(ev.Prefix) != "GET / HTTP/1.1\r\n\r\n" {
		t.Errorf("Prefix changed: %q", ev.Prefix)
	}
}

// TestStreamAppendEvents feeds both directions of every capture, interleaved, through
// AppendEvents with one buffer shared by the two Streams: the events must be Feed's.
func TestStreamAppendEvents(t *testing.T) {
	for name := range captureSet(t) {
		c := loadCapture(t, name)
		dirs := [2][][]byte{c.client, c.server}
		var want [2][]string
		for d := range dirs {
			evs, _ := feedAll(0, dirs[d])
			want[d] = describeAll(evs)
		}
		streams := [2]*Stream{NewStream(0), NewStream(0)}
		var got [2][]string
		var buf []Event
		for i := 0; i < len(dirs[0]) || i < len(dirs[1]); i++ {
			for d := range dirs {
				if i >= len(dirs[d]) {
					continue
				}
				buf = streams[d].AppendEvents(buf[:0], dirs[d][i])
				got[d] = append(got[d], describeAll(buf)...)
			}
		}
		for d := range dirs {
			if !slices.Equal(got[d], want[d]) {
				t.Errorf("%s direction %d:\n got %q\nwant %q", name, d, got[d], want[d])
			}
		}
	}
}

// TestStreamReset feeds every direction of every capture to one Stream, Reset between them:
// each must come out as from a new Stream, whatever the Stream parsed before.
func TestStreamReset(t *testing.T) {
	s := NewStream(0)
	for name, stream := range allDirections(t) {
		for _, limit := range []int{0, 300} {
			s.Reset(limit)
			var got []string
			for _, piece := range randomSplits(7)(stream) {
				got = append(got, describeAll(s.Feed(piece))...)
			}
			evs, fresh := feedAll(limit, randomSplits(7)(stream))
			if want := describeAll(evs); !slices.Equal(got, want) || s.Done() != fresh.Done() || s.Offset() != fresh.Offset() {
				t.Errorf("%s limit %d after Reset:\n got %q\nwant %q", name, limit, got, want)
			}
		}
	}
}
