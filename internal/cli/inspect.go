package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/target"
)

type inspectOptions struct {
	report  reportFlags
	targets []string
	host    bool
	diff    bool
	symbols bool
}

func newInspectCmd(s *Streams) *cobra.Command {
	opts := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect FILE...",
		Short: "Report everything about built binaries, and where they can run",
		Long: `Inspect reads ELF, Mach-O (thin and universal), PE and WebAssembly files and
reports their format and target, Go build information (also for wasm), Go
and GNU build IDs, stripping, linking (interpreter, needed libraries,
RPATH/RUNPATH, imported DLLs), the minimum glibc, and hardening. --symbols adds
the exported dynamic symbols, with C++ names demangled and libstdc++
dual-ABI names flagged.

With --target or --host it also says whether each binary can run there and
why not, and exits 1 when one cannot. --diff A B compares two binaries'
facts, differences first.

A file that cannot be inspected is reported on stderr; the exit code is 1
if any file could not be inspected and 3 if none could.

With --format json, "facts" is an array with one object per file: path,
size, format, kind, machine, goos, goarch, bits, endianness, target, go
(the build information exactly as 'go version -m -json' prints it),
go_build_id, gnu_build_id, uuid, stripped, linking, glibc, hardening,
elf/macho/pe/wasm details, slices (universal Mach-O), exports (--symbols)
and verdicts (--target, --host). With --diff it is {a, b, rows}.`,
		Example: `  goport inspect ./bin/app
  goport inspect --target linux/arm64 --host dist/*
  goport inspect --diff old/app new/app
  goport inspect --format json ./bin/app | jq .facts[0].glibc.min`,
		Args: cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runInspect(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	cmd.Flags().StringSliceVar(&opts.targets, "target", nil, "say whether each binary runs on goos/goarch[/variant] (repeatable)")
	cmd.Flags().BoolVar(&opts.host, "host", false, "say whether each binary runs on this machine (CPU level, loader, libraries, glibc)")
	cmd.Flags().BoolVar(&opts.diff, "diff", false, "compare two binaries, differences first")
	cmd.Flags().BoolVar(&opts.symbols, "symbols", false, "list exported dynamic symbols (c-shared libraries, cgo binaries), C++ names demangled")
	return cmd
}

func runInspect(cmd *cobra.Command, s *Streams, opts *inspectOptions, args []string) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	var targets []target.Target
	for _, spec := range opts.targets {
		t, err := target.Parse(spec)
		if err != nil {
			return usageError(cmd, "%v", err)
		}
		targets = append(targets, t)
	}
	if opts.diff {
		if len(args) != 2 {
			return usageError(cmd, "--diff compares exactly two files, got %d", len(args))
		}
		if len(targets) > 0 || opts.host {
			return usageError(cmd, "--diff cannot be combined with --target or --host")
		}
	}

	var (
		list   binfile.List
		failed int
	)
	for _, path := range args {
		f, err := binfile.InspectWith(path, binfile.Options{Symbols: opts.symbols})
		if err != nil {
			failed++
			fmt.Fprintf(s.Err, "goport: %s: %v\n", commandName(cmd), err)
			continue
		}
		list = append(list, f)
	}
	if len(list) == 0 {
		return &exitError{code: ExitIncomplete}
	}
	if opts.diff && failed > 0 {
		return &exitError{code: ExitIncomplete}
	}

	report := &finding.Report{Rules: binfile.Rules(), Facts: list}
	if opts.diff {
		report.Facts = binfile.Compare(list[0], list[1])
	}
	var host *binfile.Host
	if opts.host {
		host = binfile.DetectHost(s.Environ)
	}
	for _, f := range list {
		for _, t := range targets {
			fs, v := binfile.CheckTarget(f, t)
			report.Findings = append(report.Findings, fs...)
			f.Verdicts = append(f.Verdicts, v)
		}
		if host != nil {
			fs, v := binfile.CheckHost(f, host)
			report.Findings = append(report.Findings, fs...)
			f.Verdicts = append(f.Verdicts, v)
		}
	}
	if err := emit(cmd, s, report, format, failOn); err != nil {
		return err
	}
	if failed > 0 {
		return errFindings
	}
	return nil
}
