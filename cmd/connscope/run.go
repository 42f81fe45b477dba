package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/connscope/connscope/result"
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
			err = usageErr("cli.usage.no-args", result.Text("command", "version"), quoted("arg", args[1]))
			break
		}
		fmt.Fprint(stdout, versionText(buildGenerator()))
		return exitOK
	case "help", "-h", "--help":
		if len(args) > 2 {
			err = usageErr("cli.usage.help-args", result.Int("n", len(args)-1), result.Text("args", strings.Join(args[1:], " ")))
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
		err = usageErr("cli.usage.unknown-command", quoted("command", args[0]))
	}
	if err == nil {
		return code
	}
	say := newPrinter(stderr, messageLang(args[1:]))
	say.line("cli.error", result.Sub("error", errorMessage(err)))
	if _, usage := asUsage(err); usage || errors.Is(err, pflag.ErrHelp) {
		if topic := helpTopicOf(args[0]); topic != "" {
			say.line("cli.hint-topic", result.Text("topic", topic))
		} else {
			say.line("cli.hint")
		}
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
	return usageErr("cli.usage.no-help-topic", quoted("topic", topic), result.Text("topics", strings.Join(names, ", ")))
}

// helpTopicOf is the help topic of a command with options whose flags or arguments are wrong
// ("" for the others, whose hint is the general help).
func helpTopicOf(command string) string {
	switch command {
	case "analyze", "analyse":
		return "analyze"
	case "capture", "probe":
		return command
	}
	return ""
}
