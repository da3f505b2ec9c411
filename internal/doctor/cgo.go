package doctor

import "github.com/goport/goport/internal/finding"

func cgoChecks() []Check {
	return nil
}

var _ finding.Rule
