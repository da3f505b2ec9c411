package cli

import (
	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/render"
	"github.com/goport/goport/internal/target"
)

// reportFlags are the output flags every reporting command shares.
type reportFlags struct {
	format string
	failOn string
}

func (f *reportFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text, json, sarif or markdown")
	cmd.Flags().StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info or none")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json", "sarif", "markdown"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"error", "warning", "info", "none"}, cobra.ShellCompDirectiveNoFileComp))
}

// parsed validates the flags before any work starts, so a typo costs no
// time and is a usage error.
func (f *reportFlags) parsed(cmd *cobra.Command) (render.Format, finding.Severity, error) {
	format, err := render.ParseFormat(f.format)
	if err != nil {
		return "", 0, usageError(cmd, "%v", err)
	}
	failOn, err := finding.ParseFailOn(f.failOn)
	if err != nil {
		return "", 0, usageError(cmd, "%v", err)
	}
	return format, failOn, nil
}

// emit renders the report on stdout and turns findings at or above failOn
// into exit code 1. The exit code never depends on the format.
func emit(cmd *cobra.Command, s *Streams, r *finding.Report, format render.Format, failOn finding.Severity) error {
	r.Tool = "goport"
	r.Version = goportVersion()
	r.Command = commandName(cmd)
	r.Schema = finding.Schema
	if err := render.Render(s.Out, format, r, render.Options{Color: format == render.Text && s.Color()}); err != nil {
		return incomplete(cmd, err)
	}
	if r.Fails(failOn) {
		return errFindings
	}
	return nil
}

// parseTargets reads repeatable --target values; a bad one is a usage error.
func parseTargets(cmd *cobra.Command, specs []string) ([]target.Target, error) {
	var targets []target.Target
	for _, spec := range specs {
		t, err := target.Parse(spec)
		if err != nil {
			return nil, usageError(cmd, "%v", err)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// dirArg is the optional DIR argument of module commands.
func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}
