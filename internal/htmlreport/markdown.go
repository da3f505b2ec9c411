package htmlreport

import (
	"net/url"
	"strings"
)

// The runbooks' Markdown is parsed into blocks and spans that the page
// template renders element by element, so html/template escapes every
// piece of text and URL itself: no Markdown-produced HTML is ever trusted.
// The subset is what runbooks use: paragraphs, headings, fenced code,
// lists, `code`, **strong**, <autolinks> and [links](url).

// Block is one Markdown block.
type Block struct {
	Kind  string // "p", "h", "pre", "ul" or "ol"
	Spans []Span // p and h
	Code  string // pre
	Items [][]Span
}

// Span is a run of inline text.
type Span struct {
	Kind string // "text", "code", "strong" or "link"
	Text string
	URL  string // link
}

// parseMarkdown reads the runbook subset of Markdown; anything else is
// kept as plain text.
func parseMarkdown(src string) []Block {
	var blocks []Block
	var para []string
	var list *Block
	flush := func() {
		if len(para) > 0 {
			blocks = append(blocks, Block{Kind: "p", Spans: parseInline(strings.Join(para, " "))})
			para = nil
		}
		if list != nil {
			blocks = append(blocks, *list)
			list = nil
		}
	}
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if fence, ok := fenceOf(trimmed); ok {
			flush()
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence); i++ {
				code = append(code, lines[i])
			}
			blocks = append(blocks, Block{Kind: "pre", Code: strings.Join(code, "\n")})
			continue
		}
		if trimmed == "" {
			flush()
			continue
		}
		if h, ok := heading(trimmed); ok {
			flush()
			blocks = append(blocks, Block{Kind: "h", Spans: parseInline(h)})
			continue
		}
		if kind, item, ok := listItem(trimmed); ok {
			if list == nil || list.Kind != kind {
				flush()
				list = &Block{Kind: kind}
			}
			list.Items = append(list.Items, parseInline(item))
			continue
		}
		if list != nil && line != trimmed {
			// An indented line continues the last list item.
			last := len(list.Items) - 1
			list.Items[last] = append(list.Items[last], Span{Kind: "text", Text: " "})
			list.Items[last] = append(list.Items[last], parseInline(trimmed)...)
			continue
		}
		if list != nil {
			flush()
		}
		para = append(para, trimmed)
	}
	flush()
	return blocks
}

func fenceOf(line string) (string, bool) {
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(line, f) {
			return f, true
		}
	}
	return "", false
}

func heading(line string) (string, bool) {
	n := len(line) - len(strings.TrimLeft(line, "#"))
	if n == 0 || n > 6 || len(line) == n || line[n] != ' ' {
		return "", false
	}
	return strings.TrimSpace(line[n:]), true
}

func listItem(line string) (kind, item string, ok bool) {
	for _, m := range []string{"- ", "* ", "+ "} {
		if strings.HasPrefix(line, m) {
			return "ul", line[len(m):], true
		}
	}
	digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
	if digits > 0 && digits < 10 && strings.HasPrefix(line[digits:], ". ") {
		return "ol", line[digits+2:], true
	}
	return "", "", false
}

// parseInline splits text into spans. Unclosed markers stay literal text.
func parseInline(s string) []Span {
	var spans []Span
	var text strings.Builder
	emit := func(sp Span) {
		if text.Len() > 0 {
			spans = append(spans, Span{Kind: "text", Text: text.String()})
			text.Reset()
		}
		spans = append(spans, sp)
	}
	for i := 0; i < len(s); {
		rest := s[i:]
		switch {
		case rest[0] == '`':
			n := len(rest) - len(strings.TrimLeft(rest, "`"))
			tick := rest[:n]
			if end := strings.Index(rest[n:], tick); end >= 0 {
				emit(Span{Kind: "code", Text: strings.TrimSpace(rest[n : n+end])})
				i += n + end + n
				continue
			}
		case strings.HasPrefix(rest, "**"):
			if end := strings.Index(rest[2:], "**"); end > 0 {
				emit(Span{Kind: "strong", Text: rest[2 : 2+end]})
				i += 2 + end + 2
				continue
			}
		case rest[0] == '<':
			if end := strings.IndexByte(rest, '>'); end > 0 {
				if u, ok := safeURL(rest[1:end]); ok {
					emit(Span{Kind: "link", Text: rest[1:end], URL: u})
					i += end + 1
					continue
				}
			}
		case rest[0] == '[':
			if label, target, n, ok := link(rest); ok {
				if u, ok := safeURL(target); ok {
					emit(Span{Kind: "link", Text: label, URL: u})
					i += n
					continue
				}
			}
		}
		text.WriteByte(s[i])
		i++
	}
	if text.Len() > 0 {
		spans = append(spans, Span{Kind: "text", Text: text.String()})
	}
	return spans
}

// link reads "[label](target)" at the start of s.
func link(s string) (label, target string, n int, ok bool) {
	mid := strings.Index(s, "](")
	if mid < 0 {
		return "", "", 0, false
	}
	end := strings.IndexByte(s[mid+2:], ')')
	if end < 0 {
		return "", "", 0, false
	}
	label = strings.Trim(s[1:mid], "`")
	return label, s[mid+2 : mid+2+end], mid + 2 + end + 1, true
}

// safeURL accepts absolute http and https links only: a report is read
// offline, so relative links lead nowhere, and other schemes (javascript:,
// data:) are never links. html/template checks URLs again when rendering.
func safeURL(s string) (string, bool) {
	if strings.ContainsAny(s, " \t\n<>\"'") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}
