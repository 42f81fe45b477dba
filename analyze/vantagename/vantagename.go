// Package vantagename words the vantages of a capture of several (package pcapfile's Vantage:
// a capture point, an interface of one, a link of an interface) as the result's messages name
// them.
package vantagename

import (
	"path/filepath"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// Of words each vantage: its capture point's label or file name, with the interface
// when the point's vantages are on several, and the link when its interface holds several (for
// a capture of one point, the interface and link alone: the report names the capture).
func Of(all []pcapfile.Vantage, pts []pcapfile.Point) []result.Message {
	type iface struct{ point, n int }
	ifaces := map[int]map[int]bool{} // by point: its interfaces
	links := map[iface]int{}         // by interface: its links
	for _, x := range all {
		if ifaces[x.Point] == nil {
			ifaces[x.Point] = map[int]bool{}
		}
		ifaces[x.Point][x.Interface] = true
		links[iface{x.Point, x.Interface}]++
	}
	out := make([]result.Message, len(all))
	nth := map[iface]int{}
	for i, x := range all {
		name := result.Msg("vantage.file", result.File("name", ""))
		if x.Point < len(pts) {
			n := pts[x.Point].Name
			if len(pts[x.Point].Files) > 0 && pts[x.Point].Files[0].Path == n {
				n = filepath.Base(n) // a file, not a label: its name says enough
			}
			name = result.Msg("vantage.file", result.File("name", n))
			if n == pcapfile.Stdin {
				name = result.Msg("vantage.stdin")
			}
		}
		k := iface{x.Point, x.Interface}
		nth[k]++
		byIface, byLink := len(ifaces[x.Point]) > 1, links[k] > 1
		var part result.Message
		switch {
		case byIface && byLink:
			part = result.Msg("vantage.interface-link", result.Int("n", x.Interface), result.Int("link", nth[k]))
		case byIface:
			part = result.Msg("vantage.interface", result.Int("n", x.Interface))
		case byLink:
			part = result.Msg("vantage.link", result.Int("n", nth[k]))
		}
		switch {
		case part.IsZero():
			out[i] = name
		case len(pts) == 1:
			out[i] = part // the one capture point: its name adds nothing
		default:
			out[i] = result.Msg("vantage.of", result.Sub("name", name), result.Sub("part", part))
		}
	}
	return out
}
