package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"aead.dev/minisign"
	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/release"
	"github.com/goport/goport/internal/target"
)

type releaseOptions struct {
	report   reportFlags
	targets  string
	all      bool
	snapshot bool
	signKey  string
	signCmd  string
	out      string
	clean    bool
	version  string
	shard    string
	jobs     int
	cgo      string
	ldflags  string
	tags     string
}

func newReleaseCmd(s *Streams) *cobra.Command {
	opts := &releaseOptions{}
	cmd := &cobra.Command{
		Use:   "release [PACKAGES]",
		Short: "Build, archive, checksum, describe and sign a release",
		Long: `Release builds every main package for every target as 'goport matrix' does
(verifying each output), then, in this order: an archive per binary (tar.gz,
zip for Windows) with README/LICENSE files, fixed timestamps, owners and
order; a CycloneDX SBOM per binary from its build information;
artifacts.json (goreleaser's fields, plus each binary's ABI facts under
extra.abi); checksums.txt in sha256sum format; and checksums.txt.minisig,
a minisign signature. --sign-cmd also signs checksums.txt with an
external command such as gpg or cosign, run without a shell, writing
checksums.txt.sig; its arguments may use {{.Artifact}} (the file to sign),
{{.Signature}} (the file to write) and {{.Env.NAME}} (an environment
variable, for secrets: never printed), e.g.
  --sign-cmd 'gpg --batch --detach-sign --output {{.Signature}} {{.Artifact}}'

Timestamps come from SOURCE_DATE_EPOCH, else the HEAD commit, so the same
binaries always give byte-identical release files. The signing key's
passphrase is read from GOPORT_SIGNING_PASSWORD or a prompt. A release
needs --sign-key unless it is a --snapshot or a --shard I/N part (merge
the parts with 'goport release merge'). Every file is written through a
temporary file, synced and renamed. Each binary is archived and described
as soon as it is built, while the other targets still build; artifacts.json,
checksums.txt and the signature are written once all succeeded. A failed or
interrupted build leaves no archive or SBOM behind.`,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runRelease(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.targets, "targets", "", "comma-separated targets, goos/goarch[/variant] (default: first-class ports)")
	f.BoolVar(&opts.all, "all", false, "release for every port of the toolchain")
	f.BoolVar(&opts.snapshot, "snapshot", false, "allow an unsigned release")
	f.StringVar(&opts.signKey, "sign-key", "", "minisign private key that signs checksums.txt")
	f.StringVar(&opts.signCmd, "sign-cmd", "", "also sign checksums.txt with this command (run without a shell), writing checksums.txt.sig;\nits arguments may use {{.Artifact}}, {{.Signature}} and {{.Env.NAME}}")
	f.StringVar(&opts.out, "out", "dist", "release directory; must be empty or absent")
	f.BoolVar(&opts.clean, "clean", false, "empty a non-empty release directory first")
	f.StringVar(&opts.version, "version", "", "version in archive names (name_VERSION_goos_goarch)")
	f.StringVar(&opts.shard, "shard", "", "release only shard I of N of the builds, unsigned, as I/N")
	f.IntVarP(&opts.jobs, "jobs", "j", runtime.NumCPU(), "builds to run in parallel")
	f.StringVar(&opts.cgo, "cgo", "auto", "cgo: auto (where packages need it), on or off")
	f.StringVar(&opts.ldflags, "ldflags", "", "flags for the linker, as go build -ldflags")
	f.StringVar(&opts.tags, "tags", "", "build tags, as go build -tags")
	cmd.AddCommand(newReleaseMergeCmd(s))
	return cmd
}

func newReleaseMergeCmd(s *Streams) *cobra.Command {
	var rf reportFlags
	var out, signKey, signCmdLine string
	var clean, snapshot bool
	cmd := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Merge the release directories of sharded runs into one signed release",
		Long: `Merge verifies each DIR made by 'goport release --shard I/N', copies its
binaries, archives and SBOMs into --out, and writes one artifacts.json, one
checksums.txt and its signature. An artifact present in two parts is an
error. Timestamps come from SOURCE_DATE_EPOCH or the HEAD commit, as in
release, so the merged files equal those of an unsharded release.`,
		Args: cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			format, failOn, err := rf.parsed(cmd)
			if err != nil {
				return err
			}
			if signKey == "" && !snapshot {
				return usageError(cmd, "a release needs --sign-key (or --snapshot for an unsigned one)")
			}
			var signCmd *release.SignCmd
			if signCmdLine != "" {
				if err := release.ParseSignCmd(signCmdLine); err != nil {
					return usageError(cmd, "--sign-cmd: %v", err)
				}
				signCmd = &release.SignCmd{Line: signCmdLine, Environ: s.Environ}
			}
			if err := prepareOutDir(out, clean); err != nil {
				return err
			}
			key, err := loadSigningKey(s, signKey)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			date, err := release.SourceDate(ctx, ".", s.Environ)
			if err != nil {
				return usageError(cmd, "%v", err)
			}
			res, err := release.Merge(ctx, release.MergeOptions{Parts: args, Dir: out, SourceDate: date, Key: key, SignCmd: signCmd})
			if err != nil {
				var se *release.SignCmdError
				if errors.As(err, &se) {
					return &exitError{code: ExitFindings, msg: commandName(cmd) + ": " + err.Error()}
				}
				return err
			}
			return emit(cmd, s, &finding.Report{Facts: res}, format, failOn)
		}),
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&out, "out", "dist", "merged release directory; must be empty or absent")
	cmd.Flags().BoolVar(&clean, "clean", false, "empty a non-empty release directory first")
	cmd.Flags().StringVar(&signKey, "sign-key", "", "minisign private key that signs checksums.txt")
	cmd.Flags().BoolVar(&snapshot, "snapshot", false, "allow an unsigned merged release")
	cmd.Flags().StringVar(&signCmdLine, "sign-cmd", "", "also sign checksums.txt with this command, as in release")
	return cmd
}

func runRelease(cmd *cobra.Command, s *Streams, opts *releaseOptions, args []string) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	cgo, err := matrix.ParseCgoMode(opts.cgo)
	if err != nil {
		return usageError(cmd, "%v", err)
	}
	var shard target.Shard
	if opts.shard != "" {
		if shard, err = target.ParseShard(opts.shard); err != nil {
			return usageError(cmd, "%v", err)
		}
	}
	var explicit []target.Target
	if opts.targets != "" {
		if opts.all {
			return usageError(cmd, "--targets and --all exclude each other")
		}
		if explicit, err = target.ParseList(opts.targets); err != nil {
			return usageError(cmd, "%v", err)
		}
	}
	if opts.jobs < 1 {
		return usageError(cmd, "-j must be at least 1")
	}
	if opts.signKey == "" && !opts.snapshot && opts.shard == "" {
		return usageError(cmd, "a release needs --sign-key (or --snapshot for an unsigned one)")
	}
	if opts.signKey != "" && opts.shard != "" {
		return usageError(cmd, "shards are unsigned: sign when merging them with 'goport release merge --sign-key'")
	}
	var signCmd *release.SignCmd
	if opts.signCmd != "" {
		if opts.shard != "" {
			return usageError(cmd, "shards are unsigned: --sign-cmd does not apply to --shard")
		}
		if err := release.ParseSignCmd(opts.signCmd); err != nil {
			return usageError(cmd, "--sign-cmd: %v", err)
		}
		signCmd = &release.SignCmd{Line: opts.signCmd, Environ: s.Environ}
	}
	if err := prepareOutDir(opts.out, opts.clean); err != nil {
		return err
	}
	// The key is read before building so a wrong passphrase costs nothing.
	key, err := loadSigningKey(s, opts.signKey)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	date, err := release.SourceDate(ctx, ".", s.Environ)
	if err != nil {
		return usageError(cmd, "%v", err)
	}
	// Each binary is archived as soon as the matrix has built and
	// verified it, while the other targets still build; Abort removes
	// those files when the release does not finish.
	pipe, err := release.Start(ctx, release.Options{Dir: opts.out, DocsDir: ".", Version: opts.version, SourceDate: date, Key: key, SignCmd: signCmd})
	if err != nil {
		return err
	}
	defer pipe.Abort()
	res, builds, err := releaseBuild(ctx, s, opts, args, explicit, cgo, shard, pipe.Add)
	if err != nil {
		var ue *targetError
		if errors.As(err, &ue) {
			return usageError(cmd, "%v", ue.err)
		}
		return err
	}
	if res.Failed() || res.Interrupted {
		if err := pipe.Abort(); err != nil {
			return err
		}
		r := &finding.Report{Findings: res.Findings(), Rules: matrix.Rules(), Facts: res}
		if err := emit(cmd, s, r, format, failOn); err != nil && !errors.Is(err, errFindings) {
			return err
		}
		return &exitError{code: ExitFindings, msg: commandName(cmd) + ": build failed: " + res.Summary() + "; nothing was released"}
	}
	out, err := pipe.Finish(builds)
	if err != nil {
		var se *release.SignCmdError
		if errors.As(err, &se) {
			return &exitError{code: ExitFindings, msg: commandName(cmd) + ": " + err.Error()}
		}
		if errors.Is(err, context.Canceled) {
			// As matrix: an interrupted run is a failed one, exit 1.
			return &exitError{code: ExitFindings, msg: commandName(cmd) + ": interrupted: " + err.Error() + "; no partial file was left"}
		}
		return err
	}
	return emit(cmd, s, &finding.Report{Findings: res.Findings(), Rules: matrix.Rules(), Facts: out}, format, failOn)
}

// targetError marks a target list the toolchain rejects: a usage error.
type targetError struct{ err error }

func (e *targetError) Error() string { return e.err.Error() }

// releaseBuild is step 1 of a release: the matrix build and verification
// of every pair into the release directory. built receives each binary
// as soon as it is built and verified.
func releaseBuild(ctx context.Context, s *Streams, opts *releaseOptions, args []string, explicit []target.Target, cgo matrix.CgoMode, shard target.Shard, built func(release.Build)) (*matrix.Result, []release.Build, error) {
	env, err := goenv.Load(ctx, ".", s.Environ)
	if err != nil {
		return nil, nil, fmt.Errorf("reading go env: %w", err)
	}
	ports, err := goenv.DistList(ctx, s.Environ)
	if err != nil {
		return nil, nil, fmt.Errorf("listing ports: %w", err)
	}
	targets, err := resolveTargets(explicit, opts.all, ports)
	if err != nil {
		return nil, nil, &targetError{err}
	}
	inv := cross.Discover(ctx, cross.Options{Environ: s.Environ, GoEnv: env, Host: goenv.DetectHost()})
	plan, err := matrix.MakePlan(ctx, matrix.PlanOptions{
		Dir: ".", Patterns: args, Targets: targets, Cgo: cgo, Tags: opts.tags, Jobs: opts.jobs,
		Environ: s.Environ, Ports: ports, Cross: inv, Shard: shard,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("planning: %w", err)
	}
	res, err := matrix.Run(ctx, matrix.Options{
		Dir: ".", Environ: s.Environ, GoEnv: env, OutDir: opts.out, Jobs: opts.jobs,
		Patterns: args, LDFlags: opts.ldflags, Tags: opts.tags, Cross: inv,
		Progress: func(p matrix.PairResult) {
			printProgress(s, p)
			if p.Status == matrix.OK {
				built(release.BuildOf(p))
			}
		},
	}, plan)
	if err != nil {
		return nil, nil, err
	}
	res.Shard = shard
	return res, release.BuildsFromMatrix(res), nil
}

// prepareOutDir refuses to mix a release with earlier files: the
// directory must be absent or empty, or --clean empties it. A directory
// holding go.mod is never emptied.
func prepareOutDir(dir string, clean bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading release directory: %w", err)
	}
	if !clean {
		return &exitError{code: ExitUsage, msg: fmt.Sprintf("release: %s is not empty: use --clean to empty it or choose another --out", dir)}
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return &exitError{code: ExitUsage, msg: fmt.Sprintf("release: %s holds go.mod: refusing to empty a module directory", dir)}
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("emptying release directory: %w", err)
		}
	}
	return nil
}

func loadSigningKey(s *Streams, path string) (*minisign.PrivateKey, error) {
	if path == "" {
		return nil, nil
	}
	password := ""
	if data, err := os.ReadFile(path); err == nil && minisign.IsEncrypted(data) {
		if password, err = readPassword(s, "passphrase for "+path+": ", false); err != nil {
			return nil, err
		}
	}
	key, err := release.LoadPrivateKey(path, password)
	if err != nil {
		return nil, err
	}
	return &key, nil
}
