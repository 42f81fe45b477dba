package pcapfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
)

// splitPcap cuts a pcap's records into parts that start at the given 1-based frames, each part a
// pcap of its own (as tcpdump -C writes a rotated set).
func splitPcap(b []byte, starts ...int) [][]byte {
	recs := pcapRecordStarts(b)
	var parts [][]byte
	for i, s := range starts {
		end := len(recs) - 1
		if i+1 < len(starts) {
			end = starts[i+1] - 1
		}
		parts = append(parts, append(append([]byte(nil), b[:24]...), b[recs[s-1]:recs[end]]...))
	}
	return parts
}

// writeFiles writes files into a new temporary folder and returns it.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// openInputs opens inputs and reads them to the end.
func openInputs(t *testing.T, inputs []Input, stdin io.Reader) ([]capture.Packet, *Reader) {
	t.Helper()
	r, err := OpenInputs(inputs, stdin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	pkts, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	return pkts, r
}

// A rotated set is read as the file it was cut from: the same packets, numbered on across the
// files, whichever order the files are given in, or given as their folder; each packet also says
// which file it is in and its frame number there.
func TestRotatedSet(t *testing.T) {
	whole := mustRead(t, "tls-veth-nano.pcap")
	want, wr := readBytes(t, whole)
	parts := splitPcap(whole, 1, 20, 41)
	dir := writeFiles(t, map[string][]byte{"x.pcap": parts[0], "x.pcap1": parts[1], "x.pcap2": parts[2], "README": []byte("notes\n")})
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, tc := range []struct {
		name   string
		inputs []Input
	}{
		{"files in order", []Input{{Path: p("x.pcap")}, {Path: p("x.pcap1")}, {Path: p("x.pcap2")}}},
		{"files out of order", []Input{{Path: p("x.pcap2")}, {Path: p("x.pcap")}, {Path: p("x.pcap1")}}},
		{"the folder", []Input{{Path: dir}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, r := openInputs(t, tc.inputs, nil)
			if len(got) != len(want) {
				t.Fatalf("%d packets, want %d", len(got), len(want))
			}
			for i := range got {
				file, frame := 0, i+1
				switch {
				case i+1 >= 41:
					file, frame = 2, i+1-40
				case i+1 >= 20:
					file, frame = 1, i+1-19
				}
				if got[i].File != file || got[i].FileFrame != frame || got[i].Point != 0 {
					t.Errorf("packet %d: file %d frame %d point %d, want file %d frame %d", i+1, got[i].File, got[i].FileFrame, got[i].Point, file, frame)
				}
				g := got[i]
				g.File, g.FileFrame = want[i].File, want[i].FileFrame
				if !reflect.DeepEqual(g, want[i]) {
					t.Fatalf("packet %d:\n got %+v\nwant %+v", i+1, g, want[i])
				}
			}
			if r.Stats() != wr.Stats() || r.Format() != "pcap (nanosecond)" || !equalStrings(r.LinkTypes(), []string{"Ethernet"}) {
				t.Errorf("Stats %+v Format %q LinkTypes %q", r.Stats(), r.Format(), r.LinkTypes())
			}
			pts := r.Points()
			if len(pts) != 1 || pts[0].Name != p("x.pcap") || len(pts[0].Files) != 3 {
				t.Fatalf("Points %+v", pts)
			}
			for i, f := range pts[0].Files {
				wantFrames := []int{19, 21, 12}[i]
				if f.Path != p([]string{"x.pcap", "x.pcap1", "x.pcap2"}[i]) || f.Frames != wantFrames || f.Err != nil || f.Format != "pcap (nanosecond)" ||
					!f.First.Equal(want[[]int{0, 19, 40}[i]].Time) || !f.Last.Equal(want[[]int{18, 39, 51}[i]].Time) {
					t.Errorf("file %d: %+v", i, f)
				}
			}
		})
	}
}

// Several capture points are read as one stream in time order, each packet tagged with its point
// and numbered within it: here the real VXLAN underlay and device captures of the same traffic,
// labelled as --vantage labels them.
func TestCapturePointsMerged(t *testing.T) {
	under, _ := readFile(t, "encap/vxlan.pcap")
	dev, _ := readFile(t, "encap/inner.pcap")
	got, r := openInputs(t, []Input{{Path: "../testdata/encap/vxlan.pcap", Point: "underlay"}, {Path: "../testdata/encap/inner.pcap", Point: "device"}}, nil)
	if len(got) != len(under)+len(dev) {
		t.Fatalf("%d packets, want %d", len(got), len(under)+len(dev))
	}
	next := [2]int{1, 1}
	for i, p := range got {
		if i > 0 && p.Time.Before(got[i-1].Time) {
			t.Errorf("packet %d (%v) before packet %d (%v)", i+1, p.Time, i, got[i-1].Time)
		}
		if p.Index != next[p.Point] {
			t.Fatalf("packet %d of point %d has Index %d, want %d", i+1, p.Point, p.Index, next[p.Point])
		}
		src := [][]capture.Packet{under, dev}[p.Point][p.Index-1]
		src.Point = p.Point
		src.Vantage = uint16(p.Point) // each point is one file of one interface: one vantage
		if !reflect.DeepEqual(p, src) {
			t.Fatalf("packet %d:\n got %+v\nwant %+v", i+1, p, src)
		}
		next[p.Point]++
	}
	pts := r.Points()
	if len(pts) != 2 || pts[0].Name != "underlay" || pts[1].Name != "device" || pts[0].Files[0].Frames != 78 || pts[1].Files[0].Frames != 70 {
		t.Errorf("Points %+v", pts)
	}
	if st := r.Stats(); st.Frames != 148 || st.TCP != 130 || st.Encapsulated != 72 {
		t.Errorf("Stats %+v", st)
	}
}

// How files are grouped into capture points: rotated sets by their names (tcpdump -C, -W, -G),
// labels, and every other file on its own.
func TestGroupPoints(t *testing.T) {
	whole := mustRead(t, "tls-veth-nano.pcap")
	parts := splitPcap(whole, 1, 30)
	cases := []struct {
		name   string
		files  map[string][]byte
		inputs []string          // in the folder; "" gives the folder
		labels map[string]string // input -> label
		want   [][]string        // per point, its files in reading order
	}{
		{"-C set without extension", map[string][]byte{"cap": parts[0], "cap1": parts[1]}, []string{"cap1", "cap"}, nil,
			[][]string{{"cap", "cap1"}}},
		{"-W ring (numbered from 0, the oldest last written)", map[string][]byte{"r.pcap0": parts[1], "r.pcap1": parts[0]}, []string{""}, nil,
			[][]string{{"r.pcap1", "r.pcap0"}}},
		{"-C -z gzip", map[string][]byte{"z.pcap": parts[0], "z.pcap1.gz": gz(t, parts[1])}, []string{""}, nil,
			[][]string{{"z.pcap", "z.pcap1.gz"}}},
		{"-G strftime names", map[string][]byte{"trace-20261129-031300.pcap": parts[0], "trace-20261129-031400.pcap": parts[1]}, []string{""}, nil,
			[][]string{{"trace-20261129-031300.pcap", "trace-20261129-031400.pcap"}}},
		{"-G names against the packets' order", map[string][]byte{"t-20261129-031300.pcap": parts[1], "t-20261129-031400.pcap": parts[0]}, []string{""}, nil,
			[][]string{{"t-20261129-031300.pcap"}, {"t-20261129-031400.pcap"}}},
		{"two hosts, numbered", map[string][]byte{"host01-20261129.pcap": whole, "host02-20261129.pcap": whole}, []string{""}, nil,
			[][]string{{"host01-20261129.pcap"}, {"host02-20261129.pcap"}}},
		{"numbered without their bare name", map[string][]byte{"agent1": parts[0], "agent2": parts[1]}, []string{"agent1", "agent2"}, nil,
			[][]string{{"agent1"}, {"agent2"}}},
		{"labels", map[string][]byte{"a.pcap": parts[0], "b.pcap": parts[1], "c.pcap": whole}, []string{"c.pcap", "a.pcap", "b.pcap"},
			map[string]string{"a.pcap": "server", "b.pcap": "server", "c.pcap": "agent"},
			[][]string{{"c.pcap"}, {"a.pcap", "b.pcap"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			var inputs []Input
			for _, in := range tc.inputs {
				inputs = append(inputs, Input{Path: filepath.Join(dir, in), Point: tc.labels[in]})
			}
			r, err := OpenInputs(inputs, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got [][]string
			for _, pt := range r.Points() {
				var names []string
				for _, f := range pt.Files {
					names = append(names, filepath.Base(f.Path))
				}
				got = append(got, names)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("points %q, want %q", got, tc.want)
			}
		})
	}
}

// Standard input is read as the file would be, gzip-compressed or not: it is told from its first
// bytes, as it cannot seek.
func TestStdin(t *testing.T) {
	for _, name := range []string{"tls-veth-nano.pcap", "tls-veth-nano.pcap.gz", "dumpcap-3if.pcapng.gz"} {
		t.Run(name, func(t *testing.T) {
			want, wr := readFile(t, name)
			got, r := openInputs(t, []Input{{Path: Stdin}}, io.MultiReader(bytes.NewReader(mustRead(t, name))))
			if !reflect.DeepEqual(got, want) || r.Stats() != wr.Stats() || r.Format() != wr.Format() {
				t.Errorf("stdin differs from the file: %+v / %+v", r.Stats(), wr.Stats())
			}
			if pts := r.Points(); len(pts) != 1 || pts[0].Name != "-" || pts[0].Files[0].Frames != len(want) {
				t.Errorf("Points %+v", pts)
			}
		})
	}
}

// A file of a rotated set that is cut is noted, and the set is read on; the set's last file cut
// ends the reading with its error, as a single file's does.
func TestRotatedSetCut(t *testing.T) {
	whole := mustRead(t, "tls-veth-nano.pcap")
	parts := splitPcap(whole, 1, 20, 41)
	dir := writeFiles(t, map[string][]byte{"x.pcap": parts[0], "x.pcap1": parts[1][:len(parts[1])-10], "x.pcap2": parts[2][:len(parts[2])-10]})
	r, err := OpenInputs([]Input{{Path: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pkts, err := readAll(t, r)
	var fe *FileError
	if !errors.As(err, &fe) || !fe.Truncated || fe.Path != filepath.Join(dir, "x.pcap2") || len(pkts) != 50 {
		t.Fatalf("%d packets, error %v", len(pkts), err)
	}
	files := r.Points()[0].Files
	if !errors.As(files[1].Err, &fe) || fe.Path != filepath.Join(dir, "x.pcap1") || files[1].Frames != 20 || files[0].Err != nil || files[2].Err == nil {
		t.Errorf("files %+v", files)
	}
	// 19 frames of x.pcap, 20 of x.pcap1's 21 (the last one cut), then x.pcap2
	orig, _ := readBytes(t, whole)
	if p := pkts[39]; p.Index != 40 || p.File != 2 || p.FileFrame != 1 || !p.Time.Equal(orig[40].Time) || !reflect.DeepEqual(p.TCP, orig[40].TCP) {
		t.Errorf("the first packet after the cut: %+v", p)
	}
}

// Inputs that cannot be read are errors before anything is read.
func TestInputErrors(t *testing.T) {
	dir := writeFiles(t, map[string][]byte{"notes.txt": []byte("hello\n"), "x.pcap": mustRead(t, "tls-veth-nano.pcap")})
	empty := t.TempDir()
	for _, tc := range []struct {
		name   string
		inputs []Input
		stdin  io.Reader
		want   string
	}{
		{"nothing", nil, nil, "no capture given"},
		{"missing", []Input{{Path: filepath.Join(dir, "nope.pcap")}}, nil, "no such file or directory"},
		{"not a capture", []Input{{Path: filepath.Join(dir, "notes.txt")}}, nil, "is not a capture file"},
		{"empty folder", []Input{{Path: empty}}, nil, "holds no capture file"},
		{"twice", []Input{{Path: filepath.Join(dir, "x.pcap")}, {Path: dir}}, nil, "is given twice"},
		{"stdin twice", []Input{{Path: Stdin}, {Path: Stdin}}, strings.NewReader(""), "standard input (-) is given twice"},
		{"stdin not a capture", []Input{{Path: Stdin}}, strings.NewReader("GET / HTTP/1.1\r\n"), `"-" is not a capture file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenInputs(tc.inputs, tc.stdin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

func TestNaturalOrderAndNameTimes(t *testing.T) {
	for _, tc := range []struct{ a, b string }{{"x.pcap", "x.pcap1"}, {"x.pcap2", "x.pcap10"}, {"a9b", "a10a"}, {"ab", "b"}} {
		if !naturalLess(tc.a, tc.b) || naturalLess(tc.b, tc.a) {
			t.Errorf("%q should sort before %q", tc.a, tc.b)
		}
	}
	for _, tc := range []struct {
		name string
		want string
	}{
		{"trace_2026-11-29_03:13:00", "2026-11-29T03:13:00Z"},
		{"cap-20261129.pcap", "2026-11-29T00:00:00Z"},
		{"cap-2026112903.pcap", "2026-11-29T03:00:00Z"},
		{"cap-1700000000.pcap", "2023-11-14T22:13:20Z"},
		{"host01-20261129.pcap", ""},
		{"cap-031300.pcap", ""},
	} {
		got, ok := timeInName(tc.name)
		if s := got.Format(time.RFC3339); (tc.want == "") == ok || ok && s != tc.want {
			t.Errorf("%q: %v %v, want %q", tc.name, s, ok, tc.want)
		}
	}
}
