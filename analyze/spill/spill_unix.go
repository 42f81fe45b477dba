//go:build unix

package spill

import "os"

// removeOpen removes f's name from its directory while f stays open; the system frees the
// file when it is closed or the process ends.
func removeOpen(f *os.File) bool { return os.Remove(f.Name()) == nil }
