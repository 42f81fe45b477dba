package analyze

import "testing"

// accuracyWarnings are the warning codes (comma-separated) an accuracy capture must give.
var accuracyWarnings = map[string]string{
	"accuracy/iplen-overrun.pcap": "ip-length-overrun", // frame 6's IP total length was raised by 100
}

// TestAccuracy checks every connection of the accuracy captures (testdata/captures/accuracy,
// behaviours an analyzer easily misjudges, issue 11) as TestManifest checks MANIFEST.tsv's:
// EXPECTED-ACCURACY.tsv gives each one's verdict, versions, alerts and conn_state. The captures
// use many ports, so every TCP port is analysed, with the default TLS ports.
func TestAccuracy(t *testing.T) {
	checkRows(t, readTable(t, "EXPECTED-ACCURACY.tsv", 10, 30), Options{}, accuracyWarnings)
}
