// Package damage describes what is wrong in a damaged capture file: the error pcapfile's reader
// ends such a file with (FileError), as a problem code with named parameters that a program words
// in its own language, and in English words for Error.
package damage

import "fmt"

// FileError reports a capture file that is truncated or corrupt from some point on. Everything
// before Offset was read normally; pcapfile.Reader.Next keeps returning the same *FileError once it
// has returned it. Problem and Params say what is wrong, for a program that words it for a person in its own
// language (the knowledge catalog's file.* templates); Error words it in English.
type FileError struct {
	Path string // the file's name, as given to pcapfile.Open or pcapfile.NewReader
	// Offset is the byte offset in the (decompressed) file of the start of the bad record or block,
	// or 0 for a bad file header.
	Offset int64
	// Truncated is true when the file ends inside a record (or inside its header); otherwise the
	// file is corrupt at Offset (an impossible length, a bad block).
	Truncated bool
	Problem   Problem // what is wrong
	Params    []Param // the numbers (and texts) Problem names, each under the name it documents
	// Err is what is wrong in English words (Error's detail); it wraps the cause, if any:
	// io.ErrUnexpectedEOF for a truncated file, the reader's error for Unreadable and
	// GzipDamaged.
	Err error
}

// Problem names what is wrong in a capture file, for a FileError. The comment of each names
// its Params.
type Problem string

// The problems of a truncated file (FileError.Truncated).
const (
	GzipHeaderCut    Problem = "gzip-header-cut"    // the file ends inside its gzip header
	HeaderCut        Problem = "header-cut"         // the file ends inside its pcap file header: "bytes", of 24
	MagicCut         Problem = "magic-cut"          // the file ends inside its first 4 bytes: "bytes"
	SectionHeaderCut Problem = "section-header-cut" // the file ends inside the pcapng section header block
	RecordCut        Problem = "record-cut"         // the last pcap packet record is incomplete
	BlockCut         Problem = "block-cut"          // the last pcapng block is incomplete
	GzipCut          Problem = "gzip-cut"           // the gzip stream ends early
)

// The problems of a corrupt file.
const (
	GzipDamaged           Problem = "gzip-damaged"            // the gzip data is damaged: "reason", the library's words
	Unreadable            Problem = "unreadable"              // the file cannot be read: "reason", the system's words
	PcapVersion           Problem = "pcap-version"            // the pcap header's version: "major", "minor"
	SectionVersion        Problem = "section-version"         // a pcapng section version other than 1.0
	SectionHeader         Problem = "section-header"          // the section header block cannot be read: "reason"
	BlockUnreadable       Problem = "block-unreadable"        // a pcapng block cannot be read: "reason"
	RecordLength          Problem = "record-length"           // a pcap record's length beyond any capture's: "length", "max"
	RecordBeyondWire      Problem = "record-beyond-wire"      // a pcap record longer than its packet: "length", "wire"
	BlockLengths          Problem = "block-lengths"           // a block's two length fields differ: "start", "end"
	ByteOrderMagic        Problem = "byte-order-magic"        // a section header without its magic: "magic", in hex
	BlockLength           Problem = "block-length"            // an impossible block length: "length"
	BlockTypeZero         Problem = "block-type-zero"         // a block of the reserved type 0
	BlockTooShort         Problem = "block-too-short"         // a block too short for its type: "length", "type"
	PacketBeforeInterface Problem = "packet-before-interface" // a packet block before any interface block
	StatsInterface        Problem = "stats-interface"         // a statistics block's interface undeclared: "interface", "interfaces"
	PacketInterface       Problem = "packet-interface"        // a packet block's interface undeclared: "interface", "interfaces"
	PacketRoom            Problem = "packet-room"             // a packet longer than its block: "length", "room"
	PacketLength          Problem = "packet-length"           // a packet length beyond any capture's: "length", "max"
)

// Param is a named parameter of a FileError's problem: a number (Value), or a text when
// Text is not "" (bytes in hex, or the words of the library or system that failed).
type Param struct {
	Name  string
	Value int64
	Text  string
}

// Param returns the parameter of e named name (the zero Param when it has none).
func (e *FileError) Param(name string) Param {
	for _, p := range e.Params {
		if p.Name == name {
			return p
		}
	}
	return Param{}
}

// Error says what is wrong and where, e.g. `capture "x.pcap" is truncated at byte 1234: the last
// packet record is incomplete (analysed everything before it)`.
func (e *FileError) Error() string {
	what := "corrupt"
	if e.Truncated {
		what = "truncated"
	}
	return fmt.Sprintf("capture %q is %s at byte %d: %v", e.Path, what, e.Offset, e.Err)
}

// Unwrap returns Err.
func (e *FileError) Unwrap() error { return e.Err }

// english words e's problem for Err.
func (e *FileError) english() string {
	n := func(name string) int64 { return e.Param(name).Value }
	read := "analysed everything before it"
	if e.Offset == 0 {
		read = "nothing could be read"
	}
	switch e.Problem {
	case GzipHeaderCut:
		return "the gzip header is incomplete"
	case HeaderCut:
		return fmt.Sprintf("the file header is incomplete (%d of 24 bytes): the file was cut while being written or copied", n("bytes"))
	case MagicCut:
		return fmt.Sprintf("the file ends after %d %s, inside the file header: it was cut while being written or copied", n("bytes"), plural(n("bytes"), "byte", "bytes"))
	case SectionHeaderCut:
		return "the section header block is incomplete: the file was cut while being written or copied"
	case RecordCut:
		return "the last packet record is incomplete (" + read + ")"
	case BlockCut:
		return "the last block is incomplete (" + read + ")"
	case GzipCut:
		return "the gzip stream ends early (" + read + ")"
	case GzipDamaged:
		return "the gzip data is damaged (" + e.Param("reason").Text + "); " + read
	case Unreadable:
		return "the file cannot be read (" + e.Param("reason").Text + ")"
	case PcapVersion:
		return fmt.Sprintf("the pcap header gives version %d.%d; only 2.4, which every tool writes, is known", n("major"), n("minor"))
	case SectionVersion:
		return "the pcapng section has a version other than 1.0, which connscope cannot read"
	case SectionHeader:
		return "the section header block cannot be read (" + e.Param("reason").Text + ")"
	case BlockUnreadable:
		return "the block cannot be read (" + e.Param("reason").Text + ")"
	case RecordLength:
		return fmt.Sprintf("packet record length %d is impossible (the largest a capture holds is %d bytes)", n("length"), n("max"))
	case RecordBeyondWire:
		return fmt.Sprintf("packet record length %d exceeds the packet's length on the wire (%d)", n("length"), n("wire"))
	case BlockLengths:
		return fmt.Sprintf("the block's length fields disagree (%d at its start, %d at its end)", n("start"), n("end"))
	case ByteOrderMagic:
		return "a section header block has no byte-order magic (" + e.Param("magic").Text + ")"
	case BlockLength:
		return fmt.Sprintf("block length %d is impossible", n("length"))
	case BlockTypeZero:
		return "block type 0 is reserved and never written"
	case BlockTooShort:
		return fmt.Sprintf("block length %d is too short for a block of type %d", n("length"), n("type"))
	case PacketBeforeInterface:
		return "a packet block comes before any interface block"
	case StatsInterface:
		return fmt.Sprintf("a statistics block names interface %d, but the section declares %d", n("interface"), n("interfaces"))
	case PacketInterface:
		return fmt.Sprintf("a packet block names interface %d, but the section declares %d", n("interface"), n("interfaces"))
	case PacketRoom:
		return fmt.Sprintf("packet length %d does not fit in its block (%d %s of room)", n("length"), n("room"), plural(n("room"), "byte", "bytes"))
	case PacketLength:
		return fmt.Sprintf("packet length %d is impossible (the largest a capture holds is %d bytes)", n("length"), n("max"))
	}
	return string(e.Problem)
}

// detail is an error whose text is written for people, that still matches a cause (such as
// io.ErrUnexpectedEOF) with errors.Is.
type detail struct {
	msg   string
	cause error
}

func (d *detail) Error() string { return d.msg }
func (d *detail) Unwrap() error { return d.cause }

// New is the FileError of problem at off in path (truncated: the file ends there), with its cause
// (nil for none) and params.
func New(path string, off int64, truncated bool, cause error, problem Problem, params ...Param) *FileError {
	e := &FileError{Path: path, Offset: off, Truncated: truncated, Problem: problem, Params: params}
	e.Err = &detail{e.english(), cause}
	return e
}

// plural is one when n is 1, else many.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
