package matrix

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	gobuild "go/build"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

// Planning without cgo needs, per target, only which matched packages
// have Go files for it and their package name. One listing gives every
// matched directory's files; go/build then applies each target's build
// constraints to them in-process, instead of one `go list` per target
// (each one a go command starting up and loading the module graph, which
// the builds wait for).
//
// In-process evaluation is used only where it is exact; listOnce reports
// !ok, and the caller lists per target, when it cannot be sure:
//   - a pattern other than "." or "./dir" with an optional "/..." suffix;
//   - a nested module or a symbolic link on the way of a `/...` pattern
//     (directories `./...` omits because no file is for the host are
//     found by walking the tree as the go command does, and judged like
//     the listed ones);
//   - a package the listing reports an error for, other than build
//     constraints excluding all its files;
//   - a file that fails to parse, whose files disagree on the package
//     name, or whose constraints name a tool tag (goexperiment.*,
//     amd64.v3, arm.7: they differ per target and go/build cannot know
//     them) or an OS or architecture this go/build does not know;
//   - a port of the toolchain unknown to this go/build, whose file name
//     suffixes it would not recognise;
//   - a toolchain older than Go 1.21, whose reading of constraints may
//     differ from this go/build's (`unix`, for one, is a tag since 1.19).

// listOnceTemplate prints one line per package of Go-quoted fields; see
// parseListOnce.
const listOnceTemplate = `{{printf "%q %q %q %q %q %q" .ImportPath .Name .Dir .GoFiles .CgoFiles .IgnoredGoFiles}} ` +
	`{{with .Error}}{{printf "%q" .Err}}{{else}}""{{end}} {{with .Module}}{{printf "%q" .Dir}}{{else}}""{{end}} ` +
	`{{printf "%q %q" context.ReleaseTags context.BuildTags}}`

// hostPackage is one line of the listing.
type hostPackage struct {
	ImportPath, Name, Dir string
	Files                 []string // GoFiles, CgoFiles and IgnoredGoFiles but tests
	Err                   string
	ModuleDir             string
	// Literal is set when a pattern names the package itself: the go
	// command lists it for every target, with an error where build
	// constraints exclude all its files, where `/...` leaves it out.
	Literal bool
}

// hostListing is the whole listing: the packages and the build context
// the go command used (the toolchain's release tags, -tags and GOFLAGS's
// tags).
type hostListing struct {
	Packages    []hostPackage
	ReleaseTags []string
	BuildTags   []string
}

// listOnce plans opts.Targets from one listing; ok is false when the
// result would not be exact and the caller must list per target.
func listOnce(ctx context.Context, opts PlanOptions) (perTarget []map[string]*listed, ok bool, err error) {
	if opts.Cgo != CgoOff || len(opts.Ports) == 0 || !simplePatterns(opts.Patterns) || !goBuildKnowsPorts(opts.Ports, opts.Targets) {
		return nil, false, nil
	}
	out, err := goList(ctx, opts, []string{"CGO_ENABLED=0"}, []string{"-find", "-f", listOnceTemplate})
	if err != nil {
		return nil, false, err
	}
	hl, err := parseListOnce(out)
	if err != nil {
		return nil, false, nil // the per-target listing reads JSON instead
	}
	if !consistentModule(hl.Packages) || !recentToolchain(hl.ReleaseTags) {
		return nil, false, nil
	}
	markLiteral(opts.Dir, opts.Patterns, hl.Packages)
	dirs, ok := unlisted(opts.Dir, opts.Patterns, hl.Packages)
	if !ok || !addUnlisted(hl, dirs) {
		return nil, false, nil
	}
	files := map[string]*goFile{}
	for _, p := range hl.Packages {
		if p.Err != "" && !strings.Contains(p.Err, "build constraints exclude all Go files") {
			return nil, false, nil
		}
		for _, name := range p.Files {
			path := filepath.Join(p.Dir, name)
			f := readGoFile(path)
			if f == nil {
				return nil, false, nil
			}
			files[path] = f
		}
	}
	perTarget = make([]map[string]*listed, len(opts.Targets))
	for i, t := range opts.Targets {
		pkgs, ok := evaluate(hl, files, t)
		if !ok {
			return nil, false, nil
		}
		perTarget[i] = pkgs
	}
	return perTarget, true, nil
}

// simplePatterns reports whether every pattern is "." or "./dir",
// optionally with a "/..." suffix, and names nothing outside the module
// directory, so that unlisted can walk what it matches.
func simplePatterns(patterns []string) bool {
	if len(patterns) == 0 {
		return false
	}
	for _, p := range patterns {
		dir := strings.TrimSuffix(p, "/...")
		if p == "./..." {
			dir = "."
		}
		if dir != "." && !strings.HasPrefix(dir, "./") {
			return false
		}
		for _, elem := range strings.Split(dir, "/")[1:] {
			if elem == "" || elem == "." || elem == ".." || strings.ContainsAny(elem, `*?[\`) || strings.Contains(elem, "...") {
				return false
			}
		}
	}
	return true
}

// goBuildKnowsPorts reports whether this binary's go/build knows every
// GOOS and GOARCH of the toolchain's ports and of the targets: file name
// suffixes and tags naming one it does not know would be misjudged.
func goBuildKnowsPorts(ports []goenv.Port, targets []target.Target) bool {
	known := map[string]bool{}
	knows := func(name string) bool {
		k, seen := known[name]
		if !seen {
			k = goBuildKnows(name)
			known[name] = k
		}
		return k
	}
	for _, p := range ports {
		if !knows(p.GOOS) || !knows(p.GOARCH) {
			return false
		}
	}
	for _, t := range targets {
		if !knows(t.GOOS) || !knows(t.GOARCH) {
			return false
		}
	}
	return true
}

// goBuildKnows asks go/build whether name is an OS or architecture it
// knows: a file x_<name>.go is then excluded for a GOOS and GOARCH that
// are neither.
func goBuildKnows(name string) bool {
	ctxt := gobuild.Context{
		GOOS: "goportnone", GOARCH: "goportnone", Compiler: "gc",
		OpenFile: func(string) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("package p\n")), nil
		},
	}
	match, err := ctxt.MatchFile(".", "x_"+name+".go")
	return err == nil && !match
}

// parseListOnce reads listOnceTemplate's output: per line, six quoted
// fields (import path, name, directory, and three lists of files), the
// error, the module directory, and the context's release and build tags.
func parseListOnce(out []byte) (*hostListing, error) {
	hl := &hostListing{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		fields, err := quotedFields(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(fields) != 10 {
			return nil, fmt.Errorf("line %d: %d fields, want 10", n, len(fields))
		}
		scalar := func(i int) (string, error) {
			if fields[i].list {
				return "", fmt.Errorf("line %d: field %d is a list", n, i+1)
			}
			return fields[i].values[0], nil
		}
		var p hostPackage
		for i, dst := range []*string{&p.ImportPath, &p.Name, &p.Dir} {
			if *dst, err = scalar(i); err != nil {
				return nil, err
			}
		}
		for i := 3; i < 6; i++ {
			if !fields[i].list {
				return nil, fmt.Errorf("line %d: field %d is not a list", n, i+1)
			}
			// IgnoredGoFiles holds test files too: no program is
			// made of them.
			for _, f := range fields[i].values {
				if !strings.HasSuffix(f, "_test.go") {
					p.Files = append(p.Files, f)
				}
			}
		}
		if p.Err, err = scalar(6); err != nil {
			return nil, err
		}
		if p.ModuleDir, err = scalar(7); err != nil {
			return nil, err
		}
		if !fields[8].list || !fields[9].list {
			return nil, fmt.Errorf("line %d: the build context's tags are not lists", n)
		}
		hl.ReleaseTags, hl.BuildTags = fields[8].values, fields[9].values
		hl.Packages = append(hl.Packages, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return hl, nil
}

// quotedField is a Go-quoted string, or a list of them as fmt's %q
// prints a []string: ["a" "b"].
type quotedField struct {
	list   bool
	values []string
}

func quotedFields(line string) ([]quotedField, error) {
	var fields []quotedField
	unquote := func() (string, error) {
		q, err := strconv.QuotedPrefix(line)
		if err != nil {
			return "", fmt.Errorf("at %.20q: %w", line, err)
		}
		line = line[len(q):]
		return strconv.Unquote(q)
	}
	for {
		line = strings.TrimLeft(line, " ")
		if line == "" {
			return fields, nil
		}
		if rest, isList := strings.CutPrefix(line, "["); isList {
			line = rest
			f := quotedField{list: true}
			for {
				line = strings.TrimLeft(line, " ")
				if rest, end := strings.CutPrefix(line, "]"); end {
					line = rest
					break
				}
				s, err := unquote()
				if err != nil {
					return nil, err
				}
				f.values = append(f.values, s)
			}
			fields = append(fields, f)
			continue
		}
		s, err := unquote()
		if err != nil {
			return nil, err
		}
		fields = append(fields, quotedField{values: []string{s}})
	}
}

// consistentModule reports whether every listed package is in one module
// (not GOPATH mode, not several workspace modules).
func consistentModule(pkgs []hostPackage) bool {
	mod := ""
	for _, p := range pkgs {
		if p.ModuleDir == "" {
			if p.Err != "" && p.Dir == "" {
				continue // a pattern that matched nothing: judged by its error
			}
			return false
		}
		if mod != "" && p.ModuleDir != mod {
			return false
		}
		mod = p.ModuleDir
	}
	return true
}

// unlisted walks what the patterns can match, as the go command does
// (skipping testdata, vendor and directories starting with "." or "_"),
// and returns the directories with non-test Go files that the listing
// does not show: those whose files are all excluded for the host, which
// `./...` omits but another target may match. ok is false for a nested
// module or a symbolic link on the way, whose treatment depends on more
// than the tree, and for a directory it cannot read.
func unlisted(dir string, patterns []string, pkgs []hostPackage) (dirs []string, ok bool) {
	listedDirs := map[string]bool{}
	for _, p := range pkgs {
		listedDirs[filepath.Clean(p.Dir)] = true
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, false
	}
	seen := map[string]bool{}
	for _, pat := range patterns {
		base, recursive := strings.CutSuffix(pat, "/...")
		if pat == "./..." {
			base, recursive = ".", true
		}
		if !recursive {
			continue // a literal package is always listed, with its error if any
		}
		start := filepath.Join(root, filepath.FromSlash(base))
		ok := true
		err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == start && errors.Is(err, fs.ErrNotExist) {
					return filepath.SkipDir // matches nothing, as the listing says
				}
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if fi, err := os.Stat(path); err == nil && fi.IsDir() {
					ok = false
					return filepath.SkipAll
				}
				return nil
			}
			if !d.IsDir() {
				return nil
			}
			if path != start {
				name := d.Name()
				if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" {
					return filepath.SkipDir
				}
				if _, err := os.Lstat(filepath.Join(path, "go.mod")); err == nil {
					ok = false
					return filepath.SkipAll
				}
			}
			if listedDirs[path] || seen[path] {
				return nil
			}
			files, err := goSources(path)
			if err != nil {
				return err
			}
			if len(files) > 0 {
				seen[path] = true
				dirs = append(dirs, path)
			}
			return nil
		})
		if err != nil || !ok {
			return nil, false
		}
	}
	return dirs, true
}

// markLiteral sets Literal on the packages that patterns without "..."
// name.
func markLiteral(dir string, patterns []string, pkgs []hostPackage) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return
	}
	for _, pat := range patterns {
		if strings.Contains(pat, "...") {
			continue
		}
		d := filepath.Join(root, filepath.FromSlash(pat))
		for i := range pkgs {
			if filepath.Clean(pkgs[i].Dir) == d {
				pkgs[i].Literal = true
			}
		}
	}
}

// goSources lists the non-test Go files of dir that the go command reads:
// not those starting with "." or "_".
func goSources(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") &&
			!strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "_") && !e.IsDir() {
			files = append(files, n)
		}
	}
	return files, nil
}

// addUnlisted adds to hl the directories the host listing omitted, named
// by the module's path and their place in it.
func addUnlisted(hl *hostListing, dirs []string) bool {
	if len(dirs) == 0 {
		return true
	}
	modDir := ""
	for _, p := range hl.Packages {
		if p.ModuleDir != "" {
			modDir = p.ModuleDir
			break
		}
	}
	if modDir == "" {
		return false
	}
	data, err := os.ReadFile(filepath.Join(modDir, "go.mod"))
	if err != nil {
		return false
	}
	modPath := modfile.ModulePath(data)
	if modPath == "" {
		return false
	}
	for _, d := range dirs {
		rel, err := filepath.Rel(modDir, d)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return false
		}
		files, err := goSources(d)
		if err != nil {
			return false
		}
		importPath := modPath
		if rel != "." {
			importPath += "/" + filepath.ToSlash(rel)
		}
		hl.Packages = append(hl.Packages, hostPackage{ImportPath: importPath, Dir: d, Files: files, ModuleDir: modDir})
	}
	return true
}

// goFile is one Go source file: its bytes (for go/build's matcher), its
// package name and whether it imports "C".
type goFile struct {
	src     []byte
	pkg     string
	importC bool
}

// readGoFile reads and parses a file's header; nil when the file cannot
// be judged in-process: it cannot be read or parsed, or its build
// constraints name a tool tag.
func readGoFile(path string) *goFile {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil
	}
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if !constraint.IsGoBuild(c.Text) && !constraint.IsPlusBuild(c.Text) {
				continue
			}
			expr, err := constraint.Parse(c.Text)
			if err != nil || !tagsModelled(expr) {
				return nil
			}
		}
	}
	g := &goFile{src: src, pkg: f.Name.Name}
	for _, im := range f.Imports {
		if p, err := strconv.Unquote(im.Path.Value); err == nil && p == "C" {
			g.importC = true
		}
	}
	return g
}

// tagsModelled reports whether go/build can evaluate every tag of expr as
// the go command would: release tags (go1.N) and plain words are; tool
// tags, which hold a dot, are not; nor are OS or architecture names this
// go/build does not know, checked by goBuildKnowsPorts for the ports.
func tagsModelled(expr constraint.Expr) bool {
	ok := true
	expr.Eval(func(tag string) bool {
		if strings.Contains(tag, ".") && !isReleaseTag(tag) {
			ok = false
		}
		return false
	})
	return ok
}

// recentToolchain reports whether the toolchain that listed is Go 1.21 or
// later: its release tags run up to its own version.
func recentToolchain(releaseTags []string) bool {
	return slices.Contains(releaseTags, "go1.21")
}

func isReleaseTag(tag string) bool {
	minor, found := strings.CutPrefix(tag, "go1.")
	if !found {
		return false
	}
	_, err := strconv.Atoi(minor)
	return err == nil
}

// evaluate applies t's build constraints to every listed package's files:
// the packages that exist for t, as `go list` for t would list them.
func evaluate(hl *hostListing, files map[string]*goFile, t target.Target) (map[string]*listed, bool) {
	ctxt := gobuild.Context{
		GOOS: t.GOOS, GOARCH: t.GOARCH, Compiler: "gc", CgoEnabled: false,
		ReleaseTags: hl.ReleaseTags, BuildTags: hl.BuildTags,
		OpenFile: func(path string) (io.ReadCloser, error) {
			f := files[path]
			if f == nil {
				return nil, fs.ErrNotExist
			}
			return io.NopCloser(bytes.NewReader(f.src)), nil
		},
	}
	pkgs := map[string]*listed{}
	for _, p := range hl.Packages {
		name, cgoName := "", ""
		var goFiles []string
		for _, fn := range slices.Sorted(slices.Values(p.Files)) {
			match, err := ctxt.MatchFile(p.Dir, fn)
			if err != nil {
				return nil, false
			}
			f := files[filepath.Join(p.Dir, fn)]
			if !match {
				continue
			}
			if f.importC {
				// Without cgo the file is ignored, but go/build has
				// read its package clause by then.
				if cgoName == "" {
					cgoName = f.pkg
				}
				continue
			}
			if name != "" && f.pkg != name {
				return nil, false // the go command reports mixed packages
			}
			name = f.pkg
			goFiles = append(goFiles, fn)
		}
		switch {
		case name != "":
			pkgs[p.ImportPath] = &listed{ImportPath: p.ImportPath, Name: name, GoFiles: goFiles}
		case p.Literal:
			pkgs[p.ImportPath] = &listed{ImportPath: p.ImportPath, Name: cgoName,
				Error: &struct{ Err string }{"build constraints exclude all Go files in " + p.Dir}}
		}
	}
	return pkgs, true
}
