// Package matrix builds a module's main packages for many targets with the
// go command: it plans package × target pairs (which exist for a target,
// which need cgo and which C compiler), runs the builds in parallel with
// each child in its own process group and atomic output files, verifies
// every output with binfile, optionally runs it, and reports the result.
package matrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

// CgoMode says when builds enable cgo.
type CgoMode string

const (
	// CgoAuto enables cgo only for pairs whose packages need it.
	CgoAuto CgoMode = "auto"
	// CgoOn enables cgo for every target that supports it.
	CgoOn CgoMode = "on"
	// CgoOff disables cgo everywhere.
	CgoOff CgoMode = "off"
)

// ParseCgoMode reads auto, on or off.
func ParseCgoMode(s string) (CgoMode, error) {
	switch m := CgoMode(strings.ToLower(s)); m {
	case CgoAuto, CgoOn, CgoOff:
		return m, nil
	}
	return "", fmt.Errorf("invalid cgo mode %q: want auto, on or off", s)
}

// Pair is one main package built for one target.
type Pair struct {
	Package string        `json:"package"`
	Name    string        `json:"name"`
	Target  target.Target `json:"target"`
	Cgo     bool          `json:"cgo"`
	// Compiler is the C compiler for cgo pairs.
	Compiler *cross.Compiler `json:"compiler,omitempty"`
	// Skip is why the pair is not built (the package does not exist for
	// the target); Fail is why it fails without building (no C compiler).
	Skip string `json:"skip,omitempty"`
	Fail string `json:"fail,omitempty"`
	// FailRule is the rule of Fail and FailFix its concrete remedy.
	FailRule string `json:"-"`
	FailFix  string `json:"-"`
}

// Plan is the ordered list of pairs of one matrix run.
type Plan struct {
	Pairs []Pair
}

// PlanOptions are the inputs of MakePlan.
type PlanOptions struct {
	Dir      string
	Patterns []string
	Targets  []target.Target
	Cgo      CgoMode
	Tags     string
	Jobs     int
	Environ  []string
	// Ports is the toolchain's port list, for cgo support.
	Ports []goenv.Port
	// Cross finds C compilers for cgo pairs.
	Cross *cross.Inventory
	// Compilers are configured compilers per target; they win over
	// discovery.
	Compilers map[target.Target]*cross.Compiler
	Shard     target.Shard
}

// listed is one package as `go list -json` prints it.
type listed struct {
	ImportPath string
	Name       string
	Standard   bool
	DepOnly    bool
	GoFiles    []string
	CgoFiles   []string
	Deps       []string
	Error      *struct{ Err string }
}

// MakePlan lists the packages for every target (one `go list -deps` per
// target, in parallel; without cgo, one listing judged per target by
// listOnce where that is exact) and pairs every main package with every
// target.
// Pairs whose package does not exist for a target are kept, with the
// reason, so that nothing is silently dropped.
func MakePlan(ctx context.Context, opts PlanOptions) (*Plan, error) {
	if len(opts.Patterns) == 0 {
		opts.Patterns = []string{"./..."}
	}
	for _, p := range opts.Patterns {
		if strings.HasPrefix(p, "-") {
			return nil, fmt.Errorf("invalid package pattern %q", p)
		}
	}
	perTarget, once, err := listOnce(ctx, opts)
	if err != nil {
		return nil, err
	}
	if !once {
		if perTarget, err = listPerTarget(ctx, opts); err != nil {
			return nil, err
		}
	}
	return planFrom(opts, perTarget)
}

// listPerTarget runs one listing per target, in parallel.
func listPerTarget(ctx context.Context, opts PlanOptions) ([]map[string]*listed, error) {
	perTarget := make([]map[string]*listed, len(opts.Targets))
	g, gctx := errgroup.WithContext(ctx)
	// A listing spends most of its time starting up and reading files,
	// little on the CPU: running more of them than -j at once shortens
	// the planning that every build waits for.
	g.SetLimit(max(8, 4*opts.Jobs))
	for i, t := range opts.Targets {
		g.Go(func() error {
			pkgs, err := list(gctx, opts, t)
			if err != nil {
				return fmt.Errorf("listing packages for %s: %w", t, err)
			}
			perTarget[i] = pkgs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return perTarget, nil
}

// planFrom pairs every main package of the listings with every target.
func planFrom(opts PlanOptions, perTarget []map[string]*listed) (*Plan, error) {
	mains := map[string]bool{}
	for _, pkgs := range perTarget {
		for _, p := range pkgs {
			// A directory of tests alone is no program, whatever its
			// package clause says.
			if !p.DepOnly && p.Name == "main" && (len(p.GoFiles)+len(p.CgoFiles) > 0 || p.Error != nil) {
				mains[p.ImportPath] = true
			}
		}
	}
	if len(mains) == 0 {
		return nil, fmt.Errorf("no main package matches %s for any target", strings.Join(opts.Patterns, " "))
	}
	names := map[string]string{}
	for _, pkg := range slices.Sorted(maps.Keys(mains)) {
		n := ExecName(pkg)
		if other, dup := names[n]; dup {
			return nil, fmt.Errorf("main packages %s and %s would both write %s: build them in separate runs", other, pkg, n)
		}
		names[n] = pkg
	}
	plan := &Plan{}
	for i, t := range opts.Targets {
		for _, pkg := range slices.Sorted(maps.Keys(mains)) {
			plan.Pairs = append(plan.Pairs, makePair(opts, t, pkg, perTarget[i]))
		}
	}
	slices.SortStableFunc(plan.Pairs, func(a, b Pair) int {
		if c := target.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		return strings.Compare(a.Package, b.Package)
	})
	var mine []Pair
	for i, p := range plan.Pairs {
		if opts.Shard.Owns(i) {
			mine = append(mine, p)
		}
	}
	plan.Pairs = mine
	return plan, nil
}

func makePair(opts PlanOptions, t target.Target, pkg string, pkgs map[string]*listed) Pair {
	pr := Pair{Package: pkg, Name: ExecName(pkg), Target: t}
	p := pkgs[pkg]
	switch {
	case p == nil:
		pr.Skip = "no Go files for " + t.String() + " (build constraints exclude the package)"
		return pr
	case excluded(p):
		pr.Skip = "no Go files for " + t.String() + " (build constraints exclude the package)"
		return pr
	}
	port, _ := goenv.FindPort(opts.Ports, t.GOOS, t.GOARCH)
	// Ports that always link externally need cgo even for pure Go.
	cgoUser := cgoUser(p, pkgs)
	needs := cgoUser != "" || cross.MustLinkExternal(t.GOOS, t.GOARCH)
	switch opts.Cgo {
	case CgoOff:
		return pr
	case CgoOn:
		pr.Cgo = port.CgoSupported
	case CgoAuto:
		pr.Cgo = needs
	}
	if needs && !port.CgoSupported {
		pr.Fail = fmt.Sprintf("%s uses cgo, which %s does not support", pkg, t)
		pr.FailRule = RuleNoCgo.ID
		pr.Cgo = false
		return pr
	}
	if !pr.Cgo {
		return pr
	}
	if c := opts.Compilers[t]; c != nil {
		pr.Compiler = c
	} else if opts.Cross != nil {
		pr.Compiler = opts.Cross.Compiler(t)
	}
	if pr.Compiler == nil {
		pr.Fail = fmt.Sprintf("needs a C cross compiler for %s (%s)", t, cross.MissingCompilerHint(t))
		fallback := pkg
		if cgoUser != "" && cgoUser != pkg {
			// Name the dependency: it is the one that may have a
			// pure-Go fallback, and it is not what the user builds.
			pr.Fail += fmt.Sprintf(": its dependency %s has cgo files", cgoUser)
			fallback = cgoUser
		}
		pr.FailRule = RuleNoCompiler.ID
		pr.FailFix = fmt.Sprintf("Install a C compiler for %s (%s) and put it on PATH, set CC for the target in goport.yaml, or build with --cgo off if %s has a pure-Go fallback.", t, cross.MissingCompilerHint(t), fallback)
	}
	return pr
}

// excluded reports whether build constraints exclude all of p's files.
func excluded(p *listed) bool {
	return p.Error != nil && strings.Contains(p.Error.Err, "build constraints exclude all Go files")
}

// cgoUser names p, or else its first non-standard dependency, when it has
// cgo files; "" when none has. Standard packages (net, os/user) fall back
// to pure Go without cgo.
func cgoUser(p *listed, pkgs map[string]*listed) string {
	if len(p.CgoFiles) > 0 {
		return p.ImportPath
	}
	for _, d := range p.Deps {
		if dp := pkgs[d]; dp != nil && !dp.Standard && len(dp.CgoFiles) > 0 {
			return dp.ImportPath
		}
	}
	return ""
}

// list runs `go list -e -deps -json` for one target. cgo is enabled for
// the listing unless the run forbids it, even on targets without cgo, so
// that a cgo package shows up as needing cgo there instead of vanishing
// behind the implicit "cgo" build constraint. Without cgo, which packages
// use it does not matter: -find lists the patterns alone without loading
// their imports, in a third of the time of -deps for goport itself.
func list(ctx context.Context, opts PlanOptions, t target.Target) (map[string]*listed, error) {
	cgo := "1"
	args := []string{"-deps", "-json=ImportPath,Name,Standard,DepOnly,GoFiles,CgoFiles,Deps,Error"}
	if opts.Cgo == CgoOff {
		cgo = "0"
		args = []string{"-find", "-json=ImportPath,Name,DepOnly,GoFiles,Error"}
	}
	out, err := goList(ctx, opts, append(t.Env(), "CGO_ENABLED="+cgo), args)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]*listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list output: %w", err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs, nil
}

// goList runs `go list -e` with args, the run's -tags and patterns, in
// the run's environment plus env, with the installed toolchain.
func goList(ctx context.Context, opts PlanOptions, env, args []string) ([]byte, error) {
	args = append([]string{"list", "-e"}, args...)
	if opts.Tags != "" {
		args = append(args, "-tags", opts.Tags)
	}
	args = append(args, "--")
	args = append(args, opts.Patterns...)
	gobin, err := goenv.LookPath("go", opts.Environ)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = opts.Dir
	cmd.Env = append(append(append([]string(nil), opts.Environ...), env...), "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, firstLine(stderr.String()))
	}
	return stdout.Bytes(), nil
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// ExecName is the file name the go command gives a main package's binary:
// the last import path element, or the one before a major-version suffix
// (example.com/cmd/tool/v2 → tool).
func ExecName(importPath string) string {
	elem := path.Base(importPath)
	if majorVersion.MatchString(elem) {
		if d := path.Dir(importPath); d != "." && d != "/" {
			return path.Base(d)
		}
	}
	return elem
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
