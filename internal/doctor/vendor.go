package doctor

import (
	"fmt"
	"go/version"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/goport/goport/internal/finding"
)

func vendorChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-VENDOR-001",
				Title:    "GOFLAGS has -mod=vendor but there is no vendor directory",
				Severity: finding.Error,
				Explanation: "With `-mod=vendor` the go command loads every dependency from `vendor/` and " +
					"checks `vendor/modules.txt` against go.mod. When the directory is missing there is no " +
					"\"vendor directory not found\" message: the go command reads an empty modules.txt, so " +
					"every requirement and replacement in go.mod is reported as\n\n" +
					"```\ngo: inconsistent vendoring in DIR:\n\tMODULE@VERSION: is explicitly required in go.mod, " +
					"but not marked as explicit in vendor/modules.txt\n```\n\n" +
					"A module without requirements still builds, until its first dependency is added. " +
					"The flag usually comes from a GOFLAGS set in a CI image or with `go env -w`, and " +
					"leaks into projects that do not vendor.",
				Fix: "Run `go mod vendor` and commit vendor/, or remove -mod=vendor from GOFLAGS " +
					"(`go env -u GOFLAGS`, or unset it in the environment).",
			},
			Run: checkModVendorWithoutVendor,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-VENDOR-002",
				Title:    "GOFLAGS -mod setting masks the vendor directory",
				Severity: finding.Warning,
				Explanation: "Since Go 1.14, when go.mod's `go` line is 1.14 or later and a `vendor/` directory " +
					"exists, `-mod=vendor` is the default: builds use the vendored sources. A `-mod=mod` or " +
					"`-mod=readonly` in GOFLAGS overrides that default silently, so this machine builds from " +
					"the module cache (and may download) while CI and colleagues without the setting build " +
					"from vendor/. The two can differ, and a vendor/ that no longer matches go.mod goes " +
					"unnoticed here until a build without the flag fails with \"inconsistent vendoring\".",
				Fix: "Remove -mod=... from GOFLAGS (`go env -u GOFLAGS`, or unset it in the environment) so the " +
					"vendor directory is used; or, if the project no longer vendors, delete vendor/.",
			},
			Run: checkModFlagMasksVendor,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-VENDOR-003",
				Title:    "vendor/modules.txt is inconsistent with go.mod",
				Severity: finding.Error,
				Explanation: "In vendor mode (the default when go.mod's `go` line is at least 1.14 and vendor/ " +
					"exists, or with `-mod=vendor`) the go command checks vendor/modules.txt against go.mod " +
					"before building anything: every `require` must appear with its exact version and an " +
					"`## explicit` annotation, every module marked explicit that provides packages must be " +
					"required, and every `replace` must be recorded with the same replacement (and no " +
					"other). Any difference stops every build, test and list with " +
					"`go: inconsistent vendoring`. A module whose `## go 1.x` annotation is newer than the " +
					"installed Go also stops the build. This happens after editing go.mod (by hand, " +
					"`go get`, a merge) without re-running `go mod vendor`.",
				Fix: "Run `go mod vendor` (it needs the module cache or network) and commit vendor/; " +
					"or build with -mod=mod to ignore vendor/ temporarily.",
			},
			Run: checkVendorConsistent,
		},
	}
}

// goflagsMod returns the -mod value GOFLAGS sets (the last one wins, as
// on the command line) and whether it sets one. GOFLAGS is split like the
// go command splits it; an unparsable GOFLAGS sets nothing here (another
// rule reports it).
func goflagsMod(goflags string) (string, bool) {
	fields, err := quotedFields(goflags)
	if err != nil {
		return "", false
	}
	mode, ok := "", false
	for _, f := range fields {
		name, value, hasValue := strings.Cut(f, "=")
		if hasValue && (name == "-mod" || name == "--mod") {
			mode, ok = value, true
		}
	}
	return mode, ok
}

// inWorkspace reports whether the go command runs in workspace mode here;
// the vendor directory is then the workspace's, which these checks do not
// examine.
func (c *Context) inWorkspace() bool {
	return c.Work != nil
}

// buildMod returns the -mod mode a plain `go build` uses in the module and
// the setting that chose it (nil for the default), following
// cmd/go/internal/modload.setDefaultBuildMod.
func (c *Context) buildMod() (string, *Setting) {
	goflags := c.Setting("GOFLAGS")
	if mode, ok := goflagsMod(goflags.Value); ok {
		return mode, &goflags
	}
	if c.VendorDir == "" || c.Mod == nil || c.Mod.File == nil || c.Mod.File.Go == nil {
		return "readonly", nil
	}
	if version.Compare("go"+c.Mod.File.Go.Version, "go1.14") < 0 {
		return "readonly", nil
	}
	if c.VendorModules != nil && parseVendorManifest(c.VendorModules).Workspace {
		return "readonly", nil // vendored for a workspace, not for this module
	}
	return "vendor", nil
}

func checkModVendorWithoutVendor(c *Context) []finding.Finding {
	if c.Mod == nil || c.Mod.File == nil || c.VendorDir != "" || c.inWorkspace() {
		return nil
	}
	mode, goflags := c.buildMod()
	if mode != "vendor" || goflags == nil {
		return nil
	}
	problems := c.vendorProblems()
	f := finding.Finding{
		Evidence: []finding.Evidence{goflags.Evidence()},
		Fix:      "run `go mod vendor` and commit vendor/, or remove -mod=vendor from GOFLAGS (set in " + settingPlace(*goflags) + ")",
	}
	if len(problems) == 0 {
		f.Severity = finding.Warning
		f.Message = "GOFLAGS has -mod=vendor but the module has no vendor directory; builds work only while go.mod has no requirements or replacements"
		return []finding.Finding{f}
	}
	f.Message = fmt.Sprintf("GOFLAGS has -mod=vendor but there is no vendor directory: every build fails with \"go: inconsistent vendoring\" (%d of go.mod's requirements and replacements are not vendored)", len(problems))
	for _, p := range problems {
		f.Evidence = append(f.Evidence, finding.Evidence{Location: p.Loc, Text: p.String()})
	}
	return []finding.Finding{f}
}

// settingPlace says where a setting comes from, for a fix.
func settingPlace(s Setting) string {
	if s.Location != nil {
		return s.Location.Path
	}
	return "the " + s.Source
}

func checkModFlagMasksVendor(c *Context) []finding.Finding {
	if c.VendorDir == "" || c.Mod == nil || c.Mod.File == nil || c.inWorkspace() {
		return nil
	}
	mode, goflags := c.buildMod()
	if goflags == nil || mode == "vendor" {
		return nil
	}
	if c.Mod.File.Go == nil || version.Compare("go"+c.Mod.File.Go.Version, "go1.14") < 0 {
		return nil // vendor/ is not the default below go 1.14: nothing is masked
	}
	msg := fmt.Sprintf("GOFLAGS has -mod=%s, which overrides the default -mod=vendor: builds here ignore vendor/ and use the module cache, unlike builds without this setting", mode)
	if n := len(c.vendorProblems()); n > 0 {
		msg += fmt.Sprintf("; vendor/modules.txt is also inconsistent with go.mod (%d problems), so those builds fail", n)
	}
	return []finding.Finding{{
		Message:  msg,
		Evidence: []finding.Evidence{goflags.Evidence(), {Location: &finding.Location{Path: "vendor"}, Text: "vendor/ exists"}},
		Fix:      "remove -mod=" + mode + " from GOFLAGS (set in " + settingPlace(*goflags) + ") so vendor/ is used, or delete vendor/ if the project no longer vendors",
	}}
}

func checkVendorConsistent(c *Context) []finding.Finding {
	if c.VendorDir == "" || c.Mod == nil || c.Mod.File == nil || c.inWorkspace() {
		return nil
	}
	if mode, _ := c.buildMod(); mode != "vendor" {
		return nil
	}
	var fs []finding.Finding
	for _, p := range c.vendorProblems() {
		fs = append(fs, finding.Finding{
			Message:  "vendor/modules.txt is inconsistent with go.mod: " + p.String(),
			Evidence: []finding.Evidence{{Location: p.Loc, Text: p.Text}},
			Fix:      "run `go mod vendor` in " + c.Rel(c.Root) + " and commit vendor/",
		})
	}
	return fs
}

// vendorProblem is one line of the go command's "inconsistent vendoring"
// error, or a module too new for the installed Go.
type vendorProblem struct {
	Mod    module.Version
	Detail string
	Loc    *finding.Location
	Text   string // the offending line
	// TooNew marks a "## go" annotation newer than the installed Go; the go
	// command stops at the first one, before checking consistency.
	TooNew bool
}

// String is the go command's wording: "path@version: detail".
func (p vendorProblem) String() string {
	if p.TooNew {
		return p.Detail
	}
	if p.Mod.Version == "" {
		return p.Mod.Path + ": " + p.Detail
	}
	return p.Mod.Path + "@" + p.Mod.Version + ": " + p.Detail
}

// vendorProblems reports what the go command in vendor mode rejects.
func (c *Context) vendorProblems() []vendorProblem {
	m := parseVendorManifest(c.VendorModules)
	txt := "vendor/modules.txt"
	if c.VendorDir != "" {
		txt = c.Rel(c.VendorDir) + "/modules.txt"
	}
	txtLines := strings.Split(string(c.VendorModules), "\n")
	at := func(line int) (*finding.Location, string) {
		text := ""
		if line > 0 && line <= len(txtLines) {
			text = strings.TrimSpace(txtLines[line-1])
		}
		return &finding.Location{Path: txt, Line: line}, text
	}
	if local := c.Go.Version(); local != "" {
		for _, g := range m.GoVersions {
			if version.Compare("go"+g.Version, local) > 0 {
				loc, text := at(g.Line)
				return []vendorProblem{{Mod: g.Mod, TooNew: true, Loc: loc, Text: text,
					Detail: fmt.Sprintf("%s in vendor/modules.txt requires go >= %s (running go %s)", g.Mod.Path, g.Version, strings.TrimPrefix(local, "go"))}}
			}
		}
	}
	ps := vendorConsistency(c.Mod.File, m)
	for i := range ps {
		switch {
		case ps[i].Loc != nil:
			ps[i].Loc.Path = c.Rel(c.Mod.Path)
			ps[i].Text = lineOf(c.Mod.Data, ps[i].Loc.Line)
		default:
			ps[i].Loc, ps[i].Text = at(m.Line[ps[i].Mod])
		}
	}
	return ps
}

// vendorConsistency mirrors cmd/go/internal/modload.checkVendorConsistency
// for a single main module, in the same order. Problems found in go.mod
// carry a Location with only the go.mod line set; the others have none.
func vendorConsistency(f *modfile.File, m *vendorManifest) []vendorProblem {
	pre114 := f.Go == nil || version.Compare("go"+f.Go.Version, "go1.14") < 0
	mainPath := ""
	if f.Module != nil {
		mainPath = f.Module.Mod.Path
	}
	replace := map[module.Version]module.Version{}
	for _, r := range f.Replace {
		replace[r.Old] = r.New
	}
	replacement := func(mod module.Version) module.Version {
		if mod.Path == mainPath && mod.Version == "" {
			return module.Version{} // the main module itself is never replaced
		}
		if r, ok := replace[mod]; ok {
			return r
		}
		return replace[module.Version{Path: mod.Path}]
	}
	var ps []vendorProblem
	inGoMod := func(mod module.Version, line int, format string, args ...any) {
		ps = append(ps, vendorProblem{Mod: mod, Detail: fmt.Sprintf(format, args...), Loc: &finding.Location{Line: line}})
	}
	inTxt := func(mod module.Version, detail string) {
		ps = append(ps, vendorProblem{Mod: mod, Detail: detail})
	}

	for _, r := range f.Require {
		if m.Meta[r.Mod].Explicit {
			continue
		}
		if !pre114 {
			inGoMod(r.Mod, syntaxLine(r.Syntax), "is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt")
		} else if vv, ok := m.Version[r.Mod.Path]; ok && vv != r.Mod.Version {
			// Before 1.14 modules.txt had no "## explicit"; only a version
			// mismatch can be seen.
			inGoMod(r.Mod, syntaxLine(r.Syntax), "is explicitly required in go.mod, but vendor/modules.txt indicates %s@%s", r.Mod.Path, vv)
		}
	}

	describe := func(m module.Version) string {
		if m.Version == "" {
			return m.Path
		}
		return m.Path + "@" + m.Version
	}
	seen := map[module.Version]bool{}
	for _, r := range f.Replace {
		if seen[r.Old] {
			continue
		}
		seen[r.Old] = true
		rNew := replacement(r.Old)
		vr := m.Meta[r.Old].Replacement
		switch {
		case vr == module.Version{}:
			if rNew == (module.Version{}) {
				continue // not actually replaced: the main module
			}
			if pre114 && (r.Old.Version == "" || m.Version[r.Old.Path] != r.Old.Version) {
				continue // modules.txt before 1.14 omitted these replacements
			}
			inGoMod(r.Old, syntaxLine(r.Syntax), "is replaced in go.mod, but not marked as replaced in vendor/modules.txt")
		case vr != rNew:
			inGoMod(r.Old, syntaxLine(r.Syntax), "is replaced by %s in go.mod, but marked as replaced by %s in vendor/modules.txt", describe(rNew), describe(vr))
		}
	}

	required := map[module.Version]bool{}
	for _, r := range f.Require {
		required[r.Mod] = true
	}
	for _, mod := range m.List {
		if m.Meta[mod].Explicit && !required[mod] {
			inTxt(mod, "is marked as explicit in vendor/modules.txt, but not explicitly required in go.mod")
		}
	}
	for _, mod := range m.Replaced {
		if replacement(mod) == (module.Version{}) {
			inTxt(mod, "is marked as replaced in vendor/modules.txt, but not replaced in go.mod")
		}
	}
	return ps
}

func syntaxLine(l *modfile.Line) int {
	if l == nil {
		return 0
	}
	return l.Start.Line
}
