package upgrade

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// listedPackage is the part of `go list -json` output the analysis reads.
type listedPackage struct {
	Dir             string
	ImportPath      string
	Name            string
	Export          string
	Standard        bool
	DepOnly         bool
	ForTest         string
	GoFiles         []string
	CgoFiles        []string
	CompiledGoFiles []string
	ImportMap       map[string]string
	Module          *listedModule
	Error           *struct{ Err string }
}

type listedModule struct {
	Path      string
	Version   string
	Dir       string
	GoVersion string
	Main      bool
}

// goCommand runs the go command in dir with environ, never switching
// toolchains: goport analyses with the installed one.
func goCommand(ctx context.Context, gobin, dir string, environ []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string(nil), environ...), "GOTOOLCHAIN=local")
	return cmd
}

// listPackages lists the module's packages, their test variants and all
// their dependencies, dependencies first (`go list -deps` order). Nothing
// is compiled except cgo preprocessing (-compiled).
func listPackages(ctx context.Context, gobin, root string, environ []string) ([]*listedPackage, error) {
	cmd := goCommand(ctx, gobin, root, environ, "list", "-e", "-deps", "-test", "-compiled",
		"-json=Dir,ImportPath,Name,Standard,DepOnly,ForTest,GoFiles,CgoFiles,CompiledGoFiles,ImportMap,Module,Error",
		"./...")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var pkgs []*listedPackage
	dec := json.NewDecoder(&stdout)
	for {
		p := new(listedPackage)
		err := dec.Decode(p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	if runErr != nil && len(pkgs) == 0 {
		return nil, commandError(runErr, stderr.Bytes())
	}
	return pkgs, nil
}

// exportData fills in the export data of every package outside the main
// module, with one `go list -export`: only dependencies are compiled (or
// taken from the build cache); the module itself is type-checked from
// source, so a change to it costs no compilation.
func exportData(ctx context.Context, gobin, root string, environ []string, pkgs []*listedPackage) error {
	var deps []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		if inMainModule(p) || p.ImportPath == "unsafe" || p.ImportPath == "C" || seen[p.ImportPath] {
			continue
		}
		seen[p.ImportPath] = true
		deps = append(deps, p.ImportPath)
	}
	if len(deps) == 0 {
		return nil
	}
	cmd := goCommand(ctx, gobin, root, environ, append([]string{"list", "-e", "-export", "-f", "{{.ImportPath}}\t{{.Export}}"}, deps...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && stdout.Len() == 0 {
		return commandError(err, stderr.Bytes())
	}
	export := map[string]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok && file != "" {
			export[path] = file
		}
	}
	for _, p := range pkgs {
		if !inMainModule(p) {
			p.Export = export[p.ImportPath]
		}
	}
	return nil
}

// basePath strips the variant suffix of a test package's import path:
// "p [p.test]" is p.
func basePath(importPath string) string {
	path, _, _ := strings.Cut(importPath, " ")
	return path
}

func inMainModule(p *listedPackage) bool {
	return p.Module != nil && p.Module.Main && !p.Standard
}

// commandError reports a failed go command with its whole diagnostic,
// which often spans lines ("go: error loading go.mod:\ngo.mod:5: ...").
func commandError(err error, stderr []byte) error {
	var lines []string
	for _, l := range strings.Split(string(stderr), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return err
	}
	return fmt.Errorf("%s: %w", strings.Join(lines, " "), err)
}

// checkedPackage is one module package after type checking.
type checkedPackage struct {
	listed *listedPackage
	files  []*ast.File
	info   *types.Info
	types  *types.Package
}

// typeCheck parses and type-checks the module's own packages from
// source, in dependency order, against the export data of everything
// else. Test variants are checked too (a package's test variant replaces
// it: same files plus tests); the generated test mains are skipped. Type
// errors do not stop the analysis: what resolves is still used.
func typeCheck(fset *token.FileSet, pkgs []*listedPackage) []*checkedPackage {
	byPath := map[string]*listedPackage{}
	hasTestVariant := map[string]bool{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
		if p.ForTest != "" && p.ForTest == basePath(p.ImportPath) {
			hasTestVariant[p.ForTest] = true
		}
	}
	checkedTypes := map[string]*types.Package{}
	exports := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		dep, ok := byPath[path]
		if !ok || dep.Export == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(dep.Export)
	})
	var out []*checkedPackage
	for _, p := range pkgs {
		if !inMainModule(p) || isTestMain(p) {
			continue
		}
		cp := checkOne(fset, p, exports, checkedTypes)
		checkedTypes[p.ImportPath] = cp.types
		if p.ForTest == "" && hasTestVariant[p.ImportPath] {
			continue // needed by others, reported through its test variant
		}
		out = append(out, cp)
	}
	return out
}

// isTestMain reports the generated main package of a test binary, whose
// only file lives in the build cache.
func isTestMain(p *listedPackage) bool {
	if !strings.HasSuffix(p.ImportPath, ".test") || p.Name != "main" {
		return false
	}
	for _, f := range p.CompiledGoFiles {
		if filepath.Base(f) != "_testmain.go" {
			return false
		}
	}
	return true
}

// importerFunc adapts a function to types.Importer.
type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func checkOne(fset *token.FileSet, p *listedPackage, exports types.Importer, checked map[string]*types.Package) *checkedPackage {
	cp := &checkedPackage{listed: p}
	names := p.CompiledGoFiles
	if len(names) == 0 {
		names = append(append([]string(nil), p.GoFiles...), p.CgoFiles...)
	}
	for _, name := range names {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.Dir, name)
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if f == nil && err != nil {
			continue
		}
		cp.files = append(cp.files, f)
	}
	imp := importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		if mapped, ok := p.ImportMap[path]; ok {
			path = mapped
		}
		if pkg, ok := checked[path]; ok {
			return pkg, nil
		}
		return exports.Import(path)
	})
	conf := types.Config{
		Importer: imp,
		Error:    func(error) {}, // keep going: partial information is still useful
	}
	cp.info = &types.Info{Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	cp.types, _ = conf.Check(basePath(p.ImportPath), fset, cp.files, cp.info)
	return cp
}
