package analyze

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// icmpGrace is how long after a flow's last TCP packet an ICMP error quoting it still belongs to
// it (a router answers the last SYN).
const icmpGrace = DefaultClosedLinger

// ExportOptions says which packets Export writes.
type ExportOptions struct {
	// All exports every listed flow and name, not only the failing ones.
	All bool
	// Rewrite, when set, sees every selected frame (its captured bytes, link type and length on
	// the wire) before it is written and returns what to write and its length on the wire (nil
	// drops the frame). It may reuse data. A frame returned shorter than its new wire length is
	// cut, as a snaplen cuts. This is the hook for redaction (rewriting addresses, dropping
	// payloads beyond the TLS handshake); Export itself writes frames as captured.
	Rewrite func(data []byte, lt layers.LinkType, wireLen int) ([]byte, int)
	// Name, when set, rewrites the DNS name that the comment of a lookup's frame gives (the
	// other frames' comments give only flow numbers and verdicts): the hook for redacting it.
	Name func(string) string
	// SectionComment replaces the pcapng section comment ("the packets of the selected flows,
	// as captured"), to say how the frames were changed.
	SectionComment string
}

// ExportStats says what Export wrote.
type ExportStats struct {
	Flows   int   // flows selected: failing (or all), and cited as context
	Context int   // of those, flows taken only because evidence cites them
	Names   int   // DNS names selected
	Packets int   // frames written
	Bytes   int64 // captured bytes written
}

// exportFlow is one selected flow: its endpoints and its time span in the capture.
type exportFlow struct {
	id                    int
	why                   string // its verdict, or the flow whose evidence cites it
	firstFrame, lastFrame int
	end                   time.Time
	client, serv          netip.AddrPort
}

// Export reads the capture at path a second time and writes to w, as pcapng, the frames of the
// listed flows of res that failed (every listed flow with o.All): their TCP segments, the ICMP
// errors that quote them, and the DNS lookups of the failing names; plus the flows their evidence
// cites. A flow is matched by its endpoints and its first and last frame, so a later connection
// that reuses the same ports is not taken along. Frames keep
// their link type (one pcapng interface per link type) and their timestamps, to the nanosecond;
// each carries a comment with its frame number in the original file and the flow it belongs to.
// The export re-analyses to the same verdicts for the selected flows.
func Export(path string, res *result.Result, w io.Writer, o ExportOptions) (ExportStats, error) {
	var st ExportStats
	byPair := map[[2]netip.AddrPort][]*exportFlow{}
	selected := map[int]string{} // flow ID -> why it is exported
	for _, f := range res.Flows.All() {
		if f.Failed || o.All {
			selected[f.ID] = string(f.Verdict)
		}
	}
	// The flows that the selected flows' and names' evidence cites (what the server accepts for
	// other clients, a connection by address that works) go along, so that the export
	// re-analyses to the same verdicts.
	for _, f := range res.Flows.All() {
		if selected[f.ID] != "" {
			cite(selected, f.Evidence, f.ID)
		}
	}
	for _, n := range res.Names {
		if n.Failed || o.All {
			cite(selected, n.Evidence, 0)
		}
	}
	for _, f := range res.Flows.All() {
		if selected[f.ID] == "" {
			continue
		}
		c, err1 := netip.ParseAddrPort(string(f.Client))
		s, err2 := netip.ParseAddrPort(string(f.Server))
		if err1 != nil || err2 != nil {
			return st, fmt.Errorf("export: flow #%d has endpoints %q and %q, which are not ip:port", f.ID, f.Client, f.Server)
		}
		ef := &exportFlow{id: f.ID, why: selected[f.ID], firstFrame: f.FirstFrame, lastFrame: f.LastFrame, end: f.End, client: c, serv: s}
		byPair[pairKey(c, s)] = append(byPair[pairKey(c, s)], ef)
		st.Flows++
		if strings.HasPrefix(ef.why, "(context") {
			st.Context++
		}
	}
	names := map[string]result.Verdict{}
	for _, n := range res.Names {
		if n.Failed || o.All {
			names[string(n.Name)] = n.Verdict
			st.Names++
		}
	}
	r, err := pcapfile.Open(path)
	if err != nil {
		return st, err
	}
	defer r.Close()
	x := &exporter{w: w, ifaces: map[layers.LinkType]int{}, comment: o.SectionComment}
	if x.comment == "" {
		x.comment = "the packets of the selected flows, as captured"
	}
	var p capture.Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe *pcapfile.FileError
			if errors.As(err, &fe) {
				break // the analysis stopped at the same spot and said so
			}
			return st, fmt.Errorf("export: reading %s again: %w", path, err)
		}
		data, ci, lt := r.Raw()
		if x.firstLT == nil {
			x.firstLT = &lt
		}
		comment := ""
		switch p.Kind {
		case capture.KindTCP:
			src, dst := netip.AddrPortFrom(p.SrcIP, p.TCP.SrcPort), netip.AddrPortFrom(p.DstIP, p.TCP.DstPort)
			if ef := matchFlow(byPair[pairKey(src, dst)], p.Index, p.Time, 0); ef != nil {
				comment = fmt.Sprintf("flow #%d %s", ef.id, ef.why)
			}
		case capture.KindICMPError:
			q := &p.ICMP
			src, dst := netip.AddrPortFrom(q.QuotedSrc, q.QuotedSrcPort), netip.AddrPortFrom(q.QuotedDst, q.QuotedDstPort)
			if ef := matchFlow(byPair[pairKey(src, dst)], p.Index, p.Time, icmpGrace); ef != nil {
				comment = fmt.Sprintf("ICMP error about flow #%d %s", ef.id, ef.why)
			}
		case capture.KindDNS:
			if len(names) > 0 {
				if name := dnsQuestion(p.UDP.Payload); name != "" {
					if v, ok := names[name]; ok {
						if o.Name != nil {
							name = o.Name(name)
						}
						comment = fmt.Sprintf("lookup of %s (%s)", name, v)
					}
				}
			}
		}
		if comment == "" {
			continue
		}
		if o.Rewrite != nil {
			if data, ci.Length = o.Rewrite(data, lt, ci.Length); data == nil {
				continue
			}
			ci.Length = max(len(data), ci.Length)
		}
		ci.CaptureLength = len(data)
		comment = fmt.Sprintf("connscope: frame %d of the original capture; %s", p.Index, comment)
		if err := x.write(data, ci, lt, comment); err != nil {
			return st, err
		}
		st.Packets++
		st.Bytes += int64(len(data))
	}
	if err := x.finish(); err != nil {
		return st, err
	}
	return st, nil
}

// cite marks the flows that evidence cites as context of flow id (0: of a name).
func cite(selected map[int]string, evidence []result.Evidence, id int) {
	for _, e := range evidence {
		if e.Flow == 0 || selected[e.Flow] != "" {
			continue
		}
		if id == 0 {
			selected[e.Flow] = "(context: cited by a name's evidence)"
		} else {
			selected[e.Flow] = fmt.Sprintf("(context: cited by flow #%d)", id)
		}
	}
}

func pairKey(a, b netip.AddrPort) [2]netip.AddrPort {
	if a.Compare(b) < 0 {
		return [2]netip.AddrPort{a, b}
	}
	return [2]netip.AddrPort{b, a}
}

// matchFlow finds the flow on these endpoints whose frames, in file order, hold frame; with a
// grace, also a frame after its last one but within grace of its last packet's time.
func matchFlow(fs []*exportFlow, frame int, t time.Time, grace time.Duration) *exportFlow {
	for _, f := range fs {
		if frame >= f.firstFrame && (frame <= f.lastFrame || (grace > 0 && !t.After(f.end.Add(grace)))) {
			return f
		}
	}
	return nil
}

// dnsQuestion returns the name a DNS message asks about (lower case, without the final dot), or ""
// when it does not parse.
func dnsQuestion(payload []byte) string {
	var parser dnsmessage.Parser
	if _, err := parser.Start(payload); err != nil {
		return ""
	}
	q, err := parser.Question()
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
}

// exporter writes pcapng, with one interface per link type, made as frames of it come.
type exporter struct {
	w       io.Writer
	ng      *pcapgo.NgWriter
	ifaces  map[layers.LinkType]int
	firstLT *layers.LinkType // of the capture's first frame, for a file with no frame selected
	comment string           // the section comment
}

func ngInterface(lt layers.LinkType) pcapgo.NgInterface {
	return pcapgo.NgInterface{Name: "connscope-export", LinkType: lt, TimestampResolution: 9}
}

func (x *exporter) write(data []byte, ci gopacket.CaptureInfo, lt layers.LinkType, comment string) error {
	if err := x.open(lt); err != nil {
		return err
	}
	id, ok := x.ifaces[lt]
	if !ok {
		var err error
		if id, err = x.ng.AddInterface(ngInterface(lt)); err != nil {
			return fmt.Errorf("export: writing an interface block: %w", err)
		}
		x.ifaces[lt] = id
	}
	ci.InterfaceIndex = id
	if err := x.ng.WritePacketWithOptions(ci, data, pcapgo.NgPacketOptions{Comments: []string{comment}}); err != nil {
		return fmt.Errorf("export: writing a packet: %w", err)
	}
	return nil
}

// open starts the file with an interface of link type lt.
func (x *exporter) open(lt layers.LinkType) error {
	if x.ng != nil {
		return nil
	}
	ng, err := pcapgo.NewNgWriterInterface(x.w, ngInterface(lt), pcapgo.NgWriterOptions{
		SectionInfo: pcapgo.NgSectionInfo{Application: "connscope analyze --export", Comment: x.comment}})
	if err != nil {
		return fmt.Errorf("export: writing the pcapng header: %w", err)
	}
	x.ng = ng
	x.ifaces[lt] = 0
	return nil
}

// finish writes out what is buffered; a file with no frame still gets a header and an interface.
func (x *exporter) finish() error {
	lt := layers.LinkTypeEthernet
	if x.firstLT != nil {
		lt = *x.firstLT
	}
	if err := x.open(lt); err != nil {
		return err
	}
	if err := x.ng.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
