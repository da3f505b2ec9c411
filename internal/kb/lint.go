package kb

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goport/goport/internal/finding"
)

// Problem is one lint result, printed as "file:line: message".
type Problem struct {
	File     string           `json:"file"`
	Line     int              `json:"line,omitempty"`
	Severity finding.Severity `json:"severity"`
	Message  string           `json:"message"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

var (
	builtinID = regexp.MustCompile(`^GP-[A-Z]+(-[A-Z]+)*-\d{3}$`)
	teamID    = regexp.MustCompile(`^RB-\d{4}-\d{3,}$`)
	tagRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	aliasRE   = tagRE
)

// MaxTitle is the longest title lint accepts.
const MaxTitle = 60

// LintOptions tune Lint.
type LintOptions struct {
	// Rules, when not nil, is the set of rule ids that exist; a `rules:`
	// entry outside it is an error.
	Rules map[string]bool
}

// Lint checks every runbook the store read, plus the files it could not
// parse, and returns the problems sorted by file and line.
func Lint(s *Store, opts LintOptions) []Problem {
	var ps []Problem
	for _, err := range s.Errors {
		var e *Error
		if errors.As(err, &e) {
			ps = append(ps, Problem{File: e.File, Line: e.Line, Severity: finding.Error, Message: e.Msg})
		} else {
			ps = append(ps, Problem{Severity: finding.Error, Message: err.Error()})
		}
	}
	for _, rb := range s.All {
		ps = append(ps, lintRunbook(s, rb, opts)...)
	}
	for _, d := range s.Duplicates {
		first, _ := s.Get(d.ID)
		ps = append(ps, Problem{File: d.Source, Line: d.Lines["id"], Severity: finding.Error,
			Message: fmt.Sprintf("duplicate id %s (also in %s)", d.ID, first.Source)})
	}
	for _, o := range s.Overrides {
		rb, _ := s.Get(o.ID)
		ps = append(ps, Problem{File: o.Team, Line: rb.Lines["id"], Severity: finding.Info,
			Message: fmt.Sprintf("overrides built-in runbook %s (%s)", o.ID, o.Builtin)})
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := cmp.Compare(a.File, b.File); c != 0 {
			return c
		}
		return cmp.Compare(a.Line, b.Line)
	})
	return ps
}

func lintRunbook(s *Store, rb *Runbook, opts LintOptions) []Problem {
	var ps []Problem
	add := func(key string, sev finding.Severity, format string, args ...any) {
		ps = append(ps, Problem{File: rb.Source, Line: rb.Lines[key], Severity: sev, Message: fmt.Sprintf(format, args...)})
	}
	errorf := func(key, format string, args ...any) { add(key, finding.Error, format, args...) }

	switch {
	case rb.ID == "":
		errorf("id", "missing id")
	case s.IsBuiltin(rb) && !builtinID.MatchString(rb.ID):
		errorf("id", "invalid built-in id %q: want GP-FAMILY-NNN", rb.ID)
	case !s.IsBuiltin(rb) && !teamID.MatchString(rb.ID) && !builtinID.MatchString(rb.ID):
		errorf("id", "invalid id %q: want RB-YYYY-NNN", rb.ID)
	}
	if strings.TrimSpace(rb.Title) == "" {
		errorf("title", "missing title")
	} else if utf8.RuneCountInString(rb.Title) > MaxTitle {
		errorf("title", "title is longer than %d characters", MaxTitle)
	}
	if len(rb.Tags) == 0 {
		add("tags", finding.Warning, "no tags")
	}
	for i, t := range rb.Tags {
		if len(t) > 63 || !tagRE.MatchString(t) {
			errorf(fmt.Sprintf("tags[%d]", i), "invalid tag %q: want lower-case kebab case, at most 63 characters", t)
		}
	}
	for i, a := range rb.Aliases {
		if !aliasRE.MatchString(a) {
			errorf(fmt.Sprintf("aliases[%d]", i), "invalid alias %q: want lower-case kebab case", a)
		}
	}
	if rb.Created.IsZero() {
		errorf("created", "missing created date")
	}
	if !rb.Updated.IsZero() && rb.Updated.Before(rb.Created) {
		errorf("updated", "updated %s is before created %s", rb.Updated.Format(dateLayout), rb.Created.Format(dateLayout))
	}
	for _, id := range rb.Rules {
		if opts.Rules != nil && !opts.Rules[id] {
			errorf("rules", "unknown rule %s in rules", id)
		}
	}
	for _, id := range rb.Supersedes {
		if _, ok := s.Get(id); !ok {
			errorf("supersedes", "supersedes unknown runbook %s", id)
		}
	}
	for i, sym := range rb.Symptoms {
		ps = append(ps, lintSymptom(rb, i, sym)...)
	}
	for _, name := range SectionNames {
		body, ok := rb.Sections[name]
		switch {
		case !ok:
			ps = append(ps, Problem{File: rb.Source, Line: 0, Severity: finding.Error, Message: fmt.Sprintf("missing section ## %s", name)})
		case strings.TrimSpace(body) == "":
			errorf("## "+name, "empty section ## %s", name)
		}
	}
	for name := range rb.Sections {
		if !slices.Contains(SectionNames, name) {
			add("## "+name, finding.Warning, "unknown section ## %s (want %s)", name, strings.Join(SectionNames, ", "))
		}
	}
	return ps
}

func lintSymptom(rb *Runbook, i int, sym Symptom) []Problem {
	var ps []Problem
	errorf := func(format string, args ...any) {
		ps = append(ps, Problem{File: rb.Source, Line: sym.Line, Severity: finding.Error, Message: fmt.Sprintf("symptom %d: ", i+1) + fmt.Sprintf(format, args...)})
	}
	if sym.Pattern == "" {
		errorf("empty pattern")
		return ps
	}
	if _, err := regexp.Compile(sym.Pattern); err != nil {
		errorf("invalid pattern: %v", err)
		return ps
	}
	if strings.HasPrefix(sym.Pattern, ".*") || strings.HasPrefix(sym.Pattern, "^.*") {
		errorf("pattern starts with .*, which only slows matching: patterns are unanchored")
	}
	if sym.Confidence <= 0 || sym.Confidence > 1 {
		errorf("confidence %v is not in (0, 1]", sym.Confidence)
	}
	if sym.Then != "" {
		if _, err := regexp.Compile(sym.Then); err != nil {
			errorf("invalid then pattern: %v", err)
		}
		if sym.Window < 1 || sym.Window > MaxWindow {
			errorf("window %d is not in 1..%d", sym.Window, MaxWindow)
		}
	} else if sym.Window != 0 {
		errorf("window without then")
	}
	for _, lit := range sym.Literals {
		if len(lit) < MinLiteral {
			errorf("literal %q is shorter than %d bytes", lit, MinLiteral)
		}
	}
	if len(sym.Literals) == 0 {
		if _, ok := RequiredLiteral(sym.Pattern); !ok {
			ps = append(ps, Problem{File: rb.Source, Line: sym.Line, Severity: finding.Warning,
				Message: fmt.Sprintf("symptom %d: no literal can be derived from the pattern; add literals: so it is not tried on every line", i+1)})
		}
	}
	return ps
}
