package doctor

import "github.com/goport/goport/internal/finding"

func vendorChecks() []Check {
	return nil
}

var _ finding.Rule
