package target

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// variantValues lists what the toolchain's internal/buildcfg accepts for
// each variant variable. The go command of Go 1.26 does not reject every
// bad value itself (GOAMD64=v5 and GOARM=8 build silently with the
// default), so goport checks them before a build.
var variantValues = map[string][]string{
	"GOAMD64":   {"v1", "v2", "v3", "v4"},
	"GO386":     {"sse2", "softfloat"},
	"GOMIPS":    {"hardfloat", "softfloat"},
	"GOMIPS64":  {"hardfloat", "softfloat"},
	"GOPPC64":   {"power8", "power9", "power10"},
	"GORISCV64": {"rva20u64", "rva22u64", "rva23u64"},
}

var (
	goarmRE   = regexp.MustCompile(`^[567](,softfloat|,hardfloat)?$`)
	goarm64RE = regexp.MustCompile(`^v(8\.[0-9]|9\.[0-5])(,lse)?(,crypto)?$`)
)

// Validate reports whether t's variant is one the toolchain accepts for
// its GOARCH. GOOS and GOARCH are checked against the toolchain's port
// list elsewhere (goenv.DistList), not here.
func (t Target) Validate() error {
	if !isWord(t.GOOS) || !isWord(t.GOARCH) {
		return fmt.Errorf("invalid target %q: GOOS and GOARCH are lower-case letters and digits", t.String())
	}
	if t.Variant == "" {
		return nil
	}
	name := VariantVar(t.GOARCH)
	switch name {
	case "":
		return fmt.Errorf("invalid target %s: GOARCH %s has no variants", t, t.GOARCH)
	case "GOARM":
		if goarmRE.MatchString(t.Variant) {
			return nil
		}
		return fmt.Errorf("invalid target %s: GOARM must be 5, 6 or 7, optionally followed by ,softfloat or ,hardfloat", t)
	case "GOARM64":
		if goarm64RE.MatchString(t.Variant) {
			return nil
		}
		return fmt.Errorf("invalid target %s: GOARM64 must be v8.0-v8.9 or v9.0-v9.5, optionally followed by ,lse and/or ,crypto", t)
	}
	if slices.Contains(variantValues[name], t.Variant) {
		return nil
	}
	return fmt.Errorf("invalid target %s: %s must be %s", t, name, strings.Join(variantValues[name], ", "))
}

// DirName is t as a single path element, goos_goarch[_variant], as used
// for output directories: dist/linux_arm_7. Characters that are awkward in
// file names (the ',' of "7,softfloat") become '-'.
func (t Target) DirName() string {
	s := t.GOOS + "_" + t.GOARCH
	if t.Variant != "" {
		s += "_" + strings.NewReplacer(",", "-", "/", "-").Replace(t.Variant)
	}
	return s
}

// ExeSuffix is the file-name suffix of executables for t's GOOS.
func (t Target) ExeSuffix() string {
	switch t.GOOS {
	case "windows":
		return ".exe"
	case "js", "wasip1":
		return ".wasm"
	}
	return ""
}

// ParseList reads a comma- or space-separated list of targets, validates
// each and drops duplicates, keeping the first occurrence's position.
// Variants that contain commas (linux/arm/7,softfloat) must be separated by
// spaces.
func ParseList(s string) ([]Target, error) {
	var out []Target
	seen := map[Target]bool{}
	for _, field := range splitList(s) {
		t, err := Parse(field)
		if err != nil {
			return nil, err
		}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty target list")
	}
	return out, nil
}

// splitList splits on whitespace, and on commas that start a new
// goos/goarch (a comma followed by text containing '/').
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		parts := strings.Split(f, ",")
		cur := parts[0]
		for _, p := range parts[1:] {
			if strings.Contains(p, "/") {
				out = append(out, cur)
				cur = p
				continue
			}
			cur += "," + p
		}
		out = append(out, cur)
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// Compare orders targets by GOOS, GOARCH and variant.
func Compare(a, b Target) int {
	return strings.Compare(a.String(), b.String())
}

func isWord(s string) bool {
	return s != "" && len(s) <= 32 && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) < 0
}
