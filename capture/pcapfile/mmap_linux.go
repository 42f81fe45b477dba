//go:build linux

package pcapfile

import (
	"os"
	"os/signal"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

var pageSize = os.Getpagesize()

// A mapped file that another process cuts (a tcpdump that rotates into it opens it with O_TRUNC)
// would kill connscope with SIGBUS at the first read of a page past the new end. So a file is
// mapped only under a read lease (fcntl F_SETLEASE, F_RDLCK), which the system grants only when
// no process has the file open for writing (a file being written is read with read(2)), and
// which makes a process that opens the file for writing or truncates it wait until the lease is
// given back (up to /proc/sys/fs/lease-break-time, 45 s by default) while the holder gets SIGIO:
// the reader then reads the rest of the file with read(2), as a file it could not map, and the
// lease is given back as soon as no batch points into the mapping any more (a few batches later:
// milliseconds). The other process then goes on, and the reader sees the file as read(2) does:
// cut, or with new bytes. Only a reader stopped for longer than the lease-break time (a debugger,
// SIGSTOP) could still read a page past a new end.

// fileGuard is the read lease of a mapped file: a duplicate of its descriptor, which holds the
// lease as long as the mapping needs it, closed once the mapping is gone.
type fileGuard struct {
	fd     int
	broken atomic.Bool // another process wants to write the file or cut it (SIGIO)
}

// guards are the leases held, each told by SIGIO when it is broken (which lease the signal is
// for is not said: every reader of a mapped file then goes on with read(2)).
var guards struct {
	once sync.Once
	mu   sync.Mutex
	set  map[*fileGuard]struct{}
}

// watchLeases starts the goroutine that marks every lease broken on SIGIO.
func watchLeases() {
	guards.set = make(map[*fileGuard]struct{})
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGIO)
	go func() {
		for range ch {
			guards.mu.Lock()
			for g := range guards.set {
				g.broken.Store(true)
			}
			guards.mu.Unlock()
		}
	}()
}

// mapFile maps f whole for reading under a read lease, or returns nil when it should be read with
// read(2): not a regular file, empty, open for writing somewhere (or the lease is refused: a file
// of another user), or the mapping failed. The mapping is as long as the file is now; bytes added
// later are not read.
func mapFile(f *os.File) *mappedFile {
	if !useMap {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 || fi.Size() != int64(int(fi.Size())) {
		return nil
	}
	guards.once.Do(watchLeases)
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	g := &fileGuard{fd: fd}
	guards.mu.Lock()
	guards.set[g] = struct{}{}
	guards.mu.Unlock()
	var data []byte
	if _, err = unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_RDLCK); err == nil {
		// the size again, under the lease: the file may have been cut before it was taken
		var st unix.Stat_t
		if err = unix.Fstat(fd, &st); err == nil && st.Size >= fi.Size() {
			// private and writable, as the read(2) path's buffers are: a frame may be rewritten
			// in place (exportredact); a page written is copied, the file never changes
			data, err = unix.Mmap(fd, 0, int(fi.Size()), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
		}
	}
	if err != nil || data == nil {
		release(g)
		return nil
	}
	m := &mappedFile{data: data, guard: g}
	m.refs.Store(1)
	return m
}

// dropPages takes the pages of b out of the process's memory (they stay in the page cache).
func dropPages(b []byte) {
	if len(b) > 0 {
		unix.Madvise(b, unix.MADV_DONTNEED)
	}
}

// unmap unmaps a mapped file and gives its lease back.
func unmap(data []byte, g *fileGuard) {
	unix.Munmap(data)
	release(g)
}

// release gives the lease back.
func release(g *fileGuard) {
	guards.mu.Lock()
	delete(guards.set, g)
	guards.mu.Unlock()
	unix.FcntlInt(uintptr(g.fd), unix.F_SETLEASE, unix.F_UNLCK)
	unix.Close(g.fd)
}

// leaseBroken reports whether another process waits to write or cut the file (the reader must
// stop reading through the mapping).
func (g *fileGuard) leaseBroken() bool { return g.broken.Load() }
