package analyze

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/connscope/connscope/analyze/inputwarn"
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// describePoints fills in.Points when the input is more than one file or a labelled one, and warns
// about each file that reading left before its end but went on after (a file cut in the middle
// of a rotated set, or a cut file of one of several capture points); stopped is the error that
// ended the reading, already warned about.
func describePoints(a *Analyzer, in *result.Input, r *pcapfile.Reader, stopped error) {
	for _, f := range r.Skipped() {
		in.Complete = false
		a.AddWarning(skippedWarning(f.Path, f.Err))
	}
	points := r.Points()
	if len(points) == 1 && len(points[0].Files) == 1 && points[0].Name == points[0].Files[0].Path {
		in.File = result.FileName(points[0].Name) // a single file (a folder of one): Input says it all
		return
	}
	// Several capture points: the input is named after all of them ("agent + server").
	name := points[0].Name
	for _, pt := range points[1:] {
		name += " + " + pt.Name
	}
	in.File = result.FileName(name)
	for _, pt := range points {
		ip := result.InputPoint{Name: result.FileName(pt.Name), Files: []result.InputFile{}}
		for _, f := range pt.Files {
			rf := result.InputFile{Name: result.FileName(f.Path), Format: f.Format, LinkTypes: append([]string{}, f.LinkTypes...), Snaplen: f.Snaplen,
				Frames: f.Frames, Bytes: f.Bytes, SnaplenCut: f.Truncated, First: f.First.UTC(), Last: f.Last.UTC(), Complete: f.Err == nil}
			if f.Err != nil {
				rf.Error = result.Raw(f.Err.Error())
				in.Complete = false
				var fe *pcapfile.FileError
				if f.Err != stopped && errors.As(f.Err, &fe) {
					code := "corrupt-file"
					if fe.Truncated {
						code = "truncated-file"
					}
					a.AddWarning(warning(code, fe.Offset, 0, result.Sub("error", fileError(fe)),
						result.Sub("covers", result.Msg("warning.covers-file-frames", result.Int("frames", f.Frames)))))
				} else if f.Err != stopped {
					a.AddWarning(skippedWarning(f.Path, f.Err))
				}
			}
			ip.Files = append(ip.Files, rf)
		}
		in.Points = append(in.Points, ip)
	}
}

// skippedWarning is the warning about a file that could not be opened among several (path, err
// why), which reading left out: unreadable-file when the system would not let it be read (no
// permission, a folder, a socket or a device in its place), corrupt-file or truncated-file when
// its content is damaged or is no capture.
func skippedWarning(path string, err error) result.Warning {
	if pe, ok := unreadable(err); ok {
		return warning("unreadable-file", 0, 0, result.Quoted(result.File("file", path)), result.Text("why", pe.Op+": "+pe.Err.Error()))
	}
	skipped := result.Sub("covers", result.Msg("warning.file-skipped"))
	var fe *pcapfile.FileError
	if !errors.As(err, &fe) {
		return warning("corrupt-file", 0, 0, result.Capture("error", err.Error()), skipped)
	}
	code := "corrupt-file"
	if fe.Truncated {
		code = "truncated-file"
	}
	return warning(code, fe.Offset, 0, result.Sub("error", fileError(fe)), skipped)
}

// unreadable returns the system's refusal that kept a capture file from being opened or read
// from its start (a *fs.PathError: permission denied, is a directory, no such device or
// address): a failure to read the file, not damage in what it holds (a *pcapfile.FileError).
func unreadable(err error) (*fs.PathError, bool) {
	var fe *pcapfile.FileError
	var pe *fs.PathError
	if errors.As(err, &fe) || !errors.As(err, &pe) {
		return nil, false
	}
	return pe, true
}

// addReaderWarnings warns about packets cut by the snaplen (naming the snaplen of the file or
// pcapng interface each was captured with), frames that could not be decoded (per reason), and
// packets damaged on their way (per checksum), naming the first frames of each.
func addReaderWarnings(a *Analyzer, r *pcapfile.Reader) {
	if w, ok := inputwarn.SnaplenCuts(r.SnaplenCuts()); ok {
		a.AddWarning(w)
	}
	points := r.Points()
	if l := r.DamagedLengths(); l.Frames > 0 {
		a.AddWarning(damagedLengthsWarning(l, points))
	}
	for _, t := range r.Tallies() {
		list := frameList(points, t.First, t.Frames)
		if t.Reason.Corrupt() {
			a.AddWarning(warning("damaged-packets", 0, t.First[0].Frame, result.Int("n", t.Frames), result.Sub("checksum", checksumName(t.Reason)), result.Sub("frames", list)))
		} else {
			a.AddWarning(result.Warning{Code: "undecodable-frames", Frame: t.First[0].Frame, Message: result.Msg("warning.undecodable-frames-why",
				result.Int("n", t.Frames), result.Sub("why", undecodableWhy(t.Reason, t.Frames)), result.Sub("frames", list))})
		}
	}
}

// checksumName names the checksum a damage reason is about.
func checksumName(r capture.Reason) result.Message {
	switch r.Code {
	case capture.ReasonIPv4Checksum:
		return result.Msg("checksum.ipv4")
	case capture.ReasonTCPChecksum:
		return result.Msg("checksum.tcp")
	case capture.ReasonUDPChecksum:
		return result.Msg("checksum.udp")
	}
	return result.Msg("checksum.icmp")
}

// undecodableWhy says why frames could not be decoded.
func undecodableWhy(r capture.Reason, frames int) result.Message {
	n, v := result.Int("n", frames), result.Int("value", int(r.Value))
	switch r.Code {
	case capture.ReasonLinkType:
		return result.Msg("undecodable.link-type", v)
	case capture.ReasonLinkHeader:
		return result.Msg("undecodable.link-header", n, v)
	case capture.ReasonLinkHeaderBroken:
		return result.Msg("undecodable.link-header-broken", n, v)
	case capture.ReasonEtherType:
		return result.Msg("undecodable.ethertype", n, result.Text("value", fmt.Sprintf("0x%04x", r.Value)))
	case capture.ReasonIPHeader:
		return result.Msg("undecodable.ip-header", n, v)
	case capture.ReasonIPVersion:
		return result.Msg("undecodable.ip-version", n, v)
	case capture.ReasonIPv6Extension:
		return result.Msg("undecodable.ipv6-extension", n)
	case capture.ReasonTunnel:
		return result.Msg("undecodable.tunnel", n, result.Text("encap", capture.Encap(r.Value).String()))
	case capture.ReasonTunnelProtocol:
		return result.Msg("undecodable.tunnel-protocol", n, result.Text("value", fmt.Sprintf("0x%04x", r.Value)))
	case capture.ReasonTunnelDepth:
		return result.Msg("undecodable.tunnel-depth", n, v)
	case capture.ReasonLinkProtocol:
		return result.Msg("undecodable.link-protocol", n, v)
	case capture.ReasonTCPHeader:
		return result.Msg("undecodable.tcp-header", n, v)
	case capture.ReasonTunnelFragment:
		return result.Msg("undecodable.tunnel-fragment", n, result.Text("encap", capture.Encap(r.Value).String()))
	case capture.ReasonMore:
		return result.Msg("undecodable.more")
	}
	return result.Msg("undecodable.bug", n)
}

// frameList names the frames first of total frames ("frames 3, 7", "frames 3, 7, ..."), each
// with its capture point when there are several.
func frameList(points []pcapfile.Point, first []capture.FrameRef, total int) result.Message {
	frames := make([]result.Message, len(first))
	for i, f := range first {
		if len(points) > 1 {
			frames[i] = result.Msg("warning.frame-of", result.Int("frame", f.Frame), result.File("point", points[f.Point].Name))
		} else {
			frames[i] = result.Msg("warning.frame", result.Int("frame", f.Frame))
		}
	}
	if total > len(frames) {
		return result.Msg("warning.frames-more", result.List("frames", frames))
	}
	return result.Msg("warning.frames", result.Int("n", len(frames)), result.List("frames", frames))
}

// damagedLengthsWarning is the warning about frames whose record header gives an original length
// no snaplen cut explains (record-damaged): what is wrong with the first one, and that they were
// read as the bytes they hold, not as packets the snaplen cut.
func damagedLengthsWarning(l pcapfile.DamagedLengths, points []pcapfile.Point) result.Warning {
	first := l.First[0].Frame
	detail := result.Msg("warning.record-length-beyond-snaplen", result.Int("frame", first), result.Int("wire", l.WireLen),
		result.Int("snaplen", l.Snaplen), result.Int("cap", l.CapLen))
	if l.WireLen > max(pcapfile.MaxPacketLength, l.Snaplen) {
		detail = result.Msg("warning.record-length-absurd", result.Int("frame", first), result.Int("wire", l.WireLen),
			result.Int("max", max(pcapfile.MaxPacketLength, l.Snaplen)), result.Int("cap", l.CapLen))
	}
	return warning("record-damaged", 0, first, result.Int("n", l.Frames), result.Sub("frames", frameList(points, l.First, l.Frames)),
		result.Sub("detail", detail))
}
