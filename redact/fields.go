package redact

// fields classifies every string field of result.Result, by "Type.Field" (a []string field
// counts as a string field). A field that is not listed is free text (kindText): scanned for
// addresses and HTTP request lines, and every name handed a pseudonym is replaced in it.
//
// TestEveryFieldClassified fails when result gains a string field that is not listed here or in
// knownFields: whoever adds a field that can hold a name from the capture (a DNS name, a
// certificate subject, an HTTP Host) must list it here as kindName, an HTTP path as kindPath,
// or the value would reach redacted reports.
var fields = map[string]fieldKind{
	"Input.File":               kindFile,
	"InputPoint.Name":          kindFile,
	"InputFile.Name":           kindFile,
	"FrameAt.File":             kindFile,
	"ClientHello.SNI":          kindName,
	"Options.ServerNames":      kindName,
	"HTTP.Host":                kindName,
	"HTTP.Path":                kindPath,
	"Name.Name":                kindName,
	"Certificate.Subject":      kindDN,
	"Certificate.Issuer":       kindDN,
	"Certificate.DNSNames":     kindName,
	"Certificate.SerialNumber": kindOpaque,
	"Certificate.SHA256":       kindOpaque,
	"AgentSummary.Agent":       kindText,
	"ClientHello.JA3String":    kindVerbatim,
	"ClientHello.JA4R":         kindVerbatim,
	"ServerHello.JA3SString":   kindVerbatim,
	// The build that made the report: nothing from the capture, and a version or revision must
	// stay as it is.
	"Generator.Name":      kindVerbatim,
	"Generator.Version":   kindVerbatim,
	"Generator.Revision":  kindVerbatim,
	"Generator.GoVersion": kindVerbatim,
}

// knownFields are the string fields that are free text or a fixed vocabulary (verdicts, version
// and cipher names, flags): kindText is right for them.
var knownFields = []string{
	// Message keys and parameter names are the program's; a parameter's text is redacted by its
	// kind (see rewrite: text from the capture is replaced, program text kept).
	"Message.Key", "Arg.Name", "Arg.Text", "Advice.Variant", "Advice.Role",
	"Result.Schema",
	"Input.Format", "Input.LinkTypes", "InputFile.Format", "InputFile.LinkTypes", "InputFile.Error",
	"LiveCapture.Interface", "LiveCapture.Method", "LiveCapture.Filter", "LiveCapture.StoppedBy",
	"Options.Hosts",
	"Warning.Code", "Flow.Client", "Flow.Server", "Flow.ConnState", "Flow.History", "Flow.OfferedVersions",
	"Flow.ChosenVersion", "Flow.Verdict", "Flow.Filter", "Flow.Flags",
	"PacketRef.From",
	"TLS.ServerMessages",
	"ClientHello.RecordVersion", "ClientHello.LegacyVersion", "ClientHello.SupportedVersions",
	"ClientHello.OfferedVersions", "ClientHello.Highest", "ClientHello.CipherSuites", "ClientHello.ALPN",
	"ClientHello.SupportedGroups", "ClientHello.Extensions",
	"ServerHello.LegacyVersion", "ServerHello.ChosenVersion", "ServerHello.CipherSuite",
	"ServerHello.KeyShareGroup", "ServerHello.ALPN",
	"Alert.From", "Alert.Level", "Alert.Description",
	"Packet.From", "Packet.TCPFlags", "Packet.Messages",
	"VerdictCount.Verdict",
	"ServerSummary.Server", "ServerSummary.AcceptedVersions", "ServerSummary.AcceptedCiphers",
	"Options.Profile", "Options.CheckURL",
	"Flow.Role",
	"HTTP.Method", "HTTP.StatusLine",
	"Name.Relation", "Name.Outcome", "Name.RCode", "Name.Answers", "Name.Askers", "Name.DNSServers",
	"Name.Verdict", "Name.Filter",
	"VerdictInfo.Verdict", "VerdictInfo.Title", "VerdictInfo.Explanation", "VerdictInfo.EvidenceFields",
	"ClientHello.SignatureAlgorithms", "ClientHello.JA3", "ClientHello.JA4",
	"ServerHello.JA3S",
	"Certificate.IPAddresses", "Certificate.KeyType", "Certificate.SignatureAlgorithm", "Certificate.ParseError",
	"CertificateFinding.Code", "VersionCount.Version", "AgentSummary.OfferedVersions", "AgentSummary.HighestVersion", "AgentSummary.ChosenVersions",
	"AgentSummary.JA3", "AgentSummary.JA4", "AgentSummary.Servers",
	"FingerprintGroup.JA4", "FingerprintGroup.JA3", "FingerprintGroup.Agents", "FingerprintGroup.HighestVersion",
	"FleetGroup.Server", "FleetGroup.HighestVersion", "FleetGroup.Outcome", "FleetGroup.Agents", "Path.Vantage", "Path.SYNSchedule",
	"ICMPError.From", "ICMPError.Name", "ICMPError.Quotes",
	"HostCount.Host",             // an address: free text, which has its addresses replaced
	"Scan.Client", "Scan.Server", // addresses, likewise
	// Several vantages: endpoints and MAC addresses are free text (their addresses replaced),
	// the rest a fixed vocabulary.
	"InputVantage.Link", "VantageView.Client", "VantageView.Server", "VantageView.Side", "VantageView.Expected",
	"VantageStep.From", "VantageStep.TCPFlags", "VantageStep.Fate", "VantageStep.Messages",
}
