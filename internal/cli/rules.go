package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/dockerfile"
	"github.com/goport/goport/internal/doctor"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/preflight"
	"github.com/goport/goport/internal/release"
	"github.com/goport/goport/internal/repro"
	"github.com/goport/goport/internal/upgrade"
)

// allRules is every rule goport can report, sorted by ID.
func allRules() []finding.Rule {
	var rules []finding.Rule
	for _, set := range [][]finding.Rule{
		doctor.Rules(doctor.Checks()),
		dockerfile.Rules(),
		preflight.Rules(),
		upgrade.Rules(),
		matrix.Rules(),
		binfile.Rules(),
		release.Rules(),
		repro.Rules(),
		explainRules(),
		history.Rules(),
	} {
		rules = append(rules, set...)
	}
	slices.SortStableFunc(rules, func(a, b finding.Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules
}

func newRulesCmd(s *Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules [ID]",
		Short: "List the rules goport checks, or explain one",
		Args:  cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var ids []cobra.Completion
			for _, r := range allRules() {
				ids = append(ids, cobra.CompletionWithDesc(r.ID, r.Title))
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError(cmd, "invalid format %q: want text or json", format)
			}
			rules := allRules()
			if len(args) == 1 {
				id := strings.ToUpper(args[0])
				for _, r := range rules {
					if r.ID == id {
						return printRule(s, r, format)
					}
				}
				return usageError(cmd, "unknown rule %q; 'goport rules' lists them", args[0])
			}
			if format == "json" {
				return writeJSONValue(s, rules)
			}
			tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func printRule(s *Streams, r finding.Rule, format string) error {
	if format == "json" {
		return writeJSONValue(s, r)
	}
	_, err := fmt.Fprintf(s.Out, "%s: %s\nseverity: %s\n\n%s\n\nFix: %s\n", r.ID, r.Title, r.Severity, r.Explanation, r.Fix)
	return err
}

func writeJSONValue(s *Streams, v any) error {
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
