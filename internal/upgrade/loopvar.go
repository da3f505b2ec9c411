package upgrade

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go/version"

	"github.com/goport/goport/internal/finding"
)

// LoopVar is one loop variable the compiler makes per-iteration.
type LoopVar struct {
	File   string // as the go command printed it (relative to its working directory)
	Line   int
	Column int
	Var    string
	Heap   bool // the per-iteration copy escapes: closures or pointers outlive the iteration
	// InlinedInto is "file:line" when the loop was inlined elsewhere.
	InlinedInto string
}

// loopvarLine matches the compiler's -d=loopvar=2 report
// (cmd/compile/internal/loopvar, "loop variable %v now per-iteration,
// heap-allocated" and the "(loop inlined into %s:%d)" variant).
var loopvarLine = regexp.MustCompile(`^(.+?):(\d+):(\d+): loop variable (\S+) now per-iteration, (heap|stack)-allocated(?: \(loop inlined into (.+:\d+)\))?$`)

// ParseLoopvarReport reads the compiler output of a build run with
// -gcflags=-d=loopvar=2 or 3 and returns the loops it reports; other lines
// (package headers, unrelated diagnostics) are skipped.
func ParseLoopvarReport(out []byte) []LoopVar {
	var loops []LoopVar
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		m := loopvarLine.FindStringSubmatch(strings.TrimRight(sc.Text(), "\r"))
		if m == nil {
			continue
		}
		line, err1 := strconv.Atoi(m[2])
		col, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil {
			continue
		}
		loops = append(loops, LoopVar{File: m[1], Line: line, Column: col, Var: m[4], Heap: m[5] == "heap", InlinedInto: m[6]})
	}
	return loops
}

// checkLoops asks the compiler which loops change: the module's packages
// (and their tests) are compiled with the language version of the target
// and -d=loopvar=3, which logs the loops rewritten for go1.22+ files only.
// (-d=loopvar=2 would also force the rewrite on files below go1.22, so a
// file whose //go:build line keeps it at go1.21 would be misreported.)
// Dependencies keep their own go lines and are not affected.
func (a *analysis) checkLoops(ctx context.Context) ([]finding.Finding, error) {
	flags := fmt.Sprintf("-gcflags=./...=-d=loopvar=3 -lang=go1.%d", a.to)
	cmd := goCommand(ctx, a.env.GoBinary, a.root, a.opts.Environ, "list", "-e", "-test", "-export", "-f", "{{.ImportPath}}", flags, "./...")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && stdout.Len() == 0 {
		return nil, fmt.Errorf("loop analysis: %w", commandError(err, stderr.Bytes()))
	}
	// A file whose //go:build line implies go1.22 or later already has
	// per-iteration loops: the compiler reports it, but nothing changes.
	fileVersion := map[string]string{}
	for _, cp := range a.checked {
		for _, f := range cp.files {
			fileVersion[a.rel(a.fset.Position(f.Package).Filename)] = f.GoVersion
		}
	}
	seen := map[string]bool{}
	var out []finding.Finding
	for _, l := range ParseLoopvarReport(stderr.Bytes()) {
		path := l.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(a.root, path)
		}
		loc := finding.Location{Path: a.rel(path), Line: l.Line, Column: l.Column}
		if filepath.IsAbs(loc.Path) || seen[loc.String()+l.Var] {
			continue
		}
		if v := fileVersion[loc.Path]; v != "" && version.Compare(v, "go1.22") >= 0 {
			continue
		}
		seen[loc.String()+l.Var] = true
		how := "captured by a closure or its address is taken; the copy stays on the stack"
		if l.Heap {
			how = "captured by a closure or pointer that outlives the iteration (heap-allocated)"
		}
		msg := fmt.Sprintf("loop variable %s becomes per-iteration at go 1.22: %s", l.Var, how)
		if l.InlinedInto != "" {
			msg += ", loop inlined into " + l.InlinedInto
		}
		out = append(out, finding.Finding{Rule: RuleLoopVar, Message: msg,
			Evidence: []finding.Evidence{{Location: &loc, Text: fmt.Sprintf("loop variable %s now per-iteration", l.Var)}},
			Fix:      "check that the loop does not rely on one shared variable; run its tests under both go lines"})
	}
	return out, nil
}
