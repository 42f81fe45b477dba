//go:build !unix

package main

import "os"

// checkReplaceable: a read-only file makes the rename fail on this system, with its own message.
func checkReplaceable(path string) error { return nil }

// keepOwnership gives the new file the mode (the read-only attribute) of the file it replaces.
func keepOwnership(f *os.File, fi os.FileInfo) { f.Chmod(fi.Mode().Perm()) }

// syncDir: directories cannot be synced on this system; the rename itself is atomic.
func syncDir(dir string) {}
