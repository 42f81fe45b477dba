package result

import "strings"

// MissedData reports whether the capture missed some of the data that a side sent (client: the
// client's, else the server's): a content gap, which Zeek's history marks 'G' for the
// originator and 'g' for the responder, where the peer acknowledged bytes the capture does
// not hold (the capturing host dropped them, or the capture started or was cut mid-stream).
// What the capture shows of that side's data is then not all it sent.
func (f *Flow) MissedData(client bool) bool {
	if client {
		return strings.ContainsRune(f.History, 'G')
	}
	return strings.ContainsRune(f.History, 'g')
}
