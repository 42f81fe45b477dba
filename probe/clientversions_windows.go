//go:build windows

package probe

import (
	"strconv"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// schannelKey is where SChannel's per-protocol client settings live
// (MicrosoftDocs windowsserverdocs, tls-registry-settings.md).
const schannelKey = `SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\`

var schannelNames = map[tls.Version]string{
	tls.VersionSSL30: "SSL 3.0", tls.VersionTLS10: "TLS 1.0", tls.VersionTLS11: "TLS 1.1",
	tls.VersionTLS12: "TLS 1.2", tls.VersionTLS13: "TLS 1.3",
}

// LocalClientVersions reads the SCHANNEL Client keys of each protocol: a version is used when
// its key is absent and the Windows version enables it by default, or when Enabled is not 0
// and DisabledByDefault is 0. The message lists what was read.
func LocalClientVersions() ([]tls.Version, result.Message) {
	maj, min, build := windows.RtlGetNtVersionNumbers()
	var out []tls.Version
	var read []result.Message
	for _, v := range Versions {
		on := defaultOn(v, maj, min, build)
		state := "default"
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, schannelKey+schannelNames[v]+`\Client`, registry.QUERY_VALUE)
		if err == nil {
			enabled, _, eerr := k.GetIntegerValue("Enabled")
			dbd, _, derr := k.GetIntegerValue("DisabledByDefault")
			k.Close()
			if eerr == nil {
				on = enabled != 0
				state = "Enabled=" + strconv.FormatUint(enabled, 10)
			}
			if derr == nil {
				if dbd != 0 {
					on = false
				}
				state += " DisabledByDefault=" + strconv.FormatUint(dbd, 10)
			}
		}
		if on {
			out = append(out, v)
		}
		read = append(read, result.Msg("probe.registry-item", result.Text("version", v.String()), result.Text("state", state)))
	}
	return out, result.Msg("probe.client-versions-registry", result.Text("windows", strconv.Itoa(int(maj))+"."+strconv.Itoa(int(min))+"."+strconv.Itoa(int(build))), result.List("read", read))
}
