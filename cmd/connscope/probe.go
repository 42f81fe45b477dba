package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/probe"
	"github.com/connscope/connscope/redact"
	"github.com/connscope/connscope/report"
	"github.com/connscope/connscope/result"
	"github.com/spf13/pflag"
)

const probeUsage = `Usage:
  connscope probe [options] HOST[:PORT]...

Checks a TLS server actively, as an agent reaches it: resolves the name (system resolver and
each DNS server), connects over TCP, sends one ClientHello per version (SSL 3.0 to TLS 1.3) and
reads the answer without completing the handshake, finds the cipher suites it accepts, judges its
certificate, and fetches the check URL by name and by address. With the agent's versions it says
which version they settle on, or that they have none in common.

Options:
      --profile NAME      generic (default) or apexone: default port (apexone: 4343), check URL
                          (apexone: /officescan/hotfix_pccnt/Common/OfcNTCer.dat) and wording
      --server-name NAME  the server's DNS name: an address target is probed by name too, to
                          tell "the IP works, the name does not"; repeatable
      --client-versions V the TLS client's versions, e.g. 1.0,1.1: the agent's (for --agent
                          targets, the server's, which notifies the agent); default: read from
                          this machine's SCHANNEL Client registry keys on Windows, else unknown
      --ciphers MODE      common (default: the suites usual clients offer) or all (every
                          registered suite: more connections)
      --url PATH          the path to GET instead of the profile's check URL
      --no-url            GET nothing
      --agent HOST:PORT   also probe an agent's listener port, as the server notifying it does
                          (TCP and TLS; apexone: GET /?CAVIT); repeatable
      --timeout D         per connect and per answer (default 3s)
      --dns SERVER        a DNS server to ask besides the system resolver (default: those of
                          /etc/resolv.conf); repeatable
      --ca FILE           PEM file of the roots the certificate is checked against (default:
                          the system's)
  -w, --write FILE        capture the probe's own packets to FILE (pcapng; Linux as root or
                          with CAP_NET_RAW, Windows with Npcap); 'connscope analyze FILE'
                          re-analyses them
  -f, --format FORMAT     table (default), json, markdown or html
  -o, --output FILE       write the report to FILE instead of standard output
      --lang LANG         en (default) or ja; without it, a Japanese locale (LC_ALL, LC_MESSAGES
                          or LANG starting with ja) words the table, Markdown and HTML in Japanese
      --redact            replace addresses, names and paths with consistent pseudonyms

One connection at a time, each with the timeout; a few dozen connections per address (more
with --ciphers all). Needs no privileges, except --write.

Exit status: 0 nothing wrong, 1 a problem found, 2 bad usage.

Example:
  connscope probe apexone.example.com --profile apexone --client-versions 1.0,1.1
  connscope probe 10.0.0.2:4343 --server-name apexone.example.com --format markdown
`

type probeOptions struct {
	profile        string
	serverNames    []string
	clientVersions []string
	ciphers        string
	url            string
	noURL          bool
	agents         []string
	timeout        time.Duration
	dns            []string
	ca             string
	write          string
	format         string
	output         string
	lang           string
	redact         bool
}

func runProbe(args []string, stdout, stderr io.Writer) (int, error) {
	var o probeOptions
	fs := pflag.NewFlagSet("probe", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.profile, "profile", knowledge.Generic, "")
	fs.StringSliceVar(&o.serverNames, "server-name", nil, "")
	fs.StringSliceVar(&o.clientVersions, "client-versions", nil, "")
	fs.StringVar(&o.ciphers, "ciphers", probe.CiphersCommon, "")
	fs.StringVar(&o.url, "url", "", "")
	fs.BoolVar(&o.noURL, "no-url", false, "")
	fs.StringArrayVar(&o.agents, "agent", nil, "")
	fs.DurationVar(&o.timeout, "timeout", probe.DefaultTimeout, "")
	fs.StringArrayVar(&o.dns, "dns", nil, "")
	fs.StringVar(&o.ca, "ca", "", "")
	fs.StringVarP(&o.write, "write", "w", "", "")
	fs.StringVarP(&o.format, "format", "f", "table", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.StringVar(&o.lang, "lang", "", "")
	fs.BoolVar(&o.redact, "redact", false, "")
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		return exitUsage, flagErr(err)
	}
	if *help {
		fmt.Fprint(stdout, probeUsage)
		return exitOK, nil
	}
	format, err := parseFormat(o.format, report.Formats())
	if err != nil {
		return exitUsage, err
	}
	lang, err := parseLang(o.lang)
	if err != nil {
		return exitUsage, err
	}
	say := newPrinter(stderr, lang)
	if o.lang == "" {
		lang = defaultLang(format)
		say = newPrinter(stderr, localeLang())
	}
	opts, err := o.options(fs.Args())
	if err != nil {
		return exitUsage, err
	}
	opts.OnEndpoint = func(addr string) { say.line("cli.probe.probing", result.Text("endpoint", addr)) }
	ctx, stop := stopContext(0)
	defer stop()
	var res *result.ProbeResult
	if o.write != "" {
		res, err = probe.RunCaptured(ctx, opts, o.write)
		if err != nil {
			return exitUsage, err
		}
		say.line("cli.probe.wrote", result.Int("n", res.Capture.Packets), result.Text("iface", res.Capture.Interface), result.File("file", o.write))
	} else {
		res = probe.Run(ctx, opts)
	}
	shown := res
	if o.redact {
		shown = redact.New().Probe(res)
	}
	out := stdout
	if o.output != "" {
		f, err := os.Create(o.output)
		if err != nil {
			return exitUsage, wrapped("cli.output.report", cannotWrite(o.output, err))
		}
		defer f.Close()
		out = f
	}
	if err := report.WriteProbe(out, shown, format, report.ProbeOptions{Lang: lang}); err != nil {
		return exitUsage, wrapped("cli.output.writing-report", err)
	}
	if f, ok := out.(*os.File); ok && o.output != "" {
		if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			return exitUsage, wrapped("cli.output.writing-report", err)
		}
	}
	if res.Problems > 0 {
		return exitFailed, nil
	}
	return exitOK, nil
}

// options checks the flags and the targets and converts them.
func (o *probeOptions) options(args []string) (probe.Options, error) {
	var opts probe.Options
	if len(args) == 0 && len(o.agents) == 0 {
		return opts, usageErr("cli.probe.no-target")
	}
	prof, err := profileByName(o.profile)
	if err != nil {
		return opts, err
	}
	opts.Profile = prof
	port := 0
	if len(prof.TLSPorts) > 0 {
		port = int(prof.TLSPorts[0])
	} else if len(prof.Ports) > 0 {
		port = int(prof.Ports[0])
	}
	for _, a := range args {
		t, err := probe.ParseTarget(a, port, probe.RoleServer)
		if err != nil {
			return opts, flagErr(err)
		}
		opts.Targets = append(opts.Targets, t)
	}
	for _, a := range o.agents {
		t, err := probe.ParseTarget(a, 0, probe.RoleAgentListener)
		if err != nil {
			return opts, usageErr("cli.probe.agent", result.Sub("error", errorMessage(err)))
		}
		opts.Targets = append(opts.Targets, t)
	}
	for _, n := range o.serverNames {
		t, err := probe.ParseTarget(n, 1, probe.RoleServer)
		if err != nil || t.Name == "" {
			return opts, usageErr("cli.probe.server-name", quoted("value", n))
		}
		opts.ServerNames = append(opts.ServerNames, t.Name)
	}
	if len(o.clientVersions) > 0 {
		if opts.ClientVersions, err = probe.ParseClientVersions(o.clientVersions); err != nil {
			return opts, flagErr(err)
		}
		opts.ClientSource, opts.ClientDetail = "flag", result.Msg("probe.client-versions-flag")
	} else {
		opts.ClientVersions, opts.ClientDetail = probe.LocalClientVersions()
		opts.ClientSource = "registry"
		if len(opts.ClientVersions) == 0 {
			opts.ClientSource = "unknown"
		}
	}
	switch o.ciphers {
	case probe.CiphersCommon, probe.CiphersAll:
		opts.Ciphers = o.ciphers
	default:
		return opts, usageErr("cli.probe.ciphers", quoted("value", o.ciphers))
	}
	if o.url != "" && o.url[0] != '/' {
		return opts, usageErr("cli.probe.url", quoted("value", o.url))
	}
	opts.URL, opts.NoURL = o.url, o.noURL
	if o.timeout < 10*time.Millisecond || o.timeout > time.Minute {
		return opts, usageErr("cli.probe.timeout")
	}
	opts.Timeout = o.timeout
	for _, d := range o.dns {
		t, err := probe.ParseTarget(d, 53, "")
		if err != nil || !t.Addr.IsValid() {
			return opts, usageErr("cli.probe.dns", quoted("value", d))
		}
		opts.Resolvers = append(opts.Resolvers, netip.AddrPortFrom(t.Addr, uint16(t.Port)).String())
	}
	if o.ca != "" {
		b, err := os.ReadFile(o.ca)
		if err != nil {
			return opts, &cliError{msg: result.Msg("cli.probe.ca-unreadable", result.File("file", o.ca), result.Sub("why", why(err))), err: err}
		}
		opts.Roots = x509.NewCertPool()
		if !opts.Roots.AppendCertsFromPEM(b) {
			return opts, usageErr("cli.probe.ca-no-pem", result.File("file", o.ca))
		}
	}
	return opts, nil
}
