package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/connscope/connscope/result"
)

// writeJSON writes r as the connscope.result/v1 document into b (see streamJSON).
func writeJSON(b *bytes.Buffer, r *result.Result, o Options) error {
	return streamJSON(b, r, o)
}

// flowsKey is where the flows list stands in the indented document with no flows: the top-level
// key on a line of its own (no string value holds a raw newline, so nothing else matches).
const flowsKey = "\n  \"flows\": []"

// streamJSON writes r as the connscope.result/v1 document: encoding/json, two-space indent,
// "&", "<" and ">" left as they are (Wireshark filters hold "&&"). See docs/json-schema.md.
//
// The output is what one json.Encoder writes for the normalized whole, but the flows are
// normalized and encoded one at a time and written as they are done, so that a result of a
// hundred thousand flows is never held twice in memory, nor as one huge buffer. Everything
// else is encoded before the first byte is written.
func streamJSON(w io.Writer, r *result.Result, _ Options) error {
	n := normalize(r)
	var head bytes.Buffer
	if err := newEncoder(&head, "").Encode(&n); err != nil {
		return err
	}
	doc := head.Bytes()
	i := bytes.Index(doc, []byte(flowsKey))
	if i < 0 {
		return errors.New("the document has no flows list") // cannot happen: result.Result has one
	}
	before, after := doc[:i+len(flowsKey)-1], doc[i+len(flowsKey)-1:] // split between "[" and "]"
	if len(r.Flows) == 0 {
		_, err := w.Write(doc)
		return err
	}
	if _, err := w.Write(before); err != nil {
		return err
	}
	// One encoder for every flow, its buffers reused; it writes compact JSON, which indent then
	// lays out as the whole document's encoder would.
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	var out []byte
	for k := range r.Flows {
		compact.Reset()
		f := normalizeFlow(r.Flows[k])
		if err := enc.Encode(&f); err != nil {
			return err
		}
		out = out[:0]
		if k > 0 {
			out = append(out, ',')
		}
		out = append(out, "\n    "...)
		out = indent(out, bytes.TrimSuffix(compact.Bytes(), []byte("\n")), "    ", "  ")
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "\n  "); err != nil {
		return err
	}
	_, err := w.Write(after)
	return err
}

// newEncoder returns an encoder that writes values as the document holds them at a depth whose
// lines begin with prefix, each followed by a newline.
func newEncoder(w io.Writer, prefix string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	return enc
}

// indent appends src, compact JSON as encoding/json writes it (no white space outside strings),
// laid out as json.Indent lays it out, and returns the extended buffer: after "{" or "[" a new line
// unless the object or array is empty, after "," a new line, after ":" a space, each new line
// starting with prefix and one indent per level. It is json.Indent without the validating scanner,
// which takes most of the time of encoding a flow.
func indent(dst, src []byte, prefix, indent string) []byte {
	lines := "\n" + prefix + strings.Repeat(indent, 8) // a new line up to depth 8, sliced
	newline := func(depth int) {
		if depth <= 8 {
			dst = append(dst, lines[:1+len(prefix)+depth*len(indent)]...)
			return
		}
		dst = append(dst, lines...)
		for range depth - 8 {
			dst = append(dst, indent...)
		}
	}
	open := false // the last byte opened an object or array
	depth := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			newline(depth)
		}
		switch c {
		case '"': // a string: copied as it is, up to its closing quote
			j := i + 1
			for {
				k := bytes.IndexByte(src[j:], '"')
				if k < 0 { // cannot happen in valid JSON: copy the rest
					j = len(src) - 1
					break
				}
				j += k
				// The quote closes the string unless an odd number of backslashes escape it.
				n := 0
				for b := j - 1; b > i && src[b] == '\\'; b-- {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline(depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open {
				open = false
			} else {
				depth--
				newline(depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// normalize returns a copy of r without its flows fit for encoding, leaving r and everything it
// points to as they were (normalizeFlow does the same for each flow):
//   - every list is an empty list rather than nil, so it encodes as [] and never as null; the
//     one exception is ClientHello.SupportedVersions, whose null means "extension absent";
//   - every time is in UTC, so it encodes as RFC 3339 with a "Z" and nanosecond precision;
//   - an empty Schema is set to result.SchemaVersion.
//
// Slices whose elements change are copied; slices kept as they are share their backing arrays
// with r, which encoding only reads.
func normalize(r *result.Result) result.Result {
	n := *r
	if n.Schema == "" {
		n.Schema = result.SchemaVersion
	}
	n.Input.LinkTypes = list(n.Input.LinkTypes)
	n.Input.First = n.Input.First.UTC()
	n.Input.Last = n.Input.Last.UTC()
	n.Options.Ports = list(n.Options.Ports)
	n.Options.Hosts = list(n.Options.Hosts)
	n.Options.AgentPorts = list(n.Options.AgentPorts)
	n.Options.ServerNames = list(n.Options.ServerNames)
	n.Names = each(n.Names, normalizeName)
	n.VerdictInfo = each(n.VerdictInfo, func(v result.VerdictInfo) result.VerdictInfo {
		v.EvidenceFields = list(v.EvidenceFields)
		return v
	})
	n.Warnings = list(n.Warnings)
	n.Flows = []result.Flow{} // streamJSON normalizes r's one at a time (normalizeFlow)
	n.Summary.Verdicts = list(n.Summary.Verdicts)
	n.Summary.Servers = each(n.Summary.Servers, func(s result.ServerSummary) result.ServerSummary {
		s.AcceptedVersions = list(s.AcceptedVersions)
		s.AcceptedCiphers = list(s.AcceptedCiphers)
		s.Verdicts = list(s.Verdicts)
		s.OKVersions = list(s.OKVersions)
		s.RefusedHighestVersions = list(s.RefusedHighestVersions)
		return s
	})
	n.Summary.Agents = each(n.Summary.Agents, func(a result.AgentSummary) result.AgentSummary {
		a.OfferedVersions, a.ChosenVersions, a.Verdicts = list(a.OfferedVersions), list(a.ChosenVersions), list(a.Verdicts)
		a.JA3, a.JA4, a.Servers = list(a.JA3), list(a.JA4), list(a.Servers)
		return a
	})
	n.Summary.Fingerprints = each(n.Summary.Fingerprints, func(g result.FingerprintGroup) result.FingerprintGroup {
		g.Agents = list(g.Agents)
		return g
	})
	n.Summary.Fleet = each(n.Summary.Fleet, func(g result.FleetGroup) result.FleetGroup {
		g.Agents = list(g.Agents)
		return g
	})
	return n
}

func normalizeFlow(f result.Flow) result.Flow {
	f.Start = f.Start.UTC()
	f.End = f.End.UTC()
	f.TCP.SYNs = eachIf(f.TCP.SYNs, refNeeds, normalizeRef)
	if f.TCP.SYNACK != nil {
		p := normalizeRef(*f.TCP.SYNACK)
		f.TCP.SYNACK = &p
	}
	f.TCP.FINs = eachIf(f.TCP.FINs, refNeeds, normalizeRef)
	f.TCP.RSTs = eachIf(f.TCP.RSTs, refNeeds, normalizeRef)
	if f.TLS != nil {
		t := *f.TLS
		if t.ClientHello != nil {
			ch := *t.ClientHello
			// SupportedVersions stays nil when it is nil: null means the extension was absent.
			ch.OfferedVersions = list(ch.OfferedVersions)
			ch.CipherSuites = list(ch.CipherSuites)
			ch.ALPN = list(ch.ALPN)
			ch.SupportedGroups = list(ch.SupportedGroups)
			ch.Extensions = list(ch.Extensions)
			ch.SignatureAlgorithms = list(ch.SignatureAlgorithms)
			t.ClientHello = &ch
		}
		t.ServerMessages = list(t.ServerMessages)
		t.ServerCertificates = eachIf(t.ServerCertificates, func(c result.Certificate) bool {
			return !isUTC(c.NotBefore) || !isUTC(c.NotAfter) || c.DNSNames == nil || c.IPAddresses == nil
		}, func(c result.Certificate) result.Certificate {
			c.NotBefore, c.NotAfter = c.NotBefore.UTC(), c.NotAfter.UTC()
			c.DNSNames, c.IPAddresses = list(c.DNSNames), list(c.IPAddresses)
			return c
		})
		t.CertificateFindings = list(t.CertificateFindings)
		f.TLS = &t
	}
	f.OfferedVersions = list(f.OfferedVersions)
	f.NextSteps = list(f.NextSteps)
	if f.HTTP != nil {
		h := *f.HTTP
		h.RequestTime, h.ResponseTime = h.RequestTime.UTC(), h.ResponseTime.UTC()
		f.HTTP = &h
	}
	f.Alerts = eachIf(f.Alerts, func(a result.Alert) bool { return !isUTC(a.Time) }, func(a result.Alert) result.Alert {
		a.Time = a.Time.UTC()
		return a
	})
	f.Evidence = eachIf(f.Evidence, func(e result.Evidence) bool { return !isUTC(e.Time) }, func(e result.Evidence) result.Evidence {
		e.Time = e.Time.UTC()
		return e
	})
	f.Flags = list(f.Flags)
	f.Packets = eachIf(f.Packets, func(p result.Packet) bool { return !isUTC(p.Time) || p.Messages == nil }, func(p result.Packet) result.Packet {
		p.Time = p.Time.UTC()
		p.Messages = list(p.Messages)
		return p
	})
	return f
}

func normalizeName(n result.Name) result.Name {
	n.Answers = list(n.Answers)
	n.Askers = list(n.Askers)
	n.DNSServers = list(n.DNSServers)
	n.NextSteps = list(n.NextSteps)
	n.Evidence = each(n.Evidence, func(e result.Evidence) result.Evidence {
		e.Time = e.Time.UTC()
		return e
	})
	return n
}

func normalizeRef(p result.PacketRef) result.PacketRef {
	p.Time = p.Time.UTC()
	return p
}

func refNeeds(p result.PacketRef) bool { return !isUTC(p.Time) }

// isUTC reports whether t is in UTC already, so that t.UTC() would encode as t does.
func isUTC(t time.Time) bool { return t.Location() == time.UTC }

// eachIf is each(s, fn), but returns s itself (or an empty slice for nil) when need reports no
// element that fn would change: a result from analyze is normalized already, and copying every
// list of every flow is most of what normalizing costs.
func eachIf[T any](s []T, need func(T) bool, fn func(T) T) []T {
	if s == nil {
		return []T{}
	}
	for _, v := range s {
		if need(v) {
			return each(s, fn)
		}
	}
	return s
}

// list returns s, or an empty slice when s is nil.
func list[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// each returns a new slice holding fn of every element of s (an empty one when s is nil).
func each[T any](s []T, fn func(T) T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = fn(v)
	}
	return out
}
