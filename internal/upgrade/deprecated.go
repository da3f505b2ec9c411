package upgrade

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// deprecatedIn reads the sources of one standard-library package and
// returns its deprecated API (keys as in uses) with the deprecation
// notice. A package-level notice is returned under pkgKey(path).
func deprecatedIn(dir, path string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if !bytes.Contains(src, []byte("Deprecated:")) {
			continue
		}
		f, _ := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if f == nil {
			continue
		}
		if note := deprecation(f.Doc); note != "" {
			out[pkgKey(path)] = note
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				note := deprecation(d.Doc)
				if note == "" || !d.Name.IsExported() {
					continue
				}
				if d.Recv != nil && len(d.Recv.List) == 1 {
					if recv := recvTypeName(d.Recv.List[0].Type); recv != "" {
						out[path+"."+recv+"."+d.Name.Name] = note
					}
					continue
				}
				out[path+"."+d.Name.Name] = note
			case *ast.GenDecl:
				for _, s := range d.Specs {
					var doc *ast.CommentGroup
					var names []*ast.Ident
					switch s := s.(type) {
					case *ast.TypeSpec:
						doc, names = s.Doc, []*ast.Ident{s.Name}
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fld := range st.Fields.List {
								if note := deprecation(fld.Doc); note != "" {
									for _, n := range fld.Names {
										out[path+"."+s.Name.Name+"."+n.Name] = note
									}
								}
							}
						}
					case *ast.ValueSpec:
						doc, names = s.Doc, s.Names
					}
					if doc == nil && len(d.Specs) == 1 {
						doc = d.Doc
					}
					if note := deprecation(doc); note != "" {
						for _, n := range names {
							out[path+"."+n.Name] = note
						}
					}
				}
			}
		}
	}
	return out, nil
}

func recvTypeName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if ix, ok := e.(*ast.IndexExpr); ok {
		e = ix.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// deprecation returns the "Deprecated:" paragraph of a doc comment, on
// one line.
func deprecation(doc *ast.CommentGroup) string {
	if doc == nil {
		return ""
	}
	for _, para := range strings.Split(doc.Text(), "\n\n") {
		if p := strings.TrimSpace(para); strings.HasPrefix(p, "Deprecated:") {
			return strings.Join(strings.Fields(p), " ")
		}
	}
	return ""
}

// checkDeprecated reports each deprecated standard-library API the module
// uses, with the notice from the installed standard library.
func (a *analysis) checkDeprecated() error {
	std := map[string]string{}
	for _, p := range a.listed {
		if p.Standard && p.ForTest == "" {
			std[p.ImportPath] = p.Dir
		}
	}
	var keys []string
	for k := range a.uses.at {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	notes := map[string]map[string]string{}
	for path := range a.uses.pkgs {
		dir, ok := std[path]
		if !ok {
			continue
		}
		m, err := deprecatedIn(dir, path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		notes[path] = m
	}
	for path, m := range notes {
		if note, ok := m[pkgKey(path)]; ok {
			a.reportDeprecated("package "+path, note, pkgKey(path))
		}
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "package ") {
			continue
		}
		for path, m := range notes {
			if !strings.HasPrefix(k, path+".") {
				continue
			}
			if _, whole := m[pkgKey(path)]; whole {
				continue // reported once for the package
			}
			if note, ok := m[k]; ok {
				a.reportDeprecated(k, note, k)
			}
		}
	}
	return nil
}

func (a *analysis) reportDeprecated(what, note, key string) {
	f := finding.Finding{Rule: RuleDeprecated,
		Message: fmt.Sprintf("uses deprecated %s", what),
		Fix:     strings.TrimSpace(strings.TrimPrefix(note, "Deprecated:"))}
	locs, _ := a.uses.has(key)
	for _, loc := range locs {
		f.Evidence = append(f.Evidence, finding.Evidence{Location: &loc})
	}
	a.add(f)
}
