package redact

import (
	"net"
	"net/netip"
	"strings"

	"github.com/connscope/connscope/result"
)

// Probe returns a redacted copy of a probe's result (r is not modified): addresses, names,
// paths, certificate subjects and the capture's file name get pseudonyms, in the fields and in
// every message parameter that came from the network (result.ArgKind.FromCapture), so that the
// reports worded from the copy hold no original. Free texts (errors, a non-TLS answer's first
// bytes) have every original replaced as a report's free text is.
func (x *Redactor) Probe(r *result.ProbeResult) *result.ProbeResult {
	if r == nil {
		return nil
	}
	x.collectProbe(r)
	x.assign()
	out := *r
	out.Options.URL = x.redactString(r.Options.URL, kindPath)
	out.Client.Detail = x.message(r.Client.Detail)
	out.Targets = make([]result.ProbeTarget, len(r.Targets))
	for i, t := range r.Targets {
		out.Targets[i] = x.probeTarget(t)
	}
	out.Findings = x.findings(r.Findings)
	if r.Capture != nil {
		c := *r.Capture
		c.File = x.redactString(c.File, kindFile)
		c.Filter = x.Text(c.Filter)
		out.Capture = &c
	}
	return &out
}

// collectProbe hands out the pseudonyms, in the order a report shows the originals.
func (x *Redactor) collectProbe(r *result.ProbeResult) {
	for _, t := range r.Targets {
		x.collectHostPort(t.Input)
		if t.Name != "" {
			x.name(t.Name)
		}
		for _, l := range t.Lookups {
			if l.Resolver != "system" {
				x.collectHostPort(l.Resolver)
			}
			for _, a := range l.Addresses {
				x.collectString(a, kindName)
			}
			x.collectString(l.Error, kindText)
		}
		for _, ep := range t.Endpoints {
			x.collectHostPort(ep.Address)
			x.collectString(ep.TCP.Error, kindText)
			for _, v := range ep.Versions {
				x.collectString(v.NotTLS, kindText)
			}
			if c := ep.Certificate; c != nil {
				for _, cert := range c.Chain {
					x.collectCertificate(cert)
				}
				for _, m := range c.Messages {
					x.collectMessage(m)
				}
			}
			for _, h := range ep.HTTP {
				x.collectHTTP(h)
			}
		}
		for _, h := range t.HTTP {
			x.collectHTTP(h)
		}
	}
	for _, f := range r.Findings {
		x.collectHostPort(f.Target)
		x.collectHostPort(f.Endpoint)
		x.collectMessage(f.Message)
		x.collectMessage(f.NextStep)
	}
	if r.Capture != nil {
		x.collectString(r.Capture.File, kindFile)
	}
}

func (x *Redactor) collectCertificate(c result.Certificate) {
	x.collectString(string(c.Subject), kindDN)
	x.collectString(string(c.Issuer), kindDN)
	for _, n := range c.DNSNames {
		x.collectString(string(n), kindName)
	}
	for _, a := range c.IPAddresses {
		x.collectString(string(a), kindName)
	}
	x.collectString(string(c.SerialNumber), kindOpaque)
	x.collectString(string(c.SHA256), kindOpaque)
}

func (x *Redactor) collectHTTP(h result.ProbeHTTP) {
	scheme, rest, ok := strings.Cut(h.URL, "://")
	if ok && scheme != "" {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			i = len(rest)
		}
		x.collectHostPort(rest[:i])
		x.collectString(rest[i:], kindPath)
	}
	x.collectHostPort(h.Address)
	x.collectString(h.Error, kindText)
}

// collectHostPort notes the host of "host", "host:port" or "[v6]:port".
func (x *Redactor) collectHostPort(s string) {
	if s == "" {
		return
	}
	host := s
	if h, _, err := net.SplitHostPort(s); err == nil {
		host = h
	}
	x.name(host)
}

func (x *Redactor) collectMessage(m result.Message) {
	for _, a := range m.Args {
		switch {
		case a.Kind == result.KindMessage && a.Msg != nil:
			x.collectMessage(*a.Msg)
		case a.Kind == result.KindList:
			for _, sub := range a.List {
				x.collectMessage(sub)
			}
		case a.Kind == result.KindAddr, a.Kind == result.KindName:
			x.collectString(a.Text, kindName)
		case a.Kind == result.KindEndpoint:
			x.collectHostPort(a.Text)
		case a.Kind == result.KindPath:
			x.collectString(a.Text, kindPath)
		case a.Kind == result.KindFile:
			x.collectString(a.Text, kindFile)
		case a.Kind == result.KindDN:
			x.collectString(a.Text, kindDN)
		case a.Kind == result.KindCapture:
			x.collectString(a.Text, kindText)
		}
	}
}

// message returns m with every parameter from the network replaced by its pseudonym.
func (x *Redactor) message(m result.Message) result.Message {
	if len(m.Args) == 0 {
		return m
	}
	out := result.Message{Key: m.Key, Args: make([]result.Arg, len(m.Args))}
	for i, a := range m.Args {
		switch a.Kind {
		case result.KindMessage:
			if a.Msg != nil {
				sub := x.message(*a.Msg)
				a.Msg = &sub
			}
		case result.KindList:
			list := make([]result.Message, len(a.List))
			for j, sub := range a.List {
				list[j] = x.message(sub)
			}
			a.List = list
		case result.KindAddr, result.KindName:
			a.Text = x.hostText(a.Text)
		case result.KindEndpoint:
			a.Text = x.hostPort(a.Text)
		case result.KindPath:
			a.Text = x.redactString(a.Text, kindPath)
		case result.KindFile:
			a.Text = x.redactString(a.Text, kindFile)
		case result.KindDN:
			a.Text = x.redactString(a.Text, kindDN)
		case result.KindCapture:
			a.Text = x.Text(a.Text)
		}
		out.Args[i] = a
	}
	return out
}

// hostText is the pseudonym of a name or an address.
func (x *Redactor) hostText(s string) string {
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		if p, ok := x.addrs[a.Unmap()]; ok {
			return p.String()
		}
		return s
	}
	if p, ok := x.names[s]; ok {
		return p
	}
	return x.Text(s)
}

// hostPort is "host:port" with the host's pseudonym.
func (x *Redactor) hostPort(s string) string {
	if s == "" {
		return s
	}
	h, port, err := net.SplitHostPort(s)
	if err != nil {
		return x.hostText(s)
	}
	return net.JoinHostPort(x.hostText(h), port)
}

func (x *Redactor) probeTarget(t result.ProbeTarget) result.ProbeTarget {
	out := t
	out.Input = x.hostPort(t.Input)
	out.Name = x.hostText(t.Name)
	if t.Name == "" {
		out.Name = ""
	}
	out.Lookups = make([]result.ProbeLookup, len(t.Lookups))
	for i, l := range t.Lookups {
		if l.Resolver != "system" {
			l.Resolver = x.hostPort(l.Resolver)
		}
		addrs := make([]string, len(l.Addresses))
		for j, a := range l.Addresses {
			addrs[j] = x.hostText(a)
		}
		l.Addresses, l.Error = addrs, x.Text(l.Error)
		out.Lookups[i] = l
	}
	out.Endpoints = make([]result.ProbeEndpoint, len(t.Endpoints))
	for i, ep := range t.Endpoints {
		ep.Address = x.hostPort(ep.Address)
		ep.TCP.Error = x.Text(ep.TCP.Error)
		vs := make([]result.ProbeVersion, len(ep.Versions))
		for j, v := range ep.Versions {
			v.NotTLS = x.Text(v.NotTLS)
			vs[j] = v
		}
		ep.Versions = vs
		if c := ep.Certificate; c != nil {
			cc := *c
			cc.Chain = make([]result.Certificate, len(c.Chain))
			for j, cert := range c.Chain {
				cc.Chain[j] = x.certificate(cert)
			}
			cc.Findings = make([]result.ProbeCertificateFinding, len(c.Findings))
			for j, f := range c.Findings {
				cc.Findings[j] = result.ProbeCertificateFinding{Code: f.Code, Text: x.Text(f.Text)}
			}
			cc.Messages = make([]result.Message, len(c.Messages))
			for j, m := range c.Messages {
				cc.Messages[j] = x.message(m)
			}
			ep.Certificate = &cc
		}
		ep.HTTP = x.https(ep.HTTP)
		out.Endpoints[i] = ep
	}
	out.HTTP = x.https(t.HTTP)
	out.Findings = x.findings(t.Findings)
	return out
}

func (x *Redactor) certificate(c result.Certificate) result.Certificate {
	c.Subject = result.DN(x.redactString(string(c.Subject), kindDN))
	c.Issuer = result.DN(x.redactString(string(c.Issuer), kindDN))
	names := make([]result.Host, len(c.DNSNames))
	for i, n := range c.DNSNames {
		names[i] = result.Host(x.hostText(string(n)))
	}
	addrs := make([]result.IP, len(c.IPAddresses))
	for i, a := range c.IPAddresses {
		addrs[i] = result.IP(x.hostText(string(a)))
	}
	c.DNSNames, c.IPAddresses = names, addrs
	c.SerialNumber = result.Raw(x.redactString(string(c.SerialNumber), kindOpaque))
	c.SHA256 = result.Raw(x.redactString(string(c.SHA256), kindOpaque))
	c.ParseError = result.Raw(x.Text(string(c.ParseError)))
	return c
}

func (x *Redactor) https(hs []result.ProbeHTTP) []result.ProbeHTTP {
	out := make([]result.ProbeHTTP, len(hs))
	for i, h := range hs {
		if scheme, rest, ok := strings.Cut(h.URL, "://"); ok {
			j := strings.IndexByte(rest, '/')
			if j < 0 {
				j = len(rest)
			}
			h.URL = scheme + "://" + x.hostPort(rest[:j]) + x.redactString(rest[j:], kindPath)
		}
		h.Address = x.hostPort(h.Address)
		h.Error = x.Text(h.Error)
		out[i] = h
	}
	return out
}

func (x *Redactor) findings(fs []result.ProbeFinding) []result.ProbeFinding {
	out := make([]result.ProbeFinding, len(fs))
	for i, f := range fs {
		f.Target = x.hostPort(f.Target)
		f.Endpoint = x.hostPort(f.Endpoint)
		f.Message = x.message(f.Message)
		f.NextStep = x.message(f.NextStep)
		f.Text, f.NextText = x.Text(f.Text), x.Text(f.NextText)
		out[i] = f
	}
	return out
}
