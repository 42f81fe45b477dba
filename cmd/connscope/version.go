package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/connscope/connscope/result"
)

// version, when set at build time with -ldflags "-X main.version=v1.2.3", replaces the module
// version the Go toolchain records (a packager's own version string).
var version = ""

const versionUsage = `Usage:
  connscope version

Prints the version of this connscope: the module version (a release for
'go install github.com/connscope/connscope/cmd/connscope@v1.2.0', a pseudo-version naming the
commit for a build in a git checkout), the git revision and whether the checkout had
uncommitted changes (when the build recorded them), and the Go version and platform. Reports
carry the same in input.generator (JSON) and in their footers (Markdown, HTML).
`

// readGenerator is the build of this binary, from the build information the Go toolchain
// records. Tests replace it, so that golden reports do not change with every build.
var readGenerator = buildGenerator

// buildGenerator reads the build information of this binary.
func buildGenerator() *result.Generator {
	g := &result.Generator{Name: "connscope", Version: "(devel)", GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			g.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			g.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				g.Revision = s.Value
			case "vcs.modified":
				g.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		g.Version = version
	}
	return g
}

// versionText is what `connscope version` prints: the build, then what it was built with, e.g.
//
//	connscope v0.0.0-20261129083744-1f8cd3328b58+dirty
//	revision 1f8cd3328b58294dfb580a3cb3da8b79ae7bfc45 (with uncommitted changes)
//	built with go1.26.8 for linux/amd64
func versionText(g *result.Generator) string {
	s := g.String() + "\n"
	switch {
	case g.Revision != "" && g.Modified:
		s += "revision " + g.Revision + " (with uncommitted changes)\n"
	case g.Revision != "":
		s += "revision " + g.Revision + "\n"
	case g.Version == "(devel)":
		s += "no revision recorded (built with go run, or in a linked git worktree, where Go records none)\n"
	}
	return s + fmt.Sprintf("built with %s for %s/%s\n", g.GoVersion, runtime.GOOS, runtime.GOARCH)
}
