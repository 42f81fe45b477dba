package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/redact"
	"github.com/connscope/connscope/report"
	"github.com/spf13/pflag"
)

const analyzeUsage = `Usage:
  connscope analyze [options] FILE

Reads a capture file (pcap or pcapng, as tcpdump -w or Wireshark writes it; gzip-compressed
is fine) and reports, for every TCP connection to the analysed server ports: client and server,
how TCP went (Zeek conn_state and history), the TLS versions offered and chosen, and a verdict
with its evidence and a next step.

Options:
  -p, --port PORT       server port to analyse; repeat or comma-separate (default: every port)
      --host ADDR       server address to analyse; repeat or comma-separate (default: every address)
  -f, --format FORMAT   table (default), json, markdown (ticket text) or html (one
                        self-contained page with a ladder diagram of each failing flow)
  -o, --output FILE     write the report to FILE instead of standard output
      --redact          replace IP and MAC addresses, server names, HTTP hosts and paths
                        and the file name with consistent pseudonyms, in every format
  -v, --verbose         table: show reason, next step and evidence for every flow, not only failures
      --max-flows N     list at most N flows one by one (default 100000); the rest are counted

Exit status: 0 no flow failed, 1 at least one flow failed, 2 bad usage or unreadable input.

Example:
  connscope analyze incident.pcapng --port 4343
  connscope analyze capture.pcap.gz -p 4343,8080 --format json -o report.json
  connscope analyze incident.pcapng -p 4343 --format html --redact -o report.html
`

type analyzeOptions struct {
	ports    []string
	hosts    []string
	format   string
	output   string
	verbose  bool
	maxFlows int
	redact   bool
}

func runAnalyze(args []string, stdout, stderr io.Writer) (int, error) {
	var o analyzeOptions
	fs := pflag.NewFlagSet("analyze", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringSliceVarP(&o.ports, "port", "p", nil, "")
	fs.StringSliceVar(&o.hosts, "host", nil, "")
	fs.StringVarP(&o.format, "format", "f", "table", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "")
	fs.IntVar(&o.maxFlows, "max-flows", analyze.DefaultMaxFlows, "")
	fs.BoolVar(&o.redact, "redact", false, "")
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		return exitUsage, &usageError{err.Error()}
	}
	if *help {
		fmt.Fprint(stdout, analyzeUsage)
		return exitOK, nil
	}
	if fs.NArg() != 1 {
		return exitUsage, &usageError{fmt.Sprintf("analyze takes one capture file, got %d arguments", fs.NArg())}
	}
	format, err := report.ParseFormat(o.format)
	if err != nil {
		return exitUsage, &usageError{err.Error()}
	}
	opts, err := o.analyzeOptions()
	if err != nil {
		return exitUsage, err
	}
	res, err := analyze.File(fs.Arg(0), opts)
	if err != nil {
		return exitUsage, err
	}
	if o.redact {
		res = redact.Result(res)
	}
	out := stdout
	if o.output != "" {
		f, err := os.Create(o.output)
		if err != nil {
			return exitUsage, fmt.Errorf("cannot write the report: %w", err)
		}
		defer f.Close()
		out = f
	}
	if err := report.Write(out, res, format, report.Options{Verbose: o.verbose}); err != nil {
		return exitUsage, fmt.Errorf("writing the report: %w", err)
	}
	if o.output != "" {
		if err := out.(*os.File).Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			return exitUsage, fmt.Errorf("writing the report: %w", err)
		}
	}
	if res.Summary.Failed > 0 {
		return exitFailed, nil
	}
	return exitOK, nil
}

// analyzeOptions converts the flags to analyze.Options.
func (o *analyzeOptions) analyzeOptions() (analyze.Options, error) {
	var opts analyze.Options
	for _, p := range o.ports {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 65535 {
			return opts, &usageError{fmt.Sprintf("--port %q is not a port number (1-65535)", p)}
		}
		opts.Ports = append(opts.Ports, uint16(n))
	}
	for _, h := range o.hosts {
		a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(h), "[]"))
		if err != nil {
			return opts, &usageError{fmt.Sprintf("--host %q is not an IP address", h)}
		}
		opts.Hosts = append(opts.Hosts, a.Unmap())
	}
	if o.maxFlows < 1 {
		return opts, &usageError{"--max-flows must be at least 1"}
	}
	opts.MaxFlows = o.maxFlows
	return opts, nil
}
