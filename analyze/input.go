package analyze

import (
	"errors"
	"fmt"
	"strings"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

// describePoints fills in.Points when the input is more than one file or a labelled one, and warns
// about each file that reading left before its end but went on after (a file cut in the middle
// of a rotated set, or a cut file of one of several capture points); stopped is the error that
// ended the reading, already warned about.
func describePoints(a *Analyzer, in *result.Input, r *capture.Reader, stopped error) {
	points := r.Points()
	if len(points) == 1 && len(points[0].Files) == 1 && points[0].Name == points[0].Files[0].Path {
		in.File = points[0].Name // a single file (a folder of one): Input says it all
		return
	}
	in.File = points[0].Name
	for _, pt := range points {
		ip := result.InputPoint{Name: pt.Name, Files: []result.InputFile{}}
		for _, f := range pt.Files {
			rf := result.InputFile{Name: f.Path, Format: f.Format, LinkTypes: append([]string{}, f.LinkTypes...), Snaplen: f.Snaplen,
				Frames: f.Frames, Bytes: f.Bytes, SnaplenCut: f.Truncated, First: f.First.UTC(), Last: f.Last.UTC(), Complete: f.Err == nil}
			if f.Err != nil {
				rf.Error = f.Err.Error()
				in.Complete = false
				var fe *capture.FileError
				if f.Err != stopped && errors.As(f.Err, &fe) {
					code := "corrupt-file"
					if fe.Truncated {
						code = "truncated-file"
					}
					a.AddWarning(result.Warning{Code: code, Offset: fe.Offset, Message: fmt.Sprintf(
						"%s; frames %d-%d of the file were read, the rest of it is lost; the files after it were read", fe.Error(), 1, f.Frames)})
				} else if f.Err != stopped {
					a.AddWarning(result.Warning{Code: "corrupt-file", Message: f.Err.Error() + "; the file was skipped"})
				}
			}
			ip.Files = append(ip.Files, rf)
		}
		in.Points = append(in.Points, ip)
	}
}

// addReaderWarnings warns about packets cut by the snaplen (naming the snaplen of the file or
// pcapng interface each was captured with), frames that could not be decoded (per reason), and
// packets damaged on their way (per checksum), naming the first frames of each.
func addReaderWarnings(a *Analyzer, r *capture.Reader) {
	cuts := r.SnaplenCuts()
	switch {
	case len(cuts) == 1:
		a.AddWarning(result.Warning{Code: "snaplen-cut", Message: fmt.Sprintf(
			"%d packet(s) were cut by the capture's snaplen (%d bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0)", cuts[0].Packets, cuts[0].Snaplen)})
	case len(cuts) > 1:
		parts := make([]string, len(cuts))
		total := 0
		for i, c := range cuts {
			parts[i] = fmt.Sprintf("%d by a snaplen of %d bytes", c.Packets, c.Snaplen)
			total += c.Packets
		}
		a.AddWarning(result.Warning{Code: "snaplen-cut", Message: fmt.Sprintf(
			"%d packet(s) were cut by the snaplen of the interface they were captured on (%s): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0, dumpcap -s 0)", total, strings.Join(parts, ", "))})
	}
	points := r.Points()
	for _, t := range r.Tallies() {
		frames := make([]string, len(t.First))
		for i, f := range t.First {
			frames[i] = fmt.Sprint(f.Frame)
			if len(points) > 1 {
				frames[i] += " of " + points[f.Point].Name
			}
		}
		list := "frame " + frames[0]
		if len(frames) > 1 {
			list = "frames " + strings.Join(frames, ", ")
			if t.Frames > len(frames) {
				list += ", ..."
			}
		}
		w := result.Warning{Code: "undecodable-frames", Frame: t.First[0].Frame}
		if t.Reason.Corrupt() {
			w.Code = "damaged-packets"
			w.Message = fmt.Sprintf("%d packet(s) have a wrong %s that checksum offload does not explain (%s): they were damaged on their way, and the receiver dropped them; look for a faulty link, NIC or middlebox between the hosts", t.Frames, t.Reason, list)
		} else {
			w.Message = fmt.Sprintf("%d frame(s) could not be decoded, %s, and were skipped (%s)", t.Frames, undecodableWhy(t.Reason), list)
		}
		a.AddWarning(w)
	}
}

// undecodableWhy words why frames could not be decoded.
func undecodableWhy(r capture.Reason) string {
	switch r.Code {
	case capture.ReasonLinkType:
		return fmt.Sprintf("as connscope does not decode link type %d", r.Value)
	case capture.ReasonLinkHeader:
		return fmt.Sprintf("as their link-layer header (link type %d) is cut short", r.Value)
	case capture.ReasonEtherType:
		return fmt.Sprintf("as they carry EtherType 0x%04x, which connscope does not decode (a protocol it cannot look into, or a type hit by corruption)", r.Value)
	case capture.ReasonIPHeader:
		return fmt.Sprintf("as their IPv%d header is broken", r.Value)
	case capture.ReasonIPVersion:
		return fmt.Sprintf("as their IP header says version %d", r.Value)
	case capture.ReasonIPv6Extension:
		return "as their IPv6 extension headers run past the end of the packet"
	case capture.ReasonTunnel:
		return fmt.Sprintf("as their %s header is cut short or broken", capture.Encap(r.Value))
	case capture.ReasonTunnelProtocol:
		return fmt.Sprintf("as their tunnel carries protocol 0x%04x, which connscope does not decode (compressed, encrypted or unknown)", r.Value)
	case capture.ReasonTunnelDepth:
		return fmt.Sprintf("as they are nested in more than %d encapsulations", r.Value)
	case capture.ReasonLinkProtocol:
		return fmt.Sprintf("as their loopback header names address family %d, not IP", r.Value)
	case capture.ReasonTunnelFragment:
		return fmt.Sprintf("as their %s packets were split into IP fragments, which connscope does not reassemble", capture.Encap(r.Value))
	case capture.ReasonMore:
		return "for still other reasons than those above (too many kinds to list one by one)"
	}
	return "as decoding them failed in connscope (a bug: please report it with these frames)"
}
