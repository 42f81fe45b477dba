package analyze

import (
	"path/filepath"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/result"
)

// TestFirstAndFinalAgree: the cheap verdicts the engine keeps and counts with (diagnose.FirstOf
// while tracking, diagnose.Final at the end) are those the full diagnosis gives, on every
// capture of testdata and ../shared/captures.
func TestFirstAndFinalAgree(t *testing.T) {
	var paths []string
	for _, glob := range []string{filepath.Join(ownCaptures, "*.pcap*"), filepath.Join(ownCaptures, "accuracy", "*.pcap"), filepath.Join(sharedCaptures, "*", "*.pcap*"), "../capture/testdata/*.pcap*"} {
		m, _ := filepath.Glob(glob)
		for _, p := range m {
			if filepath.Ext(p) != ".tsv" {
				paths = append(paths, p)
			}
		}
	}
	if len(paths) < 60 {
		t.Fatalf("only %d captures", len(paths))
	}
	n := 0
	for _, path := range paths {
		for _, opts := range []Options{{}, {Ports: []uint16{4343, 8080}}} {
			r, err := pcapfile.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			a := New(opts)
			var p capture.Packet
			for r.Next(&p) == nil {
				a.Packet(&p)
			}
			r.Close()
			a.Finish(result.Input{})
			ctx := a.agg.Context()
			for i := range a.kept.entries {
				c, kept := a.kept.record(i), a.kept.firstOf(i)
				own := diagnose.Conn(c, &a.cfg, nil)
				first := diagnose.FirstOf(c, &a.cfg)
				if first != kept || first.Verdict != own.Verdict || first.Highest != own.Highest ||
					first.VersionSuspect != own.VersionSuspect || first.VersionOrCipher != own.VersionOrCipher || first.Probe != own.Probe {
					t.Errorf("%s flow %d: FirstOf %+v, kept %+v, Conn %s %v %v %v %v", path, c.ID, first, kept,
						own.Verdict, own.Highest, own.VersionSuspect, own.VersionOrCipher, own.Probe)
				}
				if v, want := diagnose.Final(c, first, ctx), diagnose.Conn(c, &a.cfg, ctx).Verdict; v != want {
					t.Errorf("%s flow %d: Final %s, Conn %s", path, c.ID, v, want)
				}
				n++
			}
		}
	}
	t.Logf("%d connections compared", n)
}
