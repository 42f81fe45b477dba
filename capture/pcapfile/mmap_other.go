//go:build !linux

package pcapfile

import "os"

var pageSize = os.Getpagesize()

// fileGuard is nothing where files are not mapped.
type fileGuard struct{}

// mapFile returns nil: files are mapped only on Linux (mmap_linux.go); elsewhere they are read
// with read(2).
func mapFile(*os.File) *mappedFile { return nil }

func dropPages([]byte) {}

func unmap([]byte, *fileGuard) {}

func (*fileGuard) leaseBroken() bool { return false }
