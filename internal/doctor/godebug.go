package doctor

import "github.com/goport/goport/internal/finding"

func godebugChecks() []Check {
	return nil
}

var _ finding.Rule
