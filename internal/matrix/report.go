package matrix

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/secret"
	"github.com/goport/goport/internal/target"
)

// Findings turns failures, failed runs and outputs that could not be run
// into findings, one per pair.
func (r *Result) Findings() []finding.Finding {
	var out []finding.Finding
	for _, p := range r.Pairs {
		t := p.Target
		switch {
		case p.Status == Failed:
			f := finding.Finding{Rule: p.Rule, Severity: finding.Error, Message: p.Package + ": " + p.Reason, Target: &t, Fix: fixFor(p)}
			if f.Rule == "" {
				f.Rule = RuleBuildFailed.ID
			}
			if p.Log != "" {
				f.Evidence = []finding.Evidence{{Text: p.Log}}
			}
			if e := p.Explained; e != nil {
				f.Evidence = append(f.Evidence, finding.Evidence{Text: fmt.Sprintf("explained by %s: %s (confidence %.2f)", e.Runbook, e.Title, e.Confidence)})
				f.Fix = fmt.Sprintf("%s (goport kb show %s)", f.Fix, e.Runbook)
			}
			out = append(out, f)
		case p.Run != nil && p.Run.Status == "failed":
			f := finding.Finding{Rule: RuleRunFailed.ID, Severity: finding.Error, Target: &t,
				Message: fmt.Sprintf("%s: %s under %s: %s", p.Package, p.Output, p.Run.Runner, p.Run.Reason), Fix: RuleRunFailed.Fix}
			if p.Run.Output != "" {
				f.Evidence = []finding.Evidence{{Text: p.Run.Output}}
			}
			out = append(out, f)
		case p.Run != nil && p.Run.Status == "not-run":
			out = append(out, finding.Finding{Rule: RuleNotRun.ID, Severity: finding.Info, Target: &t,
				Message: p.Package + ": not run: " + p.Run.Reason, Fix: RuleNotRun.Fix})
		}
	}
	return out
}

func fixFor(p PairResult) string {
	if p.Fix != "" {
		return p.Fix
	}
	for _, r := range Rules() {
		if r.ID == p.Rule {
			return r.Fix
		}
	}
	return RuleBuildFailed.Fix
}

// Counts tallies pairs by status.
func (r *Result) Counts() map[Status]int {
	c := map[Status]int{}
	for _, p := range r.Pairs {
		c[p.Status]++
	}
	return c
}

// Summary is one line: "12 ok, 1 failed, 2 skipped".
func (r *Result) Summary() string {
	c := r.Counts()
	var parts []string
	for _, s := range []Status{OK, Failed, Skipped, Interrupted} {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	if len(parts) == 0 {
		return "no pairs"
	}
	return strings.Join(parts, ", ")
}

// WriteText prints a table of every pair.
func (r *Result) WriteText(w io.Writer, color bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tPACKAGE\tSTATUS\tCGO\tRUN\tOUTPUT / REASON")
	for _, p := range r.Pairs {
		detail := p.Output
		if p.Status != OK {
			detail = p.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Target, p.Package, p.Status, onOff(p.Cgo), runCell(p.Run), oneLine(detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s (shard %s)\n", r.Summary(), r.Shard)
	return err
}

// WriteMarkdown prints the table for CI step summaries.
func (r *Result) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## goport matrix: %s\n\n| target | package | status | cgo | run | output / reason |\n|---|---|---|---|---|---|\n", r.Summary())
	for _, p := range r.Pairs {
		detail := "`" + p.Output + "`"
		if p.Status != OK {
			detail = mdEscape(oneLine(p.Reason))
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | %s |\n", p.Target, p.Package, p.Status, onOff(p.Cgo), runCell(p.Run), detail)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func runCell(r *RunResult) string {
	if r == nil {
		return "-"
	}
	return r.Status
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func oneLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;").Replace(s)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes one testsuite per target and one testcase per
// package × target; failures carry the log tail and the rule to read.
// Text passes through secret.Redact.
func (r *Result) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Name: "goport matrix"}
	byTarget := map[target.Target]*junitSuite{}
	var order []target.Target
	for _, p := range r.Pairs {
		s := byTarget[p.Target]
		if s == nil {
			s = &junitSuite{Name: p.Target.String()}
			byTarget[p.Target] = s
			order = append(order, p.Target)
		}
		c := junitCase{Name: p.Package, Classname: p.Target.String()}
		switch {
		case p.Status == Failed || p.Status == Interrupted:
			c.Failure = &junitFailure{Message: secret.Redact(p.Reason), Type: cmp.Or(p.Rule, string(p.Status)),
				Text: secret.Redact(p.Log + "\n\nsee: goport rules " + cmp.Or(p.Rule, RuleBuildFailed.ID) + explainedBy(p))}
			s.Failures++
		case p.Run != nil && p.Run.Status == "failed":
			c.Failure = &junitFailure{Message: secret.Redact(p.Run.Reason), Type: RuleRunFailed.ID, Text: secret.Redact(p.Run.Output)}
			s.Failures++
		case p.Status == Skipped:
			c.Skipped = &junitSkipped{Message: p.Reason}
			s.Skipped++
		case p.Run != nil && p.Run.Status == "not-run":
			c.Skipped = &junitSkipped{Message: "built and verified; not run: " + p.Run.Reason}
			s.Skipped++
		default:
			c.SystemOut = secret.Redact(p.Output)
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	slices.SortFunc(order, target.Compare)
	for _, t := range order {
		s := byTarget[t]
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func explainedBy(p PairResult) string {
	if p.Explained == nil {
		return ""
	}
	return "\nexplained by: goport kb show " + p.Explained.Runbook + " (" + p.Explained.Title + ")"
}
