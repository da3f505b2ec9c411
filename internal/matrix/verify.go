package matrix

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/target"
)

// Verify inspects the built file at path and lists every way it differs
// from what pair p asked for: OS, architecture, variant, CGO_ENABLED in
// its build information, static linking on Linux without cgo, and a glibc
// floor above glibcMax ("" for no limit).
func Verify(path string, p Pair, glibcMax string) ([]string, error) {
	f, err := binfile.Inspect(path)
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", path, err)
	}
	var problems []string
	if f.Target == nil {
		return []string{fmt.Sprintf("%s format with no recognisable GOOS/GOARCH", f.Format)}, nil
	}
	if f.Target.GOOS != p.Target.GOOS || f.Target.GOARCH != p.Target.GOARCH {
		problems = append(problems, fmt.Sprintf("built for %s/%s (%s), want %s/%s", f.Target.GOOS, f.Target.GOARCH, f.Format, p.Target.GOOS, p.Target.GOARCH))
	}
	if want, got := variantOrDefault(p.Target.GOARCH, p.Target.Variant), variantOrDefault(f.Target.GOARCH, f.Target.Variant); want != got {
		problems = append(problems, fmt.Sprintf("variant %s=%s, want %s", variantVarName(p), got, want))
	}
	if f.Go == nil {
		problems = append(problems, "no Go build information")
	} else {
		want := "0"
		if p.Cgo {
			want = "1"
		}
		if got := f.Setting("CGO_ENABLED"); got != want {
			problems = append(problems, fmt.Sprintf("CGO_ENABLED=%s in build information, want %s", got, want))
		}
	}
	if !p.Cgo && p.Target.GOOS == "linux" && f.Format == binfile.ELF && !f.Linking.IsStatic() {
		problems = append(problems, fmt.Sprintf("dynamically linked (interpreter %s) though cgo is off", f.Linking.Interpreter))
	}
	if glibcMax != "" && f.GLIBC != nil && f.GLIBC.Min != "" && versionLess(glibcMax, f.GLIBC.Min) {
		problems = append(problems, fmt.Sprintf("needs glibc %s, newer than --glibc-max %s", f.GLIBC.Min, glibcMax))
	}
	return problems, nil
}

func variantOrDefault(goarch, v string) string {
	if v == "" {
		return binfile.DefaultVariant(goarch)
	}
	return v
}

func variantVarName(p Pair) string {
	if v := target.VariantVar(p.Target.GOARCH); v != "" {
		return v
	}
	return "variant"
}

// versionLess compares dotted numeric versions: 2.9 < 2.17 < 2.31.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
