package upgrade

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// debugDirective is one //go:debug line of a module file.
type debugDirective struct {
	loc           finding.Location
	key, value    string
	pkgName       string
	test          bool // in a _test.go file
	beforePackage bool
}

// directives returns the //go:debug lines of the module's parsed files,
// each file once (a package and its test variant share files).
func (a *analysis) directives() []debugDirective {
	var out []debugDirective
	seen := map[string]bool{}
	for _, cp := range a.checked {
		for _, f := range cp.files {
			name := a.fset.Position(f.Package).Filename
			if seen[name] || filepath.IsAbs(a.rel(name)) {
				continue
			}
			seen[name] = true
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					text, ok := strings.CutPrefix(c.Text, "//go:debug")
					if !ok || (text != "" && text[0] != ' ' && text[0] != '\t') {
						continue
					}
					pos := a.fset.Position(c.Pos())
					key, value, _ := strings.Cut(strings.TrimSpace(text), "=")
					out = append(out, debugDirective{
						loc:           finding.Location{Path: a.rel(pos.Filename), Line: pos.Line, Column: pos.Column},
						key:           strings.TrimSpace(key),
						value:         strings.TrimSpace(value),
						pkgName:       f.Name.Name,
						test:          strings.HasSuffix(name, "_test.go"),
						beforePackage: c.Pos() < f.Package,
					})
				}
			}
		}
	}
	return out
}

// effective reports whether the build honours d: before the package
// clause of a main package or of a test file.
func (d debugDirective) effective() bool {
	return d.beforePackage && (d.pkgName == "main" || d.test)
}

// checkGodebugFlips reports each setting whose default flips between the
// two go lines, when the module uses what it governs and nothing pins it.
func (a *analysis) checkGodebugFlips() {
	base := a.from
	pinned := map[string]bool{}
	_, lines := a.godebugFileLines()
	for _, g := range lines {
		if g.Key == "default" {
			// godebug default=go1.N decouples the defaults from the go
			// line: raising the go line flips nothing.
			return
		}
		pinned[g.Key] = true
	}
	// A //go:debug line pins a setting for the binaries built from its
	// package; count it when every main package pins it.
	mains := map[string]bool{}
	perKey := map[string]map[string]bool{}
	for _, cp := range a.checked {
		if cp.listed.Name == "main" && cp.listed.ForTest == "" {
			mains[cp.listed.Dir] = true
		}
	}
	for _, d := range a.directives() {
		if d.effective() && d.pkgName == "main" && !d.test {
			if perKey[d.key] == nil {
				perKey[d.key] = map[string]bool{}
			}
			perKey[d.key][dirOf(d.loc.Path)] = true
		}
	}
	for key, dirs := range perKey {
		if len(mains) > 0 && len(dirs) >= len(mains) {
			pinned[key] = true
		}
	}
	if pinned["default"] {
		return // every program pins its defaults with //go:debug default=
	}
	_, hasMain := a.uses.has(keyMain)
	var keep []string
	for _, s := range a.table.Flips(base, a.to) {
		a.facts.Settings = append(a.facts.Settings, SettingChange{Name: s.Name, Package: s.Package, Changed: s.Changed, Old: s.Old, Pinned: pinned[s.Name]})
		if pinned[s.Name] {
			continue
		}
		used, ok := triggerUses(s, a.uses)
		if !ok {
			continue
		}
		if s.Package == "cmd/go" {
			a.add(finding.Finding{Rule: RuleGoCommandDebug,
				Message: fmt.Sprintf("go command setting %s changed in Go 1.%d: %s", s.Name, s.Changed, firstSentence(s.Doc)),
				Evidence: []finding.Evidence{{Location: a.goLineLocation(),
					Text: fmt.Sprintf("go %s admits toolchains older than Go 1.%d", goLine(a.from), s.Changed)}},
				Fix: fmt.Sprintf("set GODEBUG=%s=%s in the go command's environment to keep the old behaviour (go.mod godebug lines do not reach the go command)", s.Name, s.Old)})
			a.facts.Settings[len(a.facts.Settings)-1].Used = true
			continue
		}
		f := finding.Finding{
			Rule: RuleGodebugFlip,
			Message: fmt.Sprintf("GODEBUG %s changes default at go 1.%d (package %s): %s", s.Name, s.Changed, s.Package,
				firstSentence(s.Doc)),
			Fix: fmt.Sprintf("to keep the old behaviour add `godebug %s=%s` to go.mod, or `//go:debug %s=%s` above `package main`",
				s.Name, s.Old, s.Name, s.Old),
		}
		for _, key := range used {
			locs, _ := a.uses.has(key)
			text := "uses " + strings.TrimPrefix(key, "package ")
			if key == keyMain {
				text = "package main: every program built from the module gets the new default"
			}
			for _, loc := range locs {
				f.Evidence = append(f.Evidence, finding.Evidence{Location: &loc, Text: text})
			}
		}
		slices.SortFunc(f.Evidence, func(x, y finding.Evidence) int { return compareLocations(*x.Location, *y.Location) })
		if !hasMain {
			// Only a main module's go line selects defaults: programs that
			// import this library keep theirs; its own tests see the change.
			f.Severity = finding.Info
			f.Message += " (no main package here: only this module's tests see the change; programs importing it keep their own defaults)"
		}
		a.add(f)
		keep = append(keep, s.Name+"="+s.Old)
		a.facts.Settings[len(a.facts.Settings)-1].Used = true
	}
	slices.Sort(keep)
	a.facts.Keep = keep
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}

// markdownLink matches [text](target) in godebug.md.
var markdownLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// firstSentence shortens a documentation paragraph for a message, keeping
// the text of Markdown links.
func firstSentence(doc string) string {
	if doc == "" {
		return "see https://go.dev/doc/godebug"
	}
	doc = markdownLink.ReplaceAllString(doc, "$1")
	if i := strings.Index(doc, ". "); i >= 0 {
		return doc[:i+1]
	}
	return doc
}

// checkDirectives validates every //go:debug line and godebug line
// against the target toolchain's table, and finds //go:debug lines the
// build ignores.
func (a *analysis) checkDirectives() {
	for _, d := range a.directives() {
		loc := d.loc
		switch {
		case !d.beforePackage:
			a.add(finding.Finding{Rule: RuleGodebugMisplaced,
				Message:  fmt.Sprintf("//go:debug %s=%s after the package clause is ignored by the build, and go test fails on it", d.key, d.value),
				Evidence: []finding.Evidence{{Location: &loc, Text: "//go:debug directive only valid before package declaration"}},
				Fix:      "move the line above the package clause of the main package, or into go.mod as a godebug line"})
		case d.pkgName != "main" && !d.test:
			a.add(finding.Finding{Rule: RuleGodebugMisplaced,
				Message:  fmt.Sprintf("//go:debug %s=%s in package %s is ignored by the build, and go test fails on it", d.key, d.value, d.pkgName),
				Evidence: []finding.Evidence{{Location: &loc, Text: "//go:debug directive only valid in package main or test"}},
				Fix:      "move the line above `package main` of each binary, or into go.mod as a godebug line"})
		}
		a.checkKey(d.key, loc, "//go:debug")
	}
}

// checkGodebugLines validates the godebug lines of go.mod (go.work in
// workspace mode).
func (a *analysis) checkGodebugLines() {
	path, lines := a.godebugFileLines()
	for _, g := range lines {
		loc := finding.Location{Path: a.rel(path)}
		if g.Syntax != nil {
			loc.Line = g.Syntax.Start.Line
		}
		a.checkKey(g.Key, loc, "godebug")
	}
}

func (a *analysis) checkKey(key string, loc finding.Location, form string) {
	if key == "default" {
		return
	}
	if r := a.table.RemovedIn(key); r > 0 && r <= a.to {
		a.add(finding.Finding{Rule: RuleGodebugRemoved,
			Message:  fmt.Sprintf("%s setting %q was removed in Go 1.%d: the build fails", form, key, r),
			Evidence: []finding.Evidence{{Location: &loc, Text: fmt.Sprintf("use of removed godebug %q, see https://go.dev/doc/godebug#go-1%d", key, r)}},
			Fix:      "remove the line and adapt the code to the new behaviour"})
		return
	}
	if _, ok := a.table.Lookup(key); !ok {
		a.add(finding.Finding{Rule: RuleGodebugUnknown,
			Message:  fmt.Sprintf("%s setting %q is unknown to %s: the build fails", form, key, a.env.Version()),
			Evidence: []finding.Evidence{{Location: &loc, Text: fmt.Sprintf("unknown godebug %q", key)}},
			Fix:      "remove the line; runtime-only knobs belong in the GODEBUG environment variable"})
	}
}
