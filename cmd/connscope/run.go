package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// Exit codes, documented in the README.
const (
	exitOK     = 0 // no failing flow
	exitFailed = 1 // at least one flow failed
	exitUsage  = 2 // bad usage, or input that cannot be read
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `connscope tells, from packets alone, why a TLS client cannot talk to its server.

Usage:
  connscope analyze [options] FILE...  analyse captures (pcap, pcapng, gzip; a folder; - for stdin)
  connscope capture -i IFACE [options] capture live, a line per connection, then the report
  connscope interfaces                 list the interfaces capture can use
  connscope version                    print the version
  connscope help [COMMAND]             show help

Run 'connscope help analyze' or 'connscope help capture' for their options, 'connscope help
profiles' for the knowledge profiles (--profile).
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
	case "version", "--version":
		fmt.Fprintf(stdout, "connscope %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		if len(args) > 1 && (args[1] == "analyze" || args[1] == "analyse") {
			fmt.Fprint(stdout, analyzeUsage)
		} else if len(args) > 1 && args[1] == "capture" {
			fmt.Fprint(stdout, captureUsage)
		} else if len(args) > 1 && args[1] == "interfaces" {
			fmt.Fprint(stdout, interfacesUsage)
		} else if len(args) > 1 && args[1] == "profiles" {
			writeProfiles(stdout)
		} else {
			fmt.Fprint(stdout, usage)
		}
		return exitOK
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
