package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Exit codes, documented in the README.
const (
	exitOK      = 0 // no failing flow
	exitFailed  = 1 // at least one flow failed
	exitUsage   = 2 // bad usage, or input that cannot be read
	exitNothing = 3 // nothing to analyse: no connection on the analysed ports
)

const usage = `connscope tells, from packets alone, why a TLS client cannot talk to its server.

Usage:
  connscope analyze [options] FILE...  analyse captures (pcap, pcapng, gzip; a folder; - for stdin)
  connscope capture -i IFACE [options] capture live, a line per connection, then the report
  connscope probe [options] HOST...    check a TLS server actively: versions, ciphers, certificate
  connscope interfaces                 list the interfaces capture can use
  connscope version                    print the version, revision and Go version
  connscope help [TOPIC]               show help: analyze, capture, probe, interfaces, profiles, version

Run 'connscope help analyze', 'connscope help capture' or 'connscope help probe' for their
options, 'connscope help profiles' for the knowledge profiles (--profile).
`

// usageError is bad usage: the message is printed with a hint, and the exit code is 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var code int
	var err error
	switch args[0] {
	case "analyze", "analyse":
		code, err = runAnalyze(args[1:], stdout, stderr)
	case "capture":
		code, err = runCapture(args[1:], stdout, stderr)
	case "interfaces":
		code, err = runInterfaces(args[1:], stdout)
	case "probe":
		code, err = runProbe(args[1:], stdout, stderr)
	case "version", "--version":
		if len(args) > 1 {
			err = &usageError{fmt.Sprintf("version takes no arguments, got %q", args[1])}
			break
		}
		fmt.Fprint(stdout, versionText(buildGenerator()))
		return exitOK
	case "help", "-h", "--help":
		if len(args) > 2 {
			err = &usageError{fmt.Sprintf("help takes one topic, got %d: %s", len(args)-1, strings.Join(args[1:], " "))}
			break
		}
		if len(args) == 1 {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		if err = writeHelp(args[1], stdout); err == nil {
			return exitOK
		}
	default:
		err = &usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	if err == nil {
		return code
	}
	fmt.Fprintf(stderr, "connscope: error: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, pflag.ErrHelp) {
		fmt.Fprintln(stderr, "connscope: hint: run 'connscope help' for usage")
	}
	return exitUsage
}

// helpTopics are the topics of 'connscope help TOPIC', in the order an error lists them.
var helpTopics = []struct {
	name  string
	write func(io.Writer)
}{
	{"analyze", func(w io.Writer) { fmt.Fprint(w, analyzeUsage) }},
	{"capture", func(w io.Writer) { fmt.Fprint(w, captureUsage) }},
	{"probe", func(w io.Writer) { fmt.Fprint(w, probeUsage) }},
	{"interfaces", func(w io.Writer) { fmt.Fprint(w, interfacesUsage) }},
	{"profiles", writeProfiles},
	{"version", func(w io.Writer) { fmt.Fprint(w, versionUsage) }},
}

// writeHelp writes the help of one topic; an unknown topic is a usage error that lists them.
func writeHelp(topic string, w io.Writer) error {
	if topic == "analyse" {
		topic = "analyze"
	}
	names := make([]string, len(helpTopics))
	for i, t := range helpTopics {
		if t.name == topic {
			t.write(w)
			return nil
		}
		names[i] = t.name
	}
	return &usageError{fmt.Sprintf("there is no help topic %q; the topics are: %s", topic, strings.Join(names, ", "))}
}
