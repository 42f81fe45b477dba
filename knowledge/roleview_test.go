package knowledge

import (
	"slices"
	"testing"

	"github.com/connscope/connscope/result"
)

// TestRoleTemplatesMatchTheirKeys: every "agent-listener.KEY" template words a key the catalog
// has, with the same parameters, in every language.
func TestRoleTemplatesMatchTheirKeys(t *testing.T) {
	for _, lang := range Languages() {
		c := CatalogOf(lang)
		keys := c.RoleKeys(RoleAgentListener)
		if len(keys) < 100 {
			t.Fatalf("%s: %d agent-listener templates", lang, len(keys))
		}
		for _, k := range keys {
			if !c.Has(k) {
				t.Errorf("%s: agent-listener.%s words no key", lang, k)
				continue
			}
			if a, b := c.Params(RoleAgentListener+"."+k), c.Params(k); !slices.Equal(a, b) {
				t.Errorf("%s: agent-listener.%s has parameters %v, %s has %v", lang, k, a, k, b)
			}
		}
	}
}

// TestRoleScope: a message wrapped for the agent-listener role is worded with the role's
// templates, nested messages too, and any other message as it is.
func TestRoleScope(t *testing.T) {
	m := result.Msg("ev.rst-after-hello", result.Text("after", "0.1 ms"))
	side := result.Msg("reason.reset", result.Sub("side", result.Msg("word.server")), result.Sub("stage", result.Msg("phrase.before-data")))
	for _, tc := range []struct {
		lang Lang
		m    result.Message
		role string
		want string
	}{
		{English, m, "", "RST from the server 0.1 ms after the ClientHello, with no ServerHello or alert before it"},
		{English, m, RoleAgentListener, "RST from the agent 0.1 ms after the ClientHello, with no ServerHello or alert before it"},
		{English, side, RoleAgentListener, "the agent reset the connection right after the TCP handshake, before any data"},
		{Japanese, m, RoleAgentListener, "ClientHello の 0.1 ms 後のエージェントからの RST（それまでに ServerHello もアラートもなし）"},
	} {
		if got := CatalogOf(tc.lang).Render(RoleScope(tc.role, tc.m)); got != tc.want {
			t.Errorf("%s %q %s: %q; want %q", tc.lang, tc.role, tc.m.Key, got, tc.want)
		}
	}
}
