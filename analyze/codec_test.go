package analyze

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
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
	n, size := 0, 0
	for _, path := range paths {
		r, err := pcapfile.Open(path)
		if err != nil {
			t.Fatal(err)
		}
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
		r.Close()
		a.Finish(result.Input{})
		for _, c := range recs {
			b := codec.Encode(nil, c)
			got, err := codec.Decode(b)
			if err != nil {
				t.Fatalf("%s flow %d: %v", path, c.ID, err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Errorf("%s flow %d: read back\n%+v\nwant\n%+v", path, c.ID, got, c)
			}
			n++
			size += len(b)
		}
	}
	if n < 200 {
		t.Fatalf("only %d records", n)
	}
	t.Logf("%d records, %d bytes each on average", n, size/n)
}
