package analyze

import (
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/connscope/connscope/analyze/inputwarn"
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// File analyses a capture file. A file that cannot be opened at all is an error; a file that is
// truncated or corrupt part-way gives the result for everything before the bad spot, with a
// warning that says where it is.
func File(path string, opts Options) (*result.Result, error) {
	r, err := pcapfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if opts.Reopen == nil {
		opts.Reopen = func() (*pcapfile.Reader, error) { return pcapfile.Open(path) }
	}
	return Reader(r, path, opts)
}

// Reader analyses every packet of an open capture reader. With more than one CPU, reading and
// decoding run in a goroutine of their own, a batch of packets ahead of the analysis (see
// readAhead); the result is the same either way.
//
// A capture of one vantage that turns out to hold the same packets twice, seen at two points of
// their path (a mergecap of an agent-side and a server-side capture: the copies differ in TTL),
// is read again through Options.Reopen with its links told apart (pcapfile.Reader.SplitLinks), so
// that each point is a vantage of its own; without Reopen (standard input), or when its links do
// not tell the points apart, the result warns that the copies were taken as retransmissions.
func Reader(r *pcapfile.Reader, name string, opts Options) (*result.Result, error) {
	return analyzeReader(r, name, opts, runtime.GOMAXPROCS(0) > 1)
}

// analyzeReader is Reader, reading ahead in a goroutine when ahead is set.
func analyzeReader(r *pcapfile.Reader, name string, opts Options, ahead bool) (*result.Result, error) {
	res, twins, err := readOnce(r, name, opts, ahead)
	if err != nil || twins.n < minTwins && twins.translated == 0 || len(res.Input.Vantages) > 0 {
		return res, err
	}
	return readSplit(res, twins, name, opts, ahead), nil
}

// readOnce reads r through once. It also returns the packets that looked like the same packet
// seen at two points (track.Twins).
func readOnce(r *pcapfile.Reader, name string, opts Options, ahead bool) (*result.Result, twins, error) {
	a := New(opts)
	if ahead {
		a.fileInBackground()
	}
	a.readFrom(func() ([]pcapfile.Vantage, []pcapfile.Point) { return r.Vantages(), r.Points() }, r.SplittingLinks())
	in := result.Input{File: result.FileName(name), Format: r.Format(), Complete: true}
	take := func(p *capture.Packet) {
		if in.Frames == 0 {
			in.First = p.Time.UTC()
		}
		in.Frames++
		in.Last = p.Time.UTC()
		if ahead {
			a.tr.Packet(p) // readAhead's goroutine noted its time (a.oddTimes)
		} else {
			a.Packet(p)
		}
		if in.Frames%progressEvery == 0 {
			opts.Progress.update(in.Frames, a.tr.Seen())
		}
	}
	var err error
	if ahead {
		err = readAhead(r, a.oddTimes.Note, take)
	} else {
		var p capture.Packet
		for err = r.Next(&p); err == nil; err = r.Next(&p) {
			take(&p)
		}
	}
	stopped := err
	if err != io.EOF {
		var fe *pcapfile.FileError
		if !errors.As(err, &fe) {
			return nil, twins{}, fmt.Errorf("reading %s: %w", name, err)
		}
		in.Complete = false
		code := "corrupt-file"
		if fe.Truncated {
			code = "truncated-file"
		}
		covers := result.Msg("warning.covers-nothing")
		if in.Frames > 0 {
			covers = result.Msg("warning.covers-frames", result.Int("frames", in.Frames), result.Text("last", in.Last.Format("2006-01-02 15:04:05.000")))
		}
		a.AddWarning(warning(code, fe.Offset, 0, result.Sub("error", fileError(fe)), result.Sub("covers", covers)))
	}
	opts.Progress.update(in.Frames, a.tr.Seen())
	st := r.Stats()
	in.Bytes = st.Bytes
	in.LinkTypes = append([]string{}, r.LinkTypes()...)
	in.Snaplen = r.Snaplen()
	describePoints(a, &in, r, stopped)
	addReaderWarnings(a, r)
	res := a.Finish(in)
	tw := twins{translated: a.nat.n}
	tw.n, tw.frame = a.tr.Twins()
	return res, tw, nil
}

// addDecodeWarnings warns about packets cut by the snaplen and frames that could not be decoded,
// for a live capture (addReaderWarnings does for files).
func addDecodeWarnings(a *Analyzer, st capture.Stats, snaplen int) {
	if st.Truncated > 0 {
		a.AddWarning(warning("snaplen-cut", 0, 0, result.Int("n", st.Truncated), result.Int("snaplen", snaplen)))
	}
	if st.Undecodable > 0 {
		a.AddWarning(warning("undecodable-frames", 0, 0, result.Int("n", st.Undecodable)))
	}
}

// readAheadBatch is how many packets readAhead hands over at a time: enough that the hand-over
// costs nothing per packet, few enough that a batch of full-size packets stays in the caches.
const readAheadBatch = 256

// readAheadBatches bounds the batches read but not yet analysed.
const readAheadBatches = 4

// packetBatch is packets read ahead. Their payloads point into the reader's buffers, which the
// batch holds until it is released: nothing is copied.
type packetBatch struct {
	pcapfile.Batch
	err error // what Next returned after the last packet: io.EOF at the end
}

// readAhead reads r in a goroutine, which calls note with each packet it read, and calls take
// with each packet, in order, in the calling goroutine, until Next fails; it returns that error (io.EOF at the end of the file). The
// reader is used only by the goroutine until readAhead returns. Packets reach take as Next gives
// them, their payloads valid until take returns: take may keep nothing of them past the call, as
// with Next.
func readAhead(r *pcapfile.Reader, note, take func(*capture.Packet)) error {
	full := make(chan *packetBatch, readAheadBatches)
	free := make(chan *packetBatch, readAheadBatches+2)
	go func() {
		for {
			var b *packetBatch
			select {
			case b = <-free:
			default:
				b = &packetBatch{}
			}
			b.err = r.ReadBatch(&b.Batch, readAheadBatch)
			for i := range b.Packets {
				note(&b.Packets[i])
			}
			full <- b
			if b.err != nil {
				return
			}
		}
	}()
	for b := range full {
		for i := range b.Packets {
			take(&b.Packets[i])
		}
		b.Release()
		if b.err != nil {
			return b.err // the goroutine has returned
		}
		free <- b
	}
	panic("unreachable: the reading goroutine stops only after sending an error")
}

// fileError words a capture file's error (inputwarn.FileError).
func fileError(fe *pcapfile.FileError) result.Message { return inputwarn.FileError(fe) }

// FileErrorMessage is the message of a capture file that is truncated or corrupt, as the
// warnings word it: for a program that reports a capture it could not read at all.
func FileErrorMessage(fe *pcapfile.FileError) result.Message { return inputwarn.FileError(fe) }
