// Package doctor inspects the Go environment and a module for what will make
// builds fail or differ between machines. It reads (one `go env -json`, the
// process environment, the GOENV file, go.mod and friends, the Go sources)
// and never builds or touches the network. Each check is a finding.Rule
// plus a function over the gathered Context.
package doctor

import (
	"fmt"
	"slices"

	"github.com/goport/goport/internal/finding"
)

// Check is one rule and the logic that detects it.
type Check struct {
	Rule finding.Rule
	// Run returns the findings for the situation in c. A finding's Rule and
	// Severity default to the check's own.
	Run func(c *Context) []finding.Finding
}

// Checks returns every built-in check, in a stable order.
func Checks() []Check {
	var all []Check
	for _, family := range [][]Check{
		toolchainChecks(),
		gomodChecks(),
		vendorChecks(),
		proxyChecks(),
		privacyChecks(),
		godebugChecks(),
		goflagsChecks(),
		cgoChecks(),
		hostChecks(),
		cacheChecks(),
		sourceChecks(),
	} {
		all = append(all, family...)
	}
	return all
}

// Rules returns the metadata of checks, sorted by ID.
func Rules(checks []Check) []finding.Rule {
	rules := make([]finding.Rule, 0, len(checks))
	for _, c := range checks {
		rules = append(rules, c.Rule)
	}
	slices.SortFunc(rules, func(a, b finding.Rule) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return rules
}

// Run applies every check to c and returns their findings. A check that
// panics is a bug in goport; it is returned as an error rather than
// crashing the run.
func Run(c *Context, checks []Check) (findings []finding.Finding, err error) {
	for _, check := range checks {
		fs, err := runOne(c, check)
		if err != nil {
			return nil, err
		}
		findings = append(findings, fs...)
	}
	return findings, nil
}

func runOne(c *Context, check Check) (fs []finding.Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in check %s: %v", check.Rule.ID, r)
		}
	}()
	fs = check.Run(c)
	for i := range fs {
		if fs[i].Rule == "" {
			fs[i].Rule = check.Rule.ID
		}
		if fs[i].Severity == 0 {
			fs[i].Severity = check.Rule.Severity
		}
	}
	return fs, nil
}
