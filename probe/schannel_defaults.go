package probe

import "github.com/connscope/connscope/tls"

// defaultOn says whether a Windows version (major.minor.build) uses a protocol on the client
// side when its SCHANNEL keys are absent (MicrosoftDocs, "Protocols in TLS/SSL (Schannel SSP)"):
// Windows 7 / 2008 R2 (6.1): SSL 3.0 and TLS 1.0; Windows 8 to 10 1511: SSL 3.0 and TLS 1.0-1.2;
// Windows 10 1607 (build 14393) on: TLS 1.0-1.2; Server 2022 (build 20348) and Windows 11 (22000)
// on: TLS 1.3 too.
func defaultOn(v tls.Version, maj, min, build uint32) bool {
	win7 := maj == 6 && min <= 1
	switch v {
	case tls.VersionSSL30:
		return maj == 6 || maj == 10 && build < 14393
	case tls.VersionTLS10:
		return true
	case tls.VersionTLS11, tls.VersionTLS12:
		return !win7
	case tls.VersionTLS13:
		return maj == 10 && build >= 20348
	}
	return false
}
