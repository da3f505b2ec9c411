package render

import (
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// writeJSON writes the goport.report/v1 document (docs/report-schema.md).
// Only the rules that findings reference are included: the full rule list
// is what `goport rules --format json` is for, and SARIF carries it too.
func writeJSON(w io.Writer, r *finding.Report) error {
	out := *r
	if out.Schema == "" {
		out.Schema = finding.Schema
	}
	if out.Findings == nil {
		out.Findings = []finding.Finding{}
	}
	out.Rules = referencedRules(r)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}

// referencedRules returns the rules of r that some finding names, sorted
// by ID.
func referencedRules(r *finding.Report) []finding.Rule {
	used := map[string]bool{}
	for _, f := range r.Findings {
		used[f.Rule] = true
	}
	var rules []finding.Rule
	for _, rule := range r.Rules {
		if used[rule.ID] {
			rules = append(rules, rule)
		}
	}
	slices.SortStableFunc(rules, func(a, b finding.Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules
}
