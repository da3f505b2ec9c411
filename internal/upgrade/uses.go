package upgrade

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// Symbol keys name what the module uses, resolved by the type checker:
// "time.NewTimer" (package-level object), "time.Timer.Reset" (method or
// field of a named type, pointer or not), and the pseudo keys below.
const (
	keyPanicNil = "builtin.panic(nil)"
	keyRecover  = "builtin.recover"
	keyMain     = "main" // the module has a main package
)

// pkgKey is the key under which any use of a package's objects is kept.
func pkgKey(path string) string { return "package " + path }

// uses records where each symbol is used; only the first few positions
// are kept, enough for evidence.
type uses struct {
	at   map[string][]finding.Location
	pkgs map[string]bool // import paths of packages whose objects are used
}

const maxEvidence = 3

func newUses() *uses {
	return &uses{at: map[string][]finding.Location{}, pkgs: map[string]bool{}}
}

func (u *uses) add(key string, loc finding.Location) {
	u.at[key] = append(u.at[key], loc)
}

// finish sorts positions and keeps the first few, so evidence does not
// depend on map iteration order.
func (u *uses) finish() {
	for k, locs := range u.at {
		slices.SortFunc(locs, compareLocations)
		locs = slices.Compact(locs)
		if len(locs) > maxEvidence {
			locs = locs[:maxEvidence]
		}
		u.at[k] = locs
	}
}

// has reports whether key is used, returning its positions.
func (u *uses) has(key string) ([]finding.Location, bool) {
	locs, ok := u.at[key]
	return locs, ok
}

// collectUses walks the type-checked module packages.
func collectUses(fset *token.FileSet, rel func(string) string, pkgs []*checkedPackage) *uses {
	u := newUses()
	pos := func(p token.Pos) finding.Location {
		position := fset.Position(p)
		return finding.Location{Path: rel(position.Filename), Line: position.Line, Column: position.Column}
	}
	for _, cp := range pkgs {
		if cp.listed.Name == "main" && cp.listed.ForTest == "" {
			u.add(keyMain, finding.Location{Path: rel(cp.listed.Dir)})
		}
		for id, obj := range cp.info.Uses {
			if key := objectKey(obj); key != "" {
				u.add(key, pos(id.Pos()))
				u.add(pkgKey(obj.Pkg().Path()), pos(id.Pos()))
				u.pkgs[obj.Pkg().Path()] = true
			}
		}
		for sel, s := range cp.info.Selections {
			if s.Kind() != types.FieldVal || s.Obj().Pkg() == nil {
				continue
			}
			if named := receiverName(s.Recv()); named != "" {
				u.add(s.Obj().Pkg().Path()+"."+named+"."+s.Obj().Name(), pos(sel.Sel.Pos()))
			}
		}
		for _, f := range cp.files {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				id, ok := ast.Unparen(call.Fun).(*ast.Ident)
				if !ok {
					return true
				}
				b, ok := cp.info.Uses[id].(*types.Builtin)
				if !ok {
					return true
				}
				switch b.Name() {
				case "panic":
					if len(call.Args) == 1 {
						if nilID, ok := ast.Unparen(call.Args[0]).(*ast.Ident); ok && nilID.Name == "nil" {
							if _, isNil := cp.info.Uses[nilID].(*types.Nil); isNil {
								u.add(keyPanicNil, pos(call.Pos()))
							}
						}
					}
				case "recover":
					u.add(keyRecover, pos(call.Pos()))
				}
				return true
			})
		}
	}
	u.finish()
	return u
}

func compareLocations(a, b finding.Location) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	if a.Line != b.Line {
		return a.Line - b.Line
	}
	return a.Column - b.Column
}

// objectKey names a used object from another package, or "" for local
// objects, builtins and things the triggers never ask about.
func objectKey(obj types.Object) string {
	if obj == nil || obj.Pkg() == nil {
		return ""
	}
	switch o := obj.(type) {
	case *types.PkgName, *types.Label:
		return ""
	case *types.Func:
		if sig, ok := o.Type().(*types.Signature); ok && sig.Recv() != nil {
			if named := receiverName(sig.Recv().Type()); named != "" {
				return o.Pkg().Path() + "." + named + "." + o.Name()
			}
			return ""
		}
	case *types.Var:
		if o.IsField() {
			return "" // fields are resolved through selections below
		}
	}
	if obj.Parent() != obj.Pkg().Scope() {
		return "" // not package-level
	}
	return obj.Pkg().Path() + "." + obj.Name()
}

func receiverName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}
