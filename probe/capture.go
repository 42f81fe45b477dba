package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/live"
	"github.com/connscope/connscope/result"
)

// captureTail is how long the capture goes on after the last probe, for the packets still in
// flight and in the kernel's ring (its blocks are handed over every 50 ms).
const captureTail = 400 * time.Millisecond

// RunCaptured runs the probe while capturing its own packets — the targets' ports, DNS, and ICMP
// errors — on the interface toward the first target, into file (pcapng), with the capture
// package's live source. The result names the file; `connscope analyze` of it gives the same
// verdicts as the probe's findings. It needs the right to capture (Linux: root or CAP_NET_RAW;
// Windows: Npcap).
func RunCaptured(ctx context.Context, opts Options, file string) (*result.ProbeResult, error) {
	if len(opts.Targets) == 0 {
		return nil, errors.New("--write: no target")
	}
	iface, err := interfaceToward(ctx, opts.Targets[0])
	if err != nil {
		return nil, fmt.Errorf("--write: %w", err)
	}
	var ports []uint16
	var hosts []netip.Addr
	addHost := func(a netip.Addr) {
		if a.IsValid() && !slices.Contains(hosts, a.Unmap()) {
			hosts = append(hosts, a.Unmap())
		}
	}
	for _, t := range opts.Targets {
		if !slices.Contains(ports, uint16(t.Port)) {
			ports = append(ports, uint16(t.Port))
		}
		addHost(t.Addr)
		names := []string{t.Name}
		if t.Name == "" && t.Role == RoleServer {
			names = opts.ServerNames
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			// The addresses the probe will connect to: only the probe's own packets (and the
			// name lookups, on UDP port 53) are kept, not other clients' on the same ports.
			addrs, _ := net.DefaultResolver.LookupNetIP(ctx, "ip", n)
			for _, a := range addrs {
				addHost(a)
			}
		}
	}
	if len(hosts) > live.MaxFilterHosts || len(ports) > live.MaxFilterPorts {
		hosts = nil // too many for the kernel filter: keep the ports' packets
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("--write: %w", err)
	}
	filter := live.Filter{Ports: ports, Hosts: hosts}
	src, err := live.Open(live.Options{Interface: iface, Filter: filter, Write: f, PollInterval: 50 * time.Millisecond})
	if err != nil {
		f.Close()
		os.Remove(file)
		return nil, fmt.Errorf("--write: %w", err)
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		stop    bool
		packets int
		readErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var p capture.Packet
		for {
			err := src.Next(&p)
			mu.Lock()
			stopping := stop
			if err == nil {
				packets++
			}
			mu.Unlock()
			switch {
			case err != nil && !errors.Is(err, live.ErrTimeout):
				readErr = err // read by the caller after wg.Wait
				return
			case err != nil && stopping:
				return // the ring is drained
			}
		}
	}()
	res := Run(ctx, opts)
	time.Sleep(captureTail)
	mu.Lock()
	stop = true
	mu.Unlock()
	wg.Wait()
	cerr := src.Close()
	if err := f.Close(); cerr == nil {
		cerr = err
	}
	if readErr == nil {
		readErr = cerr
	}
	if readErr != nil {
		return nil, fmt.Errorf("--write: %w", readErr)
	}
	res.Capture = &result.ProbeCapture{File: file, Interface: iface, Packets: packets, Filter: src.Filter()}
	return res, nil
}

// interfaceToward names the interface this machine reaches the target through: the one that
// holds the local address a UDP socket toward it is bound to (no packet is sent).
func interfaceToward(ctx context.Context, t Target) (string, error) {
	addr := t.Addr
	if !addr.IsValid() {
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", t.Name)
		if err != nil || len(addrs) == 0 {
			return "", fmt.Errorf("cannot tell the interface toward %s: its name does not resolve", t.Name)
		}
		addr = addrs[0].Unmap()
	}
	c, err := net.Dial("udp", netip.AddrPortFrom(addr, uint16(t.Port)).String())
	if err != nil {
		return "", fmt.Errorf("no route to %s: %w", addr, err)
	}
	local := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	c.Close()
	ifs, err := net.Interfaces()
	if err != nil {
		return "", err
	}
	for _, ifc := range ifs {
		as, _ := ifc.Addrs()
		for _, a := range as {
			if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Unmap() == local {
				return ifc.Name, nil
			}
		}
	}
	return "", fmt.Errorf("no interface holds %s, the local address toward %s", local, netip.AddrPortFrom(addr, uint16(t.Port)))
}
