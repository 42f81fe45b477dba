package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connscope/connscope/analyze"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
	"github.com/mattn/go-isatty"
)

// The progress line: while a capture file is analysed, on a terminal, a line on standard error
// says how far the analysis got, redrawn in place (\r) and cleared at the end:
//
//	connscope: 42% of 2.6 GB, 3.46M packets, 12.3k connections, 85 MB/s, 18s left
//	connscope: 100% of 2.6 GB, 8.00M packets, 30.0k connections; diagnosing them
//
// It shows only once the analysis has run for progressDelay, so that a small file prints
// nothing; never when standard error is not a terminal, nor with --quiet.
const (
	progressDelay    = time.Second
	progressInterval = 250 * time.Millisecond
)

// Seams for tests: whether w is a terminal, the clock, and the ticks that redraw the line.
var (
	isTerminal = func(w io.Writer) bool {
		f, ok := w.(*os.File)
		if !ok || os.Getenv("TERM") == "dumb" {
			return false
		}
		return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	progressClock = time.Now
	// progressTicks returns the channel whose ticks redraw the line, and a function that stops
	// it: by default a first tick after progressDelay, then one every progressInterval.
	progressTicks = func() (<-chan time.Time, func()) {
		c := make(chan time.Time)
		done := make(chan struct{})
		go func() {
			t := time.NewTimer(progressDelay)
			defer t.Stop()
			for {
				select {
				case now := <-t.C:
					select {
					case c <- now:
					case <-done:
						return
					}
					t.Reset(progressInterval)
				case <-done:
					return
				}
			}
		}()
		return c, func() { close(done) }
	}
)

// countingReader counts the bytes read through it, for another goroutine to read.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progressCounts are the counts an analysis keeps up to date (analyze.Progress).
type progressCounts interface {
	Packets() int64
	Flows() int64
}

// progressLine draws the progress of one analysis.
type progressLine struct {
	w      io.Writer
	say    printer // words the line
	total  int64   // the file's size; 0 when unknown (a pipe)
	read   *countingReader
	counts progressCounts
	start  time.Time
	width  int // of the line on screen; 0 when none is shown

	stopTicks func()
	done      chan struct{}
	exited    chan struct{}
	once      sync.Once
}

// text is the line for the counts at now.
func (p *progressLine) text(now time.Time) string {
	read := p.read.n.Load()
	var b strings.Builder
	packets, conns := result.Text("packets", countText(p.counts.Packets())), result.Text("conns", countText(p.counts.Flows()))
	if p.total > 0 {
		pct := min(read*100/p.total, 100)
		b.WriteString(p.say.text("cli.progress.percent", result.Int("percent", pct), result.Text("total", byteSize(p.total)), packets, conns))
	} else {
		b.WriteString(p.say.text("cli.progress.read", result.Text("read", byteSize(read)), packets, conns))
	}
	if p.total > 0 && read >= p.total {
		b.WriteString(p.say.text("cli.progress.diagnosing")) // the file is read: the verdicts are worked out
		return b.String()
	}
	elapsed := now.Sub(p.start)
	if elapsed >= 100*time.Millisecond && read > 0 {
		rate := float64(read) / elapsed.Seconds()
		b.WriteString(p.say.text("cli.progress.rate", result.Text("rate", byteSize(int64(rate)))))
		if p.total > read {
			left := time.Duration(float64(p.total-read) / rate * float64(time.Second))
			b.WriteString(p.say.text("cli.progress.left", result.Text("left", shortDuration(left))))
		}
	}
	return b.String()
}

// draw writes the line over the one shown.
func (p *progressLine) draw(now time.Time) {
	s := p.text(now)
	n := displayWidth(s)
	pad := ""
	if n < p.width {
		pad = strings.Repeat(" ", p.width-n)
	}
	fmt.Fprint(p.w, "\r"+s+pad)
	p.width = max(n, p.width)
}

// clear blanks the line shown, if any, and puts the cursor back at its start.
func (p *progressLine) clear() {
	if p.width > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width)+"\r")
		p.width = 0
	}
}

// startProgress wraps the capture file f of size total (0: unknown) for counting, and starts
// drawing the line on w, with the counts, as the ticks come.
func startProgress(w io.Writer, lang knowledge.Lang, f io.Reader, total int64, counts progressCounts) *progressLine {
	p := &progressLine{w: w, say: newPrinter(w, lang), total: total, read: &countingReader{r: f}, counts: counts,
		start: progressClock(), done: make(chan struct{}), exited: make(chan struct{})}
	ticks, stop := progressTicks()
	p.stopTicks = stop
	go func() {
		defer close(p.exited)
		for {
			select {
			case <-ticks:
				p.draw(progressClock())
			case <-p.done:
				// A tick that came with the stop is still drawn, so that the line does not
				// depend on which of the two select saw first.
				select {
				case <-ticks:
					p.draw(progressClock())
				default:
				}
				p.clear()
				return
			}
		}
	}()
	return p
}

// Stop ends the drawing and clears the line; nothing is written to w after it returns. It may
// be called more than once.
func (p *progressLine) Stop() {
	p.once.Do(func() {
		close(p.done)
		<-p.exited
		p.stopTicks()
	})
}

// analyzeFile analyses the capture at path as analyze.File does, with the progress line on
// stderr when it is a terminal (and not quiet).
func analyzeFile(path string, opts analyze.Options, stderr io.Writer, quiet bool, lang knowledge.Lang) (*result.Result, error) {
	if quiet || !isTerminal(stderr) {
		return analyze.File(path, opts)
	}
	f, err := os.Open(path)
	if err != nil {
		return analyze.File(path, opts) // which says why it cannot be read
	}
	defer f.Close()
	var total int64
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		total = fi.Size()
	}
	opts.Progress = &analyze.Progress{}
	opts.Reopen = func() (*pcapfile.Reader, error) { return pcapfile.Open(path) }
	p := startProgress(stderr, lang, f, total, opts.Progress)
	defer p.Stop()
	r, err := pcapfile.NewReader(p.read, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res, err := analyze.Reader(r, path, opts)
	p.Stop()
	return res, err
}

// byteSize says n bytes in the largest unit that keeps it at least 1: "85 MB", "2.6 GB".
func byteSize(n int64) string {
	const units = "kMGTPE"
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/1000, 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %cB", v, units[i])
	}
	return fmt.Sprintf("%.0f %cB", v, units[i])
}

// countText says n briefly: 950, 12.3k, 3.46M.
func countText(n int64) string {
	switch {
	case n < 10000:
		return fmt.Sprint(n)
	case n < 1000000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprintf("%.2fM", float64(n)/1e6)
}

// shortDuration says d to the second: "18s", "4m05s", "1h02m".
func shortDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
}

// displayWidth is the number of terminal columns s takes: two for a wide character (kana, kanji,
// full-width signs), one for any other.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 ||
			r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6) {
			n++
		}
	}
	return n
}
