package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/doctor"
	"github.com/goport/goport/internal/finding"
)

type doctorOptions struct {
	report  reportFlags
	targets []string
}

func newDoctorCmd(s *Streams) *cobra.Command {
	opts := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor [DIR]",
		Short: "Report what in this environment and module will bite",
		Long: `Doctor reads the Go environment (one 'go env -json', the process environment
and the GOENV file) and the module containing DIR (go.mod, go.sum, go.work,
vendor/modules.txt and the Go sources), and reports every problem it finds.
It never builds and never uses the network.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	cmd.Flags().StringSliceVar(&opts.targets, "target", nil, "target the module ships to, goos/goarch[/variant] (repeatable)")
	return cmd
}

func runDoctor(cmd *cobra.Command, s *Streams, opts *doctorOptions, args []string) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	targets, err := parseTargets(cmd, opts.targets)
	if err != nil {
		return err
	}
	dir := dirArg(args)
	c, err := doctor.Gather(cmd.Context(), doctor.Options{Dir: dir, Environ: s.Environ, Targets: targets})
	if errors.Is(err, doctor.ErrNotDir) {
		return usageError(cmd, "%v", err)
	}
	if err != nil {
		return err
	}
	checks := doctor.Checks()
	findings, err := doctor.Run(c, checks)
	if err != nil {
		return err
	}
	report := &finding.Report{Findings: findings, Rules: doctor.Rules(checks)}
	recordHistory(cmd, s, dir, report, nil)
	return emit(cmd, s, report, format, failOn)
}
