package knowledge

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/result"
)

// Bounds of a profile file, so that a broken file cannot make Parse work long.
const (
	maxDataLines = 20000
	maxDataBytes = 1 << 20
)

// Parse reads one profile file. The format is line-based:
//
//	# a comment
//	profile: apexone                 the profile's name (required, first)
//	description: ...                 what it is for
//	ports: 4343, 8080                server ports analysed when none are given
//	tls-ports: 4343                  ports where TLS is expected
//	check-url: /path                 the URL clients fetch to check the server
//
//	[verdict/variant@role]           an entry; variant and role are optional
//	title: ...
//	explain: ...
//	evidence: field, field           result fields (JSON paths) that prove it
//	next: ...                        a next step; repeat for more, in order
//	  continued                      a line that starts with white space continues the value
//
// Placeholders in the text must be ones Placeholders lists. Errors name the line.
func Parse(text string) (*Profile, error) {
	p := &Profile{entries: map[string]Entry{}}
	if len(text) > maxDataBytes {
		return nil, fmt.Errorf("%d bytes: a profile holds at most %d", len(text), maxDataBytes)
	}
	var (
		key     string // current entry key; "" in the header
		entry   *Entry
		lastVal *string  // value a continuation line extends
		cont    []string // continuation lines not yet joined to *lastVal
		lines   = strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	)
	if len(lines) > maxDataLines {
		return nil, fmt.Errorf("%d lines: a profile holds at most %d", len(lines), maxDataLines)
	}
	joinCont := func() {
		if lastVal != nil && len(cont) > 0 {
			*lastVal = strings.Join(append([]string{*lastVal}, cont...), " ")
		}
		cont = cont[:0]
	}
	flush := func() {
		joinCont()
		if entry != nil {
			p.entries[key] = *entry
		}
	}
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimRight(raw, " \t")
		trimmed := strings.TrimSpace(line)
		if trimmed != "" && line[0] != ' ' && line[0] != '\t' {
			joinCont()
		}
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			joinCont()
			lastVal = nil
			continue
		case line[0] == ' ' || line[0] == '\t':
			if lastVal == nil {
				return nil, fmt.Errorf("line %d: a continuation line must follow a value", n)
			}
			cont = append(cont, trimmed)
			if err := checkText(trimmed); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			continue
		case strings.HasPrefix(trimmed, "["):
			if p.Name == "" {
				return nil, fmt.Errorf("line %d: the file must start with \"profile: NAME\"", n)
			}
			if !strings.HasSuffix(trimmed, "]") {
				return nil, fmt.Errorf("line %d: an entry key must end with ]", n)
			}
			flush()
			key = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			if err := checkKey(key); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			if _, dup := p.entries[key]; dup {
				return nil, fmt.Errorf("line %d: entry [%s] appears twice", n, key)
			}
			entry = &Entry{}
			lastVal = nil
			continue
		}
		name, value, ok := strings.Cut(trimmed, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: want \"name: value\", got %q", n, trimmed)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if err := checkText(value); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		lastVal = nil
		if entry == nil {
			if err := p.header(name, value, n); err != nil {
				return nil, err
			}
			if name == "description" {
				lastVal = &p.Description
			}
			continue
		}
		switch name {
		case "title":
			entry.Title = value
			lastVal = &entry.Title
		case "explain":
			entry.Explanation = value
			lastVal = &entry.Explanation
		case "evidence":
			entry.Evidence = splitList(value)
		case "next":
			entry.NextSteps = append(entry.NextSteps, value)
			lastVal = &entry.NextSteps[len(entry.NextSteps)-1]
		default:
			return nil, fmt.Errorf("line %d: unknown entry field %q (title, explain, evidence, next)", n, name)
		}
	}
	flush()
	if p.Name == "" {
		return nil, fmt.Errorf("no \"profile: NAME\" line")
	}
	return p, nil
}

// header sets one of the profile's own fields.
func (p *Profile) header(name, value string, n int) error {
	if p.Name == "" && name != "profile" {
		return fmt.Errorf("line %d: the file must start with \"profile: NAME\"", n)
	}
	switch name {
	case "profile":
		if p.Name != "" {
			return fmt.Errorf("line %d: a second profile line", n)
		}
		if !isWord(value) {
			return fmt.Errorf("line %d: profile name %q: use lower-case letters, digits and -", n, value)
		}
		p.Name = value
	case "description":
		p.Description = value
	case "ports", "tls-ports":
		var ports []uint16
		for _, s := range splitList(value) {
			v, err := strconv.Atoi(s)
			if err != nil || v < 1 || v > 65535 {
				return fmt.Errorf("line %d: %q is not a port number (1-65535)", n, s)
			}
			ports = append(ports, uint16(v))
		}
		if name == "ports" {
			p.Ports = ports
		} else {
			p.TLSPorts = ports
		}
	case "check-url":
		u, err := url.Parse(value)
		if err != nil || !strings.HasPrefix(value, "/") || u.Path != value {
			return fmt.Errorf("line %d: check-url %q must be a plain absolute path such as /dir/file", n, value)
		}
		p.CheckURL = value
	default:
		return fmt.Errorf("line %d: unknown profile field %q (profile, description, ports, tls-ports, check-url)", n, name)
	}
	return nil
}

// checkKey checks an entry key: a known verdict, an optional /variant, an optional @role.
func checkKey(key string) error {
	rest, role, hasRole := strings.Cut(key, "@")
	verdict, variant, hasVariant := strings.Cut(rest, "/")
	if !slices.Contains(result.AllVerdicts, result.Verdict(verdict)) {
		return fmt.Errorf("entry [%s]: %q is not a verdict", key, verdict)
	}
	if hasVariant && !isWord(variant) {
		return fmt.Errorf("entry [%s]: variant %q: use lower-case letters, digits and -", key, variant)
	}
	if hasRole && role != RoleAgentListener {
		return fmt.Errorf("entry [%s]: unknown role %q (the one role is %s)", key, role, RoleAgentListener)
	}
	return nil
}

// checkText rejects placeholders that Placeholders does not list.
func checkText(s string) error {
	for _, name := range placeholdersIn(s) {
		if _, ok := placeholderIndex[name]; !ok {
			return fmt.Errorf("unknown placeholder {%s}", name)
		}
	}
	return nil
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
