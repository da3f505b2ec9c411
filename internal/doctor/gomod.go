package doctor

import (
	"errors"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/goport/goport/internal/finding"
)

func gomodChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-MOD-001",
				Title:    "go.mod does not parse",
				Severity: finding.Error,
				Explanation: "The go command refuses to do anything in a module whose go.mod it cannot parse: " +
					"every build, test and `go mod` command stops with the same `go.mod:LINE: ...` error. " +
					"Common causes are merge-conflict markers, a hand edit with a typo, a directive this Go " +
					"version does not know (for example `godebug` before Go 1.23, `toolchain` before 1.21) " +
					"or a go line that is not a valid version.",
				Fix: "Correct the line the error names (`go mod edit -fmt` reformats a file that parses); " +
					"for a directive the installed Go does not know, upgrade Go or remove the directive.",
			},
			Run: checkGoModParses,
		},
	}
}

func checkGoModParses(c *Context) []finding.Finding {
	if c.Mod == nil || c.Mod.ParseErr == nil {
		return nil
	}
	var list modfile.ErrorList
	if !errors.As(c.Mod.ParseErr, &list) {
		return []finding.Finding{{
			Message:  "go.mod does not parse: " + c.Mod.ParseErr.Error(),
			Evidence: []finding.Evidence{{Location: &finding.Location{Path: c.Rel(c.Mod.Path)}}},
		}}
	}
	var fs []finding.Finding
	for _, e := range list {
		loc := &finding.Location{Path: c.Rel(c.Mod.Path), Line: e.Pos.Line}
		if e.Pos.LineRune > 0 {
			loc.Column = e.Pos.LineRune
		}
		msg := e.Err.Error()
		if e.Verb != "" && !strings.Contains(msg, e.Verb) {
			msg = e.Verb + ": " + msg
		}
		fs = append(fs, finding.Finding{
			Message:  "go.mod does not parse: " + loc.String() + ": " + msg,
			Evidence: []finding.Evidence{{Location: loc, Text: lineOf(c.Mod.Data, e.Pos.Line)}},
			Fix:      "edit " + loc.String() + " so that the go command can read it",
		})
	}
	return fs
}

// lineOf returns the 1-based line n of data, trimmed, or "".
func lineOf(data []byte, n int) string {
	if n <= 0 {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}
