package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/build/constraint"
	"go/printer"
	"go/scanner"
	"go/token"
	"go/types"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/target"
)

func sourceChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-SRC-001",
				Title:    "+build line without or disagreeing with //go:build",
				Severity: finding.Warning,
				Explanation: "Since Go 1.17 build constraints are written `//go:build expr`; the old `// +build` " +
					"lines are read only when a file has no `//go:build` line, and `gofmt` adds the " +
					"`//go:build` equivalent to files that lack it (so `gofmt -l` lists them in CI).\n\n" +
					"When a file has both and they disagree, the go command obeys `//go:build` and the " +
					"`// +build` lines mislead readers and older tools. `go vet` reports " +
					"`+build lines do not match //go:build condition`, and because `go test` runs vet's " +
					"buildtag check, **`go test` fails** for that package. The same holds for the other " +
					"problems vet's buildtag check finds (misplaced or malformed lines, a second " +
					"`//go:build` line, invalid go version tags); goport reports them with vet's wording.",
				Fix: "Run `gofmt -w FILE`: it adds the missing `//go:build` line. For a mismatch, decide which " +
					"condition is right, keep it as the `//go:build` line, delete the `// +build` lines and " +
					"let gofmt regenerate them (or drop them when go.mod's go line is 1.17 or later).",
			},
			Run: checkBuildTags,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-SRC-002",
				Title:    "cgo package needs a C cross compiler for each target",
				Severity: finding.Warning,
				Explanation: "A package that imports \"C\" is built by cgo with a C compiler for the target " +
					"platform. Cross-compiling it needs CGO_ENABLED=1 and CC set to a cross compiler " +
					"(`aarch64-linux-gnu-gcc`, `x86_64-w64-mingw32-gcc`, `zig cc -target …`, an NDK or " +
					"osxcross clang) for every target other than the host. Without CGO_ENABLED=1 cgo is " +
					"off when cross-compiling and the package fails with " +
					"`build constraints exclude all Go files`; with it but with the host gcc, the " +
					"compiler fails on foreign flags or assembles for the wrong CPU.\n\n" +
					"The targets are the ones configured for goport, or else the toolchain's first-class " +
					"ports (`go tool dist list -json`); each file's own build constraints are applied, so " +
					"a `_linux.go` cgo file only needs Linux compilers.",
				Fix: "Install a C cross compiler per target and build with `CGO_ENABLED=1 CC=<compiler>`, or " +
					"provide a pure-Go fallback (`//go:build !cgo`) and build those targets with CGO_ENABLED=0.",
			},
			Run: checkCgoTargets,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-SRC-003",
				Title:    "manual memory control instead of a memory limit",
				Severity: finding.Warning,
				Explanation: "Code that polls `runtime.ReadMemStats` in a loop or on a ticker and reacts with " +
					"`runtime.GC()` or `debug.FreeOSMemory()`, or that tunes `debug.SetGCPercent` by hand, " +
					"fights the garbage collector: ReadMemStats stops the world on every call, runtime.GC " +
					"blocks its caller for a full collection, FreeOSMemory adds a forced collection plus " +
					"returning all free memory to the OS.\n\n" +
					"Since Go 1.19 the runtime does this itself: a soft memory limit (`GOMEMLIMIT`, or " +
					"`debug.SetMemoryLimit`) makes the collector work harder, and return memory sooner, as " +
					"the limit approaches; `runtime/metrics` reads heap figures without stopping the " +
					"world. (No later Go release changed GC pauses in a way that breaks ReadMemStats; " +
					"the advice is about cost and control, not a regression.)\n\n" +
					"`_test.go` files are not examined: tests and benchmarks call runtime.GC and " +
					"ReadMemStats legitimately to measure allocations. `debug.SetGCPercent` is not " +
					"reported in packages that also call `debug.SetMemoryLimit` (the documented " +
					"limit-driven configuration sets GOGC off).",
				Fix: "Set GOMEMLIMIT (e.g. 90% of the container's memory) or call debug.SetMemoryLimit once at " +
					"start-up, remove the forced collections, and read metrics with runtime/metrics.Read.",
			},
			Run: checkManualMemoryControl,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-SRC-004",
				Title:    "Go source file does not parse",
				Severity: finding.Error,
				Explanation: "A syntax error in a Go file stops the build, vet and test of its package (and of " +
					"everything importing it) for every target whose build constraints include the file. " +
					"Merge-conflict markers and half-applied edits are the usual causes. A file excluded " +
					"from the current target by its build constraints still breaks the targets that " +
					"include it.",
				Fix: "Fix the syntax at the reported position; `gofmt -l .` lists every file that does not parse.",
			},
			Run: checkSourcesParse,
		},
	}
}

// isTestFile reports whether a source file is a _test.go file.
func isTestFile(f *SourceFile) bool { return strings.HasSuffix(f.Path, "_test.go") }

// importNames maps the local names a file gives to import paths; dot
// imports map "." to every dot-imported path.
func importNames(f *ast.File) map[string][]string {
	names := map[string][]string{}
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		name := path.Base(p)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name == "_" {
			continue
		}
		names[name] = append(names[name], p)
	}
	return names
}

// ---- GP-SRC-001: build constraints, as go vet's buildtag check sees them.

func checkBuildTags(c *Context) []finding.Finding {
	var fs []finding.Finding
	for _, f := range c.Files {
		if f.Err != nil || f.AST == nil {
			continue
		}
		var check buildTagChecker
		check.run(f.AST)
		for _, p := range check.problems {
			fin := finding.Finding{
				Severity: finding.Error,
				Message:  fmt.Sprintf("%s: %s; go vet reports it and go test fails for this package", f.Path, p.msg),
				Evidence: []finding.Evidence{{Location: c.Pos(p.pos), Text: p.text}},
				Fix:      "correct the build constraint lines of " + f.Path + " (gofmt -w regenerates +build lines from //go:build)",
			}
			if p.missingGoBuild != "" {
				fin.Severity = finding.Warning
				fin.Message = fmt.Sprintf("%s: // +build line without a //go:build line; gofmt adds `%s`", f.Path, p.missingGoBuild)
				fin.Fix = "gofmt -w " + f.Path
			}
			fs = append(fs, fin)
		}
	}
	return fs
}

type buildTagProblem struct {
	pos  token.Pos
	msg  string
	text string
	// missingGoBuild is the //go:build line gofmt would add, set for the
	// one problem vet does not report.
	missingGoBuild string
}

// buildTagChecker is the per-file state of vet's buildtag analyzer
// (golang.org/x/tools/go/analysis/passes/buildtag), over a parsed file.
type buildTagChecker struct {
	problems     []buildTagProblem
	plusBuildOK  bool
	goBuildOK    bool
	crossCheck   bool
	inStar       bool
	goBuildPos   token.Pos
	plusBuildPos token.Pos
	plusBuildTxt string
	goBuild      constraint.Expr
	plusBuild    constraint.Expr
}

func (check *buildTagChecker) report(pos token.Pos, text, format string, args ...any) {
	check.problems = append(check.problems, buildTagProblem{pos: pos, msg: fmt.Sprintf(format, args...), text: strings.TrimSpace(text)})
}

func (check *buildTagChecker) run(f *ast.File) {
	check.goBuildOK, check.plusBuildOK, check.crossCheck = true, true, true
	for _, group := range f.Comments {
		// Plus-build lines are ignored after or adjoining the package
		// clause, //go:build lines only after it.
		if group.End()+1 >= f.Package {
			check.plusBuildOK = false
		}
		if group.Pos() >= f.Package {
			check.goBuildOK = false
		}
		for _, cm := range group.List {
			if !strings.HasPrefix(cm.Text, "//") {
				check.plusBuildOK = false
			}
			check.comment(cm.Slash, cm.Text)
		}
	}
	check.finish()
}

func (check *buildTagChecker) comment(pos token.Pos, text string) {
	if strings.HasPrefix(text, "//") {
		if strings.Contains(text, "+build") {
			check.plusBuildLine(pos, text)
		}
		if strings.Contains(text, "//go:build") {
			check.goBuildLine(pos, text)
		}
	}
	if strings.HasPrefix(text, "/*") {
		if i := strings.Index(text, "\n"); i >= 0 {
			check.inStar = true
			i++
			pos += token.Pos(i)
			text = text[i:]
			for text != "" {
				i := strings.Index(text, "\n")
				if i < 0 {
					i = len(text)
				} else {
					i++
				}
				line := text[:i]
				if strings.HasPrefix(line, "//") {
					check.comment(pos, line)
				}
				pos += token.Pos(i)
				text = text[i:]
			}
			check.inStar = false
		}
	}
}

func (check *buildTagChecker) goBuildLine(pos token.Pos, line string) {
	if !constraint.IsGoBuild(line) {
		if !strings.HasPrefix(line, "//go:build") && constraint.IsGoBuild("//"+strings.TrimSpace(line[len("//"):])) {
			check.report(pos, line, "malformed //go:build line (space between // and go:build)")
		}
		return
	}
	if !check.goBuildOK || check.inStar {
		check.report(pos, line, "misplaced //go:build comment")
		check.crossCheck = false
		return
	}
	if check.goBuildPos == token.NoPos {
		check.goBuildPos = pos
	} else {
		check.report(pos, line, "unexpected extra //go:build line (the go command rejects the file: multiple //go:build comments)")
		check.crossCheck = false
	}
	x, err := constraint.Parse(line)
	if err != nil {
		check.report(pos, line, "%v", err)
		check.crossCheck = false
		return
	}
	check.tags(pos, line, x)
	if check.goBuild == nil {
		check.goBuild = x
	}
}

func (check *buildTagChecker) plusBuildLine(pos token.Pos, line string) {
	line = strings.TrimSpace(line)
	if !constraint.IsPlusBuild(line) {
		if check.plusBuildOK && !strings.HasPrefix(line, "// want") {
			check.report(pos, line, "possible malformed +build comment")
		}
		return
	}
	if !check.plusBuildOK {
		check.report(pos, line, "misplaced +build comment")
		check.crossCheck = false
	}
	if check.plusBuildPos == token.NoPos {
		check.plusBuildPos = pos
		check.plusBuildTxt = line
	}
	for _, arg := range strings.Fields(line[len("//"):])[1:] {
		for elem := range strings.SplitSeq(arg, ",") {
			if strings.HasPrefix(elem, "!!") {
				check.report(pos, line, "invalid double negative in build constraint: %s", arg)
				check.crossCheck = false
				continue
			}
			elem = strings.TrimPrefix(elem, "!")
			for _, r := range elem {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' {
					check.report(pos, line, "invalid non-alphanumeric build constraint: %s", arg)
					check.crossCheck = false
					break
				}
			}
		}
	}
	if !check.crossCheck {
		return
	}
	y, err := constraint.Parse(line)
	if err != nil {
		check.report(pos, line, "%v", err)
		check.crossCheck = false
		return
	}
	check.tags(pos, line, y)
	if check.plusBuild == nil {
		check.plusBuild = y
	} else {
		check.plusBuild = &constraint.AndExpr{X: check.plusBuild, Y: y}
	}
}

func (check *buildTagChecker) finish() {
	if !check.crossCheck || check.plusBuildPos == token.NoPos {
		return
	}
	if check.goBuildPos == token.NoPos {
		check.problems = append(check.problems, buildTagProblem{
			pos: check.plusBuildPos, text: check.plusBuildTxt,
			msg:            "// +build line without a //go:build line",
			missingGoBuild: "//go:build " + check.plusBuild.String(),
		})
		return
	}
	lines, err := constraint.PlusBuildLines(check.goBuild)
	if err != nil {
		check.report(check.goBuildPos, "//go:build "+check.goBuild.String(), "%v", err)
		return
	}
	var want constraint.Expr
	for _, line := range lines {
		y, err := constraint.Parse(line)
		if err != nil {
			return
		}
		if want == nil {
			want = y
		} else {
			want = &constraint.AndExpr{X: want, Y: y}
		}
	}
	if want.String() != check.plusBuild.String() {
		check.report(check.plusBuildPos, check.plusBuildTxt, "+build lines do not match //go:build condition")
	}
}

func (check *buildTagChecker) tags(pos token.Pos, line string, e constraint.Expr) {
	_ = e.Eval(func(tag string) bool {
		if malformedGoTag(tag) {
			check.report(pos, line, "invalid go version %q in build constraint", tag)
		}
		return false
	})
}

// malformedGoTag reports a tag that looks like a misspelled go1.N.
func malformedGoTag(tag string) bool {
	if !strings.HasPrefix(tag, "go1") {
		for _, pre := range []string{"go.", "g1.", "go"} {
			suffix := strings.TrimPrefix(tag, pre)
			if suffix != tag && validGoVersionTag("go1."+suffix) {
				return true
			}
		}
		return false
	}
	return !validGoVersionTag(tag)
}

// validGoVersionTag reports whether tag is a go version tag (go1.N), as
// vet decides it.
func validGoVersionTag(tag string) bool {
	return constraint.GoVersion(&constraint.TagExpr{Tag: tag}) != ""
}

// ---- GP-SRC-002: cgo packages and the targets that need a C compiler.

// cgoPackage is a package directory with non-test files importing "C".
type cgoPackage struct {
	Dir     string // "./x", or "." for the module root
	Files   []*SourceFile
	Imports []*ast.ImportSpec // parallel to Files
	// Others are the directory's other non-test Go files, which remain
	// when cgo is off if their build constraints allow.
	Others []*SourceFile
}

// cgoPackages lists packages that import "C", by directory. Test files
// are left out: cgo is not allowed in them.
func (c *Context) cgoPackages() []cgoPackage {
	var pkgs []cgoPackage
	index := map[string]int{}
	isCgo := map[*SourceFile]bool{}
	for _, f := range c.Files {
		if f.AST == nil || f.Err != nil || isTestFile(f) {
			continue
		}
		for _, spec := range f.AST.Imports {
			if spec.Path.Value != `"C"` {
				continue
			}
			dir := path.Dir(f.Path)
			i, ok := index[dir]
			if !ok {
				i = len(pkgs)
				index[dir] = i
				pkgs = append(pkgs, cgoPackage{Dir: dir})
			}
			pkgs[i].Files = append(pkgs[i].Files, f)
			pkgs[i].Imports = append(pkgs[i].Imports, spec)
			isCgo[f] = true
			break
		}
	}
	for _, f := range c.Files {
		if i, ok := index[path.Dir(f.Path)]; ok && !isCgo[f] && !isTestFile(f) {
			pkgs[i].Others = append(pkgs[i].Others, f)
		}
	}
	return pkgs
}

// buildContext is a go/build context for goos/goarch, independent of the
// process environment.
func buildContext(goos, goarch string, cgo bool) build.Context {
	return build.Context{GOOS: goos, GOARCH: goarch, CgoEnabled: cgo, Compiler: "gc", ReleaseTags: build.Default.ReleaseTags}
}

// matches reports whether f is part of the build for ctxt, by the go
// command's rules for build constraints and file name suffixes. A file
// whose header cannot be read counts as included.
func matches(ctxt build.Context, f *SourceFile) bool {
	ok, err := ctxt.MatchFile(filepath.Dir(f.Abs), filepath.Base(f.Abs))
	return err != nil || ok
}

// usesCgoOn reports whether a cgo file of the package is part of a cgo
// build for goos/goarch.
func (pkg cgoPackage) usesCgoOn(goos, goarch string) bool {
	ctxt := buildContext(goos, goarch, true)
	for _, f := range pkg.Files {
		if matches(ctxt, f) {
			return true
		}
	}
	return false
}

// leftWithoutCgo reports whether any Go file of the package remains for
// goos/goarch when cgo is off (a pure-Go fallback, or just other files);
// when none does, the go command fails with "build constraints exclude all
// Go files".
func (pkg cgoPackage) leftWithoutCgo(goos, goarch string) bool {
	ctxt := buildContext(goos, goarch, false)
	for _, f := range pkg.Others {
		if matches(ctxt, f) {
			return true
		}
	}
	return false
}

// distPort is one entry of `go tool dist list -json`.
type distPort struct {
	GOOS, GOARCH string
	CgoSupported bool
	FirstClass   bool
}

// distList runs `go tool dist list -json` with the environment's go.
func (c *Context) distList() ([]distPort, error) {
	if c.Go == nil || c.Go.GoBinary == "" {
		return nil, errors.New("no go command")
	}
	cmd := exec.Command(c.Go.GoBinary, "tool", "dist", "list", "-json")
	cmd.Dir = c.Root
	cmd.Env = append(append([]string(nil), c.Environ...), "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go tool dist list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var ports []distPort
	if err := json.Unmarshal(stdout.Bytes(), &ports); err != nil {
		return nil, fmt.Errorf("go tool dist list: %w", err)
	}
	return ports, nil
}

func checkCgoTargets(c *Context) []finding.Finding {
	pkgs := c.cgoPackages()
	if len(pkgs) == 0 {
		return nil
	}
	ports, err := c.distList()
	cgoSupported := map[string]bool{}
	for _, p := range ports {
		cgoSupported[p.GOOS+"/"+p.GOARCH] = p.CgoSupported
	}
	targets := c.Targets
	if len(targets) == 0 {
		if err != nil {
			return nil // the go command's own failure is reported elsewhere
		}
		for _, p := range ports {
			if p.FirstClass {
				targets = append(targets, target.Target{GOOS: p.GOOS, GOARCH: p.GOARCH})
			}
		}
	}
	host := c.Go.Get("GOHOSTOS") + "/" + c.Go.Get("GOHOSTARCH")
	var fs []finding.Finding
	for _, pkg := range pkgs {
		var cross, fallback, unsupported []string
		for _, t := range targets {
			key := t.GOOS + "/" + t.GOARCH
			if key == host || !pkg.usesCgoOn(t.GOOS, t.GOARCH) {
				continue
			}
			left := pkg.leftWithoutCgo(t.GOOS, t.GOARCH)
			switch supported, known := cgoSupported[key]; {
			case known && !supported && !left:
				unsupported = append(unsupported, t.String())
			case left:
				fallback = append(fallback, t.String())
			default:
				cross = append(cross, t.String())
			}
		}
		if len(cross)+len(fallback)+len(unsupported) == 0 {
			continue
		}
		var ev []finding.Evidence
		for i, f := range pkg.Files {
			ev = append(ev, finding.Evidence{Location: c.Pos(pkg.Imports[i].Pos()), Text: `import "C" (` + path.Base(f.Path) + ")"})
		}
		var msg []string
		if len(cross) > 0 {
			msg = append(msg, fmt.Sprintf("building it for %s needs a C cross compiler for each (CGO_ENABLED=1 CC=<compiler>); without one cgo is off when cross-compiling and the package fails with `build constraints exclude all Go files`", strings.Join(cross, ", ")))
		}
		if len(unsupported) > 0 {
			msg = append(msg, fmt.Sprintf("cgo is not supported on %s and no Go file is left there without it", strings.Join(unsupported, ", ")))
		}
		if len(fallback) > 0 {
			msg = append(msg, fmt.Sprintf("for %s, builds without CGO_ENABLED=1 and a C cross compiler leave out its cgo files and use the remaining Go files, which must be a complete fallback", strings.Join(fallback, ", ")))
		}
		f := finding.Finding{
			Message:  fmt.Sprintf("%s imports \"C\": %s", packageName(pkg.Dir), strings.Join(msg, "; ")),
			Evidence: ev,
			Fix:      "install a C cross compiler for each target and build with CGO_ENABLED=1 CC=<compiler>, or add a `//go:build !cgo` fallback to " + packageName(pkg.Dir),
		}
		if len(cross)+len(unsupported) == 0 {
			f.Severity = finding.Info
		}
		fs = append(fs, f)
	}
	return fs
}

// ---- GP-SRC-003: manual memory control.

// memCall is a call of interest in the runtime or runtime/debug package.
type memCall struct {
	pkg, name string
}

var (
	readMemStats   = memCall{"runtime", "ReadMemStats"}
	runtimeGC      = memCall{"runtime", "GC"}
	freeOSMemory   = memCall{"runtime/debug", "FreeOSMemory"}
	setGCPercent   = memCall{"runtime/debug", "SetGCPercent"}
	setMemoryLimit = memCall{"runtime/debug", "SetMemoryLimit"}
)

// memFile is a parsed file with its import names resolved.
type memFile struct {
	src   *SourceFile
	names map[string][]string
	// uses is what go/types resolved the package's identifiers to; nil
	// when the package was not type-checked.
	uses map[*ast.Ident]types.Object
}

// importsOf returns the import paths an identifier denotes: one for a
// package name, none when a declaration in an enclosing scope (parameter,
// local, range variable, receiver, package-level name) shadows the
// import. An identifier go/types left unresolved is a name from a
// dot-imported package (imports are not loaded, so their scopes are
// empty) or code it could not check; the file's import names decide.
func (m memFile) importsOf(id *ast.Ident, name string) []string {
	if obj, ok := m.uses[id]; ok {
		if pn, ok := obj.(*types.PkgName); ok && name != "." {
			return []string{pn.Imported().Path()}
		}
		return nil
	}
	return m.names[name]
}

// callee resolves a call to a package-level function of an imported
// package, through renamed and dot imports.
func (m memFile) callee(call *ast.CallExpr) (memCall, bool) {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if x, ok := fun.X.(*ast.Ident); ok {
			for _, p := range m.importsOf(x, x.Name) {
				return memCall{p, fun.Sel.Name}, true
			}
		}
	case *ast.Ident:
		for _, p := range m.importsOf(fun, ".") {
			mc := memCall{p, fun.Name}
			switch mc {
			case readMemStats, runtimeGC, freeOSMemory, setGCPercent, setMemoryLimit:
				return mc, true
			}
		}
	}
	return memCall{}, false
}

// refersTo reports whether n mentions pkg.name (as a selector).
func (m memFile) refersTo(n ast.Node, pkg string, names ...string) token.Pos {
	var at token.Pos
	ast.Inspect(n, func(n ast.Node) bool {
		if at.IsValid() {
			return false
		}
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok {
				for _, p := range m.importsOf(x, x.Name) {
					if p == pkg && containsString(names, sel.Sel.Name) {
						at = sel.Pos()
					}
				}
			}
		}
		return true
	})
	return at
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// repetition says why code runs repeatedly: inside a loop, or in a
// function driven by a time.Ticker, time.Tick or time.AfterFunc.
type repetition struct {
	why string
	pos token.Pos
}

// repeated finds what repeats the innermost node of stack, looking
// outward through function literals that are called on the spot (also by
// go and defer) and stopping at other function boundaries.
func (m memFile) repeated(stack []ast.Node) (repetition, bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return repetition{"in a loop", n.Pos()}, true
		case *ast.FuncDecl:
			if n.Body != nil {
				if at := m.refersTo(n.Body, "time", "Tick", "NewTicker"); at.IsValid() {
					return repetition{"in a function driven by a ticker", at}, true
				}
			}
			return repetition{}, false
		case *ast.FuncLit:
			if at := m.refersTo(n.Body, "time", "Tick", "NewTicker"); at.IsValid() {
				return repetition{"in a function driven by a ticker", at}, true
			}
			if i > 0 {
				if call, ok := stack[i-1].(*ast.CallExpr); ok {
					if mc, ok := m.callee(call); ok && mc == (memCall{"time", "AfterFunc"}) {
						return repetition{"in a time.AfterFunc callback", call.Pos()}, true
					}
					if call.Fun == n {
						continue // called on the spot: the enclosing context applies
					}
				}
			}
			return repetition{}, false
		}
	}
	return repetition{}, false
}

func checkManualMemoryControl(c *Context) []finding.Finding {
	// Group non-test files by package directory: one level of calls is
	// followed within a package.
	byDir := map[string][]memFile{}
	var dirs []string
	for _, f := range c.Files {
		if f.AST == nil || f.Err != nil || isTestFile(f) {
			continue
		}
		dir := path.Dir(f.Path)
		if _, ok := byDir[dir]; !ok {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], memFile{src: f, names: importNames(f.AST)})
	}
	var fs []finding.Finding
	for _, dir := range dirs {
		files := byDir[dir]
		if callsMemoryControl(files) {
			uses := c.resolveIdents(files)
			for i := range files {
				files[i].uses = uses
			}
		}
		fs = append(fs, c.memoryFindings(files)...)
	}
	return fs
}

// callsMemoryControl reports whether a file of the package calls one of
// the rule's functions by its import names alone. Shadowing can only take
// findings away, so packages without such a call are not type-checked.
func callsMemoryControl(files []memFile) bool {
	for _, m := range files {
		found := false
		ast.Inspect(m.src.AST, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && !found {
				mc, _ := m.callee(call)
				switch mc {
				case readMemStats, runtimeGC, freeOSMemory, setGCPercent, setMemoryLimit:
					found = true
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// resolveIdents type-checks the files of a package directory, one check
// per package clause, and returns what each identifier use refers to.
//
// Scopes come from go/types rather than from parser object resolution
// (the files are parsed with SkipObjectResolution, and ast.Object is
// deprecated and knows nothing of other files' package-level names) or a
// hand-written scope walker (Go's scoping rules — := redeclaration, type
// switch bindings, named results, declaration order within a block — are
// easy to get subtly wrong). Imports are not loaded: every import fails
// and becomes a fake package, errors are discarded, and go/types still
// resolves every identifier to its declaration or to the package name.
// Cost: only packages with a candidate call are checked, so doctor on
// bench/doctor.sh's module and on goport's own module is unchanged
// (~30 ms and ~80 ms); a candidate call in each of five goport packages
// (17k lines) adds ~33 ms, in one 4.5k-line package it is within noise.
func (c *Context) resolveIdents(files []memFile) (uses map[*ast.Ident]types.Object) {
	uses = map[*ast.Ident]types.Object{}
	byName := map[string][]*ast.File{}
	var names []string
	for _, m := range files {
		name := m.src.AST.Name.Name
		if _, ok := byName[name]; !ok {
			names = append(names, name)
		}
		byName[name] = append(byName[name], m.src.AST)
	}
	defer func() {
		// go/types is not promised to survive every program that parses
		// but does not compile; the import names then decide alone.
		if recover() != nil {
			uses = nil
		}
	}()
	for _, name := range names {
		conf := types.Config{
			Importer:    noImports{},
			FakeImportC: true,
			Error:       func(error) {},
		}
		_, _ = conf.Check(name, c.Fset, byName[name], &types.Info{Uses: uses})
	}
	return uses
}

// noImports fails every import, so that type checking needs nothing
// beyond the package's own files.
type noImports struct{}

func (noImports) Import(path string) (*types.Package, error) {
	return nil, fmt.Errorf("%s: imports are not loaded", path)
}

// pendingRead is a ReadMemStats call not itself in a loop, inside a named
// function whose callers may repeat it.
type pendingRead struct {
	file memFile
	call *ast.CallExpr
	fn   string
}

func (c *Context) memoryFindings(files []memFile) []finding.Finding {
	var fs []finding.Finding
	var pending []pendingRead
	limited := false
	type gcPercent struct {
		file memFile
		call *ast.CallExpr
	}
	var percents []gcPercent
	report := func(m memFile, call *ast.CallExpr, msg string, extra ...finding.Evidence) {
		fs = append(fs, finding.Finding{
			Message:  fmt.Sprintf("%s: %s", c.Pos(call.Pos()), msg),
			Evidence: append([]finding.Evidence{{Location: c.Pos(call.Pos()), Text: nodeText(c.Fset, call)}}, extra...),
			Fix:      "set GOMEMLIMIT (or call debug.SetMemoryLimit once at start-up) instead, and read memory figures with runtime/metrics",
		})
	}
	for _, m := range files {
		var stack []ast.Node
		var fnName string
		ast.Inspect(m.src.AST, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			if fd, ok := n.(*ast.FuncDecl); ok {
				fnName = fd.Name.Name
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			mc, ok := m.callee(call)
			if !ok {
				return true
			}
			switch mc {
			case runtimeGC:
				report(m, call, "runtime.GC() forces a full collection and blocks the caller until it ends; a memory limit (GOMEMLIMIT / debug.SetMemoryLimit) lets the collector pace itself")
			case freeOSMemory:
				report(m, call, "debug.FreeOSMemory() forces a collection and returns all free memory to the OS on each call; the runtime already scavenges in the background, sooner near a GOMEMLIMIT")
			case setGCPercent:
				percents = append(percents, gcPercent{m, call})
			case setMemoryLimit:
				limited = true
			case readMemStats:
				if r, ok := m.repeated(stack); ok {
					report(m, call, "runtime.ReadMemStats "+r.why+" stops the world on every call; runtime/metrics reads the same figures without stopping it, and GOMEMLIMIT bounds memory without polling",
						finding.Evidence{Location: c.Pos(r.pos), Text: r.why})
				} else if enclosingFuncLit(stack) == nil && fnName != "" {
					pending = append(pending, pendingRead{m, call, fnName})
				}
			}
			return true
		})
	}
	if !limited {
		for _, p := range percents {
			report(p.file, p.call, "debug.SetGCPercent tunes GOGC by hand; since Go 1.19 a memory limit (GOMEMLIMIT / debug.SetMemoryLimit, with GOGC=off when the limit alone should drive collection) bounds the heap directly")
		}
	}
	// A function that reads MemStats once per call, called repeatedly.
	for _, p := range pending {
		if site, r, ok := repeatedCallSite(files, p.fn); ok {
			report(p.file, p.call, fmt.Sprintf("runtime.ReadMemStats in %s, which is called %s (%s), stops the world on every call; runtime/metrics reads the same figures without stopping it, and GOMEMLIMIT bounds memory without polling", p.fn, r.why, c.Pos(site.Pos())),
				finding.Evidence{Location: c.Pos(site.Pos()), Text: p.fn + " called " + r.why})
		}
	}
	return fs
}

func enclosingFuncLit(stack []ast.Node) *ast.FuncLit {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.FuncLit:
			return n
		case *ast.FuncDecl:
			return nil
		}
	}
	return nil
}

// repeatedCallSite finds a call of the package's function or method name
// that runs repeatedly.
func repeatedCallSite(files []memFile, name string) (*ast.CallExpr, repetition, bool) {
	for _, m := range files {
		var stack []ast.Node
		var found *ast.CallExpr
		var why repetition
		ast.Inspect(m.src.AST, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			called := false
			switch fun := ast.Unparen(call.Fun).(type) {
			case *ast.Ident:
				called = fun.Name == name
			case *ast.SelectorExpr:
				x, isIdent := fun.X.(*ast.Ident)
				called = fun.Sel.Name == name && !(isIdent && len(m.importsOf(x, x.Name)) > 0)
			}
			if called {
				if r, ok := m.repeated(stack); ok {
					found, why = call, r
					return false
				}
			}
			return true
		})
		if found != nil {
			return found, why, true
		}
	}
	return nil, repetition{}, false
}

// nodeText is the source text of n on one line, shortened for evidence.
func nodeText(fset *token.FileSet, n ast.Node) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, n); err != nil {
		return ""
	}
	text := strings.Join(strings.Fields(b.String()), " ")
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return text
}

// ---- GP-SRC-004: files that do not parse.

// packageName names the package in a module-relative directory.
func packageName(dir string) string {
	if dir == "." {
		return "the module's root package"
	}
	return "package ./" + dir
}

func checkSourcesParse(c *Context) []finding.Finding {
	var fs []finding.Finding
	goos, goarch := c.Go.Get("GOOS"), c.Go.Get("GOARCH")
	for _, f := range c.Files {
		if f.Err == nil {
			continue
		}
		loc := &finding.Location{Path: f.Path}
		first, more := f.Err.Error(), ""
		var list scanner.ErrorList
		if errors.As(f.Err, &list) && len(list) > 0 {
			loc.Line, loc.Column = list[0].Pos.Line, list[0].Pos.Column
			first = list[0].Msg
			if len(list) > 1 {
				more = fmt.Sprintf(" (and %d more errors)", len(list)-1)
			}
		}
		msg := first + more
		fin := finding.Finding{
			Message:  fmt.Sprintf("%s: %s: %s does not build", loc, msg, packageName(path.Dir(f.Path))),
			Evidence: []finding.Evidence{{Location: loc, Text: first}},
			Fix:      "fix the syntax at " + loc.String(),
		}
		if goos != "" {
			if !matches(buildContext(goos, goarch, c.Go.Get("CGO_ENABLED") == "1"), f) {
				fin.Severity = finding.Warning
				fin.Message = fmt.Sprintf("%s: %s: the file is excluded for %s/%s by its build constraints, but breaks the targets that include it", loc, msg, goos, goarch)
			}
		}
		fs = append(fs, fin)
	}
	return fs
}
