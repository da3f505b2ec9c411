package kb

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// DefaultRequiredSections are the sections every change description needs.
var DefaultRequiredSections = []string{"Impact", "Rollback Steps"}

// idRef finds runbook ids cited in prose.
var idRef = regexp.MustCompile(`\b(?:GP-[A-Z]+(?:-[A-Z]+)*-\d{3}|RB-\d{4}-\d{3,})\b`)

// heading is an ATX heading; its optional closing #s are dropped.
var heading = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)

// DocProblem is one problem of a change description, at a 1-based line when
// it has one.
type DocProblem struct {
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// CheckChangeDescription validates a pull-request body: every required
// section (case-insensitive level-2 heading, not inside a code fence or an
// HTML comment) exists with non-empty content, and the text cites at least
// one runbook id, all of which exist. known reports whether an id exists.
func CheckChangeDescription(body string, required []string, known func(id string) bool) []DocProblem {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n"), "\n")
	type section struct {
		line    int
		content bool
	}
	sections := map[string]*section{}
	var cur *section
	var problems []DocProblem
	fence, inComment := "", false
	var cited []string
	citedLine := map[string]int{}
	for i, raw := range lines {
		n := i + 1
		if fence != "" {
			trimmed := strings.TrimSpace(raw)
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			if cur != nil && trimmed != "" {
				cur.content = true
			}
			noteIDs(raw, n, &cited, citedLine)
			continue
		}
		line, visible := stripComments(raw, &inComment)
		trimmed := strings.TrimSpace(line)
		if !visible {
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			if cur != nil {
				cur.content = true
			}
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			if len(m[1]) <= 2 {
				cur = nil
			}
			if len(m[1]) == 2 {
				name := strings.ToLower(strings.TrimSpace(m[2]))
				if _, dup := sections[name]; !dup {
					cur = &section{line: n}
					sections[name] = cur
				}
				continue
			}
			if cur != nil && strings.TrimSpace(m[2]) != "" {
				cur.content = true
			}
			continue
		}
		if cur != nil && trimmed != "" {
			cur.content = true
		}
		noteIDs(line, n, &cited, citedLine)
	}
	for _, want := range required {
		s, ok := sections[strings.ToLower(want)]
		switch {
		case !ok:
			problems = append(problems, DocProblem{Message: fmt.Sprintf("missing section ## %s", want)})
		case !s.content:
			problems = append(problems, DocProblem{Line: s.line, Message: fmt.Sprintf("section ## %s is empty", want)})
		}
	}
	valid := 0
	for _, id := range cited {
		if known(id) {
			valid++
			continue
		}
		problems = append(problems, DocProblem{Line: citedLine[id], Message: fmt.Sprintf("unknown runbook id %s", id)})
	}
	if valid == 0 && len(cited) == 0 {
		problems = append(problems, DocProblem{Message: "no runbook id cited (e.g. GP-BUILD-001 or RB-2026-001): say which runbook covers the change"})
	}
	slices.SortStableFunc(problems, func(a, b DocProblem) int { return a.Line - b.Line })
	return problems
}

func noteIDs(line string, n int, cited *[]string, at map[string]int) {
	for _, id := range idRef.FindAllString(line, -1) {
		if _, seen := at[id]; !seen {
			at[id] = n
			*cited = append(*cited, id)
		}
	}
}

// stripComments removes HTML comments from a line, tracking comments that
// span lines; visible is false when nothing outside comments remains.
func stripComments(line string, inComment *bool) (string, bool) {
	var b strings.Builder
	rest := line
	for rest != "" {
		if *inComment {
			end := strings.Index(rest, "-->")
			if end < 0 {
				rest = ""
				break
			}
			rest = rest[end+3:]
			*inComment = false
			continue
		}
		start := strings.Index(rest, "<!--")
		if start < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:start])
		rest = rest[start+4:]
		*inComment = true
	}
	out := b.String()
	return out, strings.TrimSpace(out) != "" || (line == "" && !*inComment)
}
