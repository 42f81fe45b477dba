package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture/live"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/probe"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
	"github.com/spf13/pflag"
)

// Every line the command writes to standard error for a person is a template of the knowledge
// catalog (knowledge/data/<lang>/messages/cmdline.txt), worded in the report's language: --lang,
// else the locale. The code here makes keys and parameters; the catalog words them. The help
// (usage texts, 'connscope help') stays English, as most command-line tools' help does.

// cliError is an error the command words itself: the message, whether it is bad usage (the
// hint to the help follows it, and the exit status is 2 either way), and its cause, if any, for
// errors.Is and errors.As.
type cliError struct {
	msg   result.Message
	usage bool
	err   error
}

// Error words the error in English, for tests and for %v.
func (e *cliError) Error() string { return knowledge.CatalogOf(knowledge.English).Render(e.msg) }

// Unwrap returns the cause.
func (e *cliError) Unwrap() error { return e.err }

// usageErr is bad usage: the message with key and args.
func usageErr(key string, args ...result.Arg) error {
	return &cliError{msg: result.Msg(key, args...), usage: true}
}

// flagErr is an error of the flag parser (or a flag value it refuses), as bad usage.
func flagErr(err error) error { return &cliError{msg: errorMessage(err), usage: true, err: err} }

// failure is an error that is not bad usage: the message with key and args.
func failure(key string, args ...result.Arg) error {
	return &cliError{msg: result.Msg(key, args...)}
}

// wrapped is err worded inside the message with key, as its {error}, with args besides.
func wrapped(key string, err error, args ...result.Arg) error {
	_, usage := asUsage(err)
	return &cliError{msg: result.Msg(key, append(args, result.Sub("error", errorMessage(err)))...), usage: usage, err: err}
}

// asUsage reports whether err is bad usage, and the cliError that says so.
func asUsage(err error) (*cliError, bool) {
	var ce *cliError
	if errors.As(err, &ce) && ce.usage {
		return ce, true
	}
	return nil, false
}

// errorMessage is the message that words err: the command's own errors as they are, the typed
// errors of the packages by their fields, and any other error in its own (English) words.
func errorMessage(err error) result.Message {
	var (
		ce  *cliError
		ie  *pcapfile.InputError
		fe  *pcapfile.FileError
		te  *probe.TargetError
		ve  *probe.VersionError
		ne  *pflag.NotExistError
		vr  *pflag.ValueRequiredError
		iv  *pflag.InvalidValueError
		ise *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &ce):
		return ce.msg
	case errors.As(err, &ie):
		return inputMessage(ie)
	case errors.As(err, &fe):
		return analyze.FileErrorMessage(fe)
	case errors.As(err, &te):
		return targetMessage(te)
	case errors.As(err, &ve):
		return result.Msg("cli.probe.client-versions", quoted("value", ve.Value))
	case errors.As(err, &ne):
		if s := ne.GetSpecifiedShortnames(); s != "" {
			return result.Msg("cli.flag.unknown-short", letter(ne.GetSpecifiedName()), result.Text("flags", "-"+s))
		}
		return result.Msg("cli.flag.unknown", result.Text("flag", "--"+ne.GetSpecifiedName()))
	case errors.As(err, &vr):
		if s := vr.GetSpecifiedShortnames(); s != "" {
			return result.Msg("cli.flag.needs-value-short", letter(vr.GetSpecifiedName()), result.Text("flags", "-"+s))
		}
		return result.Msg("cli.flag.needs-value", result.Text("flag", "--"+vr.GetSpecifiedName()))
	case errors.As(err, &iv):
		f := iv.GetFlag()
		name := "--" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			name = "-" + f.Shorthand + ", --" + f.Name
		}
		if f.Value.Type() == "duration" {
			return result.Msg("cli.flag.duration", quoted("value", iv.GetValue()), quoted("flag", name))
		}
		cause := errors.Unwrap(iv)
		if cause == nil {
			return other(iv.Error())
		}
		return result.Msg("cli.flag.invalid", quoted("value", iv.GetValue()), quoted("flag", name), result.Text("error", cause.Error()))
	case errors.As(err, &ise):
		return result.Msg("cli.flag.syntax", result.Text("flag", ise.GetSpecifiedFlag()))
	}
	return other(err.Error())
}

// other is text no template words (the system's, a library's), as it is.
func other(s string) result.Message { return result.Msg("cli.other", result.Text("error", s)) }

// quoted is a text parameter printed quoted, as %q does.
func quoted(name, s string) result.Arg { return result.Quoted(result.Text(name, s)) }

// letter is a short flag's letter, quoted as pflag quotes it ('p').
func letter(name string) result.Arg {
	r := []rune(name)
	if len(r) == 0 {
		return result.Text("letter", "''")
	}
	return result.Text("letter", fmt.Sprintf("%q", r[0]))
}

// inputMessage words an input that could not be opened as a capture.
func inputMessage(e *pcapfile.InputError) result.Message {
	file := result.Quoted(result.File("file", e.Path))
	switch e.Problem {
	case pcapfile.ProblemUnreadable:
		return result.Msg("cli.input.unreadable", result.File("file", e.Path), result.Sub("why", why(e.Err)))
	case pcapfile.ProblemEmpty:
		return result.Msg("cli.input.empty", file)
	case pcapfile.ProblemEmptyGzip:
		return result.Msg("cli.input.empty-gzip", file)
	case pcapfile.ProblemNotCapture:
		return result.Msg("cli.input.not-capture", file, result.Text("starts", e.Starts))
	case pcapfile.ProblemNotCaptureGzip:
		return result.Msg("cli.input.not-capture-gzip", file, result.Text("starts", e.Starts))
	case pcapfile.ProblemGzipHeader:
		return result.Msg("cli.input.gzip-header", file, result.Sub("why", why(e.Err)))
	case pcapfile.ProblemNoCaptures:
		return result.Msg("cli.input.no-captures", file)
	case pcapfile.ProblemListFolder:
		return result.Msg("cli.input.list-folder", file, result.Sub("why", why(e.Err)))
	case pcapfile.ProblemTwice:
		if e.Path == pcapfile.Stdin {
			return result.Msg("cli.input.stdin-twice")
		}
		return result.Msg("cli.input.twice", file)
	case pcapfile.ProblemNoStdin:
		return result.Msg("cli.input.no-stdin")
	}
	return other(e.Error())
}

// targetMessage words a probe target that ParseTarget refused.
func targetMessage(e *probe.TargetError) result.Message {
	target := quoted("target", e.Target)
	switch e.Problem {
	case probe.TargetBadPort:
		return result.Msg("cli.probe.target-port", target, quoted("port", e.Port))
	case probe.TargetNoHost:
		return result.Msg("cli.probe.target-no-host", target)
	case probe.TargetNotHost:
		return result.Msg("cli.probe.target-not-host", target)
	case probe.TargetNoPort:
		return result.Msg("cli.probe.target-no-port", target)
	}
	return other(e.Error())
}

// why words the system's reason a file could not be opened or written: the commonest in the
// catalog's words, any other as the system gives it. The file's name, which an *fs.PathError
// adds, is left out: the message names the file itself.
func why(err error) result.Message {
	if err == nil {
		return result.Message{}
	}
	for _, w := range []struct {
		err error
		key string
	}{
		{fs.ErrNotExist, "cli.why.not-exist"},
		{fs.ErrPermission, "cli.why.permission"},
		{syscall.EISDIR, "cli.why.is-dir"},
		{syscall.ENOSPC, "cli.why.no-space"},
		{syscall.EROFS, "cli.why.read-only"},
	} {
		if errors.Is(err, w.err) {
			return result.Msg(w.key)
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return other(pe.Err.Error())
	}
	return other(err.Error())
}

// liveError words an error of opening the live capture on iface: no such interface and no
// permission in the catalog's words where the package's words are Linux's (elsewhere they carry
// Npcap's or libpcap's own reason and hint, which are kept); any other as it is.
func liveError(err error, iface string) error {
	if runtime.GOOS != "linux" {
		return err
	}
	switch {
	case errors.Is(err, live.ErrNoInterface):
		return &cliError{msg: result.Msg("cli.capture.no-interface", quoted("iface", iface)), err: err}
	case errors.Is(err, live.ErrPermission):
		return &cliError{msg: result.Msg("cli.capture.permission", result.Text("iface", iface), result.File("program", executable())), err: err}
	}
	return err
}

// messageLang is the language of the command's messages for its arguments: the last valid
// --lang among them (found even when other flags are wrong, so that their error is worded in
// it), else the locale's.
func messageLang(args []string) knowledge.Lang {
	lang := localeLang()
	for i, a := range args {
		if a == "--" {
			break
		}
		v, ok := strings.CutPrefix(a, "--lang=")
		if !ok && a == "--lang" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if l, err := knowledge.ParseLang(v); ok && err == nil && strings.TrimSpace(v) != "" {
			lang = l
		}
	}
	return lang
}

// printer writes the command's lines for a person, worded in one language.
type printer struct {
	w   io.Writer
	cat *knowledge.Catalog
}

// newPrinter writes to w in lang.
func newPrinter(w io.Writer, lang knowledge.Lang) printer {
	return printer{w: w, cat: knowledge.CatalogOf(lang)}
}

// line writes the message with key and args as one line.
func (p printer) line(key string, args ...result.Arg) {
	fmt.Fprintln(p.w, p.text(key, args...))
}

// text words the message with key and args (in English when p is the zero printer).
func (p printer) text(key string, args ...result.Arg) string {
	cat := p.cat
	if cat == nil {
		cat = knowledge.CatalogOf(knowledge.English)
	}
	return cat.Render(result.Msg(key, args...))
}

// executable is this program's path, for the setcap hint.
func executable() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "connscope"
}

// parseFormat is the report format named s, one of formats.
func parseFormat(s string, formats []report.Format) (report.Format, error) {
	f, err := report.ParseFormat(s)
	if err != nil || !slices.Contains(formats, f) {
		names := make([]string, len(formats))
		for i, f := range formats {
			names[i] = string(f)
		}
		return "", &cliError{msg: result.Msg("cli.flag.format", result.Text("flag", "--format"), quoted("value", s),
			result.Text("formats", strings.Join(names, ", "))), usage: true, err: err}
	}
	return f, nil
}

// parseLang is the language --lang names.
func parseLang(s string) (knowledge.Lang, error) {
	l, err := knowledge.ParseLang(s)
	if err != nil {
		return "", &cliError{msg: result.Msg("cli.flag.lang", quoted("value", s)), usage: true, err: err}
	}
	return l, nil
}

// profileByName is the knowledge profile --profile names.
func profileByName(name string) (*knowledge.Profile, error) {
	p, err := knowledge.ProfileByName(name)
	if err != nil {
		return nil, &cliError{msg: result.Msg("cli.flag.profile", quoted("value", name), result.Text("profiles", strings.Join(knowledge.Profiles(), ", "))), usage: true, err: err}
	}
	return p, nil
}
