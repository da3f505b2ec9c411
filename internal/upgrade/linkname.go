package upgrade

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// linknamePull is a //go:linkname directive outside the standard library
// that refers to a standard-library symbol without defining it.
type linknamePull struct {
	pkg    string // import path of the referring package
	target string // "runtime.gcount"
	loc    finding.Location
}

// splitLinkname splits a linkname target "path/to/pkg.sym" (sym may be
// "(*T).m") into package path and symbol.
func splitLinkname(target string) (pkg, sym string, ok bool) {
	slash := strings.LastIndexByte(target, '/')
	dot := strings.IndexByte(target[slash+1:], '.')
	if dot < 0 {
		return "", "", false
	}
	dot += slash + 1
	if dot == 0 || dot == len(target)-1 {
		return "", "", false
	}
	return target[:dot], target[dot+1:], true
}

// isStdPath reports whether pkg names a standard-library package of the
// toolchain at goroot.
func isStdPath(goroot, pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	if strings.Contains(first, ".") || pkg == "" || strings.Contains(pkg, "..") {
		return false
	}
	fi, err := os.Stat(filepath.Join(goroot, "src", filepath.FromSlash(pkg)))
	return err == nil && fi.IsDir()
}

// findPulls scans a Go file for linkname pulls into the standard library.
func findPulls(fset *token.FileSet, goroot, pkgPath, filename string, src []byte) []linknamePull {
	if !bytes.Contains(src, []byte("//go:linkname")) {
		return nil
	}
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if f == nil {
		return nil
	}
	_ = err // a partial file still shows its directives
	defined := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil {
			defined[fd.Name.Name] = true
		}
	}
	var out []linknamePull
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			fields := strings.Fields(c.Text)
			if len(fields) != 3 || fields[0] != "//go:linkname" || defined[fields[1]] {
				continue
			}
			pkg, _, ok := splitLinkname(fields[2])
			if !ok || !isStdPath(goroot, pkg) {
				continue
			}
			pos := fset.Position(c.Pos())
			out = append(out, linknamePull{pkg: pkgPath, target: fields[2],
				loc: finding.Location{Path: pos.Filename, Line: pos.Line, Column: pos.Column}})
		}
	}
	return out
}

// linknameRules is what the installed linker accepts: symbols the
// standard library pushes (marks for linkname access) and the blocked
// list compiled into the linker, both read from $GOROOT/src.
type linknameRules struct {
	pushed  map[string]bool
	blocked map[string][]string
}

func (r *linknameRules) allows(pkg, target string) bool {
	if allowed, ok := r.blocked[target]; ok {
		return slices.Contains(allowed, pkg)
	}
	return r.pushed[target]
}

// loadLinknameRules reads the standard library's push directives
// (one-argument //go:linkname, or a two-argument one on a definition),
// its assembly functions (the linker accepts their ABI wrappers) and the
// linker's blockedLinknames map.
func loadLinknameRules(goroot string) (*linknameRules, error) {
	r := &linknameRules{pushed: map[string]bool{}, blocked: map[string][]string{}}
	src := filepath.Join(goroot, "src")
	fset := token.NewFileSet()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "cmd":
				if path != src {
					return filepath.SkipDir
				}
			}
			return nil
		}
		rel, _ := filepath.Rel(src, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		switch {
		case strings.HasSuffix(path, "_test.go"):
		case strings.HasSuffix(path, ".go"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte("//go:linkname")) {
				r.addPushes(fset, pkg, path, data)
			}
		case strings.HasSuffix(path, ".s"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, line := range strings.Split(string(data), "\n") {
				rest, ok := strings.CutPrefix(strings.TrimSpace(line), "TEXT")
				if !ok {
					continue
				}
				rest = strings.TrimSpace(rest)
				name, _, ok := strings.Cut(rest, "(SB)")
				if !ok {
					continue
				}
				name = strings.TrimSuffix(name, "<ABIInternal>")
				if sym, ok := strings.CutPrefix(name, "·"); ok {
					r.pushed[pkg+"."+sym] = true
				} else {
					r.pushed[strings.ReplaceAll(name, "∕", "/")] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the standard library's linkname directives: %w", err)
	}
	loader := filepath.Join(src, "cmd", "link", "internal", "loader", "loader.go")
	if data, err := os.ReadFile(loader); err == nil {
		r.blocked = parseBlockedLinknames(data)
	}
	return r, nil
}

func (r *linknameRules) addPushes(fset *token.FileSet, pkg, path string, data []byte) {
	f, _ := parser.ParseFile(fset, path, data, parser.ParseComments|parser.SkipObjectResolution)
	if f == nil {
		return
	}
	defined := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body != nil {
				defined[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if vs, ok := s.(*ast.ValueSpec); ok {
					for _, n := range vs.Names {
						defined[n.Name] = true
					}
				}
			}
		}
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			fields := strings.Fields(c.Text)
			if len(fields) < 2 || fields[0] != "//go:linkname" {
				continue
			}
			switch {
			case len(fields) == 2:
				r.pushed[pkg+"."+fields[1]] = true
			case defined[fields[1]]:
				r.pushed[fields[2]] = true
			}
		}
	}
}

// parseBlockedLinknames reads the linker's blockedLinknames map literal.
func parseBlockedLinknames(src []byte) map[string][]string {
	out := map[string][]string{}
	f, err := parser.ParseFile(token.NewFileSet(), "loader.go", src, parser.SkipObjectResolution)
	if err != nil {
		return out
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Names) != 1 || vs.Names[0].Name != "blockedLinknames" || len(vs.Values) != 1 {
				continue
			}
			lit, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, ok := kv.Key.(*ast.BasicLit)
				if !ok {
					continue
				}
				name, err := strconv.Unquote(key.Value)
				if err != nil {
					continue
				}
				var pkgs []string
				if v, ok := kv.Value.(*ast.CompositeLit); ok {
					for _, p := range v.Elts {
						if bl, ok := p.(*ast.BasicLit); ok {
							if s, err := strconv.Unquote(bl.Value); err == nil {
								pkgs = append(pkgs, s)
							}
						}
					}
				}
				out[name] = pkgs
			}
		}
	}
	return out
}

// checkLinknames reports linkname pulls into the standard library, in the
// module and its dependencies, that the target linker rejects.
func (a *analysis) checkLinknames() error {
	if a.to < 23 {
		return nil
	}
	goroot := a.env.Get("GOROOT")
	var pulls []linknamePull
	seen := map[string]bool{}
	for _, p := range a.listed {
		if p.Standard || p.Dir == "" || isTestMain(p) {
			continue
		}
		pkgPath := basePath(p.ImportPath)
		for _, name := range append(append([]string(nil), p.GoFiles...), p.CgoFiles...) {
			path := name
			if !filepath.IsAbs(path) {
				path = filepath.Join(p.Dir, name)
			}
			if seen[path] {
				continue
			}
			seen[path] = true
			src, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("reading %s: %w", path, err)
			}
			for _, pl := range findPulls(a.fset, goroot, pkgPath, path, src) {
				pl.loc.Path = a.depPath(p.Module, pl.loc.Path)
				pulls = append(pulls, pl)
			}
		}
	}
	if len(pulls) == 0 {
		return nil
	}
	rules, err := loadLinknameRules(goroot)
	if err != nil {
		return err
	}
	for _, pl := range pulls {
		if rules.allows(pl.pkg, pl.target) {
			continue
		}
		loc := pl.loc
		a.add(finding.Finding{Rule: RuleLinkname,
			Message:  fmt.Sprintf("%s pulls %s with //go:linkname, which Go 1.23+ linkers reject", pl.pkg, pl.target),
			Evidence: []finding.Evidence{{Location: &loc, Text: fmt.Sprintf("link: %s: invalid reference to %s", pl.pkg, pl.target)}},
			Fix:      "use a public API instead (or a dependency version that does); -ldflags=-checklinkname=0 only as a stopgap"})
	}
	return nil
}

// depPath names a file of the module or of a dependency: relative to the
// module root for the former, "module@version/path" for the latter, so
// reports do not depend on where the module cache is.
func (a *analysis) depPath(m *listedModule, path string) string {
	if m == nil || m.Main || m.Dir == "" {
		return a.rel(path)
	}
	rel, err := filepath.Rel(m.Dir, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	name := m.Path
	if m.Version != "" {
		name += "@" + m.Version
	}
	return name + "/" + filepath.ToSlash(rel)
}
