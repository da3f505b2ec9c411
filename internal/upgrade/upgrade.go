// Package upgrade reports what changes for a module when its go line (and
// the toolchain building it) moves to a newer Go: GODEBUG defaults the
// main module's go line selects, loop-variable semantics, linker and go
// command changes, platform support and deprecated APIs. Facts come from
// the installed toolchain (its GODEBUG table, its compiler, its go
// command), never from a copied list.
package upgrade

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/sync/errgroup"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

// Options say what to analyse.
type Options struct {
	// Dir is a directory inside the module.
	Dir string
	// To is the Go version to upgrade to ("1.24", "go1.24.3"); empty means
	// the installed toolchain's.
	To string
	// Environ is the process environment (KEY=VALUE).
	Environ []string
	// Loops runs the compiler-backed loop-variable analysis (one build).
	Loops bool
	// Vet runs go vet at both go lines and reports new diagnostics.
	Vet bool
	// Targets are the platforms the module ships to; platform changes are
	// reported only for them.
	Targets []target.Target
}

// Usage errors: the caller passed something unusable.
var (
	ErrNotDir   = errors.New("not a directory")
	ErrNoModule = errors.New("no go.mod found")
	ErrVersion  = errors.New("invalid --to version")
)

// Facts summarise the upgrade for the report.
type Facts struct {
	Module    string `json:"module"`
	Root      string `json:"root"`
	From      string `json:"from"` // go line now (go.work's in workspace mode)
	To        string `json:"to"`
	Toolchain string `json:"toolchain"` // installed go version
	// GodebugFrom and GodebugTo are the DefaultGODEBUG strings main
	// packages get before and after (before pins are applied).
	GodebugFrom string `json:"godebug_from"`
	GodebugTo   string `json:"godebug_to"`
	// Settings lists every GODEBUG setting whose default flips between
	// the two go lines, whether the module uses what it governs or not.
	Settings []SettingChange `json:"settings,omitempty"`
	// Keep is the go.mod godebug block that keeps the old default of every
	// reported setting.
	Keep []string `json:"keep,omitempty"`
	// Loops says whether the compiler-backed loop analysis ran.
	Loops bool `json:"loops"`
	// Vet says whether go vet ran at both go lines; VetSkipped says why
	// it could not complete.
	Vet        bool   `json:"vet"`
	VetSkipped string `json:"vet_skipped,omitempty"`
	// Applied is set by Apply.
	Applied *Applied `json:"applied,omitempty"`

	goBinary string // the go command that was analysed with, for Apply
}

// SettingChange is one GODEBUG setting whose default flips.
type SettingChange struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	Changed int    `json:"changed"`
	Old     string `json:"old"`
	Used    bool   `json:"used"`   // the module uses what it governs: reported
	Pinned  bool   `json:"pinned"` // a godebug or //go:debug line already keeps it
}

// Result is the outcome of Analyze.
type Result struct {
	Facts    *Facts
	Findings []finding.Finding
}

// analysis is the state shared by the checks of one run.
type analysis struct {
	opts      Options
	env       *goenv.Env
	root      string
	gomodPath string
	modData   []byte
	mod       *modfile.File
	work      *modfile.WorkFile
	workPath  string
	from, to  int // minor versions
	installed int
	table     *Table
	fset      *token.FileSet
	listed    []*listedPackage
	checked   []*checkedPackage
	uses      *uses
	facts     *Facts
	findings  []finding.Finding
}

// Analyze reads the module containing opts.Dir and reports what changes
// when it moves to opts.To.
func Analyze(ctx context.Context, opts Options) (*Result, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", opts.Dir, ErrNotDir)
	}
	a := &analysis{opts: opts, fset: token.NewFileSet()}
	if a.env, err = goenv.Load(ctx, dir, opts.Environ); err != nil {
		return nil, err
	}
	if err := a.loadModule(); err != nil {
		return nil, err
	}
	version, _, _ := strings.Cut(a.env.Version(), " ") // "go1.26.8" or "go1.27-devel_abc Tue…"
	if a.installed, err = minorOf(strings.SplitN(version, "-", 2)[0]); err != nil {
		return nil, fmt.Errorf("installed toolchain: %w", err)
	}
	a.to = a.installed
	if opts.To != "" {
		if a.to, err = minorOf(opts.To); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrVersion, err)
		}
		if a.to > a.installed {
			return nil, fmt.Errorf("%w: go1.%d is newer than the installed %s, whose tables stop at its own release", ErrVersion, a.to, a.env.Version())
		}
	}
	if a.to < a.from {
		return nil, fmt.Errorf("%w: go1.%d is older than the go line (go %s); goport upgrade only looks forward", ErrVersion, a.to, goLine(a.from))
	}
	if a.table, err = LoadTable(a.env.Get("GOROOT")); err != nil {
		return nil, err
	}
	a.facts = &Facts{
		Module: a.mod.Module.Mod.Path, Root: a.root,
		From: goLine(a.from), To: goLine(a.to), Toolchain: a.env.Version(),
		GodebugFrom: FormatDefaults(a.table.Defaults(a.from)),
		GodebugTo:   FormatDefaults(a.table.Defaults(a.to)),
		Loops:       opts.Loops,
		Vet:         opts.Vet,
		goBinary:    a.env.GoBinary,
	}
	// go.mod's godebug lines are checked first: an unknown key makes every
	// go command fail, and that finding is the report then.
	a.checkGodebugLines()
	if a.listed, err = listPackages(ctx, a.env.GoBinary, a.root, opts.Environ); err != nil {
		if len(a.findings) > 0 {
			return &Result{Facts: a.facts, Findings: a.findings}, nil
		}
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	if err := exportData(ctx, a.env.GoBinary, a.root, opts.Environ, a.listed); err != nil {
		return nil, fmt.Errorf("loading dependencies: %w", err)
	}
	a.checked = typeCheck(a.fset, a.listed)
	a.uses = collectUses(a.fset, a.rel, a.checked)

	a.checkGodebugFlips()
	a.checkDirectives()
	if err := a.checkLinknames(); err != nil {
		return nil, err
	}
	if err := a.runCompilerChecks(ctx); err != nil {
		return nil, err
	}
	a.checkGoMod()
	a.checkBuildVCS(ctx)
	a.checkPlatforms()
	if err := a.checkDeprecated(); err != nil {
		return nil, err
	}
	return &Result{Facts: a.facts, Findings: a.findings}, nil
}

// loadModule reads the main module's go.mod, and go.work in workspace
// mode: the go line that selects GODEBUG defaults is go.work's then.
func (a *analysis) loadModule() error {
	gomod := a.env.Get("GOMOD")
	if gomod == "" || gomod == os.DevNull {
		return ErrNoModule
	}
	a.gomodPath = gomod
	a.root = filepath.Dir(gomod)
	data, err := os.ReadFile(gomod)
	if err != nil {
		return fmt.Errorf("reading go.mod: %w", err)
	}
	a.modData = data
	if a.mod, err = modfile.Parse(gomod, data, nil); err != nil {
		return fmt.Errorf("parsing go.mod: %w", err)
	}
	if a.mod.Module == nil {
		return fmt.Errorf("%s: no module line", gomod)
	}
	a.from = 16 // the go command's default for a go.mod without a go line
	if a.mod.Go != nil {
		if a.from, err = minorOf(a.mod.Go.Version); err != nil {
			return fmt.Errorf("go.mod: %w", err)
		}
	}
	if work := a.env.Get("GOWORK"); work != "" && work != "off" {
		data, err := os.ReadFile(work)
		if err != nil {
			return fmt.Errorf("reading go.work: %w", err)
		}
		if a.work, err = modfile.ParseWork(work, data, nil); err != nil {
			return fmt.Errorf("parsing go.work: %w", err)
		}
		a.workPath = work
		a.from = 18 // a go.work without a go line means 1.18
		if a.work.Go != nil {
			if a.from, err = minorOf(a.work.Go.Version); err != nil {
				return fmt.Errorf("go.work: %w", err)
			}
		}
	}
	return nil
}

// rel returns path relative to the module root when inside it.
func (a *analysis) rel(path string) string {
	if r, err := filepath.Rel(a.root, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

func (a *analysis) add(f finding.Finding) {
	if f.Severity == 0 {
		f.Severity = ruleByID(f.Rule).Severity
	}
	a.findings = append(a.findings, f)
}

// godebugFileLines returns the godebug lines in effect: go.work's in
// workspace mode (the modules' own are then ignored), else go.mod's.
func (a *analysis) godebugFileLines() (path string, lines []*modfile.Godebug) {
	if a.work != nil {
		return a.workPath, a.work.Godebug
	}
	return a.gomodPath, a.mod.Godebug
}

// runCompilerChecks runs the analyses that compile (the loop report and go
// vet at both go lines) concurrently: each is a go command of its own, and
// they share the build cache safely. Their findings are added in a fixed
// order.
func (a *analysis) runCompilerChecks(ctx context.Context) error {
	var loops, vet []finding.Finding
	var vetSkipped string
	g, gctx := errgroup.WithContext(ctx)
	if a.opts.Loops && a.from < 22 && a.to >= 22 {
		g.Go(func() error {
			var err error
			loops, err = a.checkLoops(gctx)
			return err
		})
	}
	if a.opts.Vet {
		g.Go(func() error {
			var err error
			vet, vetSkipped, err = a.checkVet(gctx)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, f := range append(loops, vet...) {
		a.add(f)
	}
	a.facts.VetSkipped = vetSkipped
	return nil
}
