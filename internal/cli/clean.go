package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/clean"
	"github.com/goport/goport/internal/config"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

type cleanOptions struct {
	outputs, cache, modcache, testcache, dryRun bool
	targets                                     []string
	out, cacheRoot, format                      string
}

func newCleanCmd(s *Streams) *cobra.Command {
	opts := &cleanOptions{}
	cmd := &cobra.Command{
		Use:   "clean [--outputs] [--cache] [--modcache] [--testcache] [--target T]... [--dry-run]",
		Short: "Remove matrix outputs, stray binaries for other targets and Go caches, safely",
		Long: `Clean removes what builds leave behind in the current module:

  --outputs    the matrix output directory (--out, goport.yaml or dist), Go
               binaries anywhere in the module built for another platform
               than this host (found by reading each file's format and
               architecture, never by name), and matrix's per-target caches
  --cache      go clean -cache      (through the go command and its locking)
  --modcache   go clean -modcache
  --testcache  go clean -testcache

--target limits outputs, stray binaries and per-target caches to targets.
Every path is first renamed into a trash directory on the same file system,
then deleted; what an interrupted run left in the trash goes first. Clean
never follows symbolic links, never removes anything outside the module
root or the Go cache roots, and refuses to run at /, in the home directory,
outside a module, or while a matrix holds the output directory's lock.`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runClean(cmd, s, opts)
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&opts.outputs, "outputs", false, "remove matrix outputs, stray binaries for other targets and per-target caches")
	f.BoolVar(&opts.cache, "cache", false, "run go clean -cache")
	f.BoolVar(&opts.modcache, "modcache", false, "run go clean -modcache")
	f.BoolVar(&opts.testcache, "testcache", false, "run go clean -testcache")
	f.StringArrayVar(&opts.targets, "target", nil, "only outputs for this target, goos/goarch[/variant] (repeatable)")
	f.BoolVar(&opts.dryRun, "dry-run", false, "list what would be removed and its size; remove nothing")
	f.StringVar(&opts.out, "out", "", "matrix output directory (default: goport.yaml's matrix.out, else dist)")
	f.StringVar(&opts.cacheRoot, "cache-root", "", "root of matrix's per-target caches (default: goport-matrix next to GOCACHE)")
	f.StringVar(&opts.format, "format", "text", "output format: text or json")
	return cmd
}

func runClean(cmd *cobra.Command, s *Streams, opts *cleanOptions) error {
	if !opts.outputs && !opts.cache && !opts.modcache && !opts.testcache {
		return usageError(cmd, "nothing to clean: pass --outputs, --cache, --modcache or --testcache")
	}
	if opts.format != "text" && opts.format != "json" {
		return usageError(cmd, "invalid format %q: want text or json", opts.format)
	}
	var targets []target.Target
	for _, spec := range opts.targets {
		ts, err := target.ParseList(spec)
		if err != nil {
			return usageError(cmd, "%v", err)
		}
		targets = append(targets, ts...)
	}
	env, err := goenv.Load(cmd.Context(), ".", s.Environ)
	if err != nil {
		return incomplete(cmd, fmt.Errorf("go env: %w", err))
	}
	// Outside a module clean refuses the current directory itself.
	root := goModRoot(env)
	out := opts.out
	if out == "" {
		out = "dist"
		if c, err := config.Load(root); err != nil {
			return incomplete(cmd, err)
		} else if c.Matrix.Out != "" {
			out = c.Matrix.Out
		}
	}
	var ports []goenv.Port
	if opts.outputs {
		if ports, err = goenv.DistList(cmd.Context(), append(slices.Clone(s.Environ), "GOFLAGS=", "GOENV=off")); err != nil {
			return incomplete(cmd, fmt.Errorf("go tool dist list: %w", err))
		}
	}
	res, err := clean.Run(cmd.Context(), clean.Options{Ports: ports,
		Root: root, Environ: s.Environ, GoEnv: env, OutDir: out, CacheRoot: opts.cacheRoot,
		Outputs: opts.outputs, Cache: opts.cache, ModCache: opts.modcache, TestCache: opts.testcache,
		Targets: targets, Host: target.Target{GOOS: env.Get("GOHOSTOS"), GOARCH: env.Get("GOHOSTARCH")},
		DryRun: opts.dryRun, Now: s.Now,
	})
	if err != nil {
		// Refusals (unsafe root, held matrix lock) and I/O failures alike
		// mean the clean could not be done: exit 3 with the reason.
		return incomplete(cmd, err)
	}
	if opts.format == "json" {
		return writeJSONValue(s, res)
	}
	abs, _ := filepath.Abs(root)
	verb, total := "removed", "reclaimed"
	if res.DryRun {
		verb, total = "would remove", "would reclaim"
	}
	for _, l := range res.Leftovers {
		if res.DryRun {
			fmt.Fprintf(s.Out, "would empty leftover trash %s\n", relOr(abs, l))
		} else {
			fmt.Fprintf(s.Out, "emptied leftover trash %s\n", relOr(abs, l))
		}
	}
	for _, it := range res.Items {
		fmt.Fprintf(s.Out, "%s %s (%s, %s)\n", verb, relOr(abs, it.Path), it.Kind, humanBytes(it.Bytes))
	}
	fmt.Fprintf(s.Out, "%s %s (%d bytes)\n", total, humanBytes(res.Bytes), res.Bytes)
	return nil
}

func relOr(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
