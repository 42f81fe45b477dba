package analyze

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// TestHTTPCheckURL: plain HTTP to port 8080 from Python clients to Python's http.server
// (testdata/make-captures-names-http.sh). Each flow's request and response are read; with the
// apexone profile the check URL answered 403 or 500 is http-error, 200 is ok, and another path
// answered 404 stays ok with a flag. With the generic profile (no check URL) every flow is ok.
func TestHTTPCheckURL(t *testing.T) {
	ax, err := knowledge.ProfileByName("apexone")
	if err != nil {
		t.Fatal(err)
	}
	const check = "/officescan/hotfix_pccnt/Common/OfcNTCer.dat"
	want := []struct {
		client, path, statusLine string
		status                   int
		checkURL                 bool
		apexone                  result.Verdict
		flags                    string
	}{
		{"10.48.1.1", check, "HTTP/1.0 200 OK", 200, true, result.VerdictOK, ""},
		{"10.48.1.3", check, "HTTP/1.0 403 Forbidden", 403, true, result.VerdictHTTPError, "http-status:403"},
		{"10.48.1.4", check, "HTTP/1.0 500 Internal Server Error", 500, true, result.VerdictHTTPError, "http-status:500"},
		{"10.48.1.1", "/officescan/console/html/missing.htm", "HTTP/1.0 404 Not Found", 404, false, result.VerdictOK, "http-status:404"},
	}
	for _, profile := range []*knowledge.Profile{nil, ax} {
		res, err := File(filepath.Join(ownCaptures, "http-check-status.pcap"), Options{Profile: profile})
		if err != nil {
			t.Fatal(err)
		}
		if res.Flows.Len() != len(want) {
			t.Fatalf("%d flows, want %d", res.Flows.Len(), len(want))
		}
		for i, w := range want {
			f := res.Flows.Slice()[i]
			h := f.HTTP
			if h == nil || !strings.HasPrefix(string(f.Client), w.client+":") || h.Method != "GET" || string(h.Path) != w.path ||
				h.Host != "10.48.1.2:8080" || h.Status != w.status || string(h.StatusLine) != w.statusLine ||
				h.RequestFrame == 0 || h.ResponseFrame <= h.RequestFrame {
				t.Errorf("flow %d: %s %+v", i+1, f.Client, h)
				continue
			}
			verdict, checkURL := result.VerdictOK, false
			if profile != nil {
				verdict, checkURL = w.apexone, w.checkURL
			}
			if f.Verdict != verdict || h.CheckURL != checkURL || strings.Join(f.Flags, ",") != w.flags {
				t.Errorf("flow %d (%s): verdict %s, check_url %v, flags %v; want %s, %v, %s", i+1, res.Options.Profile, f.Verdict, h.CheckURL, f.Flags, verdict, checkURL, w.flags)
			}
			if verdict == result.VerdictHTTPError && (advice(&f, "apexone").Title != "Apex One server answered the check URL with an error" ||
				!strings.Contains(strings.Join(advice(&f, "apexone").NextSteps, " "), `with "`+w.statusLine+`"`)) {
				t.Errorf("flow %d: title %q, next %q", i+1, advice(&f, "apexone").Title, advice(&f, "apexone").NextSteps)
			}
		}
	}
}
