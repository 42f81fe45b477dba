package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/pcapedit"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// TestRecordCodecRoundTrip: every record of every capture of testdata and ../shared/captures
// reads back from its compact form as it was; and the compact form is small.
func TestRecordCodecRoundTrip(t *testing.T) {
	var paths []string
	for _, glob := range []string{filepath.Join(ownCaptures, "*.pcap*"), filepath.Join(ownCaptures, "accuracy", "*.pcap"), filepath.Join(sharedCaptures, "*", "*.pcap*"), "../capture/testdata/*.pcap*"} {
		m, _ := filepath.Glob(glob)
		for _, p := range m {
			if filepath.Ext(p) != ".tsv" {
				paths = append(paths, p)
			}
		}
	}
	var codec facts.Codec
	// One scratch reads back every record in turn (Codec.DecodeScratch): each comes out whole,
	// with nothing left of the one before (TLS facts after a record without, alerts after none).
	var scratch facts.Scratch
	n, size, tlsAfterOther, otherAfterTLS := 0, 0, 0, 0
	prevTLS := false
	for _, path := range paths {
		for _, c := range recordsOf(t, path) {
			b := codec.Encode(nil, c)
			got, err := codec.Decode(b)
			if err != nil {
				t.Fatalf("%s flow %d: %v", path, c.ID, err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Errorf("%s flow %d: read back\n%+v\nwant\n%+v", path, c.ID, got, c)
			}
			got, err = codec.DecodeScratch(b, &scratch)
			if err != nil {
				t.Fatalf("%s flow %d into scratch: %v", path, c.ID, err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Errorf("%s flow %d: read back into scratch\n%+v\nwant\n%+v", path, c.ID, got, c)
			}
			switch isTLS := c.TLS != nil; {
			case isTLS && !prevTLS:
				tlsAfterOther++
			case !isTLS && prevTLS:
				otherAfterTLS++
			}
			prevTLS = c.TLS != nil
			n++
			size += len(b)
		}
	}
	if n < 200 || tlsAfterOther < 10 || otherAfterTLS < 10 {
		t.Fatalf("only %d records (%d with TLS facts after one without, %d the other way)", n, tlsAfterOther, otherAfterTLS)
	}
	t.Logf("%d records, %d bytes each on average", n, size/n)
}

// TestRecordCodecFarTimes: records whose packets lie years apart (four damaged bytes of a
// pcapng timestamp put a frame in the year 11103) read back as they were: the compact form
// writes such a time in seconds and nanoseconds apart, where nanoseconds from the base would
// overflow.
func TestRecordCodecFarTimes(t *testing.T) {
	b, err := os.ReadFile("../testdata/captures/edited/seed-reset-fleet.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	for _, frame := range []int{1, 62, 72} {
		if _, err := pcapedit.SetTimestampHigh(b, frame, 0x04000000); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "far.pcapng")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	recs := recordsOf(t, path)
	var codec facts.Codec
	far := 0
	for _, c := range recs {
		got, err := codec.Decode(codec.Encode(nil, c))
		if err != nil {
			t.Fatalf("flow %d: %v", c.ID, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("flow %d: read back\n%+v\nwant\n%+v", c.ID, got, c)
		}
		for _, lp := range got.Ladder {
			if lp.At.Time().Year() == 11103 {
				far++
			}
		}
	}
	if len(recs) != 5 || far != 2 {
		t.Errorf("%d records, %d ladder packets in the year 11103; want 5 and 2 (frames 62 and 72)", len(recs), far)
	}
}

// TestRecordCodecHelloErr: the code of a ClientHello that did not parse reads back as it was
// written: malformed, in tls12-ok.pcap with its ClientHello broken (pcapedit.BreakClientHello:
// the cipher_suites length (tshark: 56, after an empty session id), at offset 39 of the message, made 57), with the field where it
// stopped; too long to parse, with its length; and a ServerHello's, beside the ClientHello's
// (the same record with those codes set).
func TestRecordCodecHelloErr(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(ownCaptures, "tls12-ok.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pcapedit.BreakClientHello(b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "unparsable-hello.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	recs := recordsOf(t, path)
	broken := facts.HelloErr{Kind: facts.HelloErrMalformed, Field: tls.FieldCipherSuites, Problem: tls.ProblemOddLength,
		Offset: 39, Declared: 57}
	if len(recs) != 1 || recs[0].TLS == nil || recs[0].TLS.Hello != nil || recs[0].TLS.R().HelloErr != broken {
		t.Fatalf("%d records (%+v); want one whose ClientHello is malformed thus: %+v", len(recs), recs[0].TLS.R().HelloErr, broken)
	}
	var codec facts.Codec
	sh := facts.HelloErr{Kind: facts.HelloErrMalformed, Field: tls.FieldExtensionData, Problem: tls.ProblemOverrun,
		Extension: tls.ExtensionALPN, Offset: 1000, Declared: 65535, Available: 3}
	for _, e := range [][2]facts.HelloErr{{broken}, {{Kind: facts.HelloErrMalformed}}, {{Kind: facts.HelloErrTooLarge, Length: 70000}},
		{broken, sh}, {{}, {Kind: facts.HelloErrTooLarge, Length: 1 << 24}}} {
		c := *recs[0]
		x := *c.TLS
		r := *x.Rare()
		r.HelloErr, r.BadSHErr = e[0], e[1]
		x.X, c.TLS = &r, &x
		got, err := codec.Decode(codec.Encode(nil, &c))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, &c) {
			t.Errorf("%+v: read back\n%+v\nwant\n%+v", e, got.TLS.R(), c.TLS.R())
		}
	}
}

// recordsOf is the record of every connection of the capture at path, as tracking finishes it.
func recordsOf(t *testing.T, path string) []*facts.Conn {
	t.Helper()
	r, err := pcapfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs []*facts.Conn
	a := New(Options{})
	a.tr = trackerFor(a, func(c *facts.Conn) bool {
		recs = append(recs, c)
		return true
	})
	var p capture.Packet
	for r.Next(&p) == nil {
		a.Packet(&p)
	}
	a.Finish(result.Input{})
	return recs
}

// TestRecordCodecReadWhileWriting: one goroutine encodes the records of every testdata capture
// over and over, each time under a new server name and history (so that the Codec's tables
// grow through many chunks), and hands each over a channel to another goroutine that decodes
// it while the first writes on, as tracking and the engine's pipeline share a Codec. Every
// record reads back as it was written. (Run with -race, it checks the tables' publication too.)
func TestRecordCodecReadWhileWriting(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(ownCaptures, "*.pcap"))
	more, _ := filepath.Glob(filepath.Join(ownCaptures, "accuracy", "*.pcap"))
	paths = append(paths, more...)
	var recs []*facts.Conn
	for _, p := range paths {
		recs = append(recs, recordsOf(t, p)...)
	}
	if len(recs) < 100 {
		t.Fatalf("only %d records", len(recs))
	}
	type sent struct {
		b    []byte
		want *facts.Conn
	}
	var codec facts.Codec
	ch := make(chan sent, 64)
	go func() {
		defer close(ch)
		for round := range 30 {
			for i, c := range recs {
				d := *c
				d.History = fmt.Sprintf("%s-%d-%d", c.History, round, i) // a new string each time
				ch <- sent{codec.Encode(nil, &d), &d}
			}
		}
	}()
	n := 0
	for s := range ch {
		got, err := codec.Decode(s.b)
		if err != nil {
			t.Fatalf("record %d: %v", n, err)
		}
		if !reflect.DeepEqual(got, s.want) {
			t.Fatalf("record %d read back\n%+v\nwant\n%+v", n, got, s.want)
		}
		n++
	}
	if n < 30*100 {
		t.Fatalf("only %d records went over", n)
	}
}
