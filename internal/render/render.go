// Package render turns a finding.Report into one of goport's output
// formats: text for people, json for programs, sarif for code scanning and
// markdown for CI step summaries. It holds no domain logic, and every byte
// it writes has passed through secret.Redact.
package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/secret"
)

// Format is an output format name.
type Format string

const (
	Text     Format = "text"
	JSON     Format = "json"
	SARIF    Format = "sarif"
	Markdown Format = "markdown"
)

// Formats lists every format, for flag help and completion.
var Formats = []Format{Text, JSON, SARIF, Markdown}

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", fmt.Errorf("invalid format %q: want text, json, sarif or markdown", s)
}

// Options adjust rendering.
type Options struct {
	// Color enables ANSI colour in text output; the caller decides (TTY and
	// no NO_COLOR).
	Color bool
}

// TextFacts is implemented by report facts that have a human rendering;
// the text format prints it before the findings.
type TextFacts interface {
	WriteText(w io.Writer, color bool) error
}

// MarkdownFacts is implemented by report facts with a Markdown rendering.
type MarkdownFacts interface {
	WriteMarkdown(w io.Writer) error
}

// Render writes r to w in format f. Output is built in memory, redacted,
// then written in one call, so a failing renderer never leaves half a
// document and no credential can slip through a renderer. Every string of
// the report is redacted before rendering too, so that escaping (Markdown,
// JSON) cannot split a credential where the final pass would miss it.
// Render sorts r's findings and never otherwise changes r.
func Render(w io.Writer, f Format, r *finding.Report, opts Options) error {
	if r.Findings == nil {
		r.Findings = []finding.Finding{}
	}
	r.Sort()
	red := redacted(r)
	var buf bytes.Buffer
	var err error
	switch f {
	case Text:
		err = writeText(&buf, red, opts)
	case JSON:
		err = writeJSON(&buf, red)
	case SARIF:
		err = writeSARIF(&buf, red)
	case Markdown:
		err = writeMarkdown(&buf, red)
	default:
		err = fmt.Errorf("unknown format %q", f)
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, secret.Redact(buf.String()))
	return err
}

// redacted returns a copy of r whose strings have passed through
// secret.Redact. Facts are rendered by their own code and caught by the
// final pass over the output.
func redacted(r *finding.Report) *finding.Report {
	out := *r
	out.Findings = make([]finding.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Message = secret.Redact(f.Message)
		f.Fix = secret.Redact(f.Fix)
		if f.Evidence != nil {
			ev := make([]finding.Evidence, len(f.Evidence))
			for j, e := range f.Evidence {
				e.Text = secret.Redact(e.Text)
				if e.Location != nil {
					loc := *e.Location
					loc.Path = secret.Redact(loc.Path)
					e.Location = &loc
				}
				ev[j] = e
			}
			f.Evidence = ev
		}
		out.Findings[i] = f
	}
	if r.Rules != nil {
		out.Rules = make([]finding.Rule, len(r.Rules))
		for i, rule := range r.Rules {
			rule.Title = secret.Redact(rule.Title)
			rule.Explanation = secret.Redact(rule.Explanation)
			rule.Fix = secret.Redact(rule.Fix)
			out.Rules[i] = rule
		}
	}
	return &out
}
