package probe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/connscope/connscope/tls"
)

// ParseClientVersions reads --client-versions: a comma-separated list such as "1.0,1.1",
// "TLS 1.2", "tls1.2", "ssl3" or "1.3".
func ParseClientVersions(values []string) ([]tls.Version, error) {
	var out []tls.Version
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			name := s
			if s[0] >= '0' && s[0] <= '9' {
				name = "TLS " + s
				if s == "3" || s == "3.0" {
					name = "SSL 3.0"
				}
			}
			ver, ok := tls.ParseVersion(name)
			if !ok || !slices.Contains(Versions, ver) {
				return nil, &VersionError{Value: s}
			}
			if !slices.Contains(out, ver) {
				out = append(out, ver)
			}
		}
	}
	slices.SortFunc(out, func(a, b tls.Version) int { return a.Rank() - b.Rank() })
	return out, nil
}

// VersionError is the error of a version ParseClientVersions does not know: Value, as given.
type VersionError struct{ Value string }

// Error says which value is not a version, and the versions there are.
func (e *VersionError) Error() string {
	return fmt.Sprintf("--client-versions: %q is not one of 1.0, 1.1, 1.2, 1.3, ssl3", e.Value)
}
