package htmlreport

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
)

// The tests read the page into a small tree with encoding/xml in its HTML
// mode (void elements closed automatically, HTML entities known): the
// template closes every element it opens, so the tree is exact, and no
// HTML parser has to be added to the module for tests alone.

type nodeType int

const (
	elementNode nodeType = iota
	textNode
)

type attribute struct{ Key, Val string }

type node struct {
	Type        nodeType
	Data        string // element name or text
	Attr        []attribute
	FirstChild  *node
	NextSibling *node
	parent      *node
	last        *node
}

func (n *node) append(c *node) {
	c.parent = n
	if n.last == nil {
		n.FirstChild = c
	} else {
		n.last.NextSibling = c
	}
	n.last = c
}

func parseHTML(page string) (*node, error) {
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root := &node{Type: elementNode, Data: "#document"}
	cur := root
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Type: elementNode, Data: strings.ToLower(tok.Name.Local)}
			for _, a := range tok.Attr {
				key := a.Name.Local
				if a.Name.Space != "" {
					key = a.Name.Space + ":" + key
				}
				n.Attr = append(n.Attr, attribute{strings.ToLower(key), a.Value})
			}
			cur.append(n)
			cur = n
		case xml.EndElement:
			name := strings.ToLower(tok.Name.Local)
			for n := cur; n != nil; n = n.parent {
				if n.Data == name {
					cur = n.parent
					break
				}
			}
			if cur == nil {
				return nil, errors.New("unbalanced </" + name + ">")
			}
		case xml.CharData:
			cur.append(&node{Type: textNode, Data: string(tok)})
		}
	}
	return root, nil
}

// tagPattern finds every tag of the page. html/template escapes '<' in
// text and attribute values, so each match is markup the template wrote.
var tagPattern = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)

var attrPattern = regexp.MustCompile(`([a-zA-Z-:]+)(?:="([^"]*)")?`)

// allowedTags are the elements the template uses: nothing that loads,
// runs or submits anything.
var allowedTags = []string{"html", "head", "meta", "title", "style", "body", "header", "main", "nav", "section", "article",
	"h1", "h2", "h3", "h4", "h5", "p", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tr", "th", "td",
	"div", "span", "strong", "small", "code", "pre", "br", "a", "svg", "g", "rect", "text"}

var allowedAttrs = []string{"lang", "charset", "name", "content", "http-equiv", "class", "title", "id", "href", "rel",
	"scope", "aria-hidden", "aria-label", "role", "width", "height", "viewbox", "x", "y"}

// markupProblems lists tags and attributes outside the allow lists, and
// links that are neither in-page nor http(s).
func markupProblems(page string) []string {
	var problems []string
	for _, m := range tagPattern.FindAllStringSubmatch(page, -1) {
		name := strings.ToLower(m[2])
		if !slices.Contains(allowedTags, name) {
			problems = append(problems, "element <"+name+">")
		}
		for _, a := range attrPattern.FindAllStringSubmatch(m[3], -1) {
			key := strings.ToLower(a[1])
			if !slices.Contains(allowedAttrs, key) {
				problems = append(problems, "attribute "+key+" on <"+name+">")
			}
			if key == "href" && !strings.HasPrefix(a[2], "#") && !strings.HasPrefix(a[2], "https://") && !strings.HasPrefix(a[2], "http://") {
				problems = append(problems, "link to "+a[2])
			}
		}
	}
	return problems
}

// walk calls fn for every element of the tree.
func walk(n *node, fn func(*node)) {
	if n.Type == elementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *node, class string) bool {
	v, _ := attr(n, "class")
	return slices.Contains(strings.Fields(v), class)
}

// text is the text content of n, with white space collapsed.
func text(n *node) string {
	var b strings.Builder
	var rec func(*node)
	rec = func(n *node) {
		if n.Type == textNode {
			b.WriteString(n.Data)
		}
		// Block boundaries separate words, as they do on screen.
		block := n.Type == elementNode && slices.Contains(blockTags, n.Data)
		if block {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
		if block {
			b.WriteByte(' ')
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

var blockTags = []string{"br", "p", "div", "li", "pre", "td", "th", "tr", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "caption"}

func find(root *node, match func(*node) bool) []*node {
	var out []*node
	walk(root, func(n *node) {
		if match(n) {
			out = append(out, n)
		}
	})
	return out
}
