//go:build linux || (!windows && !cgo)

package live

import (
	"fmt"
	"net"
)

// listInterfaces lists the interfaces the Go runtime knows, with their addresses.
func listInterfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("listing the network interfaces: %w", err)
	}
	out := make([]Interface, 0, len(ifs))
	for _, ifc := range ifs {
		it := Interface{Name: ifc.Name, Up: ifc.Flags&net.FlagUp != 0, Loopback: ifc.Flags&net.FlagLoopback != 0}
		if addrs, err := ifc.Addrs(); err == nil {
			for _, a := range addrs {
				if p, ok := prefixOf(a); ok {
					it.Addrs = append(it.Addrs, p)
				}
			}
		}
		out = append(out, it)
	}
	return out, nil
}
