//go:build !windows

package probe

import (
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// LocalClientVersions reads which TLS versions this machine's TLS clients use, where the
// operating system makes that readable (Windows: the SCHANNEL registry keys). Elsewhere it
// returns none and a message that says to give --client-versions.
func LocalClientVersions() ([]tls.Version, result.Message) {
	return nil, result.Msg("probe.client-versions-unreadable")
}
