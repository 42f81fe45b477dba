package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/pflag"
)

// devProfile is the developers' pprof switches, hidden from the help: --cpuprofile FILE writes a
// CPU profile of the whole command, --memprofile FILE a heap profile taken at its end.
type devProfile struct {
	cpu, mem string
	cpuFile  *os.File
	memstats bool
}

// register adds the hidden flags to fs.
func (d *devProfile) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.cpu, "cpuprofile", "", "write a CPU profile to FILE (for developers)")
	fs.StringVar(&d.mem, "memprofile", "", "write a heap profile to FILE at the end (for developers)")
	fs.BoolVar(&d.memstats, "memstats", false, "print the heap the analysis retains, per connection (for developers)")
	_ = fs.MarkHidden("cpuprofile")
	_ = fs.MarkHidden("memprofile")
	_ = fs.MarkHidden("memstats")
}

// retained prints, with --memstats, the heap that the analysis of conns connections keeps until
// its report is written (after a collection), and that per connection; with
// $CONNSCOPE_RETAINED_PROFILE set, it writes a heap profile of it there.
func (d *devProfile) retained(w io.Writer, conns int) {
	if !d.memstats {
		return
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "connscope: memstats: the analysis retains %d bytes of heap for %d connections (%d B per connection); the heap held %d bytes at most\n",
		ms.HeapAlloc, conns, ms.HeapAlloc/uint64(max(conns, 1)), ms.HeapSys)
	if path := os.Getenv("CONNSCOPE_RETAINED_PROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
}

// init turns off the sampling of allocations that heap profiles are made of (Go samples one
// every 512 KiB by default): its records of call stacks take some 1.5 MB on a large capture,
// for profiles only developers ask for. start turns it on again for --memprofile, and
// $CONNSCOPE_RETAINED_PROFILE keeps it on from the start.
func init() {
	if os.Getenv("CONNSCOPE_RETAINED_PROFILE") == "" {
		runtime.MemProfileRate = 0
	}
}

// defaultMemProfileRate is Go's sampling rate of allocations for heap profiles.
const defaultMemProfileRate = 512 * 1024

// start begins the CPU profile, if asked for, and the sampling of allocations for the heap
// profile.
func (d *devProfile) start() error {
	if d.mem != "" {
		runtime.MemProfileRate = defaultMemProfileRate
	}
	if d.cpu == "" {
		return nil
	}
	f, err := os.Create(d.cpu)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	d.cpuFile = f
	return pprof.StartCPUProfile(f)
}

// stop ends the CPU profile and writes the heap profile, if asked for.
func (d *devProfile) stop() {
	if d.cpuFile != nil {
		pprof.StopCPUProfile()
		d.cpuFile.Close()
	}
	if d.mem != "" {
		if f, err := os.Create(d.mem); err == nil {
			runtime.GC()
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
}
