package binfile

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Comparison holds two binaries' facts side by side: the "works on my
// machine" view of what differs between a build that runs and one that
// does not.
type Comparison struct {
	A *Facts `json:"a"`
	B *Facts `json:"b"`
	// Rows lists every fact of either file, differences first, each group
	// in display order.
	Rows []DiffRow `json:"rows"`
}

// DiffRow is one fact of both files; an empty side means the file lacks
// the fact.
type DiffRow struct {
	Key     string `json:"key"`
	A       string `json:"a"`
	B       string `json:"b"`
	Differs bool   `json:"differs"`
}

// Compare lines up a's and b's facts.
func Compare(a, b *Facts) *Comparison {
	ra, rb := diffRows(a), diffRows(b)
	var keys []string
	va, vb := map[string]string{}, map[string]string{}
	for _, r := range ra {
		if _, ok := va[r.Key]; !ok {
			keys = append(keys, r.Key)
		}
		va[r.Key] = r.Value
	}
	for _, r := range rb {
		if _, ok := va[r.Key]; !ok {
			if _, ok := vb[r.Key]; !ok {
				keys = append(keys, r.Key)
			}
		}
		vb[r.Key] = r.Value
	}
	c := &Comparison{A: a, B: b}
	for _, k := range keys {
		c.Rows = append(c.Rows, DiffRow{Key: k, A: va[k], B: vb[k], Differs: va[k] != vb[k]})
	}
	slices.SortStableFunc(c.Rows, func(x, y DiffRow) int {
		switch {
		case x.Differs == y.Differs:
			return 0
		case x.Differs:
			return -1
		}
		return 1
	})
	return c
}

// Differences counts the rows that differ.
func (c *Comparison) Differences() int {
	n := 0
	for _, r := range c.Rows {
		if r.Differs {
			n++
		}
	}
	return n
}

// diffRows gives every row a unique key, so that repeated facts (build
// settings, dependencies, needed libraries) line up by name.
func diffRows(f *Facts) []Row {
	var rows []Row
	joined := map[string][]string{}
	var order []string
	for _, r := range f.Rows() {
		switch r.Key {
		case "build":
			k, v, _ := strings.Cut(r.Value, "=")
			rows = append(rows, Row{"build " + k, v})
		case "dep":
			k, v, _ := strings.Cut(r.Value, " ")
			rows = append(rows, Row{"dep " + k, v})
		case "needed", "slice", "runs on":
			if _, ok := joined[r.Key]; !ok {
				order = append(order, r.Key)
			}
			joined[r.Key] = append(joined[r.Key], r.Value)
		default:
			rows = append(rows, r)
		}
	}
	for _, k := range order {
		rows = append(rows, Row{k, strings.Join(joined[k], ", ")})
	}
	return rows
}

// WriteText prints the differences, then the shared facts.
func (c *Comparison) WriteText(w io.Writer, color bool) error {
	var b strings.Builder
	width := 14
	for _, r := range c.Rows {
		width = max(width, len(r.Key))
	}
	pa, pb := DisplayPath(c.A.Path), DisplayPath(c.B.Path)
	colw := max(len(pa), 20)
	for _, r := range c.Rows {
		if r.Differs {
			colw = max(colw, min(len(r.A), 60))
		}
	}
	fmt.Fprintf(&b, "  %-*s %-*s %s\n", width, "", colw, pa, pb)
	n := c.Differences()
	fmt.Fprintf(&b, "%s\n", plural(n, "difference"))
	same := false
	for _, r := range c.Rows {
		if !r.Differs && !same {
			b.WriteString("same in both\n")
			same = true
		}
		mark := "  "
		if r.Differs {
			mark = "≠ "
			if color {
				mark = "\x1b[33m≠\x1b[0m "
			}
			fmt.Fprintf(&b, "%s%-*s %-*s %s\n", mark, width, r.Key, colw, orNone(r.A), orNone(r.B))
			continue
		}
		fmt.Fprintf(&b, "%s%-*s %s\n", mark, width, r.Key, r.A)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown prints a three-column table, differences first.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "| fact | `%s` | `%s` |\n| --- | --- | --- |\n", mdEscape(DisplayPath(c.A.Path)), mdEscape(DisplayPath(c.B.Path)))
	for _, r := range c.Rows {
		key := r.Key
		if r.Differs {
			key = "**" + key + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", key, mdEscape(orNone(r.A)), mdEscape(orNone(r.B)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
