package doctor

import "github.com/goport/goport/internal/finding"

func goflagsChecks() []Check {
	return nil
}

var _ finding.Rule
