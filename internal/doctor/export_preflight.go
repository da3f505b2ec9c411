package doctor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

// buildBlockerRules are the checks whose findings decide whether the go
// command gets as far as compiling, and with which toolchain: a go.mod it
// cannot parse, a go or toolchain line the toolchain policy cannot satisfy
// or silently ignores, a GOTOOLCHAIN it rejects and GOFLAGS it refuses.
var buildBlockerRules = []string{"GP-MOD-001", "GP-MOD-002", "GP-MOD-003", "GP-TOOL-004", "GP-FLAGS-001"}

// BuildBlockers runs the checks that predict whether any go build starts
// at all, on a light context: goEnv is an already loaded `go env -json`
// and no source file is parsed, so it costs file reads only. It returns
// their findings and the rules that produced them.
func BuildBlockers(dir string, environ []string, goEnv *goenv.Env) ([]finding.Finding, []finding.Rule, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, nil, &notDirError{dir, "not a directory"}
	}
	c := &Context{Dir: abs, Root: abs, Environ: environ, Go: goEnv}
	if goEnv == nil {
		c.GoErr = fmt.Errorf("go env was not loaded")
	}
	if err := c.loadEnvFiles(); err != nil {
		return nil, nil, err
	}
	if err := c.loadModule(); err != nil {
		return nil, nil, err
	}
	if err := c.loadWork(); err != nil {
		return nil, nil, err
	}
	var checks []Check
	for _, ch := range Checks() {
		if slices.Contains(buildBlockerRules, ch.Rule.ID) {
			checks = append(checks, ch)
		}
	}
	fs, err := Run(c, checks)
	if err != nil {
		return nil, nil, err
	}
	return fs, Rules(checks), nil
}

// PrivateModule is a module path in go.mod that looks private, and the
// GOPRIVATE pattern that covers it.
type PrivateModule struct {
	Path    string
	Pattern string
	Reason  string
	Line    int
}

// PrivateModules lists the module path and the downloaded requirements of
// f that look private by doctor's host rules (no dot, IP address, private
// TLD, self-hosted forge). Paths whose first element has no dot are left
// out: no pattern makes the go command fetch them.
func PrivateModules(f *modfile.File) []PrivateModule {
	var out []PrivateModule
	seen := map[string]bool{}
	add := func(path string, line int) {
		reason := privateHostReason(path)
		host, _, _ := strings.Cut(path, "/")
		if reason == "" || !strings.Contains(host, ".") || seen[path] {
			return
		}
		seen[path] = true
		out = append(out, PrivateModule{Path: path, Pattern: host, Reason: reason, Line: line})
	}
	if f.Module != nil {
		line := 0
		if f.Module.Syntax != nil {
			line = f.Module.Syntax.Start.Line
		}
		add(f.Module.Mod.Path, line)
	}
	for _, p := range downloadedPaths(f) {
		add(p.Path, p.Line)
	}
	return out
}

// IsPublicModuleHost reports whether host serves public modules (a big
// forge or a well-known vanity host), so that GOINSECURE or GOPRIVATE
// naming it is a mistake.
func IsPublicModuleHost(host string) bool { return isPublicHost(host) }
