package pcapfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrNotCapture is wrapped by the error Open and NewReader return for input that is neither pcap
// nor pcapng (nor either of them gzip-compressed).
var ErrNotCapture = errors.New("not a capture file")

// ErrEmpty is wrapped by the error Open and NewReader return for an empty file.
var ErrEmpty = errors.New("empty capture file")

// Problem names what kept an input from being opened as a capture, for an InputError: a code
// that a program words for a person in its own language (cmd/connscope's message catalog).
type Problem string

// The problems of opening the inputs.
const (
	ProblemUnreadable     Problem = "unreadable"       // the system would not let it be opened (Err says why)
	ProblemEmpty          Problem = "empty"            // an empty file (Err is ErrEmpty)
	ProblemEmptyGzip      Problem = "empty-gzip"       // gzip-compressed nothing (Err is ErrEmpty)
	ProblemNotCapture     Problem = "not-capture"      // no capture by its first bytes, Starts (Err is ErrNotCapture)
	ProblemNotCaptureGzip Problem = "not-capture-gzip" // the same, inside its gzip compression
	ProblemGzipHeader     Problem = "gzip-header"      // a damaged gzip header (Err says how)
	ProblemNoCaptures     Problem = "no-captures"      // a folder that holds no capture file
	ProblemListFolder     Problem = "list-folder"      // a folder that cannot be listed (Err says why)
	ProblemTwice          Problem = "twice"            // the same file (or standard input) given twice
	ProblemNoStdin        Problem = "no-stdin"         // standard input given, none available
)

// InputError reports an input that could not be opened as a capture at all: Problem says what
// failed, Path which input (Stdin for standard input), Err the cause (an *fs.PathError, ErrEmpty,
// ErrNotCapture, a gzip error; nil for none). Error words it in English; a program that words its
// messages itself reads the fields instead.
type InputError struct {
	Problem Problem
	Path    string
	// Starts is, for ProblemNotCapture and ProblemNotCaptureGzip, the input's first bytes in hex,
	// then as quoted text when they are printable: `48 54 54 50 "HTTP"`.
	Starts string
	Err    error
	text   string
}

// Error says what failed and what to do, e.g. `"x" is empty: it holds no capture; check that
// tcpdump or Wireshark wrote it and was stopped cleanly`.
func (e *InputError) Error() string { return e.text }

// Unwrap returns Err.
func (e *InputError) Unwrap() error { return e.Err }

// notCapture describes input that is no capture file by its first bytes.
func notCapture(path string, head []byte, gz bool) error {
	n := min(len(head), 4)
	hex := make([]string, n)
	var text strings.Builder
	printable := true
	for i, b := range head[:n] {
		hex[i] = fmt.Sprintf("%02x", b)
		if b > unicode.MaxASCII || !unicode.IsPrint(rune(b)) {
			printable = false
		}
		text.WriteByte(b)
	}
	starts := strings.Join(hex, " ")
	if printable {
		starts += fmt.Sprintf(" %q", text.String())
	}
	inside := ""
	if gz {
		inside = " inside its gzip compression"
	}
	problem := ProblemNotCapture
	if gz {
		problem = ProblemNotCaptureGzip
	}
	return &InputError{Problem: problem, Path: path, Starts: starts, Err: ErrNotCapture, text: fmt.Sprintf(
		"%q is not a capture file%s (it starts with %s): give a pcap or pcapng file, as tcpdump -w or Wireshark writes", path, inside, starts)}
}

// unreadableInput is the error of an input the system would not let be opened (err, an
// *fs.PathError, which names the file).
func unreadableInput(path string, err error) *InputError {
	return &InputError{Problem: ProblemUnreadable, Path: path, Err: err,
		text: fmt.Sprintf("cannot read the capture: %v (check the path and that you may read it)", err)}
}
