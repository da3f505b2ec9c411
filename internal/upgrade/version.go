package upgrade

import (
	"fmt"
	"strconv"
	"strings"
)

// minorOf returns N for a Go version "1.N", "1.N.P", "1.NrcR", "1.NbetaB",
// each optionally prefixed by "go". Only Go 1 versions exist.
func minorOf(v string) (int, error) {
	s := strings.TrimPrefix(strings.TrimSpace(v), "go")
	rest, ok := strings.CutPrefix(s, "1")
	if !ok {
		return 0, fmt.Errorf("invalid Go version %q: want 1.N, 1.N.P or go1.N", v)
	}
	if rest == "" {
		return 0, nil
	}
	rest, ok = strings.CutPrefix(rest, ".")
	if !ok {
		return 0, fmt.Errorf("invalid Go version %q: want 1.N, 1.N.P or go1.N", v)
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end == 0 || end > 4 {
		return 0, fmt.Errorf("invalid Go version %q: want 1.N, 1.N.P or go1.N", v)
	}
	tail := rest[end:]
	switch {
	case tail == "":
	case strings.HasPrefix(tail, "."), strings.HasPrefix(tail, "rc"), strings.HasPrefix(tail, "beta"):
		t := strings.TrimLeft(tail, ".rcbeta")
		if _, err := strconv.Atoi(t); err != nil || t == "" {
			return 0, fmt.Errorf("invalid Go version %q: want 1.N, 1.N.P or go1.N", v)
		}
	default:
		return 0, fmt.Errorf("invalid Go version %q: want 1.N, 1.N.P or go1.N", v)
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil {
		return 0, fmt.Errorf("invalid Go version %q: %w", v, err)
	}
	return n, nil
}

// goLine spells minor as a go.mod go line.
func goLine(minor int) string { return fmt.Sprintf("1.%d", minor) }
