package main

import (
	"fmt"
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
}

// register adds the hidden flags to fs.
func (d *devProfile) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.cpu, "cpuprofile", "", "write a CPU profile to FILE (for developers)")
	fs.StringVar(&d.mem, "memprofile", "", "write a heap profile to FILE at the end (for developers)")
	_ = fs.MarkHidden("cpuprofile")
	_ = fs.MarkHidden("memprofile")
}

// start begins the CPU profile, if asked for.
func (d *devProfile) start() error {
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
