package htmlreport

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMarkdown(t *testing.T) {
	t.Parallel()
	txt := func(s string) Span { return Span{Kind: "text", Text: s} }
	tests := []struct {
		name, src string
		want      []Block
	}{
		{"paragraphs join lines", "one\ntwo\n\nthree", []Block{
			{Kind: "p", Spans: []Span{txt("one two")}}, {Kind: "p", Spans: []Span{txt("three")}}}},
		{"fenced code keeps lines", "Split:\n\n```go\n// a.go\n//go:build unix\n```\nafter", []Block{
			{Kind: "p", Spans: []Span{txt("Split:")}}, {Kind: "pre", Code: "// a.go\n//go:build unix"}, {Kind: "p", Spans: []Span{txt("after")}}}},
		{"unclosed fence runs to the end", "```\n<x>", []Block{{Kind: "pre", Code: "<x>"}}},
		{"lists and continuation", "- one\n  more\n- `two`\n1. first\n2. second", []Block{
			{Kind: "ul", Items: [][]Span{{txt("one"), txt(" "), txt("more")}, {{Kind: "code", Text: "two"}}}},
			{Kind: "ol", Items: [][]Span{{txt("first")}, {txt("second")}}}}},
		{"heading", "### Note\ntext", []Block{{Kind: "h", Spans: []Span{txt("Note")}}, {Kind: "p", Spans: []Span{txt("text")}}}},
		{"inline", "Run `go env -json`, **then** see <https://go.dev/doc> or [docs](https://go.dev/ref/mod#x).", []Block{{Kind: "p", Spans: []Span{
			txt("Run "), {Kind: "code", Text: "go env -json"}, txt(", "), {Kind: "strong", Text: "then"}, txt(" see "),
			{Kind: "link", Text: "https://go.dev/doc", URL: "https://go.dev/doc"}, txt(" or "),
			{Kind: "link", Text: "docs", URL: "https://go.dev/ref/mod#x"}, txt(".")}}}},
		{"double backticks", "``a`b``", []Block{{Kind: "p", Spans: []Span{{Kind: "code", Text: "a`b"}}}}},
		{"unsafe and relative links stay text", "[x](javascript:alert(1)) <data:text/html,x> [y](../README.md) <b>", []Block{{Kind: "p", Spans: []Span{
			txt("[x](javascript:alert(1)) <data:text/html,x> [y](../README.md) <b>")}}}},
		{"unclosed markers stay text", "a `b **c [d](", []Block{{Kind: "p", Spans: []Span{txt("a `b **c [d](")}}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, parseMarkdown(tt.src)); diff != "" {
				t.Errorf("parseMarkdown(%q) (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

// TestMarkupProblems makes sure the allow-list check used on hostile
// pages does catch what it is there to catch.
func TestMarkupProblems(t *testing.T) {
	t.Parallel()
	page := `<p onclick="x"><script>1</script><a href="javascript:y">z</a><a href="#ok">k</a><img src="http://x/p.png"></p>`
	want := []string{"attribute onclick on <p>", "element <script>", "element <script>", "link to javascript:y", "element <img>", "attribute src on <img>"}
	if diff := cmp.Diff(want, markupProblems(page)); diff != "" {
		t.Errorf("markupProblems (-want +got):\n%s", diff)
	}
}

// FuzzMarkdown renders arbitrary Markdown as a failure's fix: parsing must
// not panic, and the page must hold no markup but the template's and no
// link but http(s).
func FuzzMarkdown(f *testing.F) {
	for _, seed := range []string{
		"Split:\n\n```go\n//go:build unix\n```\n- `a`\n- **b**\n1. <https://go.dev>\n[x](https://go.dev/ref)",
		"[x](javascript:alert(1)) <data:text/html,<script>x</script>> <b onclick=y>",
		"```", "`", "**", "[", "[a](", "<", "# ", "####### x", "1.", "- ", "  - x\n    y",
		"\r\n\r\n```\r\nx\r\n~~~", "\xff\xfe`\x00`",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, b := range parseMarkdown(src) {
			spans := b.Spans
			for _, item := range b.Items {
				spans = append(spans, item...)
			}
			for _, sp := range spans {
				if sp.Kind == "link" && !strings.HasPrefix(sp.URL, "https://") && !strings.HasPrefix(sp.URL, "http://") {
					t.Fatalf("link to %q", sp.URL)
				}
			}
		}
		res := sampleMatrix()
		res.Pairs[6].Explained.Fix = src
		in, err := Parse("f.json", matrixReport(t, res))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, []*Input{in}, nil, Options{}); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if p := markupProblems(buf.String()); len(p) > 0 {
			t.Fatalf("markup outside the allow lists: %v", p)
		}
	})
}
