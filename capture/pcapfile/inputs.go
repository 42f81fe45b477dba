package pcapfile

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Stdin is the path that names standard input among OpenInputs' inputs.
const Stdin = "-"

// Input is a capture given to OpenInputs: a file, a directory of captures, or Stdin, with the
// capture point it belongs to.
type Input struct {
	Path string // a file, a folder, or Stdin
	// Point labels the capture point, e.g. "agent" or "server" (connscope's --vantage
	// NAME=FILE): inputs with the same label are one point. Without a label, the files of a
	// rotated set are one point and any other file is a point of its own.
	Point string
}

// OpenInputs opens captures as capture points and reads them as one stream (see Reader). A
// directory stands for the capture files in it, recognized by their content (sub-directories are
// not entered); Stdin is read from stdin, which cannot seek: its format is told from its first
// bytes. Files with the same Input.Point are one capture point. Unlabelled files of a tcpdump
// rotated set are one capture point: those named with -C or -W (NAME, NAME1, NAME2, ... where
// NAME ends in .pcap, .pcapng, .cap or .dmp, or where NAME is among the files too) and those named
// with -G strftime patterns (names that differ only in a date and time, YYYYMMDD[hh[mm[ss]]] or
// Unix seconds, that follows the order of the files' first packets). Any other file is a capture
// point of its own. The files of a point are read one after the other in the order of their first
// packets (by name when equal), as if they were one file; capture points are named by their label,
// else by their first file.
//
// Each file is opened once before reading, to check that it is a capture and to find its first
// packet's time. A file that is not a capture, or cannot be read, is an error then when it is
// the only one (or standard input); among several, it is skipped (Reader.Skipped says why), so
// that one damaged file of a folder or a rotated set does not hide the others. When every
// file fails, the first one's error is returned.
func OpenInputs(inputs []Input, stdin io.Reader) (*Reader, error) {
	if len(inputs) == 0 {
		return nil, errors.New("no capture given")
	}
	var files []*candidate
	seen := map[string]bool{}
	for _, in := range inputs {
		found, err := expand(in)
		if err != nil {
			return nil, err
		}
		for _, c := range found {
			key := c.path
			if c.path != Stdin {
				key = filepath.Clean(c.path)
			}
			if seen[key] {
				what := fmt.Sprintf("%q", c.path)
				if c.path == Stdin {
					what = "standard input (-)"
				}
				return nil, &InputError{Problem: ProblemTwice, Path: c.path, text: what + " is given twice: give each capture once"}
			}
			seen[key] = true
			files = append(files, c)
		}
	}
	var skipped []InputFile
	var firstErr error
	readable := files[:0:0]
	for _, c := range files {
		if err := c.probe(stdin); err != nil {
			if len(files) == 1 || c.path == Stdin {
				return nil, err
			}
			skipped = append(skipped, InputFile{Path: c.path, Err: err})
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		readable = append(readable, c)
	}
	if len(readable) == 0 {
		return nil, firstErr
	}
	files = readable
	var points []*pointReader
	groups := groupPoints(files)
	for _, group := range groups {
		slots := make([]*fileSlot, len(group))
		for i, c := range group {
			slots[i] = c.slot(len(groups) == 1)
		}
		name := group[0].label
		if name == "" {
			name = group[0].path
		}
		points = append(points, newPoint(name, slots))
	}
	r := newReader(points)
	r.skipped = skipped
	return r, nil
}

// candidate is one capture file found among the inputs.
type candidate struct {
	path  string
	label string
	order int // its place among the files found

	fr    *fileReader // standard input, opened by probe
	meta  InputFile   // what probe found
	first bool        // probe found a first packet (meta.First)

	key      string    // groupPoints' grouping key
	nameTime time.Time // the time in a -G file's name
}

// expand lists the capture files an input stands for.
func expand(in Input) ([]*candidate, error) {
	if in.Path == Stdin {
		return []*candidate{{path: Stdin, label: in.Point}}, nil
	}
	fi, err := os.Stat(in.Path)
	if err != nil {
		return nil, unreadableInput(in.Path, err)
	}
	if !fi.IsDir() {
		return []*candidate{{path: in.Path, label: in.Point}}, nil
	}
	entries, err := os.ReadDir(in.Path)
	if err != nil {
		return nil, &InputError{Problem: ProblemListFolder, Path: in.Path, Err: err, text: fmt.Sprintf("cannot list the captures in %q: %v", in.Path, err)}
	}
	var out []*candidate
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(in.Path, e.Name())
		f, err := openFile(p)
		if errors.Is(err, ErrNotCapture) || errors.Is(err, ErrEmpty) {
			continue // a script, a note, an empty file: not a capture
		}
		if err == nil {
			f.close()
		} // else a damaged capture: probe finds the error again, and OpenInputs skips the file
		out = append(out, &candidate{path: p, label: in.Point})
	}
	if len(out) == 0 {
		return nil, &InputError{Problem: ProblemNoCaptures, Path: in.Path, text: fmt.Sprintf(
			"%q holds no capture file (pcap or pcapng, gzip-compressed or not): give the folder the captures are in", in.Path)}
	}
	return out, nil
}

// probe opens the file (for Stdin: opens standard input for good), checks that it is a capture,
// and reads its first packet's time.
func (c *candidate) probe(stdin io.Reader) error {
	var f *fileReader
	var err error
	if c.path == Stdin {
		if stdin == nil {
			return &InputError{Problem: ProblemNoStdin, Path: Stdin, text: "standard input (-) is not available"}
		}
		f, err = newFileReader(stdin, Stdin)
	} else {
		f, err = openFile(c.path)
	}
	if err != nil {
		return err
	}
	c.meta = InputFile{Path: c.path, Format: f.format, LinkTypes: f.linkTypes, Snaplen: f.snaplen}
	if c.path == Stdin {
		c.fr = f // cannot be read twice: its first packet is read with the rest
		return nil
	}
	if _, err := f.read(); err == nil {
		c.meta.First, c.first = f.raw.ci.Timestamp, true
	}
	c.meta.LinkTypes = append([]string(nil), f.linkTypes...)
	return f.close()
}

// slot is the file as its capture point reads it: opened again when its turn comes; read in
// place (mapped) only when its point is the only one, which reads without waiting for others.
func (c *candidate) slot(mapped bool) *fileSlot {
	s := &fileSlot{path: c.path, fr: c.fr}
	if c.fr == nil {
		path := c.path
		s.open = func() (*fileReader, error) { return openFileMapped(path, mapped) }
		s.meta = InputFile{Path: c.path, Format: c.meta.Format, LinkTypes: c.meta.LinkTypes, Snaplen: c.meta.Snaplen}
	}
	return s
}

// Names of rotated sets: tcpdump -C and -W number the files after the name given with -w
// (x.pcap, x.pcap1, ..., or x.pcap0, x.pcap1, ... with -W), and -z gzip adds .gz.
var (
	counterName = regexp.MustCompile(`(?i)^(.+\.(?:pcap|pcapng|cap|dmp))(\d+)$`)
	trailingNum = regexp.MustCompile(`^(.*\D)(\d+)$`)
	digitRuns   = regexp.MustCompile(`\d+`)
)

// groupPoints groups the files into capture points, in the order of their first file, each
// point's files in reading order.
func groupPoints(files []*candidate) [][]*candidate {
	bare := map[string]bool{} // names, for tcpdump -C sets named without an extension
	for _, c := range files {
		bare[strings.TrimSuffix(c.path, ".gz")] = true
	}
	for i, c := range files {
		c.order = i
		switch {
		case c.label != "":
			c.key = "label\x00" + c.label
		case c.path == Stdin:
			c.key = "stdin"
		default:
			c.key = rotationKey(c, bare)
		}
	}
	byKey := map[string][]*candidate{}
	var keys []string
	for _, c := range files {
		if byKey[c.key] == nil {
			keys = append(keys, c.key)
		}
		byKey[c.key] = append(byKey[c.key], c)
	}
	var groups [][]*candidate
	for _, k := range keys {
		g := byKey[k]
		if strings.HasPrefix(k, "time\x00") && !timesAgree(g) {
			// the names' times are not the packets' order: not one rotated set after all
			for _, c := range g {
				groups = append(groups, []*candidate{c})
			}
			continue
		}
		sort.SliceStable(g, func(i, j int) bool { return readsBefore(g[i], g[j]) })
		groups = append(groups, g)
	}
	sort.SliceStable(groups, func(i, j int) bool { return minOrder(groups[i]) < minOrder(groups[j]) })
	return groups
}

func minOrder(g []*candidate) int {
	m := g[0].order
	for _, c := range g {
		m = min(m, c.order)
	}
	return m
}

// rotationKey is the key a file shares with the other files of its rotated set.
func rotationKey(c *candidate, bare map[string]bool) string {
	dir, base := filepath.Split(c.path)
	name := strings.TrimSuffix(base, ".gz")
	stem := name
	if m := counterName.FindStringSubmatch(name); m != nil {
		stem = m[1]
	} else if m := trailingNum.FindStringSubmatch(name); m != nil && bare[dir+m[1]] {
		stem = m[1]
	}
	if t, ok := timeInName(stem); ok {
		c.nameTime = t
		return "time\x00" + dir + digitRuns.ReplaceAllString(stem, "#")
	}
	return "name\x00" + dir + stem
}

// timeInName reads the date and time a -G file name holds in its digits: YYYYMMDD, YYYYMMDDhh,
// YYYYMMDDhhmm or YYYYMMDDhhmmss (any separators between the fields), or Unix seconds.
func timeInName(name string) (time.Time, bool) {
	digits := strings.Join(digitRuns.FindAllString(name, -1), "")
	layouts := map[int]string{8: "20060102", 10: "2006010215", 12: "200601021504", 14: "20060102150405"}
	if l, ok := layouts[len(digits)]; ok {
		if t, err := time.Parse(l, digits); err == nil && t.Year() >= 1990 && t.Year() < 2100 {
			return t, true
		}
	}
	if len(digits) == 10 {
		var s int64
		fmt.Sscan(digits, &s)
		if t := time.Unix(s, 0).UTC(); t.Year() >= 2000 && t.Year() < 2100 {
			return t, true
		}
	}
	return time.Time{}, false
}

// timesAgree reports whether the files' name times are distinct and order their first packets as
// a rotated set's do.
func timesAgree(g []*candidate) bool {
	s := append([]*candidate(nil), g...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].nameTime.Before(s[j].nameTime) })
	var last time.Time
	for i, c := range s {
		if i > 0 && !c.nameTime.After(s[i-1].nameTime) {
			return false
		}
		if c.first {
			if c.meta.First.Before(last) {
				return false
			}
			last = c.meta.First
		}
	}
	return true
}

// readsBefore orders the files of a capture point: by their first packet's time, files without a
// packet last, then by name with numbers compared as numbers (x.pcap2 before x.pcap10).
func readsBefore(a, b *candidate) bool {
	if a.first != b.first {
		return a.first
	}
	if a.first && !a.meta.First.Equal(b.meta.First) {
		return a.meta.First.Before(b.meta.First)
	}
	return naturalLess(a.path, b.path)
}

// naturalLess compares names with their digit runs compared as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
