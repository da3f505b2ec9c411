// Package kb is goport's knowledge base: runbooks (Markdown with YAML front
// matter) that explain a failure's cause, fix and rollback, the store that
// merges the built-in catalogue with team runbooks, linting, full-text
// search and the creation of new team runbooks.
package kb

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/goport/goport/internal/finding"
)

// MaxRunbookSize bounds a runbook file; anything larger is not a runbook
// and must not be read into memory whole.
const MaxRunbookSize = 1 << 20

// Section names, in the order a runbook body presents them.
var SectionNames = []string{"Symptoms", "Cause", "Fix", "Rollback", "References"}

// Runbook is one knowledge-base entry.
type Runbook struct {
	ID       string           `json:"id"`
	Title    string           `json:"title"`
	Tags     []string         `json:"tags,omitempty"`
	Severity finding.Severity `json:"severity"`
	Created  time.Time        `json:"created"`
	Updated  time.Time        `json:"updated"`
	Applies  Applicability    `json:"applies,omitzero"`
	// Rules are the doctor/preflight/upgrade rule ids this runbook explains.
	Rules []string `json:"rules,omitempty"`
	// Aliases are failure-class names (kebab case) this runbook answers to,
	// so `kb show cgo-disabled` works and class-labelled logs can be scored.
	Aliases []string `json:"aliases,omitempty"`
	// Generic causes are dropped when a more specific cause also matched.
	Generic bool `json:"generic,omitempty"`
	// Supersedes lists runbooks whose symptoms are follow-on effects of this
	// one: when both match, only this one is a cause.
	Supersedes []string  `json:"supersedes,omitempty"`
	Symptoms   []Symptom `json:"symptoms,omitempty"`
	// Sections maps a body section name (as in SectionNames) to its Markdown.
	Sections map[string]string `json:"sections"`
	// Source is where the runbook came from ("builtin:x.md" or a path).
	Source string `json:"source"`
	// Lines records the 1-based file line of front-matter keys ("id",
	// "symptoms[0]", "## Fix"), so lint can point at them.
	Lines map[string]int `json:"-"`
}

// Applicability narrows where a runbook applies; empty means everywhere.
type Applicability struct {
	GOOS   []string `yaml:"goos" json:"goos,omitempty"`
	GOARCH []string `yaml:"goarch" json:"goarch,omitempty"`
	// Go is a version range such as ">=1.21" or ">=1.21 <1.23".
	Go string `yaml:"go" json:"go,omitempty"`
}

// Symptom is one log pattern.
type Symptom struct {
	// Pattern is an RE2 regular expression matched against one log line.
	Pattern string `yaml:"pattern" json:"pattern"`
	// Literals must all appear in a line before Pattern is tried; when empty
	// the engine derives them from Pattern.
	Literals []string `yaml:"literals" json:"literals,omitempty"`
	// Confidence (0..1] says how surely this line proves the cause.
	Confidence float64 `yaml:"confidence" json:"confidence,omitempty"`
	// Then, with Window, makes a bounded multi-line symptom: Then must match
	// one of the Window lines after the Pattern line.
	Then   string `yaml:"then" json:"then,omitempty"`
	Window int    `yaml:"window" json:"window,omitempty"`
	Line   int    `yaml:"-" json:"-"`
}

// DefaultConfidence applies to a symptom that states none.
const DefaultConfidence = 0.8

// MaxWindow bounds a multi-line symptom's window.
const MaxWindow = 50

// frontMatter is the YAML schema; unknown keys are errors.
type frontMatter struct {
	ID         string        `yaml:"id"`
	Title      string        `yaml:"title"`
	Tags       []string      `yaml:"tags"`
	Severity   string        `yaml:"severity"`
	Created    string        `yaml:"created"`
	Updated    string        `yaml:"updated"`
	Applies    Applicability `yaml:"applies"`
	Rules      []string      `yaml:"rules"`
	Aliases    []string      `yaml:"aliases"`
	Generic    bool          `yaml:"generic"`
	Supersedes []string      `yaml:"supersedes"`
	Symptoms   []Symptom     `yaml:"symptoms"`
}

// Error is a problem in a runbook file, at a line when known.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

const dateLayout = "2006-01-02"

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Parse reads a runbook. source names the file in errors. It fails on
// anything that prevents using the runbook (no front matter, bad YAML,
// unknown keys, bad dates or severity); semantic checks (sections, regexes,
// tags, ids) are Lint's job so that they can all be reported at once.
func Parse(source string, data []byte) (*Runbook, error) {
	if len(data) > MaxRunbookSize {
		return nil, &Error{File: source, Msg: fmt.Sprintf("file is larger than %d bytes", MaxRunbookSize)}
	}
	if !utf8.Valid(data) {
		return nil, &Error{File: source, Msg: "file is not valid UTF-8"}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, &Error{File: source, Msg: "file contains NUL bytes"}
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	fm, body, bodyLine, err := splitFrontMatter(text)
	if err != nil {
		return nil, &Error{File: source, Line: 1, Msg: err.Error()}
	}
	var meta frontMatter
	dec := yaml.NewDecoder(strings.NewReader(fm))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		return nil, yamlError(source, err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &node); err != nil {
		return nil, yamlError(source, err)
	}
	rb := &Runbook{
		ID:         meta.ID,
		Title:      meta.Title,
		Tags:       meta.Tags,
		Applies:    meta.Applies,
		Rules:      meta.Rules,
		Aliases:    meta.Aliases,
		Generic:    meta.Generic,
		Supersedes: meta.Supersedes,
		Symptoms:   meta.Symptoms,
		Source:     source,
		Lines:      keyLines(&node),
	}
	if err := rb.Applies.validate(); err != nil {
		return nil, &Error{File: source, Line: rb.Lines["applies"], Msg: err.Error()}
	}
	if rb.Severity, err = parseSeverity(meta.Severity); err != nil {
		return nil, &Error{File: source, Line: rb.Lines["severity"], Msg: err.Error()}
	}
	if rb.Created, err = parseDate("created", meta.Created); err != nil {
		return nil, &Error{File: source, Line: rb.Lines["created"], Msg: err.Error()}
	}
	if rb.Updated, err = parseDate("updated", meta.Updated); err != nil {
		return nil, &Error{File: source, Line: rb.Lines["updated"], Msg: err.Error()}
	}
	for i := range rb.Symptoms {
		rb.Symptoms[i].Line = rb.Lines["symptoms["+strconv.Itoa(i)+"]"]
		if rb.Symptoms[i].Confidence == 0 {
			rb.Symptoms[i].Confidence = DefaultConfidence
		}
	}
	rb.Sections = splitSections(body, bodyLine, rb.Lines)
	return rb, nil
}

// splitFrontMatter cuts "---\n<yaml>\n---\n<body>". It returns the YAML
// with one leading empty line so that YAML line numbers equal file lines,
// and the file line where the body starts.
func splitFrontMatter(text string) (fm, body string, bodyLine int, err error) {
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return "", "", 0, errors.New("missing front matter: the file must start with a line \"---\"")
	}
	line := 2
	var b strings.Builder
	b.WriteString("\n")
	for rest != "" {
		l, after, _ := strings.Cut(rest, "\n")
		rest = after
		if strings.TrimRight(l, " \t") == "---" {
			return b.String(), rest, line + 1, nil
		}
		b.WriteString(l)
		b.WriteString("\n")
		line++
	}
	return "", "", 0, errors.New("unterminated front matter: no closing \"---\" line")
}

func yamlError(source string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(strings.TrimSpace(msg)); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: source, Line: n, Msg: "front matter: " + m[2]}
	}
	return &Error{File: source, Line: 1, Msg: "front matter: " + strings.TrimPrefix(msg, "yaml: ")}
}

// keyLines records where top-level keys and list items start.
func keyLines(doc *yaml.Node) map[string]int {
	lines := map[string]int{}
	if doc == nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return lines
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		lines[k.Value] = k.Line
		if v.Kind == yaml.SequenceNode {
			for j, item := range v.Content {
				lines[k.Value+"["+strconv.Itoa(j)+"]"] = item.Line
			}
		}
	}
	return lines
}

func parseSeverity(s string) (finding.Severity, error) {
	if s == "" {
		return finding.Error, nil
	}
	return finding.ParseSeverity(s)
}

func parseDate(key, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: invalid date %q: want YYYY-MM-DD", key, s)
	}
	return t, nil
}

// splitSections cuts the body at level-2 headings outside code fences.
// Text before the first heading is ignored; unknown headings are kept
// under their own name so lint can report them.
func splitSections(body string, firstLine int, lines map[string]int) map[string]string {
	sections := map[string]string{}
	var name string
	var cur strings.Builder
	flush := func() {
		if name != "" {
			sections[name] = strings.TrimSpace(cur.String())
		}
		cur.Reset()
	}
	fence := ""
	n := firstLine
	for l := range strings.Lines(body) {
		l = strings.TrimSuffix(l, "\n")
		trimmed := strings.TrimSpace(l)
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
		case strings.HasPrefix(trimmed, "```"), strings.HasPrefix(trimmed, "~~~"):
			fence = trimmed[:3]
		case strings.HasPrefix(l, "## "):
			flush()
			name = canonicalSection(strings.TrimSpace(l[3:]))
			lines["## "+name] = n
			n++
			continue
		}
		cur.WriteString(l)
		cur.WriteString("\n")
		n++
	}
	flush()
	return sections
}

// canonicalSection maps "fix" or "FIX" to "Fix" for the known names.
func canonicalSection(s string) string {
	for _, k := range SectionNames {
		if strings.EqualFold(k, s) {
			return k
		}
	}
	return s
}

// Section returns the named section (case-insensitive), if present.
func (r *Runbook) Section(name string) (string, bool) {
	s, ok := r.Sections[canonicalSection(name)]
	return s, ok
}
