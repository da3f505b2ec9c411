package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/dockerfile"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

func newDockerfileCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dockerfile",
		Short: "Write or check a multi-platform Dockerfile for a Go module",
		Args:  cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		}),
	}
	cmd.AddCommand(newDockerfileInitCmd(s), newDockerfileLintCmd(s))
	return cmd
}

type dockerfileInitOptions struct {
	cgo   bool
	base  string
	force bool
}

func newDockerfileInitCmd(s *Streams) *cobra.Command {
	opts := &dockerfileInitOptions{}
	cmd := &cobra.Command{
		Use:   "init [--cgo] [--base static|distroless|alpine|scratch] [--force] [PACKAGE]",
		Short: "Write a BuildKit multi-platform Dockerfile and .dockerignore for the module",
		Long: `Init writes a Dockerfile and a .dockerignore at the root of the module that
contains the current directory. The build stage runs on $BUILDPLATFORM with
the golang image the go.mod go and toolchain lines need, downloads modules in
their own layer with cache mounts, and cross-compiles for $TARGETPLATFORM;
the final stage runs the binary as uid 65532 with an exec-form ENTRYPOINT.

PACKAGE is the main package to build; without it the module's only main
package is used. A package that needs cgo on linux (cgo files in it or its
non-standard dependencies), or --cgo, is built with tonistiigi/xx and a final
image with the binary's C library: distroless/base (glibc) by default, alpine
(musl), or a static musl link for static and scratch.

Existing files are never overwritten without --force. A go.mod replace by a
directory outside the module is warned about: it is not in the build context.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runDockerfileInit(cmd, s, opts, args)
		}),
	}
	cmd.Flags().BoolVar(&opts.cgo, "cgo", false, "build with cgo (detected when the package needs it)")
	cmd.Flags().StringVar(&opts.base, "base", "", "final image: static, distroless, alpine or scratch (default static, distroless with cgo)")
	cmd.Flags().BoolVar(&opts.force, "force", false, "overwrite an existing Dockerfile and .dockerignore")
	_ = cmd.RegisterFlagCompletionFunc("base", cobra.FixedCompletions([]string{"static", "distroless", "alpine", "scratch"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runDockerfileInit(cmd *cobra.Command, s *Streams, opts *dockerfileInitOptions, args []string) error {
	base, err := dockerfile.ParseBase(opts.base)
	if err != nil {
		return usageError(cmd, "%v", err)
	}
	pkg := ""
	if len(args) == 1 {
		pkg = args[0]
	}
	root, spec, err := dockerfile.Plan(cmd.Context(), dockerfile.InitOptions{
		Dir: ".", Package: pkg, Cgo: opts.cgo, Base: base, Environ: s.Environ,
	})
	var several *dockerfile.ErrSeveralMains
	if errors.As(err, &several) {
		return usageError(cmd, "%v", err)
	}
	if err != nil {
		return err
	}
	df, ignore := dockerfile.Render(spec)
	written, err := dockerfile.Write(root, []dockerfile.File{{Name: "Dockerfile", Data: df}, {Name: ".dockerignore", Data: ignore}}, opts.force)
	if errors.Is(err, dockerfile.ErrExists) {
		return usageError(cmd, "%v", err)
	}
	if err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	wd, _ := os.Getwd()
	for _, p := range written {
		if rel, err := filepath.Rel(wd, p); err == nil {
			p = rel
		}
		fmt.Fprintf(s.Out, "wrote %s\n", p)
	}
	fmt.Fprintf(s.Out, "builds %s with golang:%s, cgo %s\n", spec.Package, spec.GoVersion, map[bool]string{true: "on", false: "off"}[spec.Cgo])
	for _, r := range spec.OutsideReplaces {
		fmt.Fprintf(s.Err, "goport: warning: %s: go.mod replaces %s, outside the module: docker build . does not send it, so go mod download fails in the image\n", commandName(cmd), r)
	}
	return nil
}

type dockerfileLintOptions struct {
	report reportFlags
}

func newDockerfileLintCmd(s *Streams) *cobra.Command {
	opts := &dockerfileLintOptions{}
	cmd := &cobra.Command{
		Use:   "lint [FILE]",
		Short: "Check a Dockerfile that builds Go for emulation, wrong targets, libc and cache mistakes",
		Long: `Lint parses FILE (default ./Dockerfile; - reads stdin) with BuildKit's own
Dockerfile parser and reports what makes a Go image slow to build, built for
the wrong platform, or unable to start: Go compiled under emulation, GOOS and
GOARCH not taken from TARGETOS/TARGETARCH, a cgo binary in an image without
its C library, missing cache mounts, source copied before go mod download, a
golang image older than go.mod requires (go.mod next to FILE, or of the
module that contains it), go get for tools, shell-form ENTRYPOINT/CMD,
unpinned base images and a final stage running as root. The warnings of
BuildKit's own parse-time checks are reported too, under their names, and a
"# check=skip=..." directive waives checks as it does for docker build.

'goport rules' lists the rules; 'goport kb show GP-DOCKER-001' explains one.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runDockerfileLint(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	return cmd
}

func runDockerfileLint(cmd *cobra.Command, s *Streams, opts *dockerfileLintOptions, args []string) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	name := "Dockerfile"
	if len(args) == 1 {
		name = args[0]
	}
	data, display, err := readDockerfile(cmd.Context(), s, name)
	if err != nil {
		return err
	}
	dir := "."
	if name != "-" {
		dir = filepath.Dir(name)
	}
	mod, root, err := findGoMod(dir)
	if err != nil {
		return err
	}
	// Findings name the Dockerfile relative to the module root, as every
	// goport report does (and as SARIF needs).
	path := display
	if root != "" && name != "-" {
		if abs, err := filepath.Abs(name); err == nil {
			if rel, err := filepath.Rel(root, abs); err == nil && filepath.IsLocal(rel) {
				path = filepath.ToSlash(rel)
			}
		}
	}
	findings, err := dockerfile.Lint(data, dockerfile.LintOptions{Path: path, GoMod: mod})
	if err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	report := &finding.Report{Findings: findings, Rules: dockerfile.Rules()}
	return emit(cmd, s, report, format, failOn)
}

// readDockerfile reads name (- is stdin) up to one byte past
// dockerfile.MaxSize, and gives up when ctx ends (a FIFO nobody writes to).
func readDockerfile(ctx context.Context, s *Streams, name string) ([]byte, string, error) {
	type read struct {
		data    []byte
		display string
	}
	r, err := interruptible(ctx, func() (read, error) {
		in, display, closeIn, err := openInput(s, name, "Dockerfile")
		if err != nil {
			return read{}, err
		}
		defer closeIn()
		data, err := io.ReadAll(io.LimitReader(in, dockerfile.MaxSize+1))
		if err != nil {
			return read{}, fmt.Errorf("reading %s: %w", display, err)
		}
		return read{data, display}, nil
	})
	return r.data, r.display, err
}

// findGoMod reads the go.mod next to the Dockerfile, or the nearest one
// above it: the module the Dockerfile builds. It returns the module root
// too; none is not an error.
func findGoMod(dir string) (*dockerfile.GoMod, string, error) {
	root := goenv.FindModuleRoot(dir)
	if root == "" {
		return nil, "", nil
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, "", fmt.Errorf("reading go.mod: %w", err)
	}
	mod, err := dockerfile.ParseGoMod("go.mod", data)
	if err != nil {
		return nil, "", fmt.Errorf("reading go.mod: %w", err)
	}
	return mod, root, nil
}
