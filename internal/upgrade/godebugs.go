package upgrade

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Setting is one entry of the toolchain's GODEBUG table
// ($GOROOT/src/internal/godebugs/table.go).
type Setting struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	// Changed is the minor Go version whose go line switches to the new
	// default (21 means go 1.21); 0 when the go line does not matter.
	Changed int `json:"changed,omitempty"`
	// Old is the value that restores the behaviour before Changed.
	Old       string `json:"old,omitempty"`
	Opaque    bool   `json:"opaque,omitempty"`
	Immutable bool   `json:"immutable,omitempty"`
	// Doc is the paragraph of $GOROOT/doc/godebug.md that introduces the
	// setting, and DocRelease the release section it sits in ("Go 1.23").
	Doc        string `json:"doc,omitempty"`
	DocRelease string `json:"doc_release,omitempty"`
}

// RemovedSetting is a GODEBUG setting the toolchain no longer accepts.
type RemovedSetting struct {
	Name    string `json:"name"`
	Removed int    `json:"removed"` // minor version of the removal
}

// Table is the installed toolchain's knowledge of GODEBUG settings.
type Table struct {
	Settings []Setting
	Removed  []RemovedSetting
}

// Lookup returns the setting named name.
func (t *Table) Lookup(name string) (Setting, bool) {
	for _, s := range t.Settings {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// RemovedIn returns the release that removed name, or 0.
func (t *Table) RemovedIn(name string) int {
	for _, r := range t.Removed {
		if r.Name == name {
			return r.Removed
		}
	}
	return 0
}

// Defaults returns the GODEBUG defaults a main module at go 1.minor gets
// from the toolchain, as the go command computes them: every setting
// whose default changed after minor keeps its old value. Settings that
// match the toolchain's own default are omitted, as in `go list
// -f {{.DefaultGODEBUG}}`.
func (t *Table) Defaults(minor int) map[string]string {
	m := map[string]string{}
	for _, s := range t.Settings {
		if s.Changed > 0 && minor < s.Changed {
			m[s.Name] = s.Old
		}
	}
	return m
}

// Flips returns the settings whose default changes when a main module's
// go line moves from go 1.from to go 1.to (from < Changed ≤ to).
func (t *Table) Flips(from, to int) []Setting {
	var out []Setting
	for _, s := range t.Settings {
		if s.Changed > from && s.Changed <= to {
			out = append(out, s)
		}
	}
	return out
}

// FormatDefaults renders a defaults map the way `go list
// -f {{.DefaultGODEBUG}}` does: key=value pairs sorted by key, joined by
// commas.
func FormatDefaults(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + m[k])
	}
	return b.String()
}

// LoadTable reads the GODEBUG table and its documentation from the
// toolchain rooted at goroot. The documentation is optional (a trimmed
// GOROOT may lack doc/); the table is not.
func LoadTable(goroot string) (*Table, error) {
	path := filepath.Join(goroot, "src", "internal", "godebugs", "table.go")
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the GODEBUG table: %w", err)
	}
	t, err := ParseTable(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc, err := os.ReadFile(filepath.Join(goroot, "doc", "godebug.md")); err == nil {
		docs := ParseDoc(doc)
		for i, s := range t.Settings {
			if d, ok := pickDoc(docs[s.Name], s.Changed); ok {
				t.Settings[i].Doc, t.Settings[i].DocRelease = d.Text, d.Release
			}
		}
	}
	return t, nil
}

// ParseTable reads the source of internal/godebugs/table.go: the
// composite literals of its All and Removed variables. It accepts only
// what the go command's own table contains (string, int and bool fields
// given by name) and reports anything else as an error, so a changed
// table format is noticed rather than misread.
func ParseTable(src []byte) (*Table, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "table.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parsing: %w", err)
	}
	t := &Table{}
	var sawAll bool
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Names) != 1 || len(vs.Values) != 1 {
				continue
			}
			lit, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				continue
			}
			switch vs.Names[0].Name {
			case "All":
				sawAll = true
				for _, elt := range lit.Elts {
					fields, err := literalFields(fset, elt)
					if err != nil {
						return nil, err
					}
					s := Setting{
						Name: fields.str["Name"], Package: fields.str["Package"],
						Changed: fields.num["Changed"], Old: fields.str["Old"],
						Opaque: fields.bool["Opaque"], Immutable: fields.bool["Immutable"],
					}
					if s.Name == "" {
						return nil, fmt.Errorf("%s: setting without a name", fset.Position(elt.Pos()))
					}
					t.Settings = append(t.Settings, s)
				}
			case "Removed":
				for _, elt := range lit.Elts {
					fields, err := literalFields(fset, elt)
					if err != nil {
						return nil, err
					}
					r := RemovedSetting{Name: fields.str["Name"], Removed: fields.num["Removed"]}
					if r.Name == "" {
						return nil, fmt.Errorf("%s: removed setting without a name", fset.Position(elt.Pos()))
					}
					t.Removed = append(t.Removed, r)
				}
			}
		}
	}
	if !sawAll {
		return nil, errors.New("no GODEBUG table (var All) found")
	}
	return t, nil
}

type fieldValues struct {
	str  map[string]string
	num  map[string]int
	bool map[string]bool
}

func literalFields(fset *token.FileSet, elt ast.Expr) (*fieldValues, error) {
	lit, ok := elt.(*ast.CompositeLit)
	if !ok {
		return nil, fmt.Errorf("%s: table entry is not a composite literal", fset.Position(elt.Pos()))
	}
	fv := &fieldValues{str: map[string]string{}, num: map[string]int{}, bool: map[string]bool{}}
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			return nil, fmt.Errorf("%s: table field without a name", fset.Position(e.Pos()))
		}
		key, ok := kv.Key.(*ast.Ident)
		if !ok {
			return nil, fmt.Errorf("%s: table field name is not an identifier", fset.Position(kv.Pos()))
		}
		switch v := kv.Value.(type) {
		case *ast.BasicLit:
			switch v.Kind {
			case token.STRING:
				s, err := strconv.Unquote(v.Value)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", fset.Position(v.Pos()), err)
				}
				fv.str[key.Name] = s
			case token.INT:
				n, err := strconv.Atoi(v.Value)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", fset.Position(v.Pos()), err)
				}
				fv.num[key.Name] = n
			default:
				return nil, fmt.Errorf("%s: unexpected %s value for %s", fset.Position(v.Pos()), v.Kind, key.Name)
			}
		case *ast.Ident:
			switch v.Name {
			case "true":
				fv.bool[key.Name] = true
			case "false":
				fv.bool[key.Name] = false
			default:
				return nil, fmt.Errorf("%s: unexpected identifier %s for %s", fset.Position(v.Pos()), v.Name, key.Name)
			}
		default:
			return nil, fmt.Errorf("%s: unexpected value for %s", fset.Position(kv.Value.Pos()), key.Name)
		}
	}
	return fv, nil
}

// SettingDoc is the documentation of one setting.
type SettingDoc struct {
	Release string // "Go 1.23"
	Text    string // the paragraph, joined into one line
}

// pickDoc prefers the paragraph of the release that changed the default,
// then the newest one (releases are listed newest first).
func pickDoc(docs []SettingDoc, changed int) (SettingDoc, bool) {
	if len(docs) == 0 {
		return SettingDoc{}, false
	}
	want := fmt.Sprintf("Go 1.%d", changed)
	for _, d := range docs {
		if changed > 0 && d.Release == want {
			return d, true
		}
	}
	return docs[0], true
}

// ParseDoc reads $GOROOT/doc/godebug.md and returns, for each setting
// named in backquotes in its "GODEBUG History" section, the paragraphs
// that name it with the release heading above each, in document order.
func ParseDoc(md []byte) map[string][]SettingDoc {
	docs := map[string][]SettingDoc{}
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	inHistory := false
	release := ""
	var para []string
	flush := func() {
		if len(para) == 0 || release == "" {
			para = para[:0]
			return
		}
		text := strings.Join(para, " ")
		para = para[:0]
		seen := map[string]bool{}
		for _, name := range backquotedNames(text) {
			if !seen[name] {
				seen[name] = true
				docs[name] = append(docs[name], SettingDoc{Release: release, Text: text})
			}
		}
	}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			inHistory = strings.Contains(line, "{#history}") || strings.HasPrefix(line, "## GODEBUG History")
			release = ""
		case strings.HasPrefix(line, "### "):
			flush()
			if inHistory {
				release = strings.TrimSpace(strings.TrimPrefix(line, "### "))
				if i := strings.Index(release, "{"); i >= 0 {
					release = strings.TrimSpace(release[:i])
				}
			}
		case line == "":
			flush()
		case inHistory:
			para = append(para, line)
		}
	}
	flush()
	return docs
}

// backquotedNames returns the setting names in `name` or `name=value`
// spans of text.
func backquotedNames(text string) []string {
	var names []string
	for {
		i := strings.IndexByte(text, '`')
		if i < 0 {
			return names
		}
		text = text[i+1:]
		j := strings.IndexByte(text, '`')
		if j < 0 {
			return names
		}
		span := text[:j]
		text = text[j+1:]
		name, _, _ := strings.Cut(span, "=")
		name = strings.TrimSuffix(name, " setting")
		if isSettingName(name) {
			names = append(names, name)
		}
	}
}

func isSettingName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
