package live

import (
	"net"
	"net/netip"
)

// Interface is a network interface a live capture can use.
type Interface struct {
	// Name is what Open takes: "eth0" on Linux, "\Device\NPF_{GUID}" with Npcap on Windows.
	Name string
	// Description is the operating system's friendly name, when it gives one (Npcap: "Intel(R)
	// Ethernet Connection", "Npcap Loopback Adapter").
	Description string
	Addrs       []netip.Prefix // its IPv4 and IPv6 addresses
	Up          bool
	Loopback    bool
}

// Interfaces lists the interfaces a live capture can use, in the system's order.
func Interfaces() ([]Interface, error) { return listInterfaces() }

// prefixOf converts a net.Addr of an interface to a prefix (false for other address kinds).
func prefixOf(a net.Addr) (netip.Prefix, bool) {
	switch v := a.(type) {
	case *net.IPNet:
		ip, ok := netip.AddrFromSlice(v.IP)
		if !ok {
			return netip.Prefix{}, false
		}
		ones, _ := v.Mask.Size()
		return netip.PrefixFrom(ip.Unmap(), ones), true
	case *net.IPAddr:
		ip, ok := netip.AddrFromSlice(v.IP)
		if !ok {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()), true
	}
	return netip.Prefix{}, false
}
