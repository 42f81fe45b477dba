//go:build !linux && !windows && !cgo

package live

import (
	"fmt"
	"runtime"
)

// openSource: on this system live capture goes through libpcap, which needs a build with cgo.
func openSource(opts Options) (liveSource, error) {
	return nil, fmt.Errorf("%w on %s: this connscope was built without cgo, and live capture there needs libpcap: build it with CGO_ENABLED=1 (and libpcap's headers), or capture with tcpdump -w and run connscope analyze", ErrCaptureUnavailable, runtime.GOOS)
}
