// Package clean removes what goport and the go command leave behind —
// matrix outputs, stray binaries built for other targets, per-target
// caches, the go command's caches — safely: only below the module root or
// a Go cache root, never through a symbolic link, never while a matrix
// holds the output lock, and atomically: each path is renamed into a trash
// directory on the same file system first and deleted from there, so an
// interrupted clean leaves the old path or nothing, and the next run
// empties the trash.
package clean

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

// TrashName is the trash directory kept inside each root clean works in.
const TrashName = ".goport-trash"

// ErrUnsafe marks a refusal to clean: the root is /, the home directory,
// not a module, or a path would leave the root or cross a symbolic link.
var ErrUnsafe = errors.New("refusing to clean")

// Options say what to clean.
type Options struct {
	// Root is the module root: the directory holding go.mod.
	Root    string
	Environ []string
	// GoEnv provides GOCACHE and GOMODCACHE.
	GoEnv *goenv.Env
	// OutDir is the matrix output directory, relative to Root or absolute.
	OutDir string
	// CacheRoot holds per-target caches (matrix --isolate-cache); ""
	// means goport-matrix next to GOCACHE, as matrix does.
	CacheRoot string
	// Outputs, Cache, ModCache and TestCache select what to clean.
	Outputs, Cache, ModCache, TestCache bool
	// Targets limits outputs, stray binaries and per-target caches to
	// these targets; empty means every target.
	Targets []target.Target
	// Ports is the toolchain's port list: only directories named after a
	// port are per-target caches.
	Ports []goenv.Port
	// Host is the platform whose binaries are not stray.
	Host   target.Target
	DryRun bool
	Now    func() time.Time
}

// Item is one thing removed (or that would be).
type Item struct {
	Path   string         `json:"path"`
	Kind   string         `json:"kind"`
	Bytes  int64          `json:"bytes"`
	Target *target.Target `json:"target,omitempty"`
}

// Result is what a clean did.
type Result struct {
	DryRun bool   `json:"dry_run"`
	Items  []Item `json:"items"`
	// Bytes is the total of Items (reclaimed, or reclaimable in a dry run).
	Bytes int64 `json:"bytes"`
	// Leftovers are trash directories of an interrupted earlier run that
	// were emptied first.
	Leftovers []string `json:"leftovers,omitempty"`
}

// Run cleans what opts asks for.
func Run(ctx context.Context, opts Options) (*Result, error) {
	root, err := checkRoot(opts.Root, opts.Environ)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	res := &Result{DryRun: opts.DryRun}
	c := &cleaner{opts: opts, res: res, stamp: opts.Now().UTC().Format("20060102T150405.000000000Z")}

	if opts.Outputs {
		if err := c.outputs(root); err != nil {
			return nil, err
		}
		cacheRoot := opts.CacheRoot
		if cacheRoot == "" && opts.GoEnv.Get("GOCACHE") != "" && opts.GoEnv.Get("GOCACHE") != "off" {
			cacheRoot = filepath.Join(filepath.Dir(opts.GoEnv.Get("GOCACHE")), "goport-matrix")
		}
		if cacheRoot != "" {
			if err := c.targetCaches(cacheRoot); err != nil {
				return nil, err
			}
		}
	}
	for _, gc := range []struct {
		on         bool
		flag, kind string
		dir        string
	}{
		{opts.Cache, "-cache", "go build cache", opts.GoEnv.Get("GOCACHE")},
		{opts.TestCache, "-testcache", "go test results", ""},
		{opts.ModCache, "-modcache", "module cache", opts.GoEnv.Get("GOMODCACHE")},
	} {
		if gc.on {
			if err := c.goClean(ctx, gc.flag, gc.kind, gc.dir); err != nil {
				return nil, err
			}
		}
	}
	if !opts.DryRun {
		// An empty trash is not left lying around; os.Remove keeps a
		// non-empty one (which the next run empties).
		for t := range c.emptied {
			_ = os.Remove(t)
		}
	}
	for _, it := range res.Items {
		res.Bytes += it.Bytes
	}
	return res, nil
}

// checkRoot returns the absolute root after refusing /, the home
// directory and directories without a go.mod file.
func checkRoot(dir string, environ []string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("%w: no module root given", ErrUnsafe)
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if filepath.Dir(root) == root {
		return "", fmt.Errorf("%w: %s is the file system root", ErrUnsafe, root)
	}
	for _, home := range homes(environ) {
		if sameDir(root, home) {
			return "", fmt.Errorf("%w: %s is the home directory", ErrUnsafe, root)
		}
		// A root above the home directory would sweep it for strays.
		if h, err := filepath.Abs(home); err == nil && within(root, h) == nil {
			return "", fmt.Errorf("%w: %s contains the home directory %s", ErrUnsafe, root, h)
		}
	}
	fi, err := os.Lstat(filepath.Join(root, "go.mod"))
	if err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%w: %s is not a module root (no go.mod file)", ErrUnsafe, root)
	}
	return root, nil
}

// homes are the home directories environ names: HOME, and USERPROFILE
// where Windows keeps it.
func homes(environ []string) []string {
	var out []string
	for _, k := range []string{"HOME", "USERPROFILE"} {
		if v, _ := goenv.Getenv(environ, k); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

type cleaner struct {
	opts  Options
	res   *Result
	stamp string
	seq   atomic.Int64
	// emptied records the trash directories already emptied this run.
	emptied map[string]bool
}

// within checks that p is below base and that no directory between them
// is a symbolic link, so that a rename of p cannot reach outside base. p
// itself may be a link: renaming a link moves the link, not its target.
func within(base, p string) error {
	rel, err := filepath.Rel(base, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("%w: %s is not inside %s", ErrUnsafe, p, base)
	}
	dir := base
	parts := strings.Split(rel, string(filepath.Separator))
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return fmt.Errorf("%w: %s is a symbolic link or not a directory", ErrUnsafe, dir)
		}
	}
	return nil
}

// trash returns base's trash directory, emptying what an interrupted run
// left there first. The trash must be a real directory: a symbolic link
// planted under that name would carry renames out of base.
func (c *cleaner) trash(base string) (string, error) {
	t := filepath.Join(base, TrashName)
	if c.emptied == nil {
		c.emptied = map[string]bool{}
	}
	if c.emptied[t] {
		return t, nil
	}
	fi, err := os.Lstat(t)
	switch {
	case err == nil && !fi.IsDir():
		return "", fmt.Errorf("%w: %s is a symbolic link or a file, not goport's trash directory", ErrUnsafe, t)
	case err == nil:
		if !c.opts.DryRun {
			// RemoveAll never follows symbolic links inside the trash.
			if err := os.RemoveAll(t); err != nil {
				return "", fmt.Errorf("emptying leftover trash: %w", err)
			}
		}
		c.res.Leftovers = append(c.res.Leftovers, t)
	case !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	c.emptied[t] = true
	return t, nil
}

// remove moves p (below base) into base's trash and deletes it there.
func (c *cleaner) remove(base, p, kind string, tg *target.Target) error {
	if err := within(base, p); err != nil {
		return err
	}
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	trash, err := c.trash(base)
	if err != nil {
		return err
	}
	it := Item{Path: p, Kind: kind, Bytes: size(p, fi), Target: tg}
	if c.opts.DryRun {
		c.res.Items = append(c.res.Items, it)
		return nil
	}
	if err := os.Mkdir(trash, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("creating trash: %w", err)
	}
	if fi, err := os.Lstat(trash); err != nil || !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUnsafe, trash)
	}
	dst := filepath.Join(trash, c.stamp+"-"+strconv.FormatInt(c.seq.Add(1), 10)+"-"+filepath.Base(p))
	if err := os.Rename(p, dst); err != nil {
		return fmt.Errorf("moving %s to the trash: %w", p, err)
	}
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("deleting %s: %w", dst, err)
	}
	c.res.Items = append(c.res.Items, it)
	return nil
}

// size adds up regular files below p without following links.
func size(p string, fi fs.FileInfo) int64 {
	if !fi.IsDir() {
		if fi.Mode().IsRegular() {
			return fi.Size()
		}
		return 0
	}
	var n int64
	_ = filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func (c *cleaner) outputs(root string) error {
	out := c.opts.OutDir
	if out == "" {
		out = "dist"
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	out = filepath.Clean(out)
	if err := within(root, out); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	// Empty what an interrupted run left, even when nothing else goes.
	if _, err := c.trash(root); err != nil {
		return err
	}
	if fi, err := os.Lstat(out); err == nil && fi.IsDir() {
		if why := sourceTree(out); why != "" {
			return fmt.Errorf("%w: output directory %s %s, so it is not build output", ErrUnsafe, out, why)
		}
		unlock, err := matrix.LockDir(out)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnsafe, err)
		}
		defer unlock()
		if len(c.opts.Targets) == 0 {
			if err := c.remove(root, out, "matrix output directory", nil); err != nil {
				return err
			}
		} else {
			for _, t := range c.opts.Targets {
				tt := t
				if err := c.remove(root, filepath.Join(out, t.DirName()), "matrix outputs", &tt); err != nil {
					return err
				}
			}
		}
	} else if err == nil {
		// A link or file under the output name: remove the name only.
		if err := c.remove(root, out, "output link", nil); err != nil {
			return err
		}
	}
	return c.strays(root, out)
}

// sourceTree says why dir looks like sources rather than build output
// (a go.mod, a .git or a Go file at its top), or "".
func sourceTree(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "cannot be read"
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "go.mod" || name == ".git":
			return "holds " + name
		case strings.HasSuffix(name, ".go"):
			return "holds the Go file " + name
		}
	}
	return ""
}

// strays removes Go binaries built for another platform than the host,
// found by reading each file's format and architecture, never by name.
func (c *cleaner) strays(root, out string) error {
	var found []Item
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // an unreadable corner is not ours to clean
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			name := d.Name()
			if p == out || strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" {
				return filepath.SkipDir
			}
			if fi, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil && fi.Mode().IsRegular() {
				return filepath.SkipDir // a nested module is not this module
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // links are never followed nor removed here
		}
		f, err := binfile.Inspect(p)
		if err != nil || f.Go == nil || f.GOOS == "" {
			return nil
		}
		t := target.Target{GOOS: f.GOOS, GOARCH: f.GOARCH}
		if t.GOOS == c.opts.Host.GOOS && t.GOARCH == c.opts.Host.GOARCH {
			return nil
		}
		if !c.wanted(t) {
			return nil
		}
		found = append(found, Item{Path: p, Kind: "stray binary for " + t.String(), Target: &t})
		return nil
	})
	if err != nil {
		return err
	}
	for _, it := range found {
		if err := c.remove(root, it.Path, it.Kind, it.Target); err != nil {
			return err
		}
	}
	return nil
}

func (c *cleaner) wanted(t target.Target) bool {
	if len(c.opts.Targets) == 0 {
		return true
	}
	for _, w := range c.opts.Targets {
		if w.GOOS == t.GOOS && w.GOARCH == t.GOARCH {
			return true
		}
	}
	return false
}

// targetCaches removes the per-target caches below cacheRoot: every one,
// or those of the wanted targets (with and without cgo).
func (c *cleaner) targetCaches(cacheRoot string) error {
	fi, err := os.Lstat(cacheRoot)
	if err != nil || !fi.IsDir() {
		return nil // absent, or a link this command will not follow
	}
	if err := checkCacheRoot(cacheRoot, c.opts.Environ); err != nil {
		return err
	}
	if _, err := c.trash(cacheRoot); err != nil {
		return err
	}
	entries, err := os.ReadDir(cacheRoot)
	if err != nil {
		return err
	}
	for _, e := range entries {
		// Only names matrix gives per-target caches: a mistaken
		// --cache-root loses nothing else.
		if !e.IsDir() || !c.isCacheName(e.Name()) {
			continue
		}
		if len(c.opts.Targets) > 0 && !c.cacheWanted(e.Name()) {
			continue
		}
		if err := c.remove(cacheRoot, filepath.Join(cacheRoot, e.Name()), "per-target cache", nil); err != nil {
			return err
		}
	}
	return nil
}

// cacheName matches matrix.CacheDir names: goos_goarch[_variant][_cgo].
var cacheName = regexp.MustCompile(`^([a-z0-9]+)_([a-z0-9]+)(_[A-Za-z0-9.-]+)?(_cgo)?$`)

// isCacheName reports whether name is a per-target cache of a port the
// toolchain has.
func (c *cleaner) isCacheName(name string) bool {
	m := cacheName.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	_, ok := goenv.FindPort(c.opts.Ports, m[1], m[2])
	return ok
}

// checkCacheRoot refuses a cache root that is /, the home directory or
// above it.
func checkCacheRoot(dir string, environ []string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if filepath.Dir(abs) == abs {
		return fmt.Errorf("%w: cache root %s is the file system root", ErrUnsafe, abs)
	}
	for _, home := range homes(environ) {
		if h, err := filepath.Abs(home); err == nil && (sameDir(abs, h) || within(abs, h) == nil) {
			return fmt.Errorf("%w: cache root %s is or contains the home directory", ErrUnsafe, abs)
		}
	}
	return nil
}

func (c *cleaner) cacheWanted(name string) bool {
	for _, t := range c.opts.Targets {
		if name == t.DirName() || name == t.DirName()+"_cgo" {
			return true
		}
	}
	return false
}

// goClean runs `go clean FLAG`, so that the go command's own cache
// locking applies; dir, when known, is measured before and after.
func (c *cleaner) goClean(ctx context.Context, flag, kind, dir string) error {
	before := dirSize(dir)
	path := dir
	if path == "" {
		path = "(go clean " + flag + ")"
	}
	if c.opts.DryRun {
		c.res.Items = append(c.res.Items, Item{Path: path, Kind: kind, Bytes: before})
		return nil
	}
	gobin := c.opts.GoEnv.GoBinary
	if gobin == "" {
		var err error
		if gobin, err = goenv.LookPath("go", c.opts.Environ); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, gobin, "clean", flag)
	cmd.Dir = c.opts.Root
	cmd.Env = append(append([]string(nil), c.opts.Environ...), "GOTOOLCHAIN=local")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go clean %s: %w: %s", flag, err, strings.TrimSpace(stderr.String()))
	}
	c.res.Items = append(c.res.Items, Item{Path: path, Kind: kind, Bytes: max(0, before-dirSize(dir))})
	return nil
}

func dirSize(dir string) int64 {
	if dir == "" || dir == "off" {
		return 0
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return 0
	}
	return size(dir, fi)
}
