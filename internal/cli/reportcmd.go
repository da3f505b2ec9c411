package cli

import "github.com/spf13/cobra"

// newReportCmd groups the commands that turn goport's JSON reports into
// other views: a self-contained HTML page and trends over the run history.
func newReportCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Turn goport's JSON reports into an HTML page or trends over time",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newReportHTMLCmd(s), newReportTrendCmd(s))
	return cmd
}
