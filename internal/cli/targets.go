package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

type targetsOptions struct {
	report     reportFlags
	firstClass bool
	cgo        bool
}

func newTargetsCmd(s *Streams) *cobra.Command {
	opts := &targetsOptions{}
	cmd := &cobra.Command{
		Use:   "targets",
		Short: "List the targets of the installed toolchain and what this host offers for each",
		Long: `Targets lists every GOOS/GOARCH of the installed toolchain ('go tool dist
list -json'), whether it is first-class and supports cgo, and for this host:
the C compiler a cgo build would use (checked with '$CC -dumpmachine'), the
program that can run its binaries (native, qemu-user, wine, node, a WASI
runtime) and the build modes the toolchain supports there.`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runTargets(cmd, s, opts)
		}),
	}
	opts.report.register(cmd)
	cmd.Flags().BoolVar(&opts.firstClass, "first-class", false, "list first-class ports only")
	cmd.Flags().BoolVar(&opts.cgo, "cgo", false, "list ports that support cgo only")
	return cmd
}

func runTargets(cmd *cobra.Command, s *Streams, opts *targetsOptions) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	env, err := goenv.Load(ctx, ".", s.Environ)
	if err != nil {
		return fmt.Errorf("reading go env: %w", err)
	}
	ports, err := goenv.DistList(ctx, s.Environ)
	if err != nil {
		return fmt.Errorf("listing ports: %w", err)
	}
	var keep []goenv.Port
	for _, p := range ports {
		if (opts.firstClass && !p.FirstClass) || (opts.cgo && !p.CgoSupported) {
			continue
		}
		keep = append(keep, p)
	}
	host := goenv.DetectHost()
	inv := cross.Discover(ctx, cross.Options{Environ: s.Environ, GoEnv: env, Host: host})
	facts := &targetsFacts{GoVersion: env.Version(), Host: host, Targets: inv.Describe(keep)}
	return emit(cmd, s, &finding.Report{Facts: facts}, format, failOn)
}

// targetsFacts is the report of `goport targets`.
type targetsFacts struct {
	GoVersion string       `json:"go_version"`
	Host      goenv.Host   `json:"host"`
	Targets   []cross.Info `json:"targets"`
}

func (f *targetsFacts) WriteText(w io.Writer, color bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tFIRST-CLASS\tCGO\tC COMPILER\tRUNNER\tBUILD MODES")
	for _, in := range f.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", in.Target, yesNo(in.FirstClass), yesNo(in.CgoSupported),
			compilerCell(in), runnerCell(in.Runner), orDash(strings.Join(in.BuildModes, ",")))
	}
	return tw.Flush()
}

func (f *targetsFacts) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Targets of %s on %s/%s\n\n", f.GoVersion, f.Host.GOOS, f.Host.GOARCH)
	b.WriteString("| target | first-class | cgo | C compiler | runner | build modes |\n|---|---|---|---|---|---|\n")
	for _, in := range f.Targets {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", in.Target, yesNo(in.FirstClass), yesNo(in.CgoSupported),
			strings.ReplaceAll(compilerCell(in), "|", "\\|"), runnerCell(in.Runner), orDash(strings.Join(in.BuildModes, ", ")))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func compilerCell(in cross.Info) string {
	switch {
	case !in.CgoSupported:
		return "-"
	case in.Compiler == nil:
		return "none (" + in.CompilerHint + ")"
	case in.Compiler.Triplet != "":
		return in.Compiler.CC + " (" + in.Compiler.Triplet + ")"
	}
	return in.Compiler.CC
}

func runnerCell(r *cross.Runner) string {
	if r == nil {
		return "none"
	}
	return r.Kind
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
