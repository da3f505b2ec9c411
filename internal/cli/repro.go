package cli

import (
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/repro"
	"github.com/goport/goport/internal/target"
)

func newReproCmd(s *Streams) *cobra.Command {
	var rf reportFlags
	var tgt, against, ldflags, tags, cgo string
	var noTrimpath bool
	cmd := &cobra.Command{
		Use:   "repro [PACKAGE]",
		Short: "Build a package twice (or rebuild a released binary) and explain any difference",
		Long: `Repro copies the module to two temporary directories at different absolute
paths and builds PACKAGE (default .) in each with its own fresh GOCACHE and
TMPDIR. It prints "reproducible" with the SHA-256, or NOT reproducible with
the causes it finds — absolute paths (missing -trimpath), VCS stamping,
-ldflags -X values, cgo, other build settings, the build ID — and the
ELF/Mach-O/PE sections that differ.

--against FILE rebuilds a released binary with the settings recorded in
it and compares the result with FILE. A -trimpath build does not record
its -ldflags, so pass them with --ldflags.

Exit 1 when the builds differ.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			format, failOn, err := rf.parsed(cmd)
			if err != nil {
				return err
			}
			opts := repro.Options{Environ: s.Environ, NoTrimpath: noTrimpath, LDFlags: ldflags, LDFlagsSet: cmd.Flags().Changed("ldflags"), Tags: tags, Against: against}
			if len(args) == 1 {
				opts.Package = args[0]
			}
			if tgt != "" {
				t, err := target.Parse(tgt)
				if err != nil {
					return usageError(cmd, "%v", err)
				}
				opts.Target = &t
			}
			switch cgo {
			case "":
			case "on", "1":
				opts.Cgo = "1"
			case "off", "0":
				opts.Cgo = "0"
			default:
				return usageError(cmd, "invalid --cgo %q: want on or off", cgo)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			env, err := goenv.Load(ctx, ".", s.Environ)
			if err != nil {
				return err
			}
			if opts.Target != nil {
				ports, err := goenv.DistList(ctx, s.Environ)
				if err != nil {
					return err
				}
				if _, ok := goenv.FindPort(ports, opts.Target.GOOS, opts.Target.GOARCH); !ok {
					return usageError(cmd, "unknown target %s: 'goport targets' lists this toolchain's ports", opts.Target)
				}
			}
			gomod := env.Get("GOMOD")
			if gomod == "" || gomod == os.DevNull {
				return usageError(cmd, "not inside a module: run repro in a module directory")
			}
			opts.Dir = filepath.Dir(gomod)
			if wd, err := os.Getwd(); err == nil && opts.Package == "" {
				if rel, err := filepath.Rel(opts.Dir, wd); err == nil && rel != "." {
					opts.Package = "./" + filepath.ToSlash(rel)
				}
			}
			res, err := repro.Run(ctx, opts)
			if err != nil {
				return err
			}
			if err := emit(cmd, s, &finding.Report{Findings: res.Findings(), Rules: repro.Rules(), Facts: res}, format, failOn); err != nil {
				return err
			}
			if !res.Reproducible {
				return errFindings
			}
			return nil
		}),
	}
	rf.register(cmd)
	f := cmd.Flags()
	f.StringVar(&tgt, "target", "", "target to build for, goos/goarch[/variant] (default: the host)")
	f.StringVar(&against, "against", "", "released binary to rebuild and compare with")
	f.StringVar(&ldflags, "ldflags", "", "flags for the linker, as go build -ldflags")
	f.StringVar(&tags, "tags", "", "build tags, as go build -tags")
	f.StringVar(&cgo, "cgo", "", "set CGO_ENABLED: on or off (default: the environment's)")
	f.BoolVar(&noTrimpath, "no-trimpath", false, "build without -trimpath")
	return cmd
}
