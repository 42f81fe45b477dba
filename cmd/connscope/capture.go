package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture/live"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
	"github.com/spf13/pflag"
)

const captureUsage = `Usage:
  connscope capture -i IFACE [options]

Captures live on a network interface, prints a line for every connection as it finishes (verdict,
client -> server, TLS versions offered and chosen, why), a status line on standard error every few
seconds, and on stop (Ctrl-C, --duration or --count) the same report as 'connscope analyze'.
Only the watched ports' TCP packets and ICMP errors reach connscope: the filter runs in the kernel
(Linux: AF_PACKET, no libpcap needed) or in Npcap (Windows) / libpcap (macOS, BSD).

Options:
  -i, --interface IFACE   interface to capture on (see 'connscope interfaces'); required
  -p, --port PORT         server port to watch; repeat or comma-separate (default: every TCP port)
      --host ADDR         server address to watch; repeat or comma-separate (default: every address)
      --duration D        stop after D (e.g. 90s, 5m, 1h); default: until Ctrl-C
  -c, --count N           stop after N packets
  -w, --write FILE        also write the captured packets to FILE (pcapng), complete on every stop;
                          if writing fails (a full disk), FILE keeps the packets before as a valid
                          capture and the capture and its report go on without it
  -f, --format FORMAT     final report: table (default), json or ndjson
  -o, --output FILE       write the final report to FILE instead of standard output (checked
                          before capturing; should writing it fail at the end, the report goes
                          to standard output instead)
  -v, --verbose           table: show reason, next step and evidence for every flow
      --max-flows N       list at most N flows in the final report (default 10000); the rest are counted
      --idle-timeout D    finish a connection silent for D (default 2m)
      --status D          status line interval on standard error (default 5s; 0: none)
` + captureLangUsage + `
Live lines go to standard output, or to standard error when the JSON (or NDJSON) report goes to
standard output.
Capturing needs root or CAP_NET_RAW on Linux (sudo setcap cap_net_raw+ep connscope), Npcap on Windows.

Exit status: 0 no flow failed, 1 at least one flow failed, 2 bad usage, no permission to capture,
unknown interface, a capture that could not run, or one that ended on an error (the interface
went away or down): the report of the packets captured until then is still written; 3 no
connection on the watched ports was seen.

Example:
  sudo connscope capture -i eth0 --port 4343 --duration 10m --write incident.pcapng
`

// Why a capture stopped, as the report's input.live.stopped_by says.
var (
	stopInterrupted = errors.New("interrupted")
	stopDuration    = errors.New("duration")
)

type captureOptions struct {
	analyzeOptions
	iface       string
	duration    time.Duration
	count       int
	write       string
	idleTimeout time.Duration
	status      time.Duration
}

func runCapture(args []string, stdout, stderr io.Writer) (int, error) {
	var o captureOptions
	fs := pflag.NewFlagSet("capture", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVarP(&o.iface, "interface", "i", "", "")
	fs.StringSliceVarP(&o.ports, "port", "p", nil, "")
	fs.StringSliceVar(&o.hosts, "host", nil, "")
	fs.DurationVar(&o.duration, "duration", 0, "")
	fs.IntVarP(&o.count, "count", "c", 0, "")
	fs.StringVarP(&o.write, "write", "w", "", "")
	fs.StringVarP(&o.format, "format", "f", "table", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "")
	fs.IntVar(&o.maxFlows, "max-flows", analyze.DefaultLiveMaxFlows, "")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", analyze.DefaultLiveIdleTimeout, "")
	fs.DurationVar(&o.status, "status", 5*time.Second, "")
	fs.StringVar(&o.lang, "lang", "", "")
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		return exitUsage, flagErr(err)
	}
	if *help {
		fmt.Fprint(stdout, captureUsage)
		return exitOK, nil
	}
	format, opts, lo, err := o.parse(fs.Args())
	if err != nil {
		return exitUsage, err
	}
	// The report's file is started before capturing: a capture cannot be repeated, so its
	// report must not find out at the end that it cannot be written.
	if err := checkOutputs(nil, []namedPath{{"--output", o.output}, {"--write", o.write}}); err != nil {
		return exitUsage, err
	}
	var out *atomicFile
	if o.output != "" {
		if out, err = createAtomic(o.output); err != nil {
			return exitUsage, wrapped("cli.output.report-nothing-captured", err)
		}
		defer out.Abort()
	}
	say := newPrinter(stderr, o.reportLang(report.FormatTable))
	liveOpts := live.Options{Interface: o.iface, Filter: live.Filter{Ports: opts.Ports, Hosts: opts.Hosts}}
	var file *os.File
	if o.write != "" {
		if file, err = os.Create(o.write); err != nil {
			return exitUsage, wrapped("cli.output.capture-file", cannotWrite(o.write, err))
		}
		defer file.Close()
		liveOpts.Write = file
		liveOpts.OnWriteError = func(e *live.WriteError) {
			say.line("cli.capture.write-warning", result.File("file", o.write), result.Text("error", e.Error()))
		}
	}
	src, err := live.Open(liveOpts)
	if err != nil {
		if file != nil {
			file.Close()
			os.Remove(o.write)
		}
		return exitUsage, liveError(err, o.iface)
	}
	lines := stdout
	if (format == report.FormatJSON || format == report.FormatNDJSON) && o.output == "" {
		lines = stderr
	}
	lineLang := o.reportLang(report.FormatTable)
	opts.OnFlow = func(f result.Flow) { fmt.Fprintln(lines, report.FlowLineIn(&f, lineLang)) }
	if o.status > 0 {
		lo.OnStatus = func(s analyze.LiveStatus) { fmt.Fprintln(stderr, statusLine(s, say)) }
	}
	ctx, stop := stopContext(o.duration)
	defer stop()
	say.line("cli.capture.started", result.Text("iface", src.Interface()), result.Text("method", src.Method()), result.Text("filter", src.Filter()))
	res, err := analyze.Live(ctx, src, opts, lo)
	if err != nil {
		return exitUsage, err
	}
	if file != nil {
		if err := file.Close(); err != nil && src.WriteErr() == nil {
			say.line("cli.capture.close-warning", result.File("file", o.write), result.Sub("error", why(err)))
		}
	}
	if werr := src.WriteErr(); werr != nil {
		res.Warnings = append(res.Warnings, result.Warning{Code: "capture-file-error", Message: result.Msg(
			"warning.capture-file-error", result.File("file", o.write), result.Capture("error", werr.Error()))})
	}
	res.Input.Generator = readGenerator()
	fmt.Fprintln(stderr, endLine(res, o.write, src.WriteErr(), say))
	code, err := writeReport(res, format, &o.analyzeOptions, stdout, out)
	if err != nil && out != nil {
		// The capture cannot be repeated: its report goes to standard output rather than nowhere.
		say.line("cli.error", result.Sub("error", errorMessage(err)))
		say.line("cli.capture.report-instead")
		if _, err := writeReport(res, format, &o.analyzeOptions, stdout, nil); err != nil {
			return exitUsage, err
		}
		return exitUsage, nil
	}
	if err == nil && src.Err() != nil {
		return exitUsage, &cliError{msg: result.Msg("cli.capture.ended", result.Text("error", src.Err().Error())), err: src.Err()}
	}
	return code, err
}

// parse checks the flags and converts them.
func (o *captureOptions) parse(args []string) (report.Format, analyze.Options, analyze.LiveOptions, error) {
	var lo analyze.LiveOptions
	if len(args) > 0 {
		return "", analyze.Options{}, lo, usageErr("cli.capture.args", quoted("arg", args[0]))
	}
	if o.iface == "" {
		return "", analyze.Options{}, lo, usageErr("cli.capture.no-interface-flag")
	}
	format, err := parseFormat(o.format, report.Formats())
	if err != nil {
		return "", analyze.Options{}, lo, err
	}
	opts, err := o.analyzeOptions.analyzeOptions()
	if err != nil {
		return "", opts, lo, err
	}
	switch {
	case o.duration < 0:
		return "", opts, lo, usageErr("cli.flag.not-negative", result.Text("flag", "--duration"))
	case o.count < 0:
		return "", opts, lo, usageErr("cli.flag.not-negative", result.Text("flag", "--count"))
	case o.idleTimeout < time.Second:
		return "", opts, lo, usageErr("cli.flag.idle-timeout")
	case o.status < 0:
		return "", opts, lo, usageErr("cli.flag.not-negative", result.Text("flag", "--status"))
	case len(opts.Ports) > live.MaxFilterPorts:
		return "", opts, lo, usageErr("cli.capture.max-ports", result.Int("n", live.MaxFilterPorts))
	case len(opts.Hosts) > live.MaxFilterHosts:
		return "", opts, lo, usageErr("cli.capture.max-hosts", result.Int("n", live.MaxFilterHosts))
	}
	opts.IdleTimeout = o.idleTimeout
	opts.ClosedLinger = analyze.DefaultLiveClosedLinger
	lo.Count = o.count
	lo.StatusEvery = o.status
	return format, opts, lo, nil
}

// stopContext is done on the first Ctrl-C (or SIGTERM) or after d (when d > 0), with the reason as
// its cause. A second Ctrl-C kills the program as usual.
func stopContext(d time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	var stopTimer context.CancelFunc = func() {}
	if d > 0 {
		ctx, stopTimer = context.WithTimeoutCause(ctx, d, stopDuration)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			signal.Stop(sig)
			cancel(stopInterrupted)
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sig)
		stopTimer()
		cancel(nil)
	}
}

// statusLine is the periodic progress line.
func statusLine(s analyze.LiveStatus, say printer) string {
	return say.text("cli.capture.status", result.Text("elapsed", s.Elapsed.Round(time.Second).String()), result.Int("frames", s.Frames),
		result.Int("finished", s.Finished), result.Int("failed", s.Failed), result.Int("open", s.Open),
		result.Int("received", s.Kernel.Received), result.Int("dropped", s.Kernel.Dropped))
}

// stoppedBy words why a capture stopped (input.live.stopped_by); a reason it does not know (a
// capture error's words) as it is.
var stoppedBy = map[string]string{
	"interrupted":     "cli.capture.by-interrupted",
	"duration":        "cli.capture.by-duration",
	analyze.StopCount: "cli.capture.by-count",
	analyze.StopError: "cli.capture.by-error",
	"stopped":         "cli.capture.by-stopped",
}

// endLine says what the capture did, once it stopped.
func endLine(res *result.Result, written string, werr *live.WriteError, say printer) string {
	l := res.Input.Live
	by := other(l.StoppedBy)
	if key, ok := stoppedBy[l.StoppedBy]; ok {
		by = result.Msg(key)
	}
	var wrote result.Message
	switch {
	case written != "" && werr != nil:
		wrote = result.Msg("cli.capture.wrote-first", result.Int("n", werr.Packets), result.File("file", written))
	case written != "":
		wrote = result.Msg("cli.capture.wrote", result.File("file", written))
	}
	return say.text("cli.capture.stopped", result.Sub("by", by), result.Text("seconds", strconv.FormatFloat(l.Seconds, 'f', 1, 64)),
		result.Int("frames", res.Input.Frames), result.Int("received", l.KernelReceived), result.Int("dropped", l.KernelDropped),
		result.Sub("written", wrote))
}
