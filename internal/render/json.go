package render

import (
	"encoding/json"
	"io"

	"github.com/goport/goport/internal/finding"
)

func writeJSON(w io.Writer, r *finding.Report) error {
	if r.Schema == "" {
		r.Schema = finding.Schema
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
