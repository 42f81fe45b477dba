//go:build !unix

package pcapfile

import "time"

var started = time.Now()

// cpuTime stands in for the process's CPU time where getrusage is missing: the wall time since
// the tests started.
func cpuTime() int64 { return int64(time.Since(started)) }
