package knowledge

import (
	"strings"

	"github.com/connscope/connscope/result"
)

// A connection's role words its messages with the sides named by what they are there: on an
// agents' listener port (RoleAgentListener) the TCP client is a management server and the
// listener the agent, where the plain templates say "client" and "server". The analysis wraps
// such a connection's reason and evidence in the message "as-ROLE" (RoleScope), whose nested
// message "text" is then worded by the catalog's view for ROLE: a template keyed "ROLE.KEY"
// words the message KEY there, and every key without one keeps its plain template.

// roleScopePrefix begins the key of a message that words its "text" in a role's view.
const roleScopePrefix = "as-"

// roles are the roles with a view of their own.
var roles = []string{RoleAgentListener}

// RoleScope returns m to be worded for a connection of role ("as-ROLE" around m); m itself for
// no role or an empty m.
func RoleScope(role string, m result.Message) result.Message {
	if role == "" || m.Key == "" {
		return m
	}
	return result.Msg(roleScopePrefix+role, result.Sub("text", m))
}

// addRoleViews gives every catalog a view for each role, falling back to English's view.
func addRoleViews(cs map[Lang]*Catalog) {
	for _, c := range cs {
		c.views = map[string]*Catalog{}
		for _, r := range roles {
			c.views[r] = &Catalog{lang: c.lang, templates: c.templates, role: r}
		}
	}
	for lang, c := range cs {
		if lang == English {
			continue
		}
		for r, v := range c.views {
			v.fallback = cs[English].views[r]
		}
	}
	for _, c := range cs {
		for _, v := range c.views {
			v.views = c.views
		}
	}
}

// scoped returns, for an "as-ROLE" message, the catalog's view for ROLE and the message to word
// in it; nil for any other message (or a role without a view).
func (c *Catalog) scoped(m *result.Message) (*Catalog, *result.Message) {
	if !strings.HasPrefix(m.Key, roleScopePrefix) {
		return nil, nil
	}
	v := c.views[m.Key[len(roleScopePrefix):]]
	a, ok := m.Arg("text")
	if v == nil || !ok || a.Msg == nil {
		return nil, nil
	}
	return v, a.Msg
}

// template is the template that words key: in a role's view, the role's own ("ROLE.KEY") when
// there is one.
func (c *Catalog) template(key string) *template {
	if c.role != "" {
		if t := c.templates[c.role+"."+key]; t != nil {
			return t
		}
	}
	return c.templates[key]
}

// RoleKeys lists the keys that have a template of their own in role's view (KEY for each
// "ROLE.KEY"), sorted.
func (c *Catalog) RoleKeys(role string) []string {
	var out []string
	for _, k := range c.Keys() {
		if rest, ok := strings.CutPrefix(k, role+"."); ok {
			out = append(out, rest)
		}
	}
	return out
}

// RoleScopeEvidence is es with each line's text to be worded for a connection of role (a copy;
// es itself for no role).
func RoleScopeEvidence(role string, es []result.Evidence) []result.Evidence {
	if role == "" || len(es) == 0 {
		return es
	}
	out := make([]result.Evidence, len(es))
	for i, e := range es {
		e.Text = RoleScope(role, e.Text)
		out[i] = e
	}
	return out
}
