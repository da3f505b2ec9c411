package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// MaxSize bounds the Dockerfiles Lint reads; real ones are a few
// kilobytes, and BuildKit's parser keeps the whole file in memory.
const MaxSize = 4 << 20

// ErrEmpty is returned for a Dockerfile with no instructions.
var ErrEmpty = errors.New("no instructions")

// buildkitWarning is one warning from BuildKit's parser or build checks.
type buildkitWarning struct {
	check string // BuildKit check name, e.g. StageNameCasing
	msg   string
	line  int
}

// file is a parsed Dockerfile: BuildKit's stages plus what the rules need
// resolved once (global ARG defaults, each stage's base).
type file struct {
	stages   []*stage
	metaArgs map[string]string // global ARGs with a default
	metaNoDf map[string]bool   // global ARGs declared without a default
	lex      *shell.Lex
	warnings []buildkitWarning
	checks   *linter.Config // from the "# check=" directive
}

// skips reports whether the Dockerfile's check directive turns off one of
// BuildKit's checks.
func (f *file) skips(check string) bool {
	return f.checks.SkipAll || slices.Contains(f.checks.SkipRules, check)
}

type stage struct {
	index    int
	st       instructions.Stage
	name     string // lower-case stage name, "" when unnamed
	line     int    // line of its FROM
	base     string // base image after global ARG expansion; "" when unresolved
	parent   *stage // the earlier stage named in FROM, if any
	unbound  []string
	platform string // raw --platform value
}

// parse reads a Dockerfile with BuildKit's parser and instruction decoder.
// Every failure is an error naming the line, never a panic.
func parse(data []byte) (*file, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxSize)
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:invalidUTF8At(data)], []byte("\n"))
		return nil, fmt.Errorf("line %d: not valid UTF-8", line)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fmt.Errorf("line %d: NUL byte: not a text file", 1+bytes.Count(data[:i], []byte("\n")))
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, locatedError(err)
	}
	// "# check=skip=…" configures BuildKit's checks; an invalid one fails
	// the build, so it is an error here too.
	checkOpt, _, _, _ := parser.ParseDirective("check", data)
	checks, err := linter.ParseLintOptions(checkOpt)
	if err != nil {
		return nil, fmt.Errorf("check directive: %w", err)
	}
	f := &file{lex: shell.NewLex(res.EscapeToken), metaArgs: map[string]string{}, metaNoDf: map[string]bool{}, checks: checks}
	for _, w := range res.Warnings {
		if f.skips("NoEmptyContinuation") {
			break
		}
		line := 0
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		// The parser's only warning (v0.34.2) is the empty continuation
		// line, reported by dockerfile2llb as NoEmptyContinuation.
		f.warnings = append(f.warnings, buildkitWarning{check: "NoEmptyContinuation", msg: clip(w.Short), line: line})
	}
	checks.Warn = func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		f.warnings = append(f.warnings, buildkitWarning{check: rule, msg: clip(msg), line: line})
	}
	lint := linter.New(checks)
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return nil, locatedError(err)
	}
	if len(stages) == 0 {
		return nil, errors.New("no FROM instruction")
	}
	// Mount flags are decoded only when a RUN is expanded; expanding with
	// the identity keeps variables as written.
	for _, st := range stages {
		for _, c := range st.Commands {
			if r, ok := c.(*instructions.RunCommand); ok {
				if err := r.Expand(func(w string) (string, error) { return w, nil }); err != nil {
					return nil, fmt.Errorf("line %d: %w", lineOf(r), err)
				}
			}
		}
	}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				f.metaArgs[kv.Key] = *kv.Value
				delete(f.metaNoDf, kv.Key)
			} else if _, ok := f.metaArgs[kv.Key]; !ok {
				f.metaNoDf[kv.Key] = true
			}
		}
	}
	byName := map[string]*stage{}
	for i, st := range stages {
		s := &stage{index: i, st: st, name: strings.ToLower(st.Name), platform: st.Platform}
		if len(st.Location) > 0 {
			s.line = st.Location[0].Start.Line
		}
		s.base, s.unbound = f.expand(st.BaseName)
		if p, ok := byName[strings.ToLower(s.base)]; ok && s.base != "" {
			s.parent = p
		}
		if s.name != "" {
			byName[s.name] = s
		}
		f.stages = append(f.stages, s)
	}
	return f, nil
}

// expand substitutes global ARG defaults into word, as BuildKit does for
// FROM. It returns "" and the names of the variables it could not resolve
// when some have no default.
func (f *file) expand(word string) (string, []string) {
	if !strings.Contains(word, "$") {
		return word, nil
	}
	res, err := f.lex.ProcessWordWithMatches(word, mapEnv(f.metaArgs))
	if err != nil {
		return "", nil
	}
	if len(res.Unmatched) > 0 {
		var names []string
		for n := range res.Unmatched {
			names = append(names, n)
		}
		return "", names
	}
	return res.Result, nil
}

type mapEnv map[string]string

func (m mapEnv) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }
func (m mapEnv) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// stageRef finds the stage a COPY --from or FROM names: by name or index.
func (f *file) stageRef(ref string) *stage {
	ref = strings.ToLower(ref)
	for _, s := range f.stages {
		if s.name == ref || strconv.Itoa(s.index) == ref {
			return s
		}
	}
	return nil
}

// locatedError turns BuildKit's errors into one line that names the
// Dockerfile line.
func locatedError(err error) error {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line := le.Locations[0][0].Start.Line
		if !strings.Contains(msg, fmt.Sprintf("line %d", line)) {
			return fmt.Errorf("line %d: %s", line, msg)
		}
	}
	return errors.New(msg)
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

func lineOf(c instructions.Command) int {
	if l, ok := c.(interface{ Location() []parser.Range }); ok {
		if loc := l.Location(); len(loc) > 0 {
			return loc[0].Start.Line
		}
	}
	return 0
}

// clip shortens a message that quotes a whole instruction.
func clip(s string) string {
	const max = 160
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
