package analyze

import (
	"errors"
	"fmt"
	"io"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

// File analyses a capture file. A file that cannot be opened at all is an error; a file that is
// truncated or corrupt part-way gives the result for everything before the bad spot, with a
// warning that says where it is.
func File(path string, opts Options) (*result.Result, error) {
	r, err := capture.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return Reader(r, path, opts)
}

// Reader analyses every packet of an open capture reader.
func Reader(r *capture.Reader, name string, opts Options) (*result.Result, error) {
	a := New(opts)
	in := result.Input{File: name, Format: r.Format(), Complete: true}
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe *capture.FileError
			if !errors.As(err, &fe) {
				return nil, fmt.Errorf("reading %s: %w", name, err)
			}
			in.Complete = false
			code := "corrupt-file"
			if fe.Truncated {
				code = "truncated-file"
			}
			covers := "no frame could be read before it"
			if in.Frames > 0 {
				covers = fmt.Sprintf("this report covers frames 1-%d, up to %s UTC; whatever the file held after that is lost",
					in.Frames, in.Last.Format("2006-01-02 15:04:05.000"))
			}
			a.AddWarning(result.Warning{Code: code, Message: fe.Error() + "; " + covers, Offset: fe.Offset})
			break
		}
		if in.Frames == 0 {
			in.First = p.Time.UTC()
		}
		in.Frames++
		in.Last = p.Time.UTC()
		a.Packet(&p)
	}
	st := r.Stats()
	in.Bytes = st.Bytes
	in.LinkTypes = append([]string{}, r.LinkTypes()...)
	in.Snaplen = r.Snaplen()
	addDecodeWarnings(a, st, in.Snaplen)
	return a.Finish(in), nil
}

// addDecodeWarnings warns about packets cut by the snaplen and frames that could not be decoded.
func addDecodeWarnings(a *Analyzer, st capture.Stats, snaplen int) {
	if st.Truncated > 0 {
		a.AddWarning(result.Warning{Code: "snaplen-cut", Message: fmt.Sprintf(
			"%d packet(s) were cut by the capture's snaplen (%d bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0)", st.Truncated, snaplen)})
	}
	if st.Undecodable > 0 {
		a.AddWarning(result.Warning{Code: "undecodable-frames", Message: fmt.Sprintf(
			"%d frame(s) could not be decoded (unsupported link type or broken headers) and were skipped", st.Undecodable)})
	}
}
