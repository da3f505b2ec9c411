package doctor

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/sync/errgroup"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

// Options say what to examine.
type Options struct {
	// Dir is the directory to examine; the module is the one containing it.
	Dir string
	// Environ is the process environment (KEY=VALUE), os.Environ() for real.
	Environ []string
	// Host is the real machine; nil means detect it.
	Host *goenv.Host
	// Targets are the platforms the module ships to (from goport.yaml or
	// flags); checks that depend on targets use them. Empty means the
	// toolchain's first-class ports.
	Targets []target.Target
}

// Context is everything the checks read, gathered once by Gather.
type Context struct {
	// Dir is the absolute directory examined.
	Dir string
	// Root is the module root (the directory of go.mod), or Dir when there
	// is no module. Locations are reported relative to it.
	Root    string
	Environ []string
	Targets []target.Target
	Host    goenv.Host

	// Go is the go command's environment; nil when GoErr is set.
	Go    *goenv.Env
	GoErr error
	// EnvFile is the user's GOENV file (empty when absent), GorootEnv
	// $GOROOT/go.env (nil when GOROOT is unknown).
	EnvFile   *goenv.EnvFile
	GorootEnv *goenv.EnvFile

	// Mod is the main module's go.mod; nil when there is none.
	Mod *Module
	// Work is the go.work in effect; nil when there is none.
	Work *Workspace
	// VendorDir is Root/vendor when that directory exists.
	VendorDir string
	// VendorModules is the content of vendor/modules.txt, nil when absent.
	VendorModules []byte

	// Files are the module's Go sources, parsed with comments; vendor/,
	// testdata/, hidden and nested-module directories are skipped.
	Fset  *token.FileSet
	Files []*SourceFile
}

// Module is a parsed go.mod (or the failure to parse it).
type Module struct {
	Path string // absolute path of go.mod
	Data []byte
	// File is nil when the file does not parse; ParseErr then says why,
	// positioned like the go command's own message.
	File     *modfile.File
	ParseErr error
	// GoSum is the content of go.sum, nil when absent.
	GoSum []byte
}

// Workspace is a parsed go.work.
type Workspace struct {
	Path     string
	File     *modfile.WorkFile
	ParseErr error
}

// SourceFile is one parsed Go file.
type SourceFile struct {
	Path string // relative to Root, slash-separated
	Abs  string
	AST  *ast.File // may be partial when Err is set
	Err  error
}

// ErrNotDir is returned when Options.Dir is missing or not a directory; the
// error's text says which.
var ErrNotDir = errors.New("not a directory")

// notDirError says precisely what is wrong with a DIR argument.
type notDirError struct{ dir, why string }

func (e *notDirError) Error() string        { return e.dir + ": " + e.why }
func (e *notDirError) Is(target error) bool { return target == ErrNotDir }

// Setting is the effective value of a go environment variable and where it
// was set.
type Setting struct {
	Key, Value string
	// Source is "environment", the GOENV file path, "$GOROOT/go.env" or
	// "default".
	Source   string
	Location *finding.Location // set for file sources
}

// Evidence renders the setting as evidence for a finding.
func (s Setting) Evidence() finding.Evidence {
	text := s.Key + "=" + s.Value
	if s.Source == "environment" {
		text += " (environment)"
	}
	return finding.Evidence{Location: s.Location, Text: text}
}

// Setting returns the effective value of a go environment variable with the
// go command's precedence (cmd/go/internal/cfg.Getenv): a non-empty process
// environment value, then the GOENV file, then $GOROOT/go.env, then what
// `go env` reported as the default. An empty environment value counts as
// unset, as it does for the go command.
func (c *Context) Setting(key string) Setting {
	settings := goenv.Settings{Environ: c.Environ, EnvFile: c.EnvFile, GorootEnv: c.GorootEnv}
	switch v, source, line := settings.Lookup(key); source {
	case "":
		return Setting{Key: key, Value: c.Go.Get(key), Source: "default"}
	case "environment":
		return Setting{Key: key, Value: v, Source: source}
	default:
		return Setting{Key: key, Value: v, Source: source, Location: &finding.Location{Path: source, Line: line}}
	}
}

// Getenv returns a process environment variable.
func (c *Context) Getenv(key string) string {
	v, _ := goenv.Getenv(c.Environ, key)
	return v
}

// Rel returns path relative to the module root, slash-separated, when it
// is inside it; otherwise path unchanged.
func (c *Context) Rel(path string) string {
	if rel, err := filepath.Rel(c.Root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// Pos converts a token position in c.Fset to a Location.
func (c *Context) Pos(p token.Pos) *finding.Location {
	pos := c.Fset.Position(p)
	return &finding.Location{Path: c.Rel(pos.Filename), Line: pos.Line, Column: pos.Column}
}

// Gather reads everything the checks need. Its errors are for situations
// where no check can run: Dir missing (ErrNotDir) or files that exist but
// cannot be read.
func Gather(ctx context.Context, opts Options) (*Context, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &notDirError{opts.Dir, "no such directory"}
	case err != nil:
		return nil, fmt.Errorf("%s: %w", opts.Dir, err)
	case !fi.IsDir():
		return nil, &notDirError{opts.Dir, "not a directory"}
	}
	c := &Context{Dir: dir, Root: dir, Environ: opts.Environ, Targets: opts.Targets, Fset: token.NewFileSet()}
	if opts.Host != nil {
		c.Host = *opts.Host
	} else {
		c.Host = goenv.DetectHost()
	}

	c.Go, c.GoErr = goenv.Load(ctx, dir, opts.Environ)
	if err := c.loadEnvFiles(); err != nil {
		return nil, err
	}
	if err := c.loadModule(); err != nil {
		return nil, err
	}
	if err := c.loadWork(); err != nil {
		return nil, err
	}
	if err := c.loadSources(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Context) loadEnvFiles() error {
	settings, err := goenv.LoadSettings(c.Environ, c.Go)
	if err != nil {
		return err
	}
	c.EnvFile, c.GorootEnv = settings.EnvFile, settings.GorootEnv
	return nil
}

// loadModule finds go.mod the way the go command does: in Dir or the
// nearest parent.
func (c *Context) loadModule() error {
	gomod := findUp(c.Dir, "go.mod")
	if gomod == "" {
		return nil
	}
	c.Root = filepath.Dir(gomod)
	data, err := os.ReadFile(gomod)
	if err != nil {
		return fmt.Errorf("reading go.mod: %w", err)
	}
	m := &Module{Path: gomod, Data: data}
	m.File, m.ParseErr = modfile.Parse(c.Rel(gomod), data, nil)
	if m.ParseErr != nil {
		m.File = nil
	}
	if sum, err := os.ReadFile(filepath.Join(c.Root, "go.sum")); err == nil {
		m.GoSum = sum
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading go.sum: %w", err)
	}
	c.Mod = m

	vendor := filepath.Join(c.Root, "vendor")
	if fi, err := os.Stat(vendor); err == nil && fi.IsDir() {
		c.VendorDir = vendor
		data, err := os.ReadFile(filepath.Join(vendor, "modules.txt"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reading vendor/modules.txt: %w", err)
		}
		c.VendorModules = data
	}
	return nil
}

// loadWork finds go.work as the go command does: GOWORK=off disables it, an
// explicit GOWORK names it, otherwise the nearest go.work upward from Dir.
func (c *Context) loadWork() error {
	path := ""
	switch v, ok := goenv.Getenv(c.Environ, "GOWORK"); {
	case ok && v == "off":
		return nil
	case ok && v != "":
		path = v
	default:
		path = findUp(c.Dir, "go.work")
	}
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading go.work: %w", err)
	}
	w := &Workspace{Path: path}
	w.File, w.ParseErr = modfile.ParseWork(c.Rel(path), data, nil)
	if w.ParseErr != nil {
		w.File = nil
	}
	c.Work = w
	return nil
}

func findUp(dir, name string) string {
	for {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// loadSources parses every Go file of the module in parallel.
func (c *Context) loadSources(ctx context.Context) error {
	var paths []string
	err := filepath.WalkDir(c.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == c.Root {
				return err
			}
			return fmt.Errorf("reading %s: %w", c.Rel(path), err)
		}
		if d.IsDir() {
			if path == c.Root {
				return nil
			}
			name := d.Name()
			if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a nested module is not part of this one
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".go") && d.Type().IsRegular() {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Files = make([]*SourceFile, len(paths))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, path := range paths {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("reading %s: %w", c.Rel(path), err)
			}
			f, perr := parser.ParseFile(c.Fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
			c.Files[i] = &SourceFile{Path: c.Rel(path), Abs: path, AST: f, Err: perr}
			return nil
		})
	}
	return g.Wait()
}
