package diagnose

import (
	"github.com/connscope/connscope/diagnose/views"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// Views revises d, the diagnosis of a connection's primary view (View[0] of w), with what its
// views at several vantages show (views.Revise): the verdict as views.Verdict gives it, a
// reason that says between which vantages its packets were lost or forged, and evidence lines
// from each view. names words each vantage, by index (a file, a --vantage label, an interface
// of a file).
func Views(d *Diagnosis, w *facts.Views, names []result.Message) {
	r := views.Revise(d.Verdict, d.Reason, w, names)
	if r.Verdict != d.Verdict {
		d.Variant = "" // the verdict's knowledge entry, not a variant of the other
	}
	d.Verdict, d.Reason = r.Verdict, r.Reason
	if r.Forged {
		d.inNameOf = int8(r.InNameOf) + 1
	}
	d.Evidence = append(d.Evidence, r.Evidence...)
	d.Flags = append(d.Flags, r.Flags...)
}
