package pcapfile

import (
	"errors"
	"io"
	"io/fs"

	"github.com/connscope/connscope/capture/pcapfile/damage"
)

// FileError reports a capture file that is truncated or corrupt from some point on (see
// damage.FileError): everything before its Offset was read normally, and Next keeps returning
// the same *FileError once it has returned it.
type FileError = damage.FileError

// FileProblem names what is wrong in a damaged capture file (damage.Problem).
type FileProblem = damage.Problem

// FileParam is a named parameter of a FileError's problem (damage.Param).
type FileParam = damage.Param

// fileError is the FileError of problem at off in path, with its cause (nil for none) and params.
func fileError(path string, off int64, truncated bool, cause error, problem FileProblem, params ...FileParam) *FileError {
	return damage.New(path, off, truncated, cause, problem, params...)
}

// truncated is the FileError of a file that ends inside what problem names, at off.
func truncated(path string, off int64, problem FileProblem, params ...FileParam) *FileError {
	return fileError(path, off, true, io.ErrUnexpectedEOF, problem, params...)
}

// corrupt is the FileError of a file corrupt at off.
func corrupt(path string, off int64, problem FileProblem, params ...FileParam) *FileError {
	return fileError(path, off, false, nil, problem, params...)
}

// numParam is a number parameter; textParam is a text one.
func numParam[T int | int64 | uint16 | uint32](name string, v T) FileParam {
	return FileParam{Name: name, Value: int64(v)}
}
func textParam(name, s string) FileParam { return FileParam{Name: name, Text: s} }

// sourceError turns an error of the underlying reader (a file read error, a damaged gzip stream)
// into a FileError at off.
func sourceError(path string, off int64, err error, gz bool) *FileError {
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		if gz {
			return truncated(path, off, damage.GzipCut)
		}
		return truncated(path, off, damage.RecordCut)
	}
	// The FileError names the file: the reason gives only what went wrong (an *fs.PathError
	// would name it again).
	why := err.Error()
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		why = pe.Op + ": " + pe.Err.Error()
	}
	if gz {
		return fileError(path, off, false, err, damage.GzipDamaged, textParam("reason", why))
	}
	return fileError(path, off, false, err, damage.Unreadable, textParam("reason", why))
}
