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

// listPackages runs one `go list -e -json -deps -export -test ./...` in
// the module root. -export makes the go command compile (or take from its
// cache) the export data go/types needs; -test adds the test variants so
// _test.go files are type-checked too.
func listPackages(ctx context.Context, gobin, root string, environ []string) ([]*listedPackage, error) {
	cmd := goCommand(ctx, gobin, root, environ, "list", "-e", "-deps", "-export", "-test",
		"-json=Dir,ImportPath,Name,Export,Standard,DepOnly,ForTest,GoFiles,CgoFiles,CompiledGoFiles,ImportMap,Module,Error",
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
}

// typeCheck parses and type-checks the module's own packages against the
// export data of their dependencies. A test variant replaces the plain
// package (it has the same files plus the tests); the generated test
// mains are skipped. Type errors do not stop the analysis: what resolves
// is still used.
func typeCheck(fset *token.FileSet, pkgs []*listedPackage) []*checkedPackage {
	byPath := map[string]*listedPackage{}
	hasTestVariant := map[string]bool{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
		if p.ForTest != "" && p.ForTest == strings.Fields(p.ImportPath)[0] {
			hasTestVariant[p.ForTest] = true
		}
	}
	var out []*checkedPackage
	for _, p := range pkgs {
		if p.Module == nil || !p.Module.Main || p.Standard {
			continue
		}
		if p.ForTest == "" && hasTestVariant[p.ImportPath] {
			continue
		}
		if p.ForTest == "" && strings.HasSuffix(p.ImportPath, ".test") && p.Name == "main" && len(p.GoFiles) == 0 {
			continue
		}
		if isTestMain(p) {
			continue
		}
		out = append(out, checkOne(fset, p, byPath))
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

func checkOne(fset *token.FileSet, p *listedPackage, byPath map[string]*listedPackage) *checkedPackage {
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
	lookup := func(path string) (io.ReadCloser, error) {
		if mapped, ok := p.ImportMap[path]; ok {
			path = mapped
		}
		dep, ok := byPath[path]
		if !ok || dep.Export == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(dep.Export)
	}
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", lookup),
		Error:    func(error) {}, // keep going: partial information is still useful
	}
	cp.info = &types.Info{Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	_, _ = conf.Check(strings.Fields(p.ImportPath)[0], fset, cp.files, cp.info)
	return cp
}
