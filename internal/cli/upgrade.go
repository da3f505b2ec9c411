package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/upgrade"
)

type upgradeOptions struct {
	report  reportFlags
	to      string
	noLoops bool
	noVet   bool
	apply   bool
	targets []string
}

func newUpgradeCmd(s *Streams) *cobra.Command {
	opts := &upgradeOptions{}
	cmd := &cobra.Command{
		Use:   "upgrade [--to VERSION] [DIR]",
		Short: "Report what changes when the module moves to a newer Go",
		Long: `Upgrade reads the module containing DIR and reports what changes when its go
line, and the toolchain that builds it, move to --to (default: the installed
Go): GODEBUG defaults that flip for APIs the module uses (with the godebug
line that keeps the old behaviour), //go:debug and godebug lines the new
toolchain rejects or ignores, loops whose variables become per-iteration
(asked from the compiler: one build of the module's packages), new go vet
diagnostics at the raised go line (go vet runs twice, the raised go.mod is
passed through -overlay and never written), //go:linkname
references the linker rejects, go.mod and vendoring mechanics, platform
minimums for --target, and deprecated standard-library APIs in use.

It type-checks the module from source (dependencies through 'go list
-export') and never uses the network. With --apply it then rewrites go.mod:
the go line becomes --to, a godebug line keeps the old default of every
reported setting, and 'go mod tidy' (and 'go mod vendor' when vendoring)
runs; go.mod and go.sum are first copied to *.goport-backup and restored
if the go command fails.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runUpgrade(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	cmd.Flags().StringVar(&opts.to, "to", "", "Go version to upgrade to, e.g. 1.24 (default: the installed Go)")
	cmd.Flags().BoolVar(&opts.noLoops, "no-loops", false, "skip the compiler-backed loop-variable analysis")
	cmd.Flags().BoolVar(&opts.noVet, "no-vet", false, "skip running go vet at both go lines")
	cmd.Flags().BoolVar(&opts.apply, "apply", false, "raise the go line, add godebug lines that keep the old defaults, run go mod tidy (go.mod and go.sum backed up)")
	cmd.Flags().StringSliceVar(&opts.targets, "target", nil, "target the module ships to, goos/goarch[/variant] (repeatable)")
	return cmd
}

func runUpgrade(cmd *cobra.Command, s *Streams, opts *upgradeOptions, args []string) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	targets, err := parseTargets(cmd, opts.targets)
	if err != nil {
		return err
	}
	dir := dirArg(args)
	res, err := upgrade.Analyze(cmd.Context(), upgrade.Options{
		Dir: dir, To: opts.to, Environ: s.Environ, Loops: !opts.noLoops, Vet: !opts.noVet, Targets: targets,
	})
	if errors.Is(err, upgrade.ErrNotDir) || errors.Is(err, upgrade.ErrVersion) || errors.Is(err, upgrade.ErrNoModule) {
		return usageError(cmd, "%v", err)
	}
	if err != nil {
		return err
	}
	if opts.apply {
		_, err := upgrade.Apply(cmd.Context(), res, s.Environ)
		switch {
		case errors.Is(err, upgrade.ErrNothingToApply):
			fmt.Fprintf(s.Err, "goport: upgrade: %v\n", err) // a note, not a failure
		case err != nil:
			return fmt.Errorf("applying: %w", err)
		}
	}
	report := &finding.Report{Findings: res.Findings, Rules: upgrade.Rules(), Facts: upgradeFacts{res.Facts}}
	return emit(cmd, s, report, format, failOn)
}

// upgradeFacts adds the human renderings of the upgrade summary.
type upgradeFacts struct {
	*upgrade.Facts
}

func (f upgradeFacts) WriteText(w io.Writer, _ bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "module %s: go %s → go %s (installed %s)\n", f.Module, f.From, f.To, f.Toolchain)
	if f.GodebugFrom != f.GodebugTo {
		fmt.Fprintf(&b, "DefaultGODEBUG at go %s: %s\n", f.From, orNone(f.GodebugFrom))
		fmt.Fprintf(&b, "DefaultGODEBUG at go %s: %s\n", f.To, orNone(f.GodebugTo))
	}
	if len(f.Keep) > 0 {
		b.WriteString("to keep the old behaviour of the settings below, add to go.mod:\n" + keepBlock(f.Keep, "\t"))
	}
	if f.Applied != nil {
		fmt.Fprintf(&b, "applied: go %s, %d godebug line(s), go mod tidy%s; backups: %s\n", f.Applied.GoLine, len(f.Applied.Godebug),
			map[bool]string{true: ", go mod vendor"}[f.Applied.Vendor], strings.Join(f.Applied.Backups, ", "))
	}
	if !f.Loops {
		b.WriteString("loop-variable analysis skipped (--no-loops)\n")
	}
	if !f.Vet {
		b.WriteString("go vet comparison skipped (--no-vet)\n")
	} else if f.VetSkipped != "" {
		b.WriteString("go vet comparison incomplete: " + f.VetSkipped + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (f upgradeFacts) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**module** `%s`: go %s → go %s (installed %s)\n\n", f.Module, f.From, f.To, f.Toolchain)
	if len(f.Keep) > 0 {
		b.WriteString("To keep the old behaviour, add to go.mod:\n\n```\n" + keepBlock(f.Keep, "") + "```\n\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func keepBlock(keep []string, indent string) string {
	var b strings.Builder
	b.WriteString(indent + "godebug (\n")
	for _, k := range keep {
		b.WriteString(indent + "\t" + k + "\n")
	}
	b.WriteString(indent + ")\n")
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
