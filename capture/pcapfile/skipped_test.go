package pcapfile

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// A capture that cannot be opened among several (a damaged header in the middle of a rotated
// set, or a capture point of its own) is skipped and named by Skipped, and the others are read;
// given alone, or when every file fails, it is the error it always was.
func TestDamagedFileSkipped(t *testing.T) {
	whole := mustRead(t, "tls-veth-nano.pcap")
	want, _ := readBytes(t, whole)
	parts := splitPcap(whole, 1, 20, 41)
	damaged := append([]byte(nil), parts[1]...)
	damaged[4], damaged[5] = 'A', 'A' // the version's major number: 0x4141 in either byte order
	dir := writeFiles(t, map[string][]byte{"x.pcap": parts[0], "x.pcap1": damaged, "x.pcap2": parts[2]})
	p := func(n string) string { return filepath.Join(dir, n) }
	wantErr := fmt.Sprintf("capture %q is corrupt at byte 0: the pcap header gives version 16705.4; only 2.4, which every tool writes, is known", p("x.pcap1"))
	for _, tc := range []struct {
		name   string
		inputs []Input
	}{
		{"the folder", []Input{{Path: dir}}},
		{"the files", []Input{{Path: p("x.pcap")}, {Path: p("x.pcap1")}, {Path: p("x.pcap2")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, r := openInputs(t, tc.inputs, nil)
			if len(got) != 19+12 {
				t.Fatalf("%d packets, want the 31 of x.pcap and x.pcap2", len(got))
			}
			for i, g := range got {
				w := want[i]
				if i >= 19 {
					w = want[i+21] // x.pcap1's 21 frames are not read
				}
				if !g.Time.Equal(w.Time) {
					t.Fatalf("packet %d at %v, want %v", i+1, g.Time, w.Time)
				}
			}
			sk := r.Skipped()
			var fe *FileError
			if len(sk) != 1 || sk[0].Path != p("x.pcap1") || !errors.As(sk[0].Err, &fe) || fe.Offset != 0 || fe.Truncated || sk[0].Err.Error() != wantErr {
				t.Fatalf("Skipped %+v, want x.pcap1 with %q", sk, wantErr)
			}
		})
	}
	t.Run("alone", func(t *testing.T) {
		if _, err := OpenInputs([]Input{{Path: p("x.pcap1")}}, nil); err == nil || err.Error() != wantErr {
			t.Errorf("error %v, want %q", err, wantErr)
		}
	})
	t.Run("every file", func(t *testing.T) {
		two := writeFiles(t, map[string][]byte{"a.pcap": damaged, "b.pcap": damaged})
		want := fmt.Sprintf("capture %q is corrupt at byte 0: the pcap header gives version 16705.4; only 2.4, which every tool writes, is known", filepath.Join(two, "a.pcap"))
		if _, err := OpenInputs([]Input{{Path: two}}, nil); err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
	})
}
