package render

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// writeMarkdown writes a GitHub-flavoured Markdown summary, made for
// $GITHUB_STEP_SUMMARY: a heading, the counts, one table row per finding,
// then the details of each finding.
func writeMarkdown(w io.Writer, r *finding.Report) error {
	p := &printer{w: w}
	title := "goport"
	if r.Command != "" {
		title += " " + r.Command
	}
	p.line("## " + mdText(title))
	p.line("")
	if mf, ok := r.Facts.(MarkdownFacts); ok {
		if p.err != nil {
			return p.err
		}
		if err := mf.WriteMarkdown(w); err != nil {
			return err
		}
		p.line("")
	}
	if len(r.Findings) == 0 {
		p.line("No problems found.")
		return p.err
	}
	p.line("**" + summary(r) + "**")
	p.line("")
	p.line("| Severity | Rule | Location | Message |")
	p.line("| --- | --- | --- | --- |")
	for _, f := range r.Findings {
		loc := ""
		if l := f.Location(); l != nil {
			loc = mdCode(l.String(), true)
		}
		p.line(fmt.Sprintf("| %s | %s | %s | %s |", f.Severity, mdCode(f.Rule, true), loc, mdText(headline(f))))
	}
	p.line("")
	p.line("### Details")
	for i, f := range r.Findings {
		p.line("")
		heading := fmt.Sprintf("#### %d. %s %s", i+1, strings.ToUpper(f.Severity.String()), mdCode(f.Rule, false))
		if rule, ok := r.Rule(f.Rule); ok && rule.Title != "" {
			heading += ": " + mdText(rule.Title)
		}
		p.line(heading)
		p.line("")
		p.line(mdParagraph(headline(f)))
		p.line("")
		for _, e := range f.Evidence {
			p.line("- Evidence: " + mdCode(evidenceString(e), false))
		}
		if f.Fix != "" {
			p.line("- Fix: " + mdText(f.Fix))
		}
		p.line("- Details: " + mdCode("goport rules "+runbookOf(r, f), false))
	}
	return p.err
}

// headline is the finding's message with its target.
func headline(f finding.Finding) string {
	if f.Target == nil {
		return f.Message
	}
	return f.Message + " [" + f.Target.String() + "]"
}

// mdEscaper backslash-escapes the ASCII punctuation that could start
// Markdown syntax or HTML inside a line of text.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `|`, `\|`, `#`, `\#`, `~`, `\~`, `!`, `\!`,
)

// mdText makes s safe as inline Markdown: syntax characters are escaped
// and line breaks become <br>, so a finding can never break the layout.
func mdText(s string) string {
	return strings.Join(splitLines(mdEscaper.Replace(s)), "<br>")
}

// mdCode wraps s in a code span whose fence is longer than any backtick
// run inside it. Line breaks become spaces (a code span cannot hold
// them) and, inside a table, pipes are escaped, which GFM requires even
// in code spans.
func mdCode(s string, inTable bool) string {
	s = strings.Join(splitLines(s), " ")
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// blockStart matches what would turn a paragraph into a list, a heading
// underline, a thematic break or a code block.
var blockStart = regexp.MustCompile(`^(?:[-+=]|[0-9]+[.)])`)

// mdParagraph is mdText for a line of its own: leading spaces are dropped
// and a leading list or heading marker is escaped.
func mdParagraph(s string) string {
	s = mdText(strings.TrimLeft(s, " \t"))
	if m := blockStart.FindString(s); m != "" {
		s = m[:len(m)-1] + `\` + s[len(m)-1:]
	}
	return s
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}
