package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/goport/goport/internal/finding"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// writeText prints findings grouped by severity, one block each:
//
//	ERROR GP-PROXY-002  GOPROXY uses plain http
//	  at go.mod:3
//	  evidence: GOPROXY=http://proxy.internal
//	  fix: ...
//	  see: goport rules GP-PROXY-002
func writeText(w io.Writer, r *finding.Report, opts Options) error {
	p := &printer{w: w, color: opts.Color}
	if tf, ok := r.Facts.(TextFacts); ok {
		if err := tf.WriteText(w, opts.Color); err != nil {
			return err
		}
		if len(r.Findings) > 0 {
			p.line("")
		}
	}
	for i, f := range r.Findings {
		if i > 0 {
			p.line("")
		}
		sev := strings.ToUpper(f.Severity.String())
		head := p.paint(severityColor(f.Severity)+ansiBold, fmt.Sprintf("%-7s", sev)) + " " + p.paint(ansiBold, f.Rule) + "  " + indent(f.Message)
		if f.Target != nil {
			head += " [" + f.Target.String() + "]"
		}
		p.line(head)
		for _, e := range f.Evidence {
			switch {
			case e.Location != nil && e.Text != "":
				p.line("  at " + e.Location.String() + ": " + indent(e.Text))
			case e.Location != nil:
				p.line("  at " + e.Location.String())
			case e.Text != "":
				p.line("  evidence: " + indent(e.Text))
			}
		}
		if f.Fix != "" {
			p.line("  " + p.paint(ansiCyan, "fix:") + " " + indent(f.Fix))
		}
		p.line("  " + p.paint(ansiDim, "see: goport rules "+runbookOf(r, f)))
	}
	if len(r.Findings) > 0 {
		p.line("")
	}
	p.line(summary(r))
	return p.err
}

// indent keeps a multi-line value inside its finding's block, and shows
// other control characters as \xNN so that text from a hostile file
// cannot move the cursor or recolour the terminal.
func indent(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString("\n    ")
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func runbookOf(r *finding.Report, f finding.Finding) string {
	if rule, ok := r.Rule(f.Rule); ok {
		return rule.RunbookID()
	}
	return f.Rule
}

// summary is the closing line: "2 errors, 1 warning, 0 info" or
// "no problems found".
func summary(r *finding.Report) string {
	if len(r.Findings) == 0 {
		return "no problems found"
	}
	n := r.Counts()
	return fmt.Sprintf("%s, %s, %d info", plural(n[finding.Error], "error"), plural(n[finding.Warning], "warning"), n[finding.Info])
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func severityColor(s finding.Severity) string {
	switch s {
	case finding.Error:
		return ansiRed
	case finding.Warning:
		return ansiYellow
	}
	return ansiCyan
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + ansiReset
}

func (p *printer) line(s string) {
	if p.err != nil {
		return
	}
	_, p.err = io.WriteString(p.w, s+"\n")
}
