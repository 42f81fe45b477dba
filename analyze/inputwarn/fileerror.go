package inputwarn

import (
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/capture/pcapfile/damage"
	"github.com/connscope/connscope/result"
)

// FileError words a capture file that is truncated or corrupt (fe): the file, as a parameter of
// its own (a name from the customer's machine: a redacted report replaces it), the byte offset,
// and what is wrong, each problem a template of its own (file.<problem>) with fe's parameters.
func FileError(fe *pcapfile.FileError) result.Message {
	key := "warning.file-corrupt-at"
	if fe.Truncated {
		key = "warning.file-truncated-at"
	}
	return result.Msg(key, result.Quoted(result.File("file", fe.Path)), result.Int64("offset", fe.Offset), result.Sub("error", fileProblem(fe)))
}

// fileProblem words what is wrong in a damaged capture file.
func fileProblem(fe *pcapfile.FileError) result.Message {
	if fe.Problem == "" {
		// not made by pcapfile's reader: its English words, as they are
		return result.Msg("file.other", result.Text("error", fe.Err.Error()))
	}
	args := make([]result.Arg, 0, len(fe.Params)+1)
	for _, p := range fe.Params {
		if p.Text != "" {
			args = append(args, result.Text(p.Name, p.Text))
		} else {
			args = append(args, result.Int64(p.Name, p.Value))
		}
	}
	switch fe.Problem {
	case damage.RecordCut, damage.BlockCut, damage.GzipCut, damage.GzipDamaged:
		// what was read before the damage: everything, or nothing when it is at the first byte
		read := "file.read-before"
		if fe.Offset == 0 {
			read = "file.read-nothing"
		}
		args = append(args, result.Sub("read", result.Msg(read)))
	}
	return result.Msg("file."+string(fe.Problem), args...)
}
