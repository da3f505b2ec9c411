package render

import (
	"errors"
	"io"

	"github.com/goport/goport/internal/finding"
)

func writeSARIF(w io.Writer, r *finding.Report) error {
	return errors.New("sarif output is not available yet")
}
