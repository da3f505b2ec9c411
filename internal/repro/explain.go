package repro

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/goport/goport/internal/binfile"
)

// explain fills res.Causes and res.Sections for two different binaries.
func explain(res *Result, opts Options, a, b []byte, released *debug.BuildInfo) {
	fa, _ := binfile.InspectReader(bytes.NewReader(a), int64(len(a)))
	fb, _ := binfile.InspectReader(bytes.NewReader(b), int64(len(b)))
	var ia, ib *debug.BuildInfo
	if fa != nil {
		ia = fa.Go
	}
	if fb != nil {
		ib = fb.Go
	}
	if released != nil {
		ib = released
	}
	pathCause(res, a, b)
	if ia != nil && ib != nil {
		settingCauses(res, ia, ib)
	}
	if released != nil {
		releasedLDFlags(res, opts, a, b, released)
	}
	if ia != nil && setting(ia, "CGO_ENABLED") == "1" {
		res.Causes = append(res.Causes, Cause{Kind: CauseCgo, Message: "cgo is enabled: the C compiler, its version, flags and debug information are part of the binary; C debug info may hold build paths",
			Evidence: []string{"CC=" + setting(ia, "CC"), "CGO_CFLAGS=" + setting(ia, "CGO_CFLAGS")}})
	}
	sa, errA := sections(a)
	sb, errB := sections(b)
	if errA == nil && errB == nil {
		res.Sections = diffSections(sa, sb)
	}
	if fa != nil && fb != nil && fa.GoBuildID != fb.GoBuildID {
		msg := "the Go build ID differs: it hashes every input of the build and the output"
		if len(res.Causes) == 0 {
			msg += "; no input difference was found, so the toolchain or a dependency (a different Go version or module content) differs"
		} else {
			msg += ", so it follows from the causes above"
		}
		res.Causes = append(res.Causes, Cause{Kind: CauseBuildID, Message: msg, Evidence: []string{"A: " + fa.GoBuildID, "B: " + fb.GoBuildID}})
	}
}

// pathCause looks for each side's module copy path inside its binary.
func pathCause(res *Result, a, b []byte) {
	var ev []string
	for _, side := range []struct {
		name string
		data []byte
		dir  string
	}{{"A", a, res.A.Dir}, {"B", b, res.B.Dir}} {
		if side.dir == "" {
			continue
		}
		if n := bytes.Count(side.data, []byte(side.dir)); n > 0 {
			ev = append(ev, fmt.Sprintf("%s embeds its build directory %s %d times", side.name, side.dir, n))
		}
	}
	if len(ev) > 0 {
		res.Causes = append(res.Causes, Cause{Kind: CausePaths, Message: "absolute file system paths are embedded: build with -trimpath", Evidence: ev})
	}
}

func setting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// settingCauses compares the recorded build settings.
func settingCauses(res *Result, a, b *debug.BuildInfo) {
	if a.GoVersion != b.GoVersion {
		res.Causes = append(res.Causes, Cause{Kind: CauseSettings, Message: fmt.Sprintf("built with %s and %s: rebuild with the same Go release", a.GoVersion, b.GoVersion)})
	}
	var vcs, other []string
	keys := map[string]bool{}
	for _, s := range slices.Concat(a.Settings, b.Settings) {
		keys[s.Key] = true
	}
	for _, k := range sortedKeys(keys) {
		va, vb := setting(a, k), setting(b, k)
		if va == vb {
			continue
		}
		line := fmt.Sprintf("%s: %q vs %q", k, va, vb)
		switch {
		case k == "-ldflags":
			if x := xDiffs(va, vb); len(x) > 0 {
				res.Causes = append(res.Causes, Cause{Kind: CauseLDFlags, Message: "values injected with -ldflags -X differ (dates, ids, versions computed at build time): derive them from the source, such as the commit, or from SOURCE_DATE_EPOCH", Evidence: x})
			} else {
				other = append(other, line)
			}
		case strings.HasPrefix(k, "vcs"), k == "-buildvcs":
			vcs = append(vcs, line)
		default:
			other = append(other, line)
		}
	}
	if len(vcs) > 0 {
		res.Causes = append(res.Causes, Cause{Kind: CauseVCS, Message: "VCS stamping differs (another commit, uncommitted changes, or -buildvcs): build from a clean checkout of the same commit, or with -buildvcs=false on both sides", Evidence: vcs})
	}
	if len(other) > 0 {
		res.Causes = append(res.Causes, Cause{Kind: CauseSettings, Message: "build settings differ", Evidence: other})
	}
	if a.Main.Version != b.Main.Version || a.Main.Sum != b.Main.Sum {
		res.Causes = append(res.Causes, Cause{Kind: CauseSettings, Message: fmt.Sprintf("main module version differs: %s vs %s", a.Main.Version, b.Main.Version)})
	}
}

// xDiffs lists the -X assignments whose values differ between two
// -ldflags strings.
func xDiffs(a, b string) []string {
	xa, xb := xValues(a), xValues(b)
	keys := map[string]bool{}
	for k := range xa {
		keys[k] = true
	}
	for k := range xb {
		keys[k] = true
	}
	var out []string
	for _, k := range sortedKeys(keys) {
		if xa[k] != xb[k] {
			out = append(out, fmt.Sprintf("-X %s: %q vs %q", k, xa[k], xb[k]))
		}
	}
	return out
}

// xValues reads "-X name=value" and "-X=name=value" from an -ldflags
// string split on spaces (as the go command records it, quoting aside).
func xValues(flags string) map[string]string {
	out := map[string]string{}
	f := strings.Fields(flags)
	for i := 0; i < len(f); i++ {
		arg := strings.Trim(f[i], `'"`)
		var kv string
		switch {
		case arg == "-X" || arg == "--X":
			if i+1 < len(f) {
				i++
				kv = strings.Trim(f[i], `'"`)
			}
		case strings.HasPrefix(arg, "-X="):
			kv = arg[3:]
		default:
			continue
		}
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// releasedLDFlags explains -ldflags against a released binary. A -trimpath
// build does not record -ldflags (go.dev/issue/52372), so the values of
// the -X variables the caller passed are read from both binaries'
// symbol tables; without --ldflags it can only say what may be missing.
func releasedLDFlags(res *Result, opts Options, a, b []byte, released *debug.BuildInfo) {
	if setting(released, "-ldflags") != "" {
		return // recorded: settingCauses compared them
	}
	if setting(released, "-trimpath") != "true" {
		return
	}
	names := sortedKeys(setOf(xValues(opts.LDFlags)))
	if len(names) == 0 {
		res.Causes = append(res.Causes, Cause{Kind: CauseLDFlags, Message: "the release was built with -trimpath, which does not record -ldflags (go.dev/issue/52372): if it used -ldflags (-X values, -s -w), pass the same ones with --ldflags"})
		return
	}
	var ev []string
	for _, n := range names {
		va, errA := stringVar(a, n)
		vb, errB := stringVar(b, n)
		switch {
		case errA != nil || errB != nil:
			ev = append(ev, fmt.Sprintf("-X %s: cannot be read (%v)", n, errors.Join(errA, errB)))
		case va != vb:
			ev = append(ev, fmt.Sprintf("-X %s: %q vs %q", n, va, vb))
		}
	}
	if len(ev) > 0 {
		res.Causes = append(res.Causes, Cause{Kind: CauseLDFlags, Message: "values injected with -ldflags -X differ (dates, ids, versions computed at build time): derive them from the source, such as the commit, or from SOURCE_DATE_EPOCH", Evidence: ev})
	}
}

func setOf(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
