package doctor

import (
	"errors"
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

func gomodChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-001",
				Title:    "go.mod does not parse",
				Severity: finding.Error,
				Explanation: "The go command refuses to do anything in a module whose go.mod it cannot parse: " +
					"every build, test and `go mod` command stops with the same `go.mod:LINE: ...` error. " +
					"Common causes are merge-conflict markers, a hand edit with a typo, a directive this Go " +
					"version does not know (for example `godebug` before Go 1.23, `toolchain` before 1.21) " +
					"or a go line that is not a valid version.",
				Fix: "Correct the line the error names (`go mod edit -fmt` reformats a file that parses); " +
					"for a directive the installed Go does not know, upgrade Go or remove the directive.",
			},
			Run: checkGoModParses,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-002",
				Title:    "go line newer than the installed Go",
				Severity: finding.Error,
				Explanation: "Since Go 1.21 the `go` line of go.mod (and go.work) is a minimum requirement, not a " +
					"hint. When it names a newer release than the toolchain in use, what happens depends on " +
					"GOTOOLCHAIN: with `local` every go command refuses to run " +
					"(`go: go.mod requires go >= 1.27.0 (running go 1.26.8; GOTOOLCHAIN=local)`); with `auto` " +
					"(the default of the official distribution) the go command looks for `go1.27.0` on PATH " +
					"and otherwise downloads that toolchain through GOPROXY into the module cache — which " +
					"fails offline, in air-gapped CI and behind proxies that do not serve " +
					"`golang.org/toolchain` (`download go1.27.0 for linux/amd64: toolchain not available`); " +
					"with `path` it only looks on PATH (`cannot find \"go1.27.0\" in PATH`). A go line without " +
					"a patch release such as `go 1.27` asks for the first release, go1.27.0.",
				Fix: "Install the Go release the go line asks for, or lower the go line if the module does " +
					"not need it (`go mod edit -go=1.N`); in CI, install Go from the go line " +
					"(e.g. actions/setup-go with `go-version-file: go.mod`).",
			},
			Run: checkGoLineNewer,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-003",
				Title:    "toolchain line that changes or cannot select a toolchain",
				Severity: finding.Warning,
				Explanation: "The `toolchain` line (Go 1.21+) names the toolchain the module prefers; it " +
					"matters only when it is newer than both the go line and the toolchain in use. With " +
					"GOTOOLCHAIN=`auto` (or `path`) every go command in the module then switches to that " +
					"toolchain — from PATH, from the module cache, or by downloading it, which fails offline " +
					"(`download go1.27.1 for linux/amd64: toolchain not available`). With GOTOOLCHAIN=`local` " +
					"the line is silently ignored, so this machine builds with an older toolchain than the " +
					"module's authors chose. A toolchain line older than the go line has no effect at all, " +
					"and `toolchain default` is not kept in go.mod: builds stop with " +
					"`go: updates to go.mod needed` until `go mod tidy` removes it.",
				Fix: "Install the named toolchain or make it available to the go command, or drop the line " +
					"with `go mod edit -toolchain=none`.",
			},
			Run: checkToolchainLine,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-004",
				Title:    "go line below 1.17",
				Severity: finding.Warning,
				Explanation: "The go line sets the module's language version and how its requirements are " +
					"loaded. Below `go 1.17` the module graph is not pruned: go.mod lists only direct " +
					"dependencies, so the go command must load the go.mod of every module in the whole " +
					"transitive graph (slower, more downloads, more `missing go.sum entry` errors), and " +
					"`go mod tidy` keeps the pre-1.17 layout. The language is pinned to that old version " +
					"(`min`, generics, `any`… are rejected with `requires go1.N or later (-lang was set to " +
					"go1.16; check go.mod)`) and every GODEBUG default is the oldest one. Since Go 1.21 a " +
					"dependency whose go line is newer makes `go build` stop with `go: updates to go.mod " +
					"needed`, and `go mod tidy` then silently raises this module's go line to the " +
					"dependency's, so the version jumps in an unreviewed commit.",
				Fix: "Raise the go line deliberately: `go mod tidy -go=1.17` (or newer), then review the " +
					"diff of go.mod.",
			},
			Run: checkGoLineOld,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-005",
				Title:    "go.mod has no go line",
				Severity: finding.Warning,
				Explanation: "Without a `go` line the go command treats the module as `go 1.16` " +
					"(`go list -m -f {{.GoVersion}}` prints 1.16): the language version is 1.16, so newer " +
					"features fail to compile, the module graph is not pruned, and every GODEBUG default is " +
					"the oldest one. Other tools guess differently, so the same module behaves differently " +
					"across them.",
				Fix: "Add the go line the module really needs: `go mod edit -go=1.N`.",
			},
			Run: checkGoLineMissing,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-006",
				Title:    "GO111MODULE is off or auto in a module",
				Severity: finding.Error,
				Explanation: "`GO111MODULE=off` forces GOPATH mode: go.mod is ignored, the module's own " +
					"packages and its dependencies are looked up under GOROOT/src and GOPATH/src, and builds " +
					"fail with `cannot find package ... in any of` (or silently use whatever old copy is in " +
					"GOPATH). `GO111MODULE=auto` means module mode only when a go.mod is found in the " +
					"current directory or a parent: it works inside this module but switches to GOPATH mode " +
					"for commands run elsewhere (scripts, `go install` from /tmp). The default has been " +
					"`on` since Go 1.16.",
				Fix: "Unset GO111MODULE (`unset GO111MODULE` and `go env -u GO111MODULE`).",
			},
			Run: checkGO111MODULE,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-007",
				Title:    "go.work does not parse or is behind its modules",
				Severity: finding.Error,
				Explanation: "In workspace mode go.work replaces go.mod as the main configuration, so its " +
					"problems stop every build in every module it lists: a syntax error " +
					"(`go: errors parsing go.work`), a `use` directory without go.mod " +
					"(`cannot load module ... listed in go.work file`), or a go line lower than the go line " +
					"of a module it uses (`module a listed in go.work file requires go >= 1.26.0, but go.work " +
					"lists go 1.22`). A go.work without a go line counts as go 1.18. Note that `go 1.26` is " +
					"lower than `go 1.26.0`.",
				Fix: "Run `go work use` in the go.work directory to raise its go line (or " +
					"`go work edit -go=1.N`), fix the syntax error or the `use` path, or set GOWORK=off " +
					"to build one module alone.",
			},
			Run: checkGoWork,
		},
	}
}

func checkGoModParses(c *Context) []finding.Finding {
	if c.Mod == nil {
		return nil
	}
	if c.Mod.ParseErr == nil {
		return checkModulePath(c)
	}
	var list modfile.ErrorList
	if !errors.As(c.Mod.ParseErr, &list) {
		return []finding.Finding{{
			Message:  "go.mod does not parse: " + c.Mod.ParseErr.Error(),
			Evidence: []finding.Evidence{{Location: &finding.Location{Path: c.Rel(c.Mod.Path)}}},
		}}
	}
	var fs []finding.Finding
	for _, e := range list {
		loc := &finding.Location{Path: c.Rel(c.Mod.Path), Line: e.Pos.Line}
		if e.Pos.LineRune > 0 {
			loc.Column = e.Pos.LineRune
		}
		msg := e.Err.Error()
		if e.Verb != "" && !strings.Contains(msg, e.Verb) {
			msg = e.Verb + ": " + msg
		}
		fs = append(fs, finding.Finding{
			Message:  "go.mod does not parse: " + loc.String() + ": " + msg,
			Evidence: []finding.Evidence{{Location: loc, Text: lineOf(c.Mod.Data, e.Pos.Line)}},
			Fix:      "edit " + loc.String() + " so that the go command can read it",
		})
	}
	return fs
}

// lineOf returns the 1-based line n of data, trimmed, or "".
func lineOf(data []byte, n int) string {
	if n <= 0 {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		return ""
	}
	return strings.ToValidUTF8(strings.TrimSpace(lines[n-1]), "\uFFFD")
}

// toolchainPolicy is what GOTOOLCHAIN lets the go command do.
type toolchainPolicy struct {
	Setting Setting
	// Mode is "auto" or "path" when go.mod/go.work may switch toolchains,
	// "" otherwise (local, or an exact version).
	Mode string
	// Min is the default toolchain: the installed one, or the version
	// GOTOOLCHAIN names ("go1.25.0" in go1.25.0+auto).
	Min string
}

// toolchainPolicy interprets the user's effective GOTOOLCHAIN as the go
// command does (cmd/go/internal/toolchain). goenv.Load forces local for its
// own run, so the default is read from the settings, not from c.Go. ok is
// false when the go command or the value is unusable (other rules say so).
func (c *Context) toolchainPolicy() (p toolchainPolicy, ok bool) {
	if c.Go == nil || !version.IsValid(c.goRelease()) {
		return p, false
	}
	p.Setting = c.Setting("GOTOOLCHAIN")
	v := p.Setting.Value
	if p.Setting.Source == "default" {
		v = "" // not configured anywhere: the go command does not switch
	}
	p.Mode, p.Min, ok = parseGOTOOLCHAIN(v, c.goRelease())
	return p, ok
}

// parseGOTOOLCHAIN interprets a GOTOOLCHAIN value with the rules of
// cmd/go/internal/toolchain: "local", "auto", "path", "goX.Y.Z" or
// "goX.Y.Z+auto|+path" ("local+auto" too). It returns the switching mode
// ("auto", "path" or "") and the default toolchain; ok is false for a value
// the go command rejects.
func parseGOTOOLCHAIN(value, installed string) (mode, min string, ok bool) {
	switch value {
	case "", "local":
		return "", installed, true
	case "auto", "path":
		return value, installed, true
	}
	name, suffix, plus := strings.Cut(value, "+")
	if plus && suffix != "auto" && suffix != "path" {
		return "", "", false
	}
	min = installed
	if name != "local" {
		if !strings.HasPrefix(name, "go") || !version.IsValid(name) {
			return "", "", false
		}
		min = name
	}
	return suffix, min, true
}

// available reports whether toolchain (e.g. "go1.27.0") can be run without
// a download: on PATH (where the go command looks first) or already in the
// module cache.
func (c *Context) available(toolchain string) (where string, ok bool) {
	if bin, err := goenv.LookPath(toolchain, c.Environ); err == nil {
		return bin, true
	}
	modcache := c.Setting("GOMODCACHE").Value
	if modcache == "" || c.Go == nil {
		return "", false
	}
	dir := filepath.Join(modcache, "golang.org", "toolchain@v0.0.1-"+toolchain+"."+c.Go.Get("GOHOSTOS")+"-"+c.Go.Get("GOHOSTARCH"))
	if fi, err := os.Stat(filepath.Join(dir, "bin")); err == nil && fi.IsDir() {
		return dir, true
	}
	return "", false
}

// toolchainFor is the toolchain the go command selects for a go line: a
// language version such as 1.27 means its first release, go1.27.0.
func toolchainFor(goLine string) string {
	t := "go" + goLine
	if version.Lang(t) == t && version.Compare(t, "go1.21") >= 0 {
		t += ".0"
	}
	return t
}

// goLineEvidence points at the go line of a go.mod or go.work file.
func (c *Context) goLineEvidence(path string, g *modfile.Go) finding.Evidence {
	return finding.Evidence{
		Location: &finding.Location{Path: c.Rel(path), Line: g.Syntax.Start.Line},
		Text:     "go " + g.Version,
	}
}

func checkGoLineNewer(c *Context) []finding.Finding {
	p, ok := c.toolchainPolicy()
	if !ok {
		return nil
	}
	var fs []finding.Finding
	check := func(name, path string, g *modfile.Go) {
		if g == nil || !version.IsValid("go"+g.Version) || version.Compare("go"+g.Version, p.Min) <= 0 {
			return
		}
		want := toolchainFor(g.Version)
		ev := []finding.Evidence{c.goLineEvidence(path, g), p.Setting.Evidence()}
		_, found := c.available(want)
		switch {
		case p.Mode == "":
			fs = append(fs, finding.Finding{
				Message: fmt.Sprintf("%s requires go >= %s but the toolchain in use is %s and GOTOOLCHAIN=%s forbids switching: every go command fails with `go: %s requires go >= %s (running go %s; GOTOOLCHAIN=%s)`.",
					name, g.Version, p.Min, p.Setting.Value, name, g.Version, strings.TrimPrefix(p.Min, "go"), p.Setting.Value),
				Evidence: ev,
				Fix:      fmt.Sprintf("install %s (or let the go command fetch it: `GOTOOLCHAIN=auto`), or lower the go line with `go mod edit -go=%s` if the module does not need %s", want, strings.TrimPrefix(version.Lang(p.Min), "go"), g.Version),
			})
		case found:
			// The go command runs the local copy; nothing is downloaded.
		case p.Mode == "path":
			fs = append(fs, finding.Finding{
				Message: fmt.Sprintf("%s requires go >= %s, newer than %s, and GOTOOLCHAIN=%s only looks for %s on PATH, where there is none: every go command fails with `go: cannot find %q in PATH`.",
					name, g.Version, p.Min, p.Setting.Value, want, want),
				Evidence: ev,
				Fix:      fmt.Sprintf("install %s on PATH (`go install golang.org/dl/%s@latest && %s download`) or use GOTOOLCHAIN=auto", want, want, want),
			})
		default:
			fs = append(fs, finding.Finding{
				Severity: finding.Warning,
				Message: fmt.Sprintf("%s requires go >= %s, newer than %s: with GOTOOLCHAIN=%s every go command downloads %s first, which fails offline or without access to golang.org/toolchain through GOPROXY.",
					name, g.Version, p.Min, p.Setting.Value, want),
				Evidence: ev,
				Fix:      fmt.Sprintf("install %s locally (or run `go version` once while online to cache it), or lower the go line with `go mod edit -go=%s`", want, strings.TrimPrefix(version.Lang(p.Min), "go")),
			})
		}
	}
	if c.Mod != nil && c.Mod.File != nil {
		check("go.mod", c.Mod.Path, c.Mod.File.Go)
	}
	if c.Work != nil && c.Work.File != nil {
		check("go.work", c.Work.Path, c.Work.File.Go)
	}
	return fs
}

func checkToolchainLine(c *Context) []finding.Finding {
	p, ok := c.toolchainPolicy()
	if !ok {
		return nil
	}
	// In workspace mode only go.work's toolchain line counts.
	name, path, goLine, tc := "go.mod", "", (*modfile.Go)(nil), (*modfile.Toolchain)(nil)
	switch {
	case c.Work != nil && c.Work.File != nil:
		name, path, goLine, tc = "go.work", c.Work.Path, c.Work.File.Go, c.Work.File.Toolchain
	case c.Mod != nil && c.Mod.File != nil:
		path, goLine, tc = c.Mod.Path, c.Mod.File.Go, c.Mod.File.Toolchain
	}
	if tc == nil {
		return nil
	}
	loc := &finding.Location{Path: c.Rel(path), Line: tc.Syntax.Start.Line}
	ev := []finding.Evidence{{Location: loc, Text: "toolchain " + tc.Name}}
	if tc.Name == "default" {
		if name == "go.work" {
			return nil // valid in go.work: never switch
		}
		return []finding.Finding{{
			Severity: finding.Error,
			Message:  fmt.Sprintf("%s says `toolchain default`, which the go command does not keep in go.mod: every build stops with `go: updates to go.mod needed` until `go mod tidy` removes the line.", loc),
			Evidence: ev,
			Fix:      "go mod edit -toolchain=none (or go mod tidy)",
		}}
	}
	if !version.IsValid(tc.Name) {
		return nil // a parse error, reported by GP-MOD-001
	}
	goVersion := "go1.16"
	if goLine != nil {
		goVersion = "go" + goLine.Version
	}
	editCmd := "go mod edit"
	if name == "go.work" {
		editCmd = "go work edit"
	}
	if version.Compare(tc.Name, goVersion) < 0 {
		return []finding.Finding{{
			Severity: finding.Info,
			Message:  fmt.Sprintf("%s names toolchain %s, older than the go line (%s), so it has no effect: the go line alone decides the minimum toolchain.", loc, tc.Name, strings.TrimPrefix(goVersion, "go")),
			Evidence: ev,
			Fix:      editCmd + " -toolchain=none",
		}}
	}
	if version.Compare(tc.Name, p.Min) <= 0 {
		return nil
	}
	ev = append(ev, p.Setting.Evidence())
	if p.Mode == "" {
		return []finding.Finding{{
			Severity: finding.Info,
			Message: fmt.Sprintf("%s asks for toolchain %s, but GOTOOLCHAIN=%s ignores it: this machine builds with %s, older than the module's authors chose.",
				loc, tc.Name, p.Setting.Value, p.Min),
			Evidence: ev,
			Fix:      fmt.Sprintf("install %s, or allow switching with `go env -w GOTOOLCHAIN=auto`", tc.Name),
		}}
	}
	if _, found := c.available(tc.Name); found {
		return nil
	}
	f := finding.Finding{
		Message: fmt.Sprintf("%s makes every go command switch from %s to toolchain %s (GOTOOLCHAIN=%s), which must be downloaded first; offline builds fail with `toolchain not available`.",
			loc, p.Min, tc.Name, p.Setting.Value),
		Evidence: ev,
		Fix:      fmt.Sprintf("install %s (`go install golang.org/dl/%s@latest && %s download`), or drop the line with `%s -toolchain=none`", tc.Name, tc.Name, tc.Name, editCmd),
	}
	if p.Mode == "path" {
		f.Severity = finding.Error
		f.Message = fmt.Sprintf("%s makes every go command look for toolchain %s on PATH (GOTOOLCHAIN=%s), where there is none: builds fail with `go: cannot find %q in PATH`.",
			loc, tc.Name, p.Setting.Value, tc.Name)
	}
	return []finding.Finding{f}
}

func checkGoLineOld(c *Context) []finding.Finding {
	if c.Mod == nil || c.Mod.File == nil || c.Mod.File.Go == nil {
		return nil
	}
	g := c.Mod.File.Go
	if !version.IsValid("go"+g.Version) || version.Compare("go"+g.Version, "go1.17") >= 0 {
		return nil
	}
	return []finding.Finding{{
		Message: fmt.Sprintf("go.mod:%d says go %s, below 1.17: the module graph is not pruned and the language, module loading and GODEBUG defaults are those of Go %s.",
			g.Syntax.Start.Line, g.Version, g.Version),
		Evidence: []finding.Evidence{c.goLineEvidence(c.Mod.Path, g)},
		Fix:      "go mod tidy -go=1.17 (or newer), then review the go.mod diff",
	}}
}

func checkGoLineMissing(c *Context) []finding.Finding {
	if c.Mod == nil || c.Mod.File == nil || c.Mod.File.Go != nil {
		return nil
	}
	loc := &finding.Location{Path: c.Rel(c.Mod.Path)}
	text := ""
	if m := c.Mod.File.Module; m != nil {
		loc.Line = m.Syntax.Start.Line
		text = "module " + m.Mod.Path
	}
	fix := "go mod edit -go=1.N (the oldest Go release the module supports)"
	if c.Go != nil && version.IsValid(c.goRelease()) {
		fix = "go mod edit -go=" + strings.TrimPrefix(version.Lang(c.goRelease()), "go") + " (or the oldest Go release the module supports)"
	}
	return []finding.Finding{{
		Message:  "go.mod has no go line, so the go command treats the module as go 1.16 (language version, unpruned module graph and GODEBUG defaults of Go 1.16).",
		Evidence: []finding.Evidence{{Location: loc, Text: text}},
		Fix:      fix,
	}}
}

func checkGO111MODULE(c *Context) []finding.Finding {
	if c.Mod == nil {
		return nil
	}
	s := c.Setting("GO111MODULE")
	fix := "unset GO111MODULE"
	if s.Source != "environment" {
		fix = "go env -u GO111MODULE"
	}
	switch strings.TrimSpace(s.Value) {
	case "off":
		return []finding.Finding{{
			Message:  fmt.Sprintf("GO111MODULE=off makes the go command ignore %s and build in GOPATH mode: the module's own packages and dependencies are looked up under GOROOT/src and GOPATH/src.", c.Rel(c.Mod.Path)),
			Evidence: []finding.Evidence{s.Evidence()},
			Fix:      fix,
		}}
	case "auto":
		return []finding.Finding{{
			Severity: finding.Info,
			Message:  "GO111MODULE=auto uses module mode here only because go.mod is found; go commands run outside the module (scripts, `go install` elsewhere) fall back to GOPATH mode.",
			Evidence: []finding.Evidence{s.Evidence()},
			Fix:      fix,
		}}
	}
	return nil
}

func checkGoWork(c *Context) []finding.Finding {
	w := c.Work
	if w == nil {
		return nil
	}
	rel := c.Rel(w.Path)
	if w.ParseErr != nil {
		return workParseFindings(c, rel)
	}
	workDir := filepath.Dir(w.Path)
	workGo, workGoText := "1.18", "implicitly requires go 1.18"
	var ev0 []finding.Evidence
	if w.File.Go != nil {
		workGo, workGoText = w.File.Go.Version, "lists go "+w.File.Go.Version
		ev0 = append(ev0, c.goLineEvidence(w.Path, w.File.Go))
	}
	var fs []finding.Finding
	for _, u := range w.File.Use {
		useLoc := &finding.Location{Path: rel, Line: u.Syntax.Start.Line}
		dir := u.Path
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(workDir, filepath.FromSlash(dir))
		}
		gomod := filepath.Join(dir, "go.mod")
		data, err := os.ReadFile(gomod)
		if err != nil {
			fs = append(fs, finding.Finding{
				Message:  fmt.Sprintf("%s uses %s, which has no readable go.mod: every build in the workspace fails with `cannot load module %s listed in go.work file`.", useLoc, u.Path, u.Path),
				Evidence: []finding.Evidence{{Location: useLoc, Text: "use " + u.Path}, {Text: err.Error()}},
				Fix:      fmt.Sprintf("go work edit -dropuse=%s (or create the module there)", u.Path),
			})
			continue
		}
		mf, err := modfile.ParseLax(gomod, data, nil)
		if err != nil || mf.Go == nil || !version.IsValid("go"+mf.Go.Version) || !version.IsValid("go"+workGo) {
			continue
		}
		if version.Compare("go"+mf.Go.Version, "go"+workGo) <= 0 {
			continue
		}
		name := u.Path
		if mf.Module != nil {
			name += " (" + mf.Module.Mod.Path + ")"
		}
		ev := append([]finding.Evidence{{Location: useLoc, Text: "use " + u.Path}}, ev0...)
		ev = append(ev, c.goLineEvidence(gomod, mf.Go))
		fs = append(fs, finding.Finding{
			Message: fmt.Sprintf("Module %s listed in %s requires go >= %s, but %s %s: every build in the workspace fails.",
				name, rel, mf.Go.Version, rel, workGoText),
			Evidence: ev,
			Fix:      fmt.Sprintf("cd %s && go work use (or go work edit -go=%s)", workDir, mf.Go.Version),
		})
	}
	return fs
}

// workParseFindings reports a go.work syntax error like the go command.
func workParseFindings(c *Context, rel string) []finding.Finding {
	var list modfile.ErrorList
	if !errors.As(c.Work.ParseErr, &list) {
		return []finding.Finding{{
			Message:  "go.work does not parse: " + c.Work.ParseErr.Error(),
			Evidence: []finding.Evidence{{Location: &finding.Location{Path: rel}}},
			Fix:      "correct " + rel + " or set GOWORK=off",
		}}
	}
	data, _ := os.ReadFile(c.Work.Path)
	var fs []finding.Finding
	for _, e := range list {
		loc := &finding.Location{Path: rel, Line: e.Pos.Line}
		msg := e.Err.Error()
		if e.Verb != "" && !strings.Contains(msg, e.Verb) {
			msg = e.Verb + ": " + msg
		}
		fs = append(fs, finding.Finding{
			Message:  "go.work does not parse: " + loc.String() + ": " + msg,
			Evidence: []finding.Evidence{{Location: loc, Text: lineOf(data, e.Pos.Line)}},
			Fix:      "edit " + loc.String() + " so that the go command can read it, or set GOWORK=off",
		})
	}
	return fs
}

// checkModulePath reports what modfile.Parse accepts but the go command
// rejects when it loads the main module: no module line, or a module path
// that is not a valid import path (its "malformed module path" error).
func checkModulePath(c *Context) []finding.Finding {
	f := c.Mod.File
	if f.Module == nil {
		return []finding.Finding{{
			Message:  "go.mod has no module line: the go command stops with `missing module declaration`",
			Evidence: []finding.Evidence{{Location: &finding.Location{Path: c.Rel(c.Mod.Path)}}},
			Fix:      "go mod edit -module=<module path>",
		}}
	}
	err := module.CheckImportPath(f.Module.Mod.Path)
	if err == nil {
		return nil
	}
	why := err.Error()
	var invalid *module.InvalidPathError
	if errors.As(err, &invalid) {
		why = invalid.Err.Error()
	}
	loc := &finding.Location{Path: c.Rel(c.Mod.Path), Line: f.Module.Syntax.Start.Line}
	return []finding.Finding{{
		Message:  fmt.Sprintf("%s: malformed module path %q: %s", loc, f.Module.Mod.Path, why),
		Evidence: []finding.Evidence{{Location: loc, Text: lineOf(c.Mod.Data, loc.Line)}},
		Fix:      "go mod edit -module=<a valid module path>",
	}}
}
