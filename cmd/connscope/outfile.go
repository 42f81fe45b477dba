package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// An output path never names an input: connscope reads captures and never writes them. And a
// report or export is written under a temporary name beside its final one and renamed into place
// only once complete, so that a crash, a full disk or Ctrl-C never leaves half a report, nor
// destroys the report that was there before.

// namedPath is a file a flag or argument names, for messages: what ("--output"; "" for a
// capture given as an argument) and path.
type namedPath struct {
	what, path string
}

// statPath stats a path the way the program will open it: "-" is standard input. It follows
// symbolic links, and /dev/fd/N and /proc/self/fd/N lead to the open file itself.
func statPath(path string) (os.FileInfo, error) {
	if path == "-" {
		return os.Stdin.Stat()
	}
	return os.Stat(path)
}

// checkOutputs refuses an output that is the same file (device and inode, whatever the name:
// a symbolic or hard link, /dev/fd/N) as an input or as another output. Outputs that do not
// exist yet cannot be either.
func checkOutputs(inputs []namedPath, outputs []namedPath) error {
	type stat struct {
		namedPath
		fi os.FileInfo
	}
	var ins, outs []stat
	for _, in := range inputs {
		if fi, err := statPath(in.path); err == nil {
			ins = append(ins, stat{in, fi})
		}
	}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		fi, err := os.Stat(out.path)
		if err != nil {
			continue
		}
		for _, in := range ins {
			if os.SameFile(fi, in.fi) {
				return failure("cli.output.same-as-capture", result.Text("flag", out.what), result.File("file", out.path), result.File("capture", in.path))
			}
		}
		for _, o := range outs {
			if os.SameFile(fi, o.fi) {
				return failure("cli.output.same-file", result.Text("flag", o.what), result.File("file", o.path), result.Text("flag2", out.what), result.File("file2", out.path))
			}
		}
		outs = append(outs, stat{out, fi})
	}
	// Two outputs that do not exist yet can still be one name.
	for i, a := range outputs {
		for _, b := range outputs[i+1:] {
			if a.path != "" && b.path != "" && filepath.Clean(a.path) == filepath.Clean(b.path) {
				return failure("cli.output.same-name", result.Text("flag", a.what), result.Text("flag2", b.what), result.File("file", a.path))
			}
		}
	}
	return nil
}

// atomicFile is an output file being written. A regular file (or a name not yet taken) is
// written under a temporary name in its directory and renamed over the final name by Commit;
// Abort removes the temporary file and leaves whatever the final name held. A device or pipe
// (/dev/stdout, a FIFO) is written directly.
type atomicFile struct {
	*os.File
	path    string // as given, for messages
	final   string // the path renamed to, symbolic links followed
	tmp     string // "" when writing directly
	existed bool   // a file was there before

	mu   sync.Mutex // Commit and Abort may race with a signal's cleanup
	done bool
}

// createAtomic starts writing the output at path. It fails at once when the file could not be
// created there (no such directory, no permission, a read-only file system), so that a long
// analysis or capture never ends unable to write its report.
func createAtomic(path string) (*atomicFile, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, failure("cli.output.is-dir", result.File("file", path))
	case err == nil && !fi.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, cannotWrite(path, err)
		}
		return &atomicFile{File: f, path: path, final: path, existed: true}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, cannotWrite(path, err)
	}
	final, err := followLinks(path)
	if err != nil {
		return nil, err
	}
	if fi != nil {
		if err := checkReplaceable(final); err != nil {
			return nil, err
		}
	}
	dir, base := filepath.Split(final)
	for range 100 {
		tmp := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64()%1e9, 10))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			// The error names the temporary file; say which file could not be written.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, failure("cli.output.cannot-create", result.File("file", base), result.File("dir", orDot(dir)), result.Sub("why", why(pe.Err)))
			}
			return nil, cannotWrite(final, err)
		}
		if fi != nil {
			keepOwnership(f, fi) // a replaced file keeps its mode (and, for root, its owner)
		}
		return &atomicFile{File: f, path: path, final: final, tmp: tmp, existed: fi != nil}, nil
	}
	return nil, failure("cli.output.no-temp", result.File("file", final))
}

// orDot names the current directory "." for messages.
func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// followLinks follows the symbolic links of path's last element, so that a report written over
// a link replaces the file it points to and keeps the link. A link to nowhere leads to the
// name it points at.
func followLinks(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", cannotWrite(path, err)
		}
		if !filepath.IsAbs(link) {
			dir := filepath.Dir(path)
			if real, err := filepath.EvalSymlinks(dir); err == nil {
				dir = real
			}
			link = filepath.Join(dir, link)
		}
		path = link
	}
	return "", failure("cli.output.links", result.File("file", path))
}

// Commit completes the file: its data reaches the disk, then it takes the final name in one
// step (the earlier file, if any, is replaced whole). On failure the temporary file is removed
// and the earlier file is left as it was.
func (a *atomicFile) Commit() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return nil
	}
	a.done = true
	if a.tmp == "" {
		return a.File.Close()
	}
	err := a.File.Sync()
	if cerr := a.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.tmp, a.final)
	}
	if err != nil {
		os.Remove(a.tmp)
		return err
	}
	syncDir(filepath.Dir(a.final))
	return nil
}

// Abort gives the file up: the temporary file is removed, and the final name keeps what it held.
func (a *atomicFile) Abort() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	a.File.Close()
	if a.tmp != "" {
		os.Remove(a.tmp)
	}
}

// describe words an error of writing the file, without the temporary file's name.
func (a *atomicFile) describe(err error) result.Message {
	var pe *fs.PathError
	if a.tmp != "" && errors.As(err, &pe) && pe.Path == a.tmp {
		return why(pe.Err)
	}
	var le *os.LinkError
	if a.tmp != "" && errors.As(err, &le) && le.Old == a.tmp {
		return result.Msg("cli.output.renaming", result.Sub("why", why(le.Err)))
	}
	return errorMessage(err)
}

// leftAs says what the final name holds after Abort.
func (a *atomicFile) leftAs() result.Message {
	switch {
	case a.tmp == "":
		return result.Msg("cli.output.left-incomplete", result.File("file", a.path))
	case a.existed:
		return result.Msg("cli.output.left-earlier", result.File("file", a.path))
	}
	return result.Msg("cli.output.left-none", result.File("file", a.path))
}

// cannotWrite is the error of an output the system would not let be written: the file's name
// and the system's reason.
func cannotWrite(path string, err error) error {
	return &cliError{msg: result.Msg("cli.output.not-writable", result.File("file", path), result.Sub("why", why(err))), err: err}
}

// cleanupOnSignal runs cleanup, says so (that no partial file is left, when files is set) and
// exits with status 130 (as a shell reports Ctrl-C) when the program gets Ctrl-C or SIGTERM
// before the returned stop is called.
func cleanupOnSignal(stderr io.Writer, lang knowledge.Lang, cleanup func(), files bool) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sig:
			cleanup()
			say := newPrinter(stderr, lang)
			fmt.Fprintln(stderr) // below the progress line, if any
			if files {
				say.line("cli.signal.stopped-files", result.Text("signal", s.String()))
			} else {
				say.line("cli.signal.stopped", result.Text("signal", s.String()))
			}
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}
