// Package config reads goport.yaml, the per-module configuration at the
// module root, strictly: unknown keys, wrong types and invalid values are
// errors that name the file and line. Without a file, the embedded
// defaults apply.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/goport/goport/internal/target"
)

// FileName is the configuration file at a module root.
const FileName = "goport.yaml"

//go:embed default.yaml
var defaultYAML []byte

// maxSize bounds what Parse reads; a configuration is a few hundred bytes.
const maxSize = 1 << 20

// Config is the content of goport.yaml.
type Config struct {
	// Path is the file it came from, "" for the defaults.
	Path    string
	Matrix  Matrix
	History History
}

// DefaultHistoryKeep is how many runs .goport/history keeps when
// goport.yaml does not say.
const DefaultHistoryKeep = 100

// History configures the run history in .goport/history.
type History struct {
	// Keep is how many runs to retain, oldest pruned first; 0 means
	// DefaultHistoryKeep.
	Keep int
	// Disable stops recording runs.
	Disable bool
}

// Matrix configures `goport matrix`. Zero values mean "not set".
type Matrix struct {
	// Targets is the explicit list; empty when Set names a set.
	Targets []target.Target
	// Set is "first-class" or "all" when targets names a set.
	Set      string
	Packages []string
	Cgo      string // auto, on, off
	Jobs     int
	Out      string
	LDFlags  string
	Tags     string
	Trimpath *bool
	GlibcMax string
	// RunArgs is non-nil when run is configured.
	RunArgs      []string
	RunTimeout   time.Duration
	IsolateCache bool
	// Toolchains are per-target C toolchains; they win over discovery.
	Toolchains map[target.Target]Toolchain
}

// Toolchain is the C toolchain of one target.
type Toolchain struct {
	CC        string
	CXX       string
	PkgConfig string
}

// Error is a problem at a position in a configuration file.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// Default returns the embedded defaults (default.yaml).
func Default() (*Config, error) {
	c, err := Parse("default.yaml", defaultYAML)
	if err != nil {
		return nil, fmt.Errorf("embedded defaults: %w", err)
	}
	c.Path = ""
	return c, nil
}

// Load reads goport.yaml in dir, or returns the defaults when there is
// none.
func Load(dir string) (*Config, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Default()
	}
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(&limited{f, maxSize + 1}); err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return Parse(path, buf.Bytes())
}

type limited struct {
	f *os.File
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file larger than 1 MiB")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

// Parse reads a configuration; path names it in errors.
func Parse(path string, data []byte) (*Config, error) {
	if len(data) > maxSize {
		return nil, &Error{Path: path, Msg: "file larger than 1 MiB"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{Path: path, Line: yamlErrorLine(err), Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	c := &Config{Path: path}
	p := &parser{path: path}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return c, nil // an empty file sets nothing
	}
	root := doc.Content[0]
	p.mapping(root, "top level", map[string]func(*yaml.Node){
		"matrix":  func(n *yaml.Node) { p.matrix(n, &c.Matrix) },
		"history": func(n *yaml.Node) { p.history(n, &c.History) },
	})
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// yamlErrorLine digs the line out of a yaml.v3 syntax error ("yaml: line
// 3: ..."), 0 when it has none.
func yamlErrorLine(err error) int {
	s := err.Error()
	i := strings.Index(s, "line ")
	if i < 0 {
		return 0
	}
	s = s[i+len("line "):]
	j := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if j <= 0 {
		return 0
	}
	n, _ := strconv.Atoi(s[:j])
	return n
}

// parser walks the YAML tree, keeping the first error.
type parser struct {
	path string
	err  error
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{Path: p.path, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
}

func (p *parser) mapping(n *yaml.Node, what string, fields map[string]func(*yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content) && p.err == nil; i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		fn, ok := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode:
			p.fail(k, "%s: keys must be plain names", what)
		case !ok:
			p.fail(k, "%s: unknown key %q", what, k.Value)
		case seen[k.Value]:
			p.fail(k, "%s: duplicate key %q", what, k.Value)
		default:
			seen[k.Value] = true
			fn(v)
		}
	}
}

func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n, "%s must be a single value", what)
		return "", false
	}
	return n.Value, true
}

func (p *parser) str(n *yaml.Node, what string, dst *string) {
	if v, ok := p.scalar(n, what); ok {
		if strings.ContainsAny(v, "\x00\n") {
			p.fail(n, "%s must be one line", what)
			return
		}
		*dst = v
	}
}

func (p *parser) list(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

func (p *parser) matrix(n *yaml.Node, m *Matrix) {
	p.mapping(n, "matrix", map[string]func(*yaml.Node){
		"targets": func(v *yaml.Node) {
			if v.Kind == yaml.ScalarNode {
				switch v.Value {
				case "first-class", "all":
					m.Set = v.Value
				default:
					p.fail(v, "matrix.targets: want first-class, all or a list of goos/goarch[/variant], not %q", v.Value)
				}
				return
			}
			for _, item := range p.list(v, "matrix.targets") {
				var s string
				p.str(item, "matrix.targets entry", &s)
				if p.err != nil {
					return
				}
				t, err := target.Parse(s)
				if err == nil {
					err = t.Validate()
				}
				if err != nil {
					p.fail(item, "matrix.targets: %v", err)
					return
				}
				m.Targets = append(m.Targets, t)
			}
			if len(m.Targets) == 0 && p.err == nil {
				p.fail(v, "matrix.targets: empty list")
			}
		},
		"packages": func(v *yaml.Node) {
			for _, item := range p.list(v, "matrix.packages") {
				var s string
				p.str(item, "matrix.packages entry", &s)
				if strings.HasPrefix(s, "-") {
					p.fail(item, "matrix.packages: %q is not a package pattern", s)
				}
				m.Packages = append(m.Packages, s)
			}
		},
		"cgo": func(v *yaml.Node) {
			p.str(v, "matrix.cgo", &m.Cgo)
			if m.Cgo != "auto" && m.Cgo != "on" && m.Cgo != "off" && p.err == nil {
				p.fail(v, "matrix.cgo: want auto, on or off, not %q", m.Cgo)
			}
		},
		"jobs": func(v *yaml.Node) {
			var s string
			p.str(v, "matrix.jobs", &s)
			j, err := strconv.Atoi(s)
			if p.err == nil && (err != nil || j < 1 || j > 1024) {
				p.fail(v, "matrix.jobs: want a number from 1 to 1024, not %q", s)
			}
			m.Jobs = j
		},
		"out":       func(v *yaml.Node) { p.str(v, "matrix.out", &m.Out) },
		"ldflags":   func(v *yaml.Node) { p.str(v, "matrix.ldflags", &m.LDFlags) },
		"tags":      func(v *yaml.Node) { p.str(v, "matrix.tags", &m.Tags) },
		"glibc_max": func(v *yaml.Node) { p.version(v, "matrix.glibc_max", &m.GlibcMax) },
		"trimpath": func(v *yaml.Node) {
			b := p.boolean(v, "matrix.trimpath")
			m.Trimpath = &b
		},
		"isolate_cache": func(v *yaml.Node) { m.IsolateCache = p.boolean(v, "matrix.isolate_cache") },
		"run": func(v *yaml.Node) {
			m.RunArgs = []string{}
			p.mapping(v, "matrix.run", map[string]func(*yaml.Node){
				"args": func(a *yaml.Node) {
					for _, item := range p.list(a, "matrix.run.args") {
						var s string
						p.str(item, "matrix.run.args entry", &s)
						m.RunArgs = append(m.RunArgs, s)
					}
				},
				"timeout": func(t *yaml.Node) {
					var s string
					p.str(t, "matrix.run.timeout", &s)
					d, err := time.ParseDuration(s)
					if p.err == nil && (err != nil || d <= 0) {
						p.fail(t, "matrix.run.timeout: want a duration like 30s, not %q", s)
					}
					m.RunTimeout = d
				},
			})
		},
		"toolchains": func(v *yaml.Node) {
			if v.Kind != yaml.MappingNode {
				p.fail(v, "matrix.toolchains must be a mapping of goos/goarch to cc/cxx/pkg_config")
				return
			}
			m.Toolchains = map[target.Target]Toolchain{}
			for i := 0; i+1 < len(v.Content) && p.err == nil; i += 2 {
				k, tv := v.Content[i], v.Content[i+1]
				t, err := target.Parse(k.Value)
				if err == nil {
					err = t.Validate()
				}
				if err != nil {
					p.fail(k, "matrix.toolchains: %v", err)
					return
				}
				if _, dup := m.Toolchains[t]; dup {
					p.fail(k, "matrix.toolchains: duplicate target %s", t)
					return
				}
				var tc Toolchain
				what := "matrix.toolchains." + t.String()
				p.mapping(tv, what, map[string]func(*yaml.Node){
					"cc":         func(n *yaml.Node) { p.str(n, what+".cc", &tc.CC) },
					"cxx":        func(n *yaml.Node) { p.str(n, what+".cxx", &tc.CXX) },
					"pkg_config": func(n *yaml.Node) { p.str(n, what+".pkg_config", &tc.PkgConfig) },
				})
				if tc.CC == "" && p.err == nil {
					p.fail(tv, "%s: cc is required", what)
				}
				m.Toolchains[t] = tc
			}
		},
	})
}

func (p *parser) history(n *yaml.Node, h *History) {
	p.mapping(n, "history", map[string]func(*yaml.Node){
		"keep": func(v *yaml.Node) {
			var s string
			p.str(v, "history.keep", &s)
			k, err := strconv.Atoi(s)
			if p.err == nil && (err != nil || k < 1 || k > 100000) {
				p.fail(v, "history.keep: want a number from 1 to 100000, not %q", s)
			}
			h.Keep = k
		},
		"disable": func(v *yaml.Node) { h.Disable = p.boolean(v, "history.disable") },
	})
}

func (p *parser) boolean(n *yaml.Node, what string) bool {
	s, ok := p.scalar(n, what)
	if !ok {
		return false
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	p.fail(n, "%s: want true or false, not %q", what, s)
	return false
}

func (p *parser) version(n *yaml.Node, what string, dst *string) {
	var s string
	p.str(n, what, &s)
	parts := strings.Split(s, ".")
	ok := len(parts) >= 2
	for _, part := range parts {
		if _, err := strconv.Atoi(part); err != nil || strings.HasPrefix(part, "+") || strings.HasPrefix(part, "-") {
			ok = false
		}
	}
	if !ok && p.err == nil {
		p.fail(n, "%s: want a version like 2.31, not %q", what, s)
	}
	*dst = s
}
