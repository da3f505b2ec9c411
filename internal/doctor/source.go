package doctor

import "github.com/goport/goport/internal/finding"

func sourceChecks() []Check {
	return nil
}

var _ finding.Rule
