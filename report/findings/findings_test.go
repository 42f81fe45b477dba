package findings

import "testing"

func TestVersionRange(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, "-"},
		{[]string{"TLS 1.2"}, "TLS 1.2"},
		{[]string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, "TLS 1.0–1.2"},
		{[]string{"TLS 1.3", "TLS 1.2"}, "TLS 1.2–1.3"},
		{[]string{"SSL 3.0", "TLS 1.0"}, "SSL 3.0–TLS 1.0"},
		{[]string{"TLS 1.0", "TLS 1.2"}, "TLS 1.0, TLS 1.2"},
		{[]string{"TLS 1.2", "TLS 1.2"}, "TLS 1.2"},
		{[]string{"TLS 1.2", "0x7f1c"}, "TLS 1.2, 0x7f1c"},
	} {
		if got := VersionRange(tc.in); got != tc.want {
			t.Errorf("VersionRange(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
