// Package repro checks that a Go program builds bit for bit the same:
// it builds a package twice, in two copies of the module at different
// absolute paths with fresh build caches and temporary directories, or
// rebuilds a released binary with the settings recorded in it, and
// explains every difference (absolute paths, VCS stamping, -ldflags -X
// values, cgo, other build settings) down to the differing sections.
package repro

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

// Options are the inputs of Run.
type Options struct {
	// Dir is the module root to copy.
	Dir string
	// Package is the main package, as go build takes it ("." default).
	Package string
	// Target defaults to the host's go env GOOS/GOARCH.
	Target  *target.Target
	Environ []string
	// NoTrimpath builds without -trimpath.
	NoTrimpath bool
	LDFlags    string
	Tags       string
	// Cgo sets CGO_ENABLED when not empty.
	Cgo string
	// Against is a released binary to rebuild and compare with; its
	// recorded build settings (target, -trimpath, -ldflags, -tags,
	// CGO_ENABLED) are used unless LDFlagsSet/TagsSet override them.
	Against    string
	LDFlagsSet bool
	// TempDir is where the copies go (os.TempDir() when empty).
	TempDir string
}

// Build is one side of the comparison.
type Build struct {
	// Dir is the module copy the side was built in, empty for a
	// released file.
	Dir    string `json:"dir,omitempty"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Args is the go command line of a build.
	Args []string `json:"args,omitempty"`
}

// Cause kinds.
const (
	CausePaths    = "paths"
	CauseVCS      = "vcs"
	CauseLDFlags  = "ldflags"
	CauseCgo      = "cgo"
	CauseSettings = "settings"
	CauseBuildID  = "buildid"
)

// Cause is one explained reason for a difference.
type Cause struct {
	Kind     string   `json:"kind"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
}

// Result is the outcome of Run.
type Result struct {
	Reproducible bool          `json:"reproducible"`
	A            Build         `json:"a"`
	B            Build         `json:"b"`
	Causes       []Cause       `json:"causes,omitempty"`
	Sections     []SectionDiff `json:"sections,omitempty"`
}

// Run builds and compares. The error is for what stops the comparison
// (no module, a failed build); differences are in the Result.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Package == "" {
		opts.Package = "."
	}
	if strings.HasPrefix(opts.Package, "-") {
		return nil, fmt.Errorf("invalid package %q", opts.Package)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "go.mod")); err != nil {
		return nil, fmt.Errorf("%s is not a module root: %w", opts.Dir, err)
	}
	root, err := os.MkdirTemp(opts.TempDir, "goport-repro-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	gobin, err := goenv.LookPath("go", opts.Environ)
	if err != nil {
		return nil, err
	}
	var released []byte
	var relInfo *debug.BuildInfo
	if opts.Against != "" {
		if released, err = os.ReadFile(opts.Against); err != nil {
			return nil, fmt.Errorf("reading released binary: %w", err)
		}
		f, err := binfile.InspectReader(bytes.NewReader(released), int64(len(released)))
		if err != nil {
			return nil, fmt.Errorf("inspecting %s: %w", opts.Against, err)
		}
		if f.Go == nil {
			return nil, fmt.Errorf("%s has no Go build information to rebuild it from", opts.Against)
		}
		relInfo = f.Go
		opts = settingsFrom(opts, f)
	}
	// Two copies whose paths differ in length too, so that an embedded
	// path shifts offsets the way it does between two machines.
	sides := []string{filepath.Join(root, "a", "src"), filepath.Join(root, "b", "other-checkout", "src")}
	if opts.Against != "" {
		sides = sides[:1]
	}
	builds := make([]Build, len(sides))
	datas := make([][]byte, len(sides))
	g, gctx := errgroup.WithContext(ctx)
	for i, dir := range sides {
		g.Go(func() error {
			b, data, err := buildCopy(gctx, gobin, opts, root, dir)
			builds[i], datas[i] = b, data
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res := &Result{A: builds[0]}
	dataA, dataB := datas[0], released
	if opts.Against != "" {
		res.B = Build{Path: opts.Against, SHA256: sum(released), Size: int64(len(released))}
	} else {
		res.B, dataB = builds[1], datas[1]
	}
	res.Reproducible = bytes.Equal(dataA, dataB)
	if !res.Reproducible {
		explain(res, opts, dataA, dataB, relInfo)
	}
	return res, nil
}

// settingsFrom takes the build settings recorded in a released binary,
// keeping what the caller set explicitly.
func settingsFrom(opts Options, f *binfile.Facts) Options {
	if opts.Target == nil && f.Target != nil {
		t := *f.Target
		opts.Target = &t
	}
	if opts.Package == "." && f.Go.Path != "" {
		opts.Package = f.Go.Path
	}
	opts.NoTrimpath = f.Setting("-trimpath") != "true"
	if !opts.LDFlagsSet {
		opts.LDFlags = f.Setting("-ldflags")
	}
	if opts.Tags == "" {
		opts.Tags = f.Setting("-tags")
	}
	if opts.Cgo == "" {
		opts.Cgo = f.Setting("CGO_ENABLED")
	}
	return opts
}

func buildCopy(ctx context.Context, gobin string, opts Options, root, dir string) (Build, []byte, error) {
	if err := copyTree(opts.Dir, dir, root); err != nil {
		return Build{}, nil, fmt.Errorf("copying the module: %w", err)
	}
	base := filepath.Dir(dir)
	cache, tmp := filepath.Join(base, "gocache"), filepath.Join(base, "tmp")
	for _, d := range []string{cache, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return Build{}, nil, err
		}
	}
	out := filepath.Join(base, "out.bin")
	args := []string{"build", "-o", out}
	if !opts.NoTrimpath {
		args = append(args, "-trimpath")
	}
	if opts.LDFlags != "" {
		args = append(args, "-ldflags="+opts.LDFlags)
	}
	if opts.Tags != "" {
		args = append(args, "-tags="+opts.Tags)
	}
	args = append(args, "--", opts.Package)
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = dir
	cmd.Env = buildEnv(opts, cache, tmp)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		return Build{}, nil, fmt.Errorf("go build in %s: %w: %s", dir, err, firstLine(log.String()))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return Build{}, nil, err
	}
	return Build{Dir: dir, Path: out, SHA256: sum(data), Size: int64(len(data)), Args: append([]string{"go"}, args...)}, data, nil
}

// buildEnv is the caller's environment with a fresh GOCACHE and TMPDIR
// and the chosen target; GOFLAGS stays, since it is part of how the user
// builds.
func buildEnv(opts Options, cache, tmp string) []string {
	drop := map[string]bool{"GOCACHE": true, "TMPDIR": true, "GOTMPDIR": true, "PWD": true}
	if opts.Target != nil {
		drop["GOOS"], drop["GOARCH"] = true, true
		if v := target.VariantVar(opts.Target.GOARCH); v != "" {
			drop[v] = true
		}
	}
	if opts.Cgo != "" {
		drop["CGO_ENABLED"] = true
	}
	var env []string
	for _, kv := range opts.Environ {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "GOCACHE="+cache, "TMPDIR="+tmp, "GOTOOLCHAIN=local")
	if opts.Target != nil {
		env = append(env, opts.Target.Env()...)
	}
	if opts.Cgo != "" {
		env = append(env, "CGO_ENABLED="+opts.Cgo)
	}
	return env
}

// copyTree copies regular files, directories and symbolic links of src
// into dst, leaving out skip: the temporary directory may lie inside the
// module (TMPDIR below it), and copying it into itself never ends.
func copyTree(src, dst, skip string) error {
	skipAbs, _ := filepath.Abs(skip)
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if abs, _ := filepath.Abs(p); d.IsDir() && abs == skipAbs {
			return filepath.SkipDir
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			return os.WriteFile(to, data, info.Mode().Perm())
		}
		return nil
	})
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return strings.TrimSpace(s)
}
