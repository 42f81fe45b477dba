// Package inorder computes a value for each of a run of items on several goroutines and hands
// the values over in the items' order, on the calling goroutine: the part of a loop that reads
// only runs on every CPU, the part that counts and writes stays on one, in the loop's order, so
// that what it makes does not depend on the number of CPUs.
package inorder

import "sync/atomic"

// Block is how many items a goroutine computes at a time.
const Block = 1024

// ahead is how many blocks per goroutine may be computed ahead of use: memory stays bounded
// whatever the number of items.
const ahead = 2

// Map calls use(i, work(i)) for each i from 0 to n-1, in order, on the calling goroutine, and
// work on up to workers goroutines, the calling one included (in line with fewer than two, or
// with one block of items): work must be safe for concurrent use, and may not depend on what
// use did. The calling goroutine computes a block itself rather than wait for one that no other
// has taken yet, so a goroutine the system leaves waiting for a CPU delays no more than its
// block. A panic in work ends the program.
func Map[T any](n, workers int, work func(i int) T, use func(i int, v T)) {
	blocks := (n + Block - 1) / Block
	workers = min(workers, blocks)
	if workers < 2 {
		for i := range n {
			use(i, work(i))
		}
		return
	}
	slots := ahead * workers
	bufs := make([][]T, slots)            // block k's values are in bufs[k%slots]
	ready := make([]chan struct{}, slots) // a token when bufs[k%slots] holds block k
	free := make(chan struct{}, slots)    // a token for each slot not in use
	for s := range slots {
		ready[s] = make(chan struct{}, 1)
		free <- struct{}{}
	}
	var next atomic.Int64
	compute := func(k int) {
		s := k % slots
		buf := bufs[s][:0]
		for i := k * Block; i < min(n, (k+1)*Block); i++ {
			buf = append(buf, work(i))
		}
		bufs[s] = buf
		ready[s] <- struct{}{}
	}
	for range workers - 1 {
		go func() {
			for {
				<-free // before the block is taken: the lowest block not used always has a slot
				k := int(next.Add(1) - 1)
				if k >= blocks {
					return
				}
				compute(k)
			}
		}()
	}
	taken := false // every block is taken
	for k := range blocks {
		s := k % slots
	wait:
		for {
			if taken {
				<-ready[s]
				break
			}
			select {
			case <-ready[s]:
				break wait
			case <-free: // a slot: take the next block rather than wait
				if j := int(next.Add(1) - 1); j < blocks {
					compute(j)
					continue
				}
				free <- struct{}{}
				taken = true
			}
		}
		for j, v := range bufs[s] {
			use(k*Block+j, v)
		}
		clear(bufs[s]) // what the values point to may go
		free <- struct{}{}
	}
}
