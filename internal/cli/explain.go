package cli

import (
	"fmt"
	"go/version"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/internal/triage"
	"github.com/goport/goport/runbooks"
)

type explainOptions struct {
	report      reportFlags
	kb          kbFlags
	failUnknown bool
	target      string
	goVersion   string
}

func newExplainCmd(s *Streams) *cobra.Command {
	opts := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain [FILE|-]",
		Short: "Name the root cause of a failed build from its log",
		Long: `Explain reads a build, test or run log (a file, or standard input when FILE is
missing or "-") and names every independent root cause it recognises, best
first, each with its runbook, confidence, the log lines that prove it, the fix
and the rollback. Follow-on noise (exit status lines, package headers, collect2)
is evidence, not a cause.

A log with no failure reports "no known failure"; a log that looks failed but
matches no runbook reports "unrecognised failure" with the lines that look like
errors (exit 0, or 1 with --fail-unknown). Logs of any size are streamed.

--target and --go say where the build ran, so that runbooks whose 'applies'
excludes that target or Go version are not offered as causes; a verbose (-x)
log names its target by itself.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	opts.kb.register(cmd)
	cmd.Flags().BoolVar(&opts.failUnknown, "fail-unknown", false, "exit 1 when the log looks failed but no runbook matches")
	cmd.Flags().StringVar(&opts.target, "target", "", "the build's target, goos/goarch[/variant]")
	cmd.Flags().StringVar(&opts.goVersion, "go", "", "the build's Go version, e.g. 1.22.3")
	return cmd
}

func runExplain(cmd *cobra.Command, s *Streams, opts *explainOptions, args []string) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	var scope kb.Scope
	if opts.target != "" {
		t, err := target.Parse(opts.target)
		if err != nil {
			return usageError(cmd, "--target: %v", err)
		}
		scope.GOOS, scope.GOARCH = t.GOOS, t.GOARCH
	}
	if opts.goVersion != "" {
		v := strings.TrimPrefix(opts.goVersion, "go")
		if !version.IsValid("go" + v) {
			return usageError(cmd, "--go: %q is not a Go version (want e.g. 1.22.3)", opts.goVersion)
		}
		scope.Go = v
	}
	name := "-"
	if len(args) == 1 {
		name = args[0]
	}
	store, err := opts.kb.load(s)
	if err != nil {
		return err
	}
	engine, err := triage.New(store.Runbooks())
	if err != nil {
		return err
	}
	// A terminal or a FIFO blocks the open or the read where no context
	// reaches: an interrupt must still end explain.
	display := name
	res, err := interruptible(cmd.Context(), func() (*triage.Result, error) {
		in, shown, closeIn, err := openInput(s, name, "log")
		if err != nil {
			return nil, err
		}
		defer closeIn()
		display = shown
		res, err := engine.ExplainIn(in, scope)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	report := explainReport(display, res)
	if err := emit(cmd, s, report, format, failOn); err != nil {
		return err
	}
	if opts.failUnknown && res.Unrecognised() {
		return errFindings
	}
	return nil
}

// openInput opens the file a command reads (a log, a change description),
// or stdin for "-"; what names the input in errors.
func openInput(s *Streams, name, what string) (io.Reader, string, func(), error) {
	if name == "-" {
		return s.In, "stdin", func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, "", nil, fmt.Errorf("reading %s: %w", what, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, "", nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, "", nil, fmt.Errorf("reading %s: %s is a directory", what, name)
	}
	return f, name, func() { f.Close() }, nil
}

// explainFacts is the explain-specific part of the report: the ranked
// causes with their fix and rollback, or why there are none.
type explainFacts struct {
	Log        string         `json:"log"`
	Status     string         `json:"status"` // "failed", "no known failure", "unrecognised failure"
	Lines      int            `json:"lines"`
	Bytes      int64          `json:"bytes"`
	Target     *target.Target `json:"target,omitempty"`
	Truncated  int            `json:"truncated_lines,omitempty"`
	Causes     []explainCause `json:"causes"`
	Suspicious []triage.Line  `json:"suspicious,omitempty"`
}

type explainCause struct {
	Rank int `json:"rank"`
	triage.Cause
	Fix      string `json:"fix,omitempty"`
	Rollback string `json:"rollback,omitempty"`
}

const (
	statusFailed       = "failed"
	statusNoFailure    = "no known failure"
	statusUnrecognised = "unrecognised failure"
)

// explainReport turns causes into findings. Only the top-ranked cause keeps
// its runbook's severity; the others are reported at least one level lower
// so that the severity-first order of every renderer keeps the root cause
// first.
func explainReport(name string, res *triage.Result) *finding.Report {
	facts := &explainFacts{Log: name, Lines: res.Lines, Bytes: res.Bytes, Target: res.Target, Truncated: res.Truncated, Causes: []explainCause{}}
	r := &finding.Report{Facts: facts}
	switch {
	case len(res.Causes) > 0:
		facts.Status = statusFailed
	case res.Unrecognised():
		facts.Status = statusUnrecognised
		facts.Suspicious = res.Suspicious
	default:
		facts.Status = statusNoFailure
	}
	for i, c := range res.Causes {
		rb := c.Runbook
		fix, _ := rb.Section("fix")
		rollback, _ := rb.Section("rollback")
		facts.Causes = append(facts.Causes, explainCause{Rank: i + 1, Cause: c, Fix: fix, Rollback: rollback})
		f := finding.Finding{
			Rule:     c.ID,
			Severity: rb.Severity,
			Message:  fmt.Sprintf("%s (confidence %.2f)", c.Title, c.Confidence),
			Fix:      firstParagraph(fix),
			Target:   c.Target,
		}
		if i > 0 {
			// One level below the root cause keeps it first in every format.
			f.Severity = min(f.Severity, max(r.Findings[0].Severity-1, finding.Info))
			f.Message = "also: " + f.Message
		}
		if c.Package != "" {
			f.Evidence = append(f.Evidence, finding.Evidence{Text: "package " + c.Package})
		}
		for _, l := range c.Evidence {
			f.Evidence = append(f.Evidence, finding.Evidence{Location: &finding.Location{Path: name, Line: l.N}, Text: l.Text})
		}
		if c.Matches > len(c.Evidence) {
			f.Evidence = append(f.Evidence, finding.Evidence{Text: fmt.Sprintf("%d more matching lines", c.Matches-len(c.Evidence))})
		}
		for _, n := range c.Notes {
			f.Evidence = append(f.Evidence, finding.Evidence{Text: n})
		}
		r.Findings = append(r.Findings, f)
		cause, _ := rb.Section("cause")
		r.Rules = append(r.Rules, finding.Rule{ID: rb.ID, Title: rb.Title, Severity: rb.Severity, Explanation: cause, Fix: fix, Runbook: rb.ID})
	}
	return r
}

// firstParagraph flattens the first paragraph of a Markdown section into
// one line, for a finding's fix.
func firstParagraph(md string) string {
	para, rest, _ := strings.Cut(strings.TrimSpace(md), "\n\n")
	out := strings.Join(strings.Fields(para), " ")
	if !strings.HasSuffix(out, ":") {
		return out
	}
	// "Do this:" introduces a code block; its first command is the fix.
	for l := range strings.Lines(rest) {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "```") && !strings.HasPrefix(l, "#") {
			return out + " " + l
		}
	}
	return out
}

// WriteText prints the verdict before the findings.
func (f *explainFacts) WriteText(w io.Writer, color bool) error {
	var b strings.Builder
	switch f.Status {
	case statusFailed:
		fmt.Fprintf(&b, "%s: %d lines, %s\n", f.Log, f.Lines, countCauses(len(f.Causes)))
		for _, c := range f.Causes {
			fmt.Fprintf(&b, "  %d. %s  %s (confidence %.2f)\n", c.Rank, c.ID, c.Title, c.Confidence)
		}
		if len(f.Causes) > 0 && f.Causes[0].Rollback != "" {
			fmt.Fprintf(&b, "  rollback (%s): %s\n", f.Causes[0].ID, firstParagraph(f.Causes[0].Rollback))
		}
	case statusUnrecognised:
		fmt.Fprintf(&b, "%s: %d lines, unrecognised failure: no runbook matches these lines\n", f.Log, f.Lines)
		for _, l := range f.Suspicious {
			fmt.Fprintf(&b, "  %s:%d: %s\n", f.Log, l.N, l.Text)
		}
	default:
		fmt.Fprintf(&b, "%s: %d lines, no known failure\n", f.Log, f.Lines)
	}
	if f.Truncated > 0 {
		fmt.Fprintf(&b, "  (%d lines longer than %d bytes were matched on their first %d bytes)\n", f.Truncated, triage.MaxLine, triage.MaxLine)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown prints the verdict as a Markdown summary.
func (f *explainFacts) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	switch f.Status {
	case statusFailed:
		fmt.Fprintf(&b, "**%s**: %s\n\n", f.Log, countCauses(len(f.Causes)))
		for _, c := range f.Causes {
			fmt.Fprintf(&b, "%d. `%s` %s (confidence %.2f)\n", c.Rank, c.ID, c.Title, c.Confidence)
		}
		if len(f.Causes) > 0 {
			c := f.Causes[0]
			fmt.Fprintf(&b, "\n### Fix (%s)\n\n%s\n\n### Rollback\n\n%s\n", c.ID, c.Fix, c.Rollback)
		}
	case statusUnrecognised:
		fmt.Fprintf(&b, "**%s**: unrecognised failure\n\n```text\n", f.Log)
		for _, l := range f.Suspicious {
			fmt.Fprintf(&b, "%d: %s\n", l.N, l.Text)
		}
		b.WriteString("```\n")
	default:
		fmt.Fprintf(&b, "**%s**: no known failure\n", f.Log)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func countCauses(n int) string {
	if n == 1 {
		return "1 cause"
	}
	return fmt.Sprintf("%d causes", n)
}

// explainRules describes the failure runbooks that explain reports as
// rules, so that `goport rules ID` (where every text report points) knows
// them too.
func explainRules() []finding.Rule {
	var rules []finding.Rule
	for _, rb := range kb.Load(kb.Source{Name: "builtin", FS: runbooks.FS(), Builtin: true}).Runbooks() {
		if len(rb.Symptoms) == 0 {
			continue
		}
		cause, _ := rb.Section("cause")
		fix, _ := rb.Section("fix")
		rules = append(rules, finding.Rule{ID: rb.ID, Title: rb.Title, Severity: rb.Severity, Explanation: cause, Fix: fix, Runbook: rb.ID})
	}
	return rules
}
