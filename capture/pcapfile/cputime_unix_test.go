//go:build unix

package pcapfile

import "syscall"

// cpuTime is the CPU time the process has used, in nanoseconds: on a machine shared with other
// work it varies less than the wall time a benchmark reports.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
