//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// checkReplaceable refuses to replace a file this user may not write (as writing it in place
// would fail), although the directory would let the rename through.
func checkReplaceable(path string) error {
	if err := syscall.Access(path, 2 /* W_OK */); err != nil && !errors.Is(err, syscall.ENOENT) {
		return cannotWrite(path, err)
	}
	return nil
}

// keepOwnership gives the new file the mode of the file it replaces, and, when running as root,
// its owner and group (so that a report run with sudo over a user's file stays the user's).
func keepOwnership(f *os.File, fi os.FileInfo) {
	f.Chmod(fi.Mode().Perm())
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		f.Chown(int(st.Uid), int(st.Gid))
	}
}

// syncDir makes a rename in dir durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
