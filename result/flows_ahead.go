package result

import (
	"iter"
	"runtime"
	"sync"
)

// aheadChunk is how many flows a worker of Ahead makes at a time.
const aheadChunk = 128

// Ahead is All for a loop over many flows that are costly to make: when the list is Concurrent
// and there is more than one CPU, workers make chunks of flows ahead of the loop, which still
// gets them one at a time and in order. A *Flow is valid until the loop's next step; a loop
// that stops early returns once the workers have finished the chunks they were making.
func (l FlowList) Ahead() iter.Seq2[int, *Flow] {
	return l.ahead(l.n, func(k int) int { return k })
}

// aheadOf is Ahead over the flows whose indexes idx lists, in its order.
func (l FlowList) aheadOf(idx []int) iter.Seq2[int, *Flow] {
	return l.ahead(len(idx), func(k int) int { return idx[k] })
}

// ahead yields flows index(0), index(1) ... index(n-1), made ahead as Ahead says.
func (l FlowList) ahead(n int, index func(k int) int) iter.Seq2[int, *Flow] {
	workers := runtime.GOMAXPROCS(0)
	if !l.concurrent || workers < 2 || n < 4*aheadChunk {
		return func(yield func(int, *Flow) bool) {
			var f Flow
			for k := range n {
				i := index(k)
				l.fill(i, &f)
				if !yield(i, &f) {
					return
				}
			}
		}
	}
	return func(yield func(int, *Flow) bool) {
		type chunk struct {
			start int
			flows []Flow
			made  chan struct{} // closed when flows are made
		}
		// The chunks go to the workers and, in the same order, to the loop below.
		jobs, order := make(chan *chunk, 2*workers), make(chan *chunk, 2*workers)
		free := make(chan []Flow, 3*workers) // chunks the loop is done with, for reuse
		stop := make(chan struct{})
		var running sync.WaitGroup // the goroutines below: none outlives the loop
		defer func() {
			close(stop)
			running.Wait()
		}()
		running.Go(func() {
			defer close(jobs)
			defer close(order)
			for start := 0; start < n; start += aheadChunk {
				c := &chunk{start: start, made: make(chan struct{})}
				select {
				case order <- c:
				case <-stop:
					return
				}
				select {
				case jobs <- c:
				case <-stop:
					return
				}
			}
		})
		for range workers {
			running.Go(func() {
				for c := range jobs {
					select {
					case c.flows = <-free:
					default:
						c.flows = make([]Flow, aheadChunk)
					}
					for j := range min(aheadChunk, n-c.start) {
						l.fill(index(c.start+j), &c.flows[j])
					}
					close(c.made)
				}
			})
		}
		for c := range order {
			<-c.made
			for j := range min(aheadChunk, n-c.start) {
				if !yield(index(c.start+j), &c.flows[j]) {
					return
				}
			}
			select {
			case free <- c.flows:
			default:
			}
		}
	}
}
