// Package target names the platforms goport builds for: a GOOS/GOARCH pair
// plus an optional variant (GOAMD64, GOARM, GOARM64, GO386, GOMIPS, GOMIPS64,
// GOPPC64 or GORISCV64 value), in the goos/goarch[/variant] spelling that
// Docker platforms use too.
package target

import (
	"fmt"
	"strings"
)

// Target is one platform. The zero Variant means the toolchain default.
type Target struct {
	GOOS    string `json:"goos"`
	GOARCH  string `json:"goarch"`
	Variant string `json:"variant,omitempty"`
}

// String returns goos/goarch or goos/goarch/variant.
func (t Target) String() string {
	if t.Variant == "" {
		return t.GOOS + "/" + t.GOARCH
	}
	return t.GOOS + "/" + t.GOARCH + "/" + t.Variant
}

// Parse reads goos/goarch[/variant]. Docker spellings are accepted: the
// arm variants "v5", "v6", "v7" become GOARM 5, 6, 7, and arm64's "v8"
// (Docker's default) is dropped; amd64 levels keep their "v3" form.
func Parse(s string) (Target, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return Target{}, fmt.Errorf("invalid target %q: want goos/goarch[/variant]", s)
	}
	t := Target{GOOS: parts[0], GOARCH: parts[1]}
	if len(parts) == 3 {
		v, err := normalizeVariant(t.GOARCH, parts[2])
		if err != nil {
			return Target{}, fmt.Errorf("invalid target %q: %w", s, err)
		}
		t.Variant = v
	}
	return t, nil
}

// VariantVar is the environment variable that selects t's variant, or ""
// when the architecture has none.
func VariantVar(goarch string) string {
	switch goarch {
	case "amd64":
		return "GOAMD64"
	case "arm":
		return "GOARM"
	case "arm64":
		return "GOARM64"
	case "386":
		return "GO386"
	case "mips", "mipsle":
		return "GOMIPS"
	case "mips64", "mips64le":
		return "GOMIPS64"
	case "ppc64", "ppc64le":
		return "GOPPC64"
	case "riscv64":
		return "GORISCV64"
	}
	return ""
}

// Env returns the environment assignments that make the go command build
// for t.
func (t Target) Env() []string {
	env := []string{"GOOS=" + t.GOOS, "GOARCH=" + t.GOARCH}
	if t.Variant != "" {
		env = append(env, VariantVar(t.GOARCH)+"="+t.Variant)
	}
	return env
}

func normalizeVariant(goarch, v string) (string, error) {
	if VariantVar(goarch) == "" {
		return "", fmt.Errorf("GOARCH %s has no variants", goarch)
	}
	switch goarch {
	case "arm":
		v = strings.TrimPrefix(v, "v")
	case "arm64":
		if v == "v8" {
			return "", nil
		}
	}
	if v == "" {
		return "", fmt.Errorf("empty variant")
	}
	return v, nil
}
