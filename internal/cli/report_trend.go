package cli

import (
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/target"
)

type trendOptions struct {
	report    reportFlags
	targets   []string
	threshold string
}

func newReportTrendCmd(s *Streams) *cobra.Command {
	opts := &trendOptions{}
	cmd := &cobra.Command{
		Use:   "trend [--target T]... [--threshold 10%] [DIR]",
		Short: "Show binary size and build time per target over the run history",
		Long: `Trend reads the matrix runs in the run history of the module containing DIR
(.goport/history) and prints, per target and main package, the latest binary
size and build time and their change since the previous run that built the
same pair. Growth above --threshold is a warning: GP-TREND-001 for size,
GP-TREND-002 for build time. Comparisons are run to run: the history does not
record which run was a release.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runReportTrend(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	cmd.Flags().StringArrayVar(&opts.targets, "target", nil, "only this target, goos/goarch[/variant] (repeatable)")
	cmd.Flags().StringVar(&opts.threshold, "threshold", "10%", "relative growth to flag, as a percentage")
	return cmd
}

func runReportTrend(cmd *cobra.Command, s *Streams, opts *trendOptions, args []string) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	var targets []target.Target
	for _, spec := range opts.targets {
		ts, err := target.ParseList(spec)
		if err != nil {
			return usageError(cmd, "%v", err)
		}
		targets = append(targets, ts...)
	}
	threshold, err := parsePercent(opts.threshold)
	if err != nil {
		return usageError(cmd, "invalid --threshold %q: want a percentage like 10%%", opts.threshold)
	}
	dir, err := historyDir(dirArg(args))
	if err != nil {
		return err
	}
	set, err := history.Load(dir)
	if err != nil {
		return err
	}
	warnSkipped(cmd, s, set)
	tr := history.Trends(set.Runs, history.TrendOptions{Targets: targets, Threshold: threshold})
	report := &finding.Report{Findings: tr.Findings, Rules: history.Rules(), Facts: tr}
	report.Sort()
	return emit(cmd, s, report, format, failOn)
}

// parsePercent reads "10%" or "10" as 0.1.
func parsePercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil {
		return 0, err
	}
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, strconv.ErrRange
	}
	return v / 100, nil
}
