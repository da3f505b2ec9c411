package render

import (
	"errors"
	"io"

	"github.com/goport/goport/internal/finding"
)

func writeMarkdown(w io.Writer, r *finding.Report) error {
	return errors.New("markdown output is not available yet")
}
