package release

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints the artifacts of a release, one per line, and how it
// was signed.
func (r *Result) WriteText(w io.Writer, _ bool) error {
	for _, a := range r.Artifacts {
		tgt := a.Target
		if tgt == "" {
			tgt = "-"
		}
		if _, err := fmt.Fprintf(w, "%-9s %-16s %s\n", a.Type, tgt, a.Path); err != nil {
			return err
		}
	}
	var signed []string
	if r.KeyID != "" {
		signed = append(signed, "signed with key "+r.KeyID)
	}
	for _, a := range r.Artifacts {
		if a.Type == TypeSignature && strings.HasSuffix(a.Path, SignCmdSuffix) {
			signed = append(signed, "signed by the signing command in "+a.Path)
		}
	}
	sig := "unsigned"
	if len(signed) > 0 {
		sig = strings.Join(signed, ", ")
	}
	_, err := fmt.Fprintf(w, "%d artifacts in %s, %s\n", len(r.Artifacts), r.Dir, sig)
	return err
}

// WriteText prints the verdict of a verification.
func (v *Verification) WriteText(w io.Writer, _ bool) error {
	verdict := "verified"
	if v.Failed() {
		verdict = "FAILED"
	}
	_, err := fmt.Fprintf(w, "%s: %s (%d files checked, signature %s)\n", v.Dir, verdict, v.Files, v.Signature)
	return err
}
