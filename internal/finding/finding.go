// Package finding defines what every goport check reports: Rules (stable
// metadata), Findings (one problem, with evidence and a fix) and Reports
// (the findings of one command run, sorted and filterable by severity).
package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goport/goport/internal/target"
)

// Severity orders findings. The zero value is not a valid severity; it
// serves as "never" when used as a --fail-on threshold.
type Severity int

const (
	Info Severity = iota + 1
	Warning
	Error
)

// Never is the --fail-on threshold "none": no finding fails the run.
const Never Severity = 0

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	case Never:
		return "none"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return 0, fmt.Errorf("invalid severity %q: want error, warning or info", s)
}

// ParseFailOn reads a --fail-on value: a severity or "none".
func ParseFailOn(s string) (Severity, error) {
	if strings.ToLower(s) == "none" {
		return Never, nil
	}
	sev, err := ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("invalid --fail-on %q: want error, warning, info or none", s)
	}
	return sev, nil
}

// MarshalText writes the severity's name, so JSON carries "error" not 3.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule is the stable metadata of one check. IDs are never reused.
type Rule struct {
	ID       string   `json:"id"`       // e.g. GP-PROXY-002
	Title    string   `json:"title"`    // ≤ 60 characters, no final period
	Severity Severity `json:"severity"` // default severity of its findings
	// Explanation says why the situation bites, in Markdown.
	Explanation string `json:"explanation"`
	// Fix is the general remedy; a Finding's Fix is the concrete one.
	Fix string `json:"fix"`
	// Runbook is the knowledge-base entry that explains the rule; it is the
	// rule ID unless several rules share one runbook.
	Runbook string `json:"runbook,omitempty"`
}

// RunbookID returns the runbook that explains r.
func (r Rule) RunbookID() string {
	if r.Runbook != "" {
		return r.Runbook
	}
	return r.ID
}

// Location is a position in a file, relative to the module root when the
// file is inside it. Line and Column are 1-based; 0 means unknown.
type Location struct {
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (l Location) String() string {
	path := l.Path
	// A file name may hold a newline or an escape sequence: quoted, it
	// can neither forge a line of the report nor drive the terminal.
	if strings.ContainsFunc(path, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		path = strconv.Quote(path)
	}
	switch {
	case l.Line > 0 && l.Column > 0:
		return fmt.Sprintf("%s:%d:%d", path, l.Line, l.Column)
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", path, l.Line)
	}
	return path
}

// Evidence is one observed fact behind a finding: a source position, an
// environment assignment ("GOPROXY=https://***@proxy") or a log line.
type Evidence struct {
	Location *Location `json:"location,omitempty"`
	Text     string    `json:"text,omitempty"`
}

// Finding is one problem found by a check.
type Finding struct {
	Rule     string         `json:"rule"`
	Severity Severity       `json:"severity"`
	Message  string         `json:"message"`
	Evidence []Evidence     `json:"evidence,omitempty"`
	Fix      string         `json:"fix,omitempty"`
	Target   *target.Target `json:"target,omitempty"`
}

// Location returns the first evidence location, or nil.
func (f Finding) Location() *Location {
	for _, e := range f.Evidence {
		if e.Location != nil {
			return e.Location
		}
	}
	return nil
}

// Schema names the JSON report format; it changes only incompatibly.
const Schema = "goport.report/v1"

// Report is the result of one command run.
type Report struct {
	Schema   string    `json:"schema"`
	Tool     string    `json:"tool"`
	Version  string    `json:"version"`
	Command  string    `json:"command"`
	Findings []Finding `json:"findings"`
	// Rules holds the metadata of every rule the command can report, so that
	// SARIF and documentation can describe rules with no findings too.
	Rules []Rule `json:"rules,omitempty"`
	// Facts is command-specific data (inspect facts, matrix results).
	Facts any `json:"facts,omitempty"`
}

// Sort orders findings by severity (most severe first), location, rule and
// message, so output is deterministic.
func (r *Report) Sort() {
	slices.SortStableFunc(r.Findings, compare)
}

func compare(a, b Finding) int {
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	la, lb := a.Location(), b.Location()
	switch {
	case la != nil && lb != nil:
		if c := cmp.Compare(la.Path, lb.Path); c != 0 {
			return c
		}
		if c := cmp.Compare(la.Line, lb.Line); c != 0 {
			return c
		}
		if c := cmp.Compare(la.Column, lb.Column); c != 0 {
			return c
		}
	case la != nil:
		return -1
	case lb != nil:
		return 1
	}
	if c := cmp.Compare(a.Rule, b.Rule); c != 0 {
		return c
	}
	return cmp.Compare(a.Message, b.Message)
}

// Fails reports whether any finding is at or above threshold. Never never
// fails.
func (r *Report) Fails(threshold Severity) bool {
	if threshold == Never {
		return false
	}
	for _, f := range r.Findings {
		if f.Severity >= threshold {
			return true
		}
	}
	return false
}

// Counts returns the number of findings of each severity.
func (r *Report) Counts() map[Severity]int {
	n := map[Severity]int{}
	for _, f := range r.Findings {
		n[f.Severity]++
	}
	return n
}

// Rule returns the metadata of the rule with the given id.
func (r *Report) Rule(id string) (Rule, bool) {
	for _, rule := range r.Rules {
		if rule.ID == id {
			return rule, true
		}
	}
	return Rule{}, false
}
