package kb

import (
	"fmt"
	"go/version"
	"slices"
	"strings"
)

// Scope is what is known of a failed build: its target and Go version.
// An empty field is unknown and matches every applicability.
type Scope struct {
	GOOS, GOARCH string
	// Go is a Go version, "1.22.3" or "go1.22.3".
	Go string
}

// Matches reports whether a runbook with this applicability can explain a
// failure in s. What s does not know never rules a runbook out.
func (a Applicability) Matches(s Scope) bool {
	if s.GOOS != "" && len(a.GOOS) > 0 && !slices.Contains(a.GOOS, s.GOOS) {
		return false
	}
	if s.GOARCH != "" && len(a.GOARCH) > 0 && !slices.Contains(a.GOARCH, s.GOARCH) {
		return false
	}
	if s.Go == "" || a.Go == "" {
		return true
	}
	// GOVERSION may carry experiments after a space: "go1.26.8 X:foo".
	v, _, _ := strings.Cut(s.Go, " ")
	v = goVersion(v)
	if !version.IsValid(v) {
		return true
	}
	cons, err := parseGoRange(a.Go)
	if err != nil {
		return true // rejected at load; never reached for a loaded runbook
	}
	for _, c := range cons {
		if !c.holds(v) {
			return false
		}
	}
	return true
}

// goConstraint is one comparison of a go range such as ">=1.21".
type goConstraint struct {
	op, v string
}

func (c goConstraint) holds(v string) bool {
	cmp := version.Compare(v, c.v)
	switch c.op {
	case ">=":
		return cmp >= 0
	case ">":
		return cmp > 0
	case "<=":
		return cmp <= 0
	case "<":
		return cmp < 0
	default: // "=" and "=="
		return cmp == 0
	}
}

// parseGoRange reads space-separated comparisons, all of which must hold:
// ">=1.21 <1.23". A bare version means equality.
func parseGoRange(s string) ([]goConstraint, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty go range")
	}
	var out []goConstraint
	for _, f := range fields {
		op := ""
		for _, o := range []string{">=", "<=", "==", ">", "<", "="} {
			if strings.HasPrefix(f, o) {
				op = o
				break
			}
		}
		v := goVersion(strings.TrimPrefix(f, op))
		if op == "" {
			op = "="
		}
		if !version.IsValid(v) {
			return nil, fmt.Errorf("go range %q: %q is not a Go version (want e.g. >=1.21 <1.23)", s, strings.TrimPrefix(f, op))
		}
		out = append(out, goConstraint{op, v})
	}
	return out, nil
}

// goVersion spells v as go/version wants it: "go1.21".
func goVersion(v string) string {
	if strings.HasPrefix(v, "go") {
		return v
	}
	return "go" + v
}

// validate rejects an applicability that could never be evaluated.
func (a Applicability) validate() error {
	for _, list := range [][]string{a.GOOS, a.GOARCH} {
		for _, x := range list {
			if x == "" || strings.ContainsAny(x, " /\t") {
				return fmt.Errorf("applies: %q is not a GOOS or GOARCH name", x)
			}
		}
	}
	if a.Go != "" {
		if _, err := parseGoRange(a.Go); err != nil {
			return fmt.Errorf("applies: %w", err)
		}
	}
	return nil
}
