package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/exportredact"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/redact"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
	"github.com/spf13/pflag"
)

const analyzeUsage = `Usage:
  connscope analyze [options] FILE|FOLDER|- ...

Reads a capture (pcap or pcapng, as tcpdump -w or Wireshark writes it; gzip-compressed is
fine) and reports, for every TCP connection to the analysed server ports: client and server,
how TCP went (Zeek conn_state and history), the TLS versions offered and chosen, and a verdict
with its evidence and a next step. Packets inside MPLS, PPPoE, VXLAN, Geneve, GRE, ERSPAN,
GTP-U, FabricPath, VN-Tag, Teredo and IP-in-IP are analysed as the packets they carry.

Inputs:
  FILE      a capture file; the files of a tcpdump rotated set (-C: x.pcap, x.pcap1, x.pcap2
            ...; -G: names with a date and time) are read one after the other as one capture,
            in the order of their first packets, whatever the order given
  FOLDER    every capture file in it (by content; sub-folders are not read)
  -         standard input (pipe or redirect a capture into it, gzip-compressed or not)
  Each input is a capture point (a rotated set, or the files given one --vantage label, is
  one). Several capture points of the same traffic — the agent's side and the server's side,
  captured at the same time — are read together: each connection seen at both is reported
  once, with what left one side and never reached the other (lost between them), what
  arrived that the other side never sent (forged on the path), and the clock offset between
  the captures. So is a pcapng with one interface per capture point (mergecap -I none, or
  dumpcap on a router's interfaces), and a file that mergecap made of two captures into one
  interface (told apart by their links' MAC addresses).

Options:
  -p, --port PORT       server port to analyse; repeat or comma-separate (default: every port)
      --host ADDR       server address to analyse; repeat or comma-separate (default: every address)
  -f, --format FORMAT   table (default), json, ndjson (a JSON object per connection per line,
                        Elastic Common Schema names, for log pipelines), markdown (ticket
                        text) or html (one self-contained page with a ladder diagram of each
                        failing flow)
  -o, --output FILE     write the report to FILE instead of standard output (written whole
                        or not at all: an earlier FILE is replaced only by a complete report)
  -q, --quiet           no progress line and no "exported" message on standard error
      --redact          replace IP and MAC addresses, server names, HTTP hosts and paths
                        and the file name with consistent pseudonyms, in every format
  -v, --verbose         table: list every connection with its reason, next step and evidence
      --list            table: list every connection one by one (by default a capture of more
                        than 40 connections is summed up: the failing groups, one example each)
      --failed          table: list the failing connections one by one, and only them
      --max-flows N     list at most N flows one by one (default 100000); the rest are counted
      --profile NAME    words verdicts and next steps for a product and sets its defaults:
                        generic (default) or apexone (Trend Micro Apex One / OfficeScan: ports
                        4343 and 8080 when --port is not given, its check URL, its next steps);
                        'connscope help profiles' lists them
      --agent-port PORT the agents' listener port (server -> agent notifications, where the
                        server is the TLS client); repeat or comma-separate
      --server-name NAME  the server's DNS name as the agents know it; its lookups are reported
                        even when nothing else in the capture ties it to the server; repeatable
      --export FILE     write the packets of the failing flows (and failing name lookups) to
                        FILE as pcapng, a small capture to attach to a ticket; with --redact
                        it is redacted too: addresses get the report's pseudonyms, the
                        ClientHello's server name a stand-in of its length, certificates
                        become zeros, and payload beyond the TLS handshake (application data,
                        plain HTTP, DNS) is cut as a snaplen cuts
      --export-all      with --export: every listed flow and name, not only the failing ones;
                        with nothing to export, no file is written (standard error says so)
      --vantage NAME=FILE  read FILE (or FOLDER) as the capture point NAME, e.g. server=b.pcap;
                        files given the same NAME are read as one capture (repeatable); the
                        report names the point so (JSON: input.points, input.vantages and
                        each connection's vantages)
` + analyzeLangUsage + `

On a terminal, a progress line on standard error shows how far the analysis of a large file
got. connscope never writes to the capture it reads: an output that is the same file (also
through a link) is refused.

Exit status: 0 no flow failed, 1 at least one flow (or a DNS name tied to the servers)
failed, 2 bad usage or unreadable input, 3 nothing to analyse: no TCP connection on the
analysed ports (the report then lists the ports and servers the capture does hold).

Example:
  connscope analyze incident.pcapng --port 4343
  connscope analyze rotated/ -p 4343                 (a folder of tcpdump -C files)
  ssh server 'tcpdump -w - -c 2000 port 4343' | connscope analyze - -p 4343
  connscope analyze --vantage agent=agent.pcap --vantage server=server.pcap -p 4343
  connscope analyze capture.pcap.gz -p 4343,8080 --format json -o report.json
  connscope analyze incident.pcapng -p 4343 --format html --redact -o report.html
`

type analyzeOptions struct {
	profile     string
	agentPorts  []string
	serverNames []string
	export      string
	exportAll   bool
	lang        string
	vantages    []string

	ports    []string
	hosts    []string
	format   string
	output   string
	verbose  bool
	list     bool
	failed   bool
	maxFlows int
	redact   bool
	quiet    bool
}

func runAnalyze(args []string, stdout, stderr io.Writer) (int, error) {
	var o analyzeOptions
	fs := pflag.NewFlagSet("analyze", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.profile, "profile", knowledge.Generic, "")
	fs.StringSliceVar(&o.agentPorts, "agent-port", nil, "")
	fs.StringSliceVar(&o.serverNames, "server-name", nil, "")
	fs.StringVar(&o.export, "export", "", "")
	fs.BoolVar(&o.exportAll, "export-all", false, "")
	fs.StringVar(&o.lang, "lang", "", "")
	fs.StringArrayVar(&o.vantages, "vantage", nil, "")
	fs.StringSliceVarP(&o.ports, "port", "p", nil, "")
	fs.StringSliceVar(&o.hosts, "host", nil, "")
	fs.StringVarP(&o.format, "format", "f", "table", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "")
	fs.BoolVar(&o.list, "list", false, "")
	fs.BoolVar(&o.failed, "failed", false, "")
	fs.IntVar(&o.maxFlows, "max-flows", analyze.DefaultMaxFlows, "")
	fs.BoolVar(&o.redact, "redact", false, "")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "")
	var prof devProfile
	prof.register(fs)
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		return exitUsage, flagErr(err)
	}
	if *help {
		fmt.Fprint(stdout, analyzeUsage)
		return exitOK, nil
	}
	if err := prof.start(); err != nil {
		return exitUsage, err
	}
	defer prof.stop()
	inputs, err := o.inputs(fs.Args())
	if err != nil {
		return exitUsage, err
	}
	if o.exportAll && o.export == "" {
		return exitUsage, usageErr("cli.flag.export-all")
	}
	format, err := parseFormat(o.format, report.Formats())
	if err != nil {
		return exitUsage, err
	}
	opts, err := o.analyzeOptions()
	if err != nil {
		return exitUsage, err
	}
	if o.export != "" && (len(inputs) != 1 || inputs[0].Path == pcapfile.Stdin || isDir(inputs[0].Path)) {
		return exitUsage, usageErr("cli.flag.export-one")
	}
	var paths []string
	for _, in := range inputs {
		paths = append(paths, in.Path)
	}
	outs, err := o.openOutputs(paths, stdout)
	if err != nil {
		return exitUsage, err
	}
	defer outs.abort()
	defer cleanupOnSignal(stderr, o.reportLang(report.FormatTable), outs.abort, outs.report != nil || outs.export != nil)()
	restoreGC := analysisGC(format)
	res, err := analyzeInputs(inputs, opts, stderr, o.quiet, o.reportLang(report.FormatTable))
	restoreGC()
	if err != nil {
		return exitUsage, err
	}
	prof.retained(stderr, res.Flows.Len()+res.FlowsNotListed)
	res.Input.Generator = readGenerator()
	// Redaction hands out the pseudonyms first, so that the export's frames get the report's
	// own; the export still reads the original result: it finds the flows' packets by the
	// capture's addresses.
	var names *redact.Redactor
	shown := res
	if o.redact {
		names = redact.New()
		shown = names.Result(res)
	}
	if outs.export != nil {
		if err := export(inputs[0].Path, res, names, o, outs.export, stderr); err != nil {
			return exitUsage, err
		}
	}
	return writeReport(shown, format, &o, stdout, outs.report)
}

// analyzeInputs analyses the inputs: one capture file with the progress line (analyzeFile),
// else the inputs opened together (a rotated set, a folder, standard input, several capture
// points), which can be opened again unless standard input is among them.
func analyzeInputs(inputs []pcapfile.Input, opts analyze.Options, stderr io.Writer, quiet bool, lang knowledge.Lang) (*result.Result, error) {
	if len(inputs) == 1 && inputs[0].Point == "" && inputs[0].Path != pcapfile.Stdin && !isDir(inputs[0].Path) {
		return analyzeFile(inputs[0].Path, opts, stderr, quiet, lang)
	}
	in := stdin
	opts.Reopen = func() (*pcapfile.Reader, error) { return pcapfile.OpenInputs(inputs, nil) }
	if slices.ContainsFunc(inputs, func(in pcapfile.Input) bool { return in.Path == pcapfile.Stdin }) {
		sp := spool(stdin)
		defer sp.remove()
		in, opts.Reopen = sp, nil
		if sp.file != nil {
			opts.Reopen = func() (*pcapfile.Reader, error) {
				again, err := sp.again()
				if err != nil {
					return nil, err
				}
				return pcapfile.OpenInputs(inputs, again)
			}
		}
	}
	r, err := pcapfile.OpenInputs(inputs, in)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return analyze.Reader(r, inputs[0].Path, opts)
}

// outputFiles are the files an analysis writes, started before it runs so that an output that
// cannot be written is known at once. nil: not asked for (the report then goes to stdout).
type outputFiles struct {
	report, export *atomicFile
}

// openOutputs refuses outputs that are an input (or each other; or standard output that is an
// input, with no -o) and starts the -o and --export files.
func (o *analyzeOptions) openOutputs(inputs []string, stdout io.Writer) (*outputFiles, error) {
	var in []namedPath
	for _, p := range inputs {
		in = append(in, namedPath{"", p})
	}
	if err := checkOutputs(in, []namedPath{{"--output", o.output}, {"--export", o.export}}); err != nil {
		return nil, err
	}
	if f, ok := stdout.(*os.File); ok && o.output == "" {
		if out, err := f.Stat(); err == nil && out.Mode().IsRegular() {
			for _, p := range in {
				if fi, err := statPath(p.path); err == nil && os.SameFile(fi, out) {
					return nil, failure("cli.output.stdout-is-capture", result.File("file", p.path))
				}
			}
		}
	}
	outs := &outputFiles{}
	var err error
	if o.output != "" {
		if outs.report, err = createAtomic(o.output); err != nil {
			return nil, wrapped("cli.output.report", err)
		}
	}
	if o.export != "" {
		if outs.export, err = createAtomic(o.export); err != nil {
			outs.abort()
			return nil, wrapped("cli.output.export", err)
		}
	}
	return outs, nil
}

// abort removes the temporary files of the outputs not completed.
func (outs *outputFiles) abort() {
	for _, f := range []*atomicFile{outs.report, outs.export} {
		if f != nil {
			f.Abort()
		}
	}
}

// writeReport writes the report to out (the -o file), or to stdout when out is nil, and returns
// the exit code its verdicts give. A report that cannot be written whole leaves out's earlier
// file as it was.
func writeReport(res *result.Result, format report.Format, o *analyzeOptions, stdout io.Writer, out *atomicFile) (int, error) {
	if out == nil {
		if err := report.Write(stdout, res, format, report.Options{Verbose: o.verbose, List: o.list, Failed: o.failed, Lang: o.reportLang(format)}); err != nil {
			return exitUsage, wrapped("cli.output.writing-report", err)
		}
	} else {
		err := report.Write(out, res, format, report.Options{Verbose: o.verbose, List: o.list, Failed: o.failed, Lang: o.reportLang(format)})
		if err == nil {
			err = out.Commit()
		}
		if err != nil {
			out.Abort()
			return exitUsage, &cliError{msg: result.Msg("cli.output.report-to", result.File("file", o.output), result.Sub("error", out.describe(err)), result.Sub("left", out.leftAs())), err: err}
		}
	}
	return exitStatus(res), nil
}

// exitStatus is the exit status a result gives: 1 when a connection or a DNS name tied to the
// servers failed, 3 when there was nothing to analyse (no connection on the analysed ports),
// else 0.
func exitStatus(res *result.Result) int {
	switch {
	case res.Summary.Failed > 0 || res.Summary.NamesFailed > 0:
		return exitFailed
	case res.Summary.Flows == 0:
		return exitNothing
	}
	return exitOK
}

// stdin is what "-" reads; tests replace it.
var stdin io.Reader = os.Stdin

// inputs converts the arguments and --vantage flags to capture inputs: the arguments first, then
// the labelled ones, each in the order given.
func (o *analyzeOptions) inputs(args []string) ([]pcapfile.Input, error) {
	var in []pcapfile.Input
	for _, a := range args {
		in = append(in, pcapfile.Input{Path: a})
	}
	for _, v := range o.vantages {
		name, path, ok := strings.Cut(v, "=")
		if name = strings.TrimSpace(name); !ok || name == "" || path == "" {
			return nil, usageErr("cli.flag.vantage", quoted("value", v))
		}
		in = append(in, pcapfile.Input{Path: path, Point: name})
	}
	if len(in) == 0 {
		return nil, usageErr("cli.analyze.no-input")
	}
	for _, i := range in {
		if i.Path == pcapfile.Stdin && stdin == os.Stdin && stdinIsTerminal() {
			return nil, usageErr("cli.analyze.stdin-terminal")
		}
	}
	return in, nil
}

// stdinIsTerminal reports whether standard input is a character device other than the null
// device: a terminal, from which no capture comes.
func stdinIsTerminal() bool {
	fi, err := os.Stdin.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// analyzeOptions converts the flags to analyze.Options.
func (o *analyzeOptions) analyzeOptions() (analyze.Options, error) {
	var opts analyze.Options
	var err error
	if opts.Ports, err = parsePorts("--port", o.ports); err != nil {
		return opts, err
	}
	if opts.AgentPorts, err = parsePorts("--agent-port", o.agentPorts); err != nil {
		return opts, err
	}
	if opts.Profile, err = profileByName(o.profile); err != nil {
		return opts, err
	}
	if _, err := parseLang(o.lang); err != nil {
		return opts, err
	}
	for _, n := range o.serverNames {
		opts.ServerNames = append(opts.ServerNames, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), "."))
	}
	for _, h := range o.hosts {
		a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(h), "[]"))
		if err != nil {
			return opts, usageErr("cli.flag.host", quoted("value", h))
		}
		opts.Hosts = append(opts.Hosts, a.Unmap())
	}
	if o.maxFlows < 1 {
		return opts, usageErr("cli.flag.at-least-one", result.Text("flag", "--max-flows"))
	}
	opts.MaxFlows = o.maxFlows
	return opts, nil
}

// parsePorts converts the values of a port flag.
func parsePorts(flag string, values []string) ([]uint16, error) {
	var ports []uint16
	for _, p := range values {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 65535 {
			return nil, usageErr("cli.flag.port", result.Text("flag", flag), quoted("value", p))
		}
		ports = append(ports, uint16(n))
	}
	return ports, nil
}

// export writes the selected flows' packets to out (o.export); with names (--redact), redacted
// with the report's pseudonyms. With nothing to export it writes no file and says so.
func export(capturePath string, res *result.Result, names *redact.Redactor, o analyzeOptions, out *atomicFile, stderr io.Writer) error {
	eo := analyze.ExportOptions{All: o.exportAll}
	if names != nil {
		rw := exportredact.New(names)
		eo.Rewrite, eo.Name, eo.SectionComment = rw.Frame, rw.Name, exportredact.SectionComment
	}
	st, err := analyze.Export(capturePath, res, out, eo)
	if err != nil {
		out.Abort()
		return &cliError{msg: result.Msg("cli.output.export-to", result.File("file", o.export), result.Sub("error", out.describe(err)), result.Sub("left", out.leftAs())), err: err}
	}
	say := newPrinter(stderr, o.reportLang(report.FormatTable))
	if st.Packets == 0 {
		out.Abort()
		what := result.Msg("cli.export.nothing-failed")
		if o.exportAll {
			what = result.Msg("cli.export.nothing-listed")
		}
		say.line("cli.export.nothing", result.Sub("what", what), result.Sub("left", out.leftAs()))
		return nil
	}
	if err := out.Commit(); err != nil {
		return &cliError{msg: result.Msg("cli.output.export-to", result.File("file", o.export), result.Sub("error", out.describe(err)), result.Sub("left", out.leftAs())), err: err}
	}
	if !o.quiet {
		// Worded in the table report's language (--lang, else the locale), as capture's live lines are.
		say.line("cli.exported", result.Int("packets", st.Packets), result.Int("flows", st.Flows), result.Int("context", st.Context),
			result.Int("names", st.Names), result.File("file", o.export))
	}
	return nil
}
