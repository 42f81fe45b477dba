package analyze

import (
	"context"
	"errors"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/live"
	"github.com/connscope/connscope/result"
)

// Tick tells the analyzer the time now, for a live capture in which no packet may arrive for a
// while: the flows closed or idle by then are finished (and given to Options.OnFlow). A time
// before the latest packet's is taken as that packet's.
func (a *Analyzer) Tick(now time.Time) { a.tr.Tick(now) }

// LiveOptions says when a live analysis stops and what it tells on the way.
type LiveOptions struct {
	// Count stops the capture after this many frames (0: no limit).
	Count int
	// StatusEvery is how often OnStatus is called and the capture file flushed (default 5 s).
	StatusEvery time.Duration
	// OnStatus, when set, receives the progress every StatusEvery.
	OnStatus func(LiveStatus)
}

// LiveStatus is the progress of a live capture.
type LiveStatus struct {
	Elapsed  time.Duration
	Frames   int              // frames captured (those the filter passed)
	Open     int              // connections in progress
	Finished int              // connections finished so far
	Failed   int              // of those, failed (by their verdict when they finished)
	Kernel   live.KernelStats // the kernel's (or Npcap's) received and dropped counts
}

// Stop reasons of a live capture, as result.LiveCapture.StoppedBy gives them.
const (
	StopCount = "count"
	StopError = "capture error"
)

// Live analyses a live capture until ctx is done or LiveOptions.Count frames have been read, then
// closes the capture (which completes its file) and returns the result, as File does for a file.
// Each flow goes to Options.OnFlow as it finishes. The reason for stopping is context.Cause(ctx)'s
// text (say "interrupted" or "duration"), "count" or "capture error".
func Live(ctx context.Context, src *live.Capture, opts Options, lo LiveOptions) (*result.Result, error) {
	if lo.StatusEvery <= 0 {
		lo.StatusEvery = 5 * time.Second
	}
	var st LiveStatus
	onFlow := opts.OnFlow
	opts.OnFlow = func(f result.Flow) {
		st.Finished++
		if f.Failed {
			st.Failed++
		}
		if onFlow != nil {
			onFlow(f)
		}
	}
	a := New(opts)
	started := time.Now()
	info := &result.LiveCapture{Interface: result.Raw(src.Interface()), Method: src.Method(), Filter: liveFilter(src.CaptureFilter())}
	in := result.Input{File: result.FileName("interface " + src.Interface()), Format: "live capture", Complete: true, Live: info}
	var p capture.Packet
	next := started.Add(lo.StatusEvery)
	for info.StoppedBy == "" {
		switch {
		case ctx.Err() != nil:
			info.StoppedBy = "stopped"
			if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
				info.StoppedBy = c.Error()
			}
			continue
		case lo.Count > 0 && in.Frames >= lo.Count:
			info.StoppedBy = StopCount
			continue
		}
		err := src.Next(&p)
		now := time.Now()
		switch {
		case err == live.ErrTimeout:
			a.Tick(now)
		case err != nil:
			info.StoppedBy = StopError
			in.Complete = false
			a.AddWarning(warning("capture-error", 0, 0, result.Sub("error", result.Msg("warning.capture-error-covers", result.Capture("error", err.Error())))))
		default:
			if in.Frames == 0 {
				in.First = p.Time.UTC()
			}
			in.Frames++
			in.Last = p.Time.UTC()
			a.Packet(&p)
		}
		if now.After(next) {
			next = now.Add(lo.StatusEvery)
			a.Tick(now)
			if err := src.Flush(); err != nil && info.StoppedBy == "" {
				info.StoppedBy = StopError
				a.AddWarning(warning("capture-error", 0, 0, result.Capture("error", err.Error())))
			}
			if lo.OnStatus != nil {
				st.Elapsed, st.Frames, st.Open = now.Sub(started), in.Frames, a.OpenFlows()
				st.Kernel, _ = src.KernelStats()
				lo.OnStatus(st)
			}
		}
	}
	// The capture ran until now, though its last packet may be older: what was left unanswered
	// waited until now (track.Tracker.Stop).
	a.tr.Stop(time.Now())
	kernel, kerr := src.KernelStats()
	if err := src.Close(); err != nil {
		return nil, err
	}
	info.Seconds = time.Since(started).Seconds()
	if kerr == nil {
		info.KernelReceived, info.KernelDropped = kernel.Received, kernel.Dropped
		if kernel.Dropped > 0 {
			a.AddWarning(warning("kernel-drops", 0, 0, result.Int64("dropped", int64(kernel.Dropped)), result.Int64("received", int64(kernel.Received))))
		}
	}
	cs := src.Stats()
	in.Bytes = cs.Bytes
	in.LinkTypes = src.LinkTypes()
	in.Snaplen = src.Snaplen()
	addDecodeWarnings(a, cs, in.Snaplen)
	return a.Finish(in), nil
}

// Defaults for a live capture: a closed connection is reported soon after it closes, and a silent
// one sooner than in a file (its SYN retransmissions, at most a minute apart, still join it). A
// live capture lists fewer flows one by one than a file analysis (each listed flow keeps about
// 3 KiB for the final report), so that memory stays bounded over hours: the rest are counted.
const (
	DefaultLiveClosedLinger = 3 * time.Second
	DefaultLiveIdleTimeout  = 2 * time.Minute
	DefaultLiveMaxFlows     = 10000
)

// liveFilter is a capture filter in result form: its addresses (from --host) as addresses.
func liveFilter(f live.Filter) result.Filter {
	texts, hosts := f.Pieces()
	out := make(result.Filter, 0, len(texts)+len(hosts))
	for i, t := range texts {
		if i > 0 {
			out = append(out, result.Addr("", hosts[i-1].String()))
		}
		out = append(out, result.Text("", t))
	}
	return out
}
