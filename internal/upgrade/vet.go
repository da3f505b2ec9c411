package upgrade

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/goport/goport/internal/finding"
)

// VetDiagnostic is one diagnostic of `go vet -json`.
type VetDiagnostic struct {
	Package  string
	Analyzer string
	Posn     string // file:line:col
	Message  string
}

// ParseVetJSON reads the output of `go vet -json`: a stream of objects,
// package → analyzer → diagnostics (or {"error": ...}), possibly
// interleaved with "# package" header lines.
func ParseVetJSON(out []byte) ([]VetDiagnostic, error) {
	var lines [][]byte
	for _, l := range bytes.SplitAfter(out, []byte("\n")) {
		if !bytes.HasPrefix(l, []byte("#")) {
			lines = append(lines, l)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.Join(lines, nil)))
	var diags []VetDiagnostic
	for {
		var obj map[string]map[string]json.RawMessage
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading go vet -json output: %w", err)
		}
		for pkg, analyzers := range obj {
			for name, raw := range analyzers {
				var ds []struct {
					Posn    string `json:"posn"`
					Message string `json:"message"`
				}
				if json.Unmarshal(raw, &ds) != nil {
					continue // {"error": ...}: the analyzer could not run
				}
				for _, d := range ds {
					diags = append(diags, VetDiagnostic{Package: pkg, Analyzer: name, Posn: d.Posn, Message: d.Message})
				}
			}
		}
	}
	return diags, nil
}

// goTestVetAnalyzers reads the analyzers `go test` runs from the go
// command's source (defaultVetFlags in cmd/go/internal/test/test.go).
func goTestVetAnalyzers(goroot string) map[string]bool {
	set := map[string]bool{}
	src, err := os.ReadFile(filepath.Join(goroot, "src", "cmd", "go", "internal", "test", "test.go"))
	if err != nil {
		return set
	}
	f, err := parser.ParseFile(token.NewFileSet(), "test.go", src, parser.SkipObjectResolution)
	if err != nil {
		return set
	}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "defaultVetFlags" || len(vs.Values) != 1 {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.CompositeLit); ok {
			for _, e := range lit.Elts {
				if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					if s, err := strconv.Unquote(bl.Value); err == nil {
						set[strings.TrimPrefix(s, "-")] = true
					}
				}
			}
		}
		return false
	})
	return set
}

// runVet runs `go vet -json ./...` in the module root, optionally with an
// overlay file.
func (a *analysis) runVet(ctx context.Context, overlay string) ([]VetDiagnostic, error) {
	args := []string{"vet", "-json"}
	if overlay != "" {
		args = append(args, "-overlay="+overlay)
	}
	cmd := goCommand(ctx, a.env.GoBinary, a.root, a.opts.Environ, append(args, "./...")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, commandError(err, stderr.Bytes())
	}
	// go vet -json writes diagnostics to stderr.
	return ParseVetJSON(append(stdout.Bytes(), stderr.Bytes()...))
}

// checkVet runs go vet at the current go line and at the target one (the
// go.mod replaced through -overlay, nothing written) and reports the
// diagnostics that appear: version-gated analyzers such as printf's
// non-constant format check (go1.24). Those that go test runs fail tests.
//
// It returns the findings, or why the comparison could not be made.
func (a *analysis) checkVet(ctx context.Context) (_ []finding.Finding, skipped string, _ error) {
	if a.work != nil || a.from >= a.to {
		return nil, "", nil
	}
	before, err := a.runVet(ctx, "")
	if err != nil {
		return nil, "go vet failed at the current go line: " + err.Error(), nil
	}
	tmp, err := os.MkdirTemp("", "goport-upgrade-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	mod, err := modfile.Parse(a.gomodPath, a.modData, nil)
	if err != nil {
		return nil, "", fmt.Errorf("parsing go.mod: %w", err)
	}
	if err := mod.AddGoStmt(goLine(a.to)); err != nil {
		return nil, "", err
	}
	data, err := mod.Format()
	if err != nil {
		return nil, "", fmt.Errorf("formatting go.mod: %w", err)
	}
	raised := filepath.Join(tmp, "go.mod")
	if err := os.WriteFile(raised, data, 0o644); err != nil {
		return nil, "", err
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {a.gomodPath: raised}})
	if err != nil {
		return nil, "", err
	}
	overlayPath := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayPath, overlay, 0o644); err != nil {
		return nil, "", err
	}
	after, err := a.runVet(ctx, overlayPath)
	if err != nil {
		return nil, fmt.Sprintf("go vet failed at go %s: %v", goLine(a.to), err), nil
	}
	old := map[string]bool{}
	for _, d := range before {
		old[d.Analyzer+"\x00"+d.Posn+"\x00"+d.Message] = true
	}
	inTest := goTestVetAnalyzers(a.env.Get("GOROOT"))
	var out []finding.Finding
	for _, d := range after {
		if old[d.Analyzer+"\x00"+d.Posn+"\x00"+d.Message] {
			continue
		}
		loc := parsePosn(d.Posn)
		loc.Path = a.rel(loc.Path)
		f := finding.Finding{Rule: RuleVetNew, Severity: finding.Warning,
			Message:  fmt.Sprintf("go vet %s reports a new problem at go %s: %s", d.Analyzer, goLine(a.to), d.Message),
			Evidence: []finding.Evidence{{Location: &loc, Text: d.Message}},
			Fix:      "fix the code before raising the go line"}
		if inTest[d.Analyzer] {
			f.Severity = finding.Error
			f.Message = fmt.Sprintf("go test will fail: vet %s reports at go %s: %s", d.Analyzer, goLine(a.to), d.Message)
		}
		out = append(out, f)
	}
	return out, "", nil
}

// parsePosn splits "file:line:col".
func parsePosn(posn string) finding.Location {
	loc := finding.Location{Path: posn}
	rest := posn
	var nums []int
	for range 2 {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			break
		}
		nums = append(nums, n)
		rest = rest[:i]
	}
	slices.Reverse(nums)
	switch len(nums) {
	case 2:
		loc = finding.Location{Path: rest, Line: nums[0], Column: nums[1]}
	case 1:
		loc = finding.Location{Path: rest, Line: nums[0]}
	}
	return loc
}
